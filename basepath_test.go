package actuator_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/actuatorgo/actuator"
)

func TestBasePaths(t *testing.T) {
	tests := []struct {
		base       string
		index      string // where the index answers
		health     string
		outside    string // a path that is not the actuator's
		wantPrefix string // hrefs start with this
	}{
		{"", "/actuator", "/actuator/health", "/health", "http://example.com/actuator"},
		{"/actuator", "/actuator/", "/actuator/health/", "/actuatorx/health", "http://example.com/actuator"},
		{"/", "/", "/health", "/nope/health", "http://example.com/health"},
		{"/management/", "/management", "/management/health", "/actuator/health", "http://example.com/management"},
		{"management", "/management/", "/management/health", "/managementhealth", "http://example.com/management"},
		{"/a/b//", "/a/b", "/a/b/health", "/a/health", "http://example.com/a/b"},
	}
	for _, tc := range tests {
		t.Run(tc.base, func(t *testing.T) {
			var opts []actuator.Option
			if tc.base != "" {
				opts = append(opts, actuator.WithBasePath(tc.base))
			}
			a := newActuator(t, opts...)
			w := do(a, "GET", "http://example.com"+tc.index)
			if w.Code != http.StatusOK {
				t.Fatalf("GET %s = %d %s", tc.index, w.Code, w.Body)
			}
			links := decode(t, w)["_links"].(map[string]any)
			href := links["health"].(map[string]any)["href"].(string)
			if !strings.HasPrefix(href, tc.wantPrefix) || !strings.HasSuffix(href, "/health") {
				t.Errorf("health href = %q, want prefix %q", href, tc.wantPrefix)
			}
			if w := do(a, "GET", tc.health); w.Code != http.StatusOK {
				t.Errorf("GET %s = %d %s", tc.health, w.Code, w.Body)
			}
			if w := do(a, "GET", tc.outside); w.Code != http.StatusNotFound {
				t.Errorf("GET %s = %d, want 404", tc.outside, w.Code)
			}
		})
	}
}

// atRootRequests are what an application with GET /hello and GET / sees
// with the actuator at the root: the actuator claims only the exposed
// endpoints' paths. gin_adapter_test.go sends them through gin.
var atRootRequests = []struct {
	path   string
	status int
	body   string
}{
	{"/hello", 200, "hello"},
	{"/", 200, "home"},
	{"/health", 200, `"status":"UP"`},
	{"/health/liveness", 200, `"status":"UP"`},
	{"/info/", 200, `{`},
	{"/shutdown", 404, ""}, // not exposed: the app's 404
	{"/missing", 404, ""},
}

// assertAtRoot sends atRootRequests through h.
func assertAtRoot(t *testing.T, h http.Handler) {
	t.Helper()
	for _, tc := range atRootRequests {
		w := do(h, "GET", tc.path)
		if w.Code != tc.status || !strings.Contains(w.Body.String(), tc.body) {
			t.Errorf("GET %s = %d %q, want %d containing %q", tc.path, w.Code, w.Body, tc.status, tc.body)
		}
		if tc.status == 404 && strings.Contains(w.Body.String(), `"timestamp"`) {
			t.Errorf("GET %s answered by the actuator, want the app's 404", tc.path)
		}
	}
}

// With the base path at the root, the middleware must still pass the
// application's own paths on: it claims only the exposed endpoints.
func TestMiddlewareAtRootLeavesTheAppAlone(t *testing.T) {
	a := newActuator(t, actuator.WithBasePath("/"))
	mux := appMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("home")) })
	assertAtRoot(t, a.Middleware(mux))
	// ServeHTTP itself, for a dedicated port, still serves the index at "/".
	if w := do(a, "GET", "/"); w.Code != 200 || !strings.Contains(w.Body.String(), `"_links"`) {
		t.Errorf("ServeHTTP GET / = %d %s", w.Code, w.Body)
	}
}
