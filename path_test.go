package actuator_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestLongPathCostsAConstant sends paths of a megabyte of "/a" segments
// below every endpoint, an unknown endpoint and an application route,
// through Middleware and gin: each costs at most a few KiB more than the
// same path with two segments, and gets the same answer.
func TestLongPathCostsAConstant(t *testing.T) {
	mw, g := routesUnderTest(t)
	const segments = 512 << 10 // 1 MiB of "/a"
	tests := []struct {
		prefix          string
		middleware, gin int // statuses
	}{
		{"/actuator/health", 404, 404},
		{"/actuator/health/liveness", 404, 404},
		{"/actuator/info", 404, 404},
		{"/actuator/metrics", 404, 404},
		{"/actuator/prometheus", 404, 404},
		{"/actuator/nope", 404, 404},
		{"/hello", 200, 404}, // the app's handler answers any path; gin has no such route
	}
	for _, tc := range tests {
		for _, h := range []struct {
			name   string
			h      http.Handler
			status int
		}{{"middleware", mw, tc.middleware}, {"gin", g, tc.gin}} {
			small := httptest.NewRequest("GET", tc.prefix+"/a/a", nil)
			large := httptest.NewRequest("GET", tc.prefix+strings.Repeat("/a", segments), nil)
			assertBoundedCost(t, h.h, h.name+" "+tc.prefix+"/a/a/...", small, large, h.status, h.status)
		}
	}
}

// TestLongPathSegmentsStillChecked makes sure the scanning path check
// refuses what the splitting one did, at any depth.
func TestLongPathSegmentsStillChecked(t *testing.T) {
	a := newActuator(t)
	deep := strings.Repeat("/a", 1000)
	for _, p := range []string{
		"/actuator/health" + deep + "//a",
		"/actuator/health" + deep + "/./a",
		"/actuator/health" + deep + "/..",
		"/actuator/health" + deep + "//",
		"/actuator/health//",
		"/actuator/info/.",
	} {
		r := httptest.NewRequest("GET", "http://example.com/", nil)
		r.URL.Path = p
		w := httptest.NewRecorder()
		a.ServeHTTP(w, r)
		if w.Code != http.StatusNotFound {
			t.Errorf("GET %.40s...%s = %d, want 404", p, p[len(p)-8:], w.Code)
		}
	}
	for _, p := range []string{"/actuator/health/", "/actuator/health/liveness/", "/actuator/info/"} {
		if w := do(a, "GET", p); w.Code != http.StatusOK {
			t.Errorf("GET %s = %d, want 200", p, w.Code)
		}
	}
}
