package health

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/actuatorgo/actuator/internal/httpx"
)

// TestHandlerStandsAloneOnAServeMux mounts the health handler on a plain
// ServeMux, at its own path and under a "{path...}" wildcard, with no
// actuator in front: it serves the aggregate, groups and components, and
// checks methods and negotiates the type itself.
func TestHandlerStandsAloneOnAServeMux(t *testing.T) {
	c := New(
		WithCheck("db", up, WithGroups(GroupReadiness)),
		WithComposite("backends", WithCheck("a", up)),
		WithDefaultShowDetails(Always),
	)
	defer c.Close()
	mux := http.NewServeMux()
	mux.Handle("/health", c.Handler())
	mux.Handle("/health/{path...}", c.Handler())
	mux.Handle("/ops/probes/ready", c.GroupHandler(GroupReadiness))

	tests := []struct {
		method, path, accept string
		code                 int
		ct                   string
		body                 string
	}{
		{"GET", "/health", "", 200, httpx.MediaTypeV3, `"groups":["liveness","readiness"]`},
		{"GET", "/health/", "", 200, httpx.MediaTypeV3, `"groups":["liveness","readiness"]`},
		{"GET", "/health/db", "", 200, httpx.MediaTypeV3, `{"status":"UP","details":{"duration":`},
		{"GET", "/health/db/", "", 200, httpx.MediaTypeV3, `{"status":"UP","details":{"duration":`},
		{"GET", "/health/readiness", "application/json", 200, httpx.MediaTypeJSON, `{"status":"UP"}`},
		{"GET", "/health/backends/a", "", 200, httpx.MediaTypeV3, `{"status":"UP"`},
		{"HEAD", "/health", "", 200, httpx.MediaTypeV3, ``},
		{"GET", "/health/nope", "", 404, httpx.MediaTypeV3, `"path":"/health/nope"`},
		{"GET", "/health", "text/html", 406, httpx.MediaTypeJSON, `"status":406`},
		{"POST", "/health", "", 405, httpx.MediaTypeJSON, `"status":405`},
		{"GET", "/ops/probes/ready", "text/plain", 200, httpx.MediaTypeJSON, `{"status":"UP"}`},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, tc.path, nil)
			if tc.accept != "" {
				r.Header.Set("Accept", tc.accept)
			}
			w := httptest.NewRecorder()
			mux.ServeHTTP(w, r)
			if w.Code != tc.code || w.Header().Get("Content-Type") != tc.ct || !strings.Contains(w.Body.String(), tc.body) {
				t.Errorf("got %d %q %s, want %d %q containing %s", w.Code, w.Header().Get("Content-Type"), w.Body, tc.code, tc.ct, tc.body)
			}
		})
	}
}
