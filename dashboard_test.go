package actuator_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/actuatorgo/actuator"
	"github.com/actuatorgo/actuator/dashboard"
)

const browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"

// isPage reports whether w is the dashboard page, with its policy, and the
// <base href> it carries.
func isPage(t *testing.T, w *httptest.ResponseRecorder) (bool, string) {
	t.Helper()
	if !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
		return false, ""
	}
	if got := w.Header().Get("Content-Security-Policy"); got != dashboard.ContentSecurityPolicy {
		t.Errorf("Content-Security-Policy = %q", got)
	}
	assertSecurityHeaders(t, w)
	_, rest, ok := strings.Cut(w.Body.String(), `<base href="`)
	if !ok {
		t.Fatalf("page without <base href>: %s", w.Body)
	}
	href, _, _ := strings.Cut(rest, `"`)
	return true, href
}

func TestDashboardOnlyWhenHTMLIsPreferred(t *testing.T) {
	a := newActuator(t)
	off := newActuator(t, actuator.WithoutDashboard())
	tests := []struct {
		accept string
		page   bool
	}{
		{browserAccept, true},
		{"text/html", true},
		{"application/xhtml+xml", true},
		{"text/html;q=0.9, application/json;q=0.5", true},
		{"", false},
		{"*/*", false},
		{"application/json", false},
		{v3, false},
		{"text/html, application/json", false},       // equal weight: JSON clients keep the index
		{"application/json, text/html;q=0.5", false}, // JSON preferred
		{"text/html;q=0, */*", false},
		{"text/*", false},            // not an explicit wish: 406 as before
		{"text/html;q=bogus", false}, // malformed weight: 406 as before
	}
	for _, tc := range tests {
		t.Run(tc.accept, func(t *testing.T) {
			var header []string
			if tc.accept != "" {
				header = []string{"Accept", tc.accept}
			}
			w := do(a, "GET", "/actuator", header...)
			page, href := isPage(t, w)
			if page != tc.page {
				t.Fatalf("page = %v, want %v: %d %s %.80q", page, tc.page, w.Code, w.Header().Get("Content-Type"), w.Body)
			}
			if page {
				if got, want := href, "/actuator/"; got != want {
					t.Errorf("base href = %q, want %q", got, want)
				}
				return
			}
			// Exactly what the actuator answers without the dashboard.
			before := do(off, "GET", "/actuator", header...)
			if w.Code != before.Code || w.Header().Get("Content-Type") != before.Header().Get("Content-Type") {
				t.Fatalf("%d %q, without the dashboard %d %q", w.Code, w.Header().Get("Content-Type"), before.Code, before.Header().Get("Content-Type"))
			}
			if w.Code == http.StatusOK && w.Body.String() != before.Body.String() {
				t.Errorf("index changed:\n%s\n%s", w.Body, before.Body)
			}
			if w.Code != http.StatusOK && !sameError(t, w, before) {
				t.Errorf("error changed:\n%s\n%s", w.Body, before.Body)
			}
		})
	}
}

func TestDashboardLeavesTheEndpointsAlone(t *testing.T) {
	// Only the index turns into the page: a browser opening an endpoint
	// gets its JSON, as before.
	a := newActuator(t)
	for _, path := range []string{"/actuator/health", "/actuator/info", "/actuator/metrics", "/actuator/health/liveness"} {
		for _, accept := range []string{browserAccept, "text/html"} {
			w := do(a, "GET", path, "Accept", accept)
			want := v3
			if accept == "text/html" {
				want = "application/json" // the 406 error body
			}
			if w.Header().Get("Content-Type") != want || w.Header().Get("Content-Security-Policy") != "" {
				t.Errorf("GET %s, Accept %q = %d %q", path, accept, w.Code, w.Header().Get("Content-Type"))
			}
		}
	}
}

