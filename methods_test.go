package actuator_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/actuatorgo/actuator"
)

// TestMethodsMatchExactly: HTTP methods are case-sensitive (RFC 9110
// section 9.1), so "post" is not POST and "get" is not GET. Such requests
// get 405 with the Allow header; the handler never runs.
func TestMethodsMatchExactly(t *testing.T) {
	var calls atomic.Int32
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls.Add(1) })
	a := newActuator(t,
		actuator.WithEndpoint("jobs", h, actuator.Methods(http.MethodPost)),
		actuator.WithEndpoint("report", h, actuator.Methods(http.MethodGet, http.MethodPut)),
		actuator.WithShutdownEndpoint(),
		actuator.WithAuthorizer(func(*http.Request) bool { return true }), // sensitive endpoints answer 405, not 404
	)
	tests := []struct {
		method, path string
		status       int
		allow        string
	}{
		{"post", "/actuator/jobs", 405, "POST"},
		{"Post", "/actuator/jobs", 405, "POST"},
		{"POST", "/actuator/jobs", 200, ""},
		{"get", "/actuator/report", 405, "GET, HEAD, PUT"},
		{"head", "/actuator/report", 405, "GET, HEAD, PUT"},
		{"put", "/actuator/report", 405, "GET, HEAD, PUT"},
		{"HEAD", "/actuator/report", 200, ""},
		{"post", "/actuator/shutdown", 405, "POST"},
		{"get", "/actuator/health", 405, "GET, HEAD"},
		{"get", "/actuator/info", 405, "GET, HEAD"},
		{"get", "/actuator", 405, "GET, HEAD"},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			before := calls.Load()
			r := httptest.NewRequest("GET", tc.path, nil)
			r.Method = tc.method
			r.RemoteAddr = "127.0.0.1:1234"
			w := httptest.NewRecorder()
			a.ServeHTTP(w, r)
			if w.Code != tc.status {
				t.Fatalf("%s %s = %d, want %d", tc.method, tc.path, w.Code, tc.status)
			}
			if got := w.Header().Get("Allow"); got != tc.allow {
				t.Errorf("Allow = %q, want %q", got, tc.allow)
			}
			ran := calls.Load() != before
			if wantRun := tc.status == 200; ran != wantRun {
				t.Errorf("handler ran = %v, want %v", ran, wantRun)
			}
			if tc.status == 405 {
				decode(t, w)
			}
		})
	}
}

// TestMethodsRefusesLowerCaseAtStartUp: Methods("post") is a typo for
// POST that would leave the endpoint unreachable; New panics naming it.
func TestMethodsRefusesLowerCaseAtStartUp(t *testing.T) {
	h := http.NotFoundHandler()
	for _, m := range []string{"post", "Get", "", "GET POST", "GET\n"} {
		t.Run(m, func(t *testing.T) {
			defer func() {
				p := recover()
				if p == nil {
					t.Fatalf("Methods(%q): no panic", m)
				}
				if msg, _ := p.(string); !strings.HasPrefix(msg, "actuator: ") || !strings.Contains(msg, `"jobs"`) {
					t.Errorf("panic %q does not name the package and the endpoint", p)
				}
			}()
			actuator.New(actuator.WithEndpoint("jobs", h, actuator.Methods(m)))
		})
	}
	// Upper-case extension methods are fine.
	a := newActuator(t, actuator.WithEndpoint("dav", h, actuator.Methods("PROPFIND", "MKCOL")))
	r := httptest.NewRequest("PROPFIND", "/actuator/dav", nil)
	w := httptest.NewRecorder()
	a.ServeHTTP(w, r)
	if w.Code != http.StatusNotFound { // NotFoundHandler ran
		t.Errorf("PROPFIND = %d", w.Code)
	}
	if w := do(a, "GET", "/actuator/dav"); w.Header().Get("Allow") != "PROPFIND, MKCOL" {
		t.Errorf("GET = %d, Allow %q", w.Code, w.Header().Get("Allow"))
	}
}

// TestLongMethodCostsAConstant: a method of a megabyte gets its 405 (or
// the application's answer) for at most a few KiB more than a short
// unknown method; the error message does not echo it whole.
func TestLongMethodCostsAConstant(t *testing.T) {
	mw, g := routesUnderTest(t)
	long := strings.Repeat("X", 1<<20)
	for _, path := range []string{"/actuator", "/actuator/health", "/actuator/info", "/actuator/metrics", "/actuator/prometheus", "/livez"} {
		for _, h := range []struct {
			name string
			h    http.Handler
		}{{"middleware", mw}, {"gin", g}} {
			small := httptest.NewRequest("GET", path, nil)
			small.Method = "XX"
			large := httptest.NewRequest("GET", path, nil)
			large.Method = long
			assertBoundedCost(t, h.h, h.name+" "+path, small, large, 405, 405)
		}
	}
}
