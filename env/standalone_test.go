package env

import (
	"strings"
	"testing"

	"github.com/actuatorgo/actuator/internal/httpx"
)

// TestHandlerStandsAloneOnAServeMux checks methods and negotiation of the
// handler mounted on a plain ServeMux with no actuator in front.
func TestHandlerStandsAloneOnAServeMux(t *testing.T) {
	mux := newMux(New(WithoutProcessEnvironment(), WithSource("app", map[string]string{"a": "1"})))
	tests := []struct {
		method, path, accept string
		code                 int
		ct                   string
	}{
		{"GET", "/env", "", 200, httpx.MediaTypeV3},
		{"GET", "/env/", "", 200, httpx.MediaTypeV3},
		{"HEAD", "/env", "", 200, httpx.MediaTypeV3},
		{"GET", "/env", "application/json", 200, httpx.MediaTypeJSON},
		{"GET", "/env/a", "application/json", 200, httpx.MediaTypeJSON},
		{"GET", "/env/a/", "", 200, httpx.MediaTypeV3},
		{"GET", "/env", "text/html", 406, httpx.MediaTypeJSON},
		{"POST", "/env", "", 405, httpx.MediaTypeJSON},
		{"DELETE", "/env/a", "", 405, httpx.MediaTypeJSON},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path+" "+tc.accept, func(t *testing.T) {
			got := do(mux, tc.method, tc.path, "Accept", tc.accept)
			if got.code != tc.code || got.header.Get("Content-Type") != tc.ct {
				t.Errorf("got %d %q %s, want %d %q", got.code, got.header.Get("Content-Type"), got.body, tc.code, tc.ct)
			}
			if tc.method == "HEAD" && got.body != "" {
				t.Errorf("HEAD got a body: %q", got.body)
			}
		})
	}
}

func TestNewPanicsOnProgrammerErrors(t *testing.T) {
	tests := map[string]func(){
		"empty source name":       func() { New(WithSource("", nil)) },
		"source added twice":      func() { New(WithSource("a", nil), WithSource("a", nil)) },
		"the process env's name":  func() { New(WithSource(ProcessEnvironment, nil)) },
		"nil source func":         func() { WithSourceFunc("a", nil) },
		"visibility out of range": func() { WithShowValues(Always + 1) },
	}
	for name, fn := range tests {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if p, _ := recover().(string); !strings.HasPrefix(p, "env: ") {
					t.Errorf("panic %q, want one prefixed env:", p)
				}
			}()
			fn()
		})
	}
}

func TestTheProcessEnvironmentsNameIsFreeWithoutIt(t *testing.T) {
	e := New(WithoutProcessEnvironment(), WithSource(ProcessEnvironment, map[string]string{"a": "1"}))
	if got := get(newMux(e), "/env/a"); got.code != 200 {
		t.Errorf("got %d %s", got.code, got.body)
	}
}
