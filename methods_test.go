package actuator_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/actuatorgo/actuator"
)

// TestMethodsMatchExactly: an endpoint runs for its own methods only. HTTP methods
// are case-sensitive (RFC 9110 section 9.1), so "post" is not POST and
// "get" is not GET; upper-case extension methods work. A wrong method gets
// a JSON 405 with the Allow header, an unknown id a JSON 404, both with
// the security headers; the handler never runs.
func TestMethodsMatchExactly(t *testing.T) {
	var calls atomic.Int32
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls.Add(1) })
	a := newActuator(t,
		actuator.WithEndpoint("jobs", h, actuator.WithMethods(http.MethodPost)),
		actuator.WithEndpoint("report", h, actuator.WithMethods(http.MethodGet, http.MethodPut)),
		actuator.WithEndpoint("dav", h, actuator.WithMethods("PROPFIND", "MKCOL")),
		actuator.WithShutdownEndpoint(),
		allowAll, // sensitive endpoints answer 405, not 404
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
		{"PROPFIND", "/actuator/dav", 200, ""},
		{"GET", "/actuator/dav", 405, "PROPFIND, MKCOL"},
		{"post", "/actuator/shutdown", 405, "POST"},
		{"GET", "/actuator/shutdown", 405, "POST"},
		{"get", "/actuator/health", 405, "GET, HEAD"},
		{"POST", "/actuator/health", 405, "GET, HEAD"},
		{"get", "/actuator/info", 405, "GET, HEAD"},
		{"PUT", "/actuator/info", 405, "GET, HEAD"},
		{"BREW", "/actuator/metrics", 405, "GET, HEAD"},
		{"get", "/actuator", 405, "GET, HEAD"},
		{"DELETE", "/actuator", 405, "GET, HEAD"},
		{"GET", "/actuator/nope", 404, ""},
		{"GET", "/actuator/env", 404, ""},
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
			if tc.status == 200 {
				return
			}
			body := decode(t, w)
			for _, k := range []string{"timestamp", "status", "error", "message", "path"} {
				if _, ok := body[k]; !ok {
					t.Errorf("error body lacks %q: %s", k, w.Body)
				}
			}
			if body["status"] != float64(tc.status) || body["path"] != tc.path {
				t.Errorf("body = %v", body)
			}
			assertSecurityHeaders(t, w)
		})
	}
}

// HEAD answers as GET does, without a body.
func TestHead(t *testing.T) {
	a := newActuator(t)
	for _, path := range []string{"/actuator", "/actuator/health", "/actuator/info", "/actuator/metrics"} {
		get := do(a, "GET", path)
		head := do(a, "HEAD", path)
		if get.Code != http.StatusOK {
			t.Errorf("GET %s = %d, want 200", path, get.Code)
		}
		if head.Code != get.Code {
			t.Errorf("HEAD %s = %d, GET = %d", path, head.Code, get.Code)
		}
		if head.Body.Len() != 0 {
			t.Errorf("HEAD %s has a body: %q", path, head.Body)
		}
		if head.Header().Get("Content-Type") != get.Header().Get("Content-Type") {
			t.Errorf("HEAD %s Content-Type %q != GET's %q", path, head.Header().Get("Content-Type"), get.Header().Get("Content-Type"))
		}
		assertSecurityHeaders(t, head)
	}
}

// TestLongMethodCostsAConstant: a method of a megabyte gets its 405 (or
// the application's answer) for at most a few KiB more than a short
// unknown method; the error message does not echo it whole.
func TestLongMethodCostsAConstant(t *testing.T) {
	served := routesUnderTest(t)
	long := strings.Repeat("X", 1<<20)
	for _, path := range []string{"/actuator", "/actuator/health", "/actuator/info", "/actuator/metrics", "/actuator/prometheus", "/livez"} {
		t.Run(path, func(t *testing.T) {
			for _, s := range served {
				small := httptest.NewRequest("GET", path, nil)
				small.Method = "XX"
				large := httptest.NewRequest("GET", path, nil)
				large.Method = long
				assertBoundedCost(t, s.h, s.name+" "+path, small, large, 405, 405)
			}
		})
	}
}
