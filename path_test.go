package actuator_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestHostilePaths: traversal, encoded dots and slashes, empty and dot
// segments (at any depth), markup and huge paths get the actuator's small
// JSON 404 that echoes no markup; the same endpoints with a trailing
// slash still answer.
func TestHostilePaths(t *testing.T) {
	a := newActuator(t)
	deep := strings.Repeat("/a", 1000)
	tests := []struct {
		name, path string
		status     int
	}{
		{"dot-dot", "/actuator/../x", 404},
		{"dot-dot below an endpoint", "/actuator/health/../info", 404},
		{"encoded dot-dot", "/actuator/%2e%2e/x", 404},
		{"encoded dot-dot below an endpoint", "/actuator/health/%2e%2e", 404},
		{"upper-case encoded dot-dot", "/actuator/%2E%2E", 404},
		{"encoded slash", "/actuator/health%2Fdb", 404},
		{"script", "/actuator/<script>alert(1)</script>", 404},
		{"script below an endpoint", "/actuator/health/<script>", 404},
		{"empty segment", "/actuator//health", 404},
		{"two trailing slashes", "/actuator/health//", 404},
		{"dot segment", "/actuator/./health", 404},
		{"leading empty segment", "//actuator/health", 404},
		{"long id", "/actuator/" + strings.Repeat("a", 64<<10), 404},
		{"many segments", "/actuator/health/" + strings.Repeat("x/", 4096), 404},
		{"deep empty segment", "/actuator/health" + deep + "//a", 404},
		{"deep dot segment", "/actuator/health" + deep + "/./a", 404},
		{"deep dot-dot", "/actuator/health" + deep + "/..", 404},
		{"deep trailing empty segment", "/actuator/health" + deep + "//", 404},
		{"trailing dot", "/actuator/info/.", 404},
		{"health with a trailing slash", "/actuator/health/", 200},
		{"liveness with a trailing slash", "/actuator/health/liveness/", 200},
		{"info with a trailing slash", "/actuator/info/", 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "http://example.com/", nil)
			r.URL.Path = mustUnescape(tc.path)
			r.URL.RawPath = tc.path
			r.RequestURI = tc.path
			w := httptest.NewRecorder()
			a.ServeHTTP(w, r)
			if w.Code != tc.status {
				t.Errorf("GET %.60s = %d, want %d", tc.path, w.Code, tc.status)
			}
			if strings.Contains(w.Body.String(), "<script>") {
				t.Errorf("GET %.60s echoes <script>: %s", tc.path, w.Body)
			}
			if w.Code == http.StatusNotFound && w.Body.Len() > 2048 {
				t.Errorf("GET %.60s error body is %d bytes", tc.path, w.Body.Len())
			}
			decode(t, w)
		})
	}
}

func mustUnescape(p string) string {
	r := httptest.NewRequest("GET", "http://example.com/", nil)
	if err := r.URL.UnmarshalBinary([]byte("http://example.com" + p)); err != nil {
		return p
	}
	return r.URL.Path
}

// TestLongPathCostsAConstant sends paths of a megabyte of "/a" segments
// below every endpoint, an unknown endpoint and an application route,
// through every adapter: each costs at most a few KiB more than the same
// path with two segments, and gets the same answer.
func TestLongPathCostsAConstant(t *testing.T) {
	served := routesUnderTest(t)
	const segments = 512 << 10 // 1 MiB of "/a"
	tests := []struct {
		prefix string
		app    bool // the application's route, not the actuator's
	}{
		{"/actuator/health", false},
		{"/actuator/health/liveness", false},
		{"/actuator/info", false},
		{"/actuator/metrics", false},
		{"/actuator/prometheus", false},
		{"/actuator/nope", false},
		{"/hello", true},
	}
	for _, tc := range tests {
		t.Run(tc.prefix, func(t *testing.T) {
			for _, s := range served {
				status := http.StatusNotFound
				if tc.app {
					status = s.unrouted
				}
				small := httptest.NewRequest("GET", tc.prefix+"/a/a", nil)
				large := httptest.NewRequest("GET", tc.prefix+strings.Repeat("/a", segments), nil)
				assertBoundedCost(t, s.h, s.name+" "+tc.prefix+"/a/a/...", small, large, status, status)
			}
		})
	}
}
