package info

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/actuatorgo/actuator/internal/httpx"
)

// TestHandlerStandsAloneOnAServeMux mounts the info handler on a plain
// ServeMux with no actuator in front: it serves the document at its own
// path, 404 below it, and checks methods and negotiates the type itself.
func TestHandlerStandsAloneOnAServeMux(t *testing.T) {
	e := New(withEnvironment(fakeEnv(vcsBuild("v1.2.3", false), stamps{})), WithValue("app", "pay"))
	mux := http.NewServeMux()
	mux.Handle("/info", e.Handler())
	mux.Handle("/info/{path...}", e.Handler())
	tests := []struct {
		method, path, accept string
		code                 int
		ct                   string
		body                 string
	}{
		{"GET", "/info", "", 200, httpx.MediaTypeV3, `"app":"pay"`},
		{"GET", "/info/", "", 200, httpx.MediaTypeV3, `"app":"pay"`},
		{"GET", "/info", "application/json", 200, httpx.MediaTypeJSON, `"app":"pay"`},
		{"GET", "/info/git", "", 404, httpx.MediaTypeV3, `"path":"/info/git"`},
		{"GET", "/info", "text/html", 406, httpx.MediaTypeJSON, `"status":406`},
		{"DELETE", "/info", "", 405, httpx.MediaTypeJSON, `"status":405`},
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