func TestDashboardFiles(t *testing.T) {
	a := newActuator(t)
	for _, tc := range []struct{ query, ctype string }{
		{"dashboard=app.js", "text/javascript; charset=utf-8"},
		{"dashboard=app.css", "text/css; charset=utf-8"},
	} {
		// Browsers ask for scripts with */* and styles with text/css: the
		// query decides.
		w := do(a, "GET", "/actuator/?"+tc.query, "Accept", "*/*")
		if w.Code != 200 || w.Header().Get("Content-Type") != tc.ctype || w.Body.Len() == 0 {
			t.Errorf("%s = %d %q (%d bytes)", tc.query, w.Code, w.Header().Get("Content-Type"), w.Body.Len())
		}
		assertSecurityHeaders(t, w)
		if h := do(a, "HEAD", "/actuator?"+tc.query); h.Code != 200 || h.Body.Len() != 0 || h.Header().Get("Content-Length") != w.Header().Get("Content-Length") {
			t.Errorf("HEAD %s = %d, %d bytes, Content-Length %q", tc.query, h.Code, h.Body.Len(), h.Header().Get("Content-Length"))
		}
	}
	// Anything else in the query is the index's, as before.
	for _, q := range []string{"dashboard=../go.mod", "dashboard=", "dashboard=page.html", "x=1&dashboard=app.js%00"} {
		if w := do(a, "GET", "/actuator?"+q); w.Header().Get("Content-Type") != v3 {
			t.Errorf("?%s = %d %q, want the index", q, w.Code, w.Header().Get("Content-Type"))
		}
	}
	// Writes to the base path stay 405, whatever they accept.
	if w := do(a, "POST", "/actuator?dashboard=app.js", "Accept", browserAccept); w.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST = %d", w.Code)
	}
}

func TestWithoutDashboardServesTheIndexToBrowsers(t *testing.T) {
	a := newActuator(t, actuator.WithoutDashboard())
	w := do(a, "GET", "/actuator", "Accept", browserAccept)
	// A browser accepts */*: it gets the index as before.
	if w.Code != 200 || w.Header().Get("Content-Type") != v3 || w.Body.String() != do(a, "GET", "/actuator").Body.String() {
		t.Errorf("GET = %d %q %s", w.Code, w.Header().Get("Content-Type"), w.Body)
	}
	if w := do(a, "GET", "/actuator?dashboard=app.js"); w.Header().Get("Content-Type") != v3 {
		t.Errorf("app.js served without the dashboard: %q", w.Header().Get("Content-Type"))
	}
}

func TestDashboardEveryWayItIsMounted(t *testing.T) {
	a := newActuator(t, actuator.WithTrustForwardedHeaders())
	mux := http.NewServeMux()
	mux.Handle("/management/", a.Handler("/management"))
	stripped := http.NewServeMux()
	stripped.Handle("/ops/", http.StripPrefix("/ops", a.Handler("/")))
	tests := []struct {
		name   string
		h      http.Handler
		target string
		header []string
		base   string
	}{
		{"ServeHTTP", a, "/actuator", nil, "/actuator/"},
		{"ServeHTTP slash", a, "/actuator/", nil, "/actuator/"},
		{"Middleware", a.Middleware(appMux()), "/actuator", nil, "/actuator/"},
		{"Handler", mux, "/management/", nil, "/management/"}, // the mux redirects "/management" here
		{"StripPrefix", stripped, "/ops/", nil, "/ops/"},
		{"X-Forwarded-Prefix", a.Middleware(appMux()), "/actuator", []string{"X-Forwarded-Prefix", "/svc/a/"}, "/svc/a/actuator/"},
		{"X-Forwarded-Host stays out", a, "/actuator", []string{"X-Forwarded-Host", "evil.example", "X-Forwarded-Proto", "https"}, "/actuator/"},
		{"hostile prefix is escaped", a, "/actuator", []string{"X-Forwarded-Prefix", `/a"><script>x</script>`}, `/a%22%3E%3Cscript%3Ex%3C/script%3E/actuator/`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := do(tc.h, "GET", tc.target, append([]string{"Accept", browserAccept}, tc.header...)...)
			page, href := isPage(t, w)
			if !page {
				t.Fatalf("GET %s = %d %q, want the page", tc.target, w.Code, w.Header().Get("Content-Type"))
			}
			if href != tc.base {
				t.Errorf("base href = %q, want %q", href, tc.base)
			}
			js := do(tc.h, "GET", strings.TrimSuffix(tc.target, "/")+"/?dashboard=app.js", tc.header...)
			if js.Code != 200 || !strings.HasPrefix(js.Header().Get("Content-Type"), "text/javascript") {
				t.Errorf("app.js = %d %q", js.Code, js.Header().Get("Content-Type"))
			}
		})
	}
}

func TestDashboardNotServedUntrustedPrefix(t *testing.T) {
	a := newActuator(t) // forwarded headers not trusted
	w := do(a, "GET", "/actuator", "Accept", browserAccept, "X-Forwarded-Prefix", "/elsewhere")
	if page, href := isPage(t, w); !page || href != "/actuator/" {
		t.Errorf("page %v, base href %q, want /actuator/", page, href)
	}
}
