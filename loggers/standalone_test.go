package loggers

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/actuatorgo/actuator/internal/httpx"
)

// TestHandlerStandsAloneOnAServeMux checks methods and negotiation of the
// handler mounted on a plain ServeMux with no actuator in front.
func TestHandlerStandsAloneOnAServeMux(t *testing.T) {
	mux := newMux(New(WithLevelVar("ROOT", new(slog.LevelVar))))
	tests := []struct {
		method, path, accept string
		code                 int
		ct, allow            string
	}{
		{"GET", "/loggers", "", 200, httpx.MediaTypeV3, ""},
		{"GET", "/loggers/", "", 200, httpx.MediaTypeV3, ""},
		{"HEAD", "/loggers", "", 200, httpx.MediaTypeV3, ""},
		{"GET", "/loggers", "application/json", 200, httpx.MediaTypeJSON, ""},
		{"GET", "/loggers/ROOT", "application/json", 200, httpx.MediaTypeJSON, ""},
		{"GET", "/loggers", "text/html", 406, httpx.MediaTypeJSON, ""},
		{"DELETE", "/loggers", "", 405, httpx.MediaTypeJSON, "GET, HEAD"},
		{"PUT", "/loggers/ROOT", "", 405, httpx.MediaTypeJSON, "GET, HEAD, POST"},
		{"POST", "/loggers", "", 405, httpx.MediaTypeJSON, "GET, HEAD"},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path+" "+tc.accept, func(t *testing.T) {
			got := do(mux, tc.method, tc.path, "", "Accept", tc.accept)
			if got.code != tc.code || got.header.Get("Content-Type") != tc.ct || got.header.Get("Allow") != tc.allow {
				t.Errorf("got %d %q Allow %q, want %d %q Allow %q", got.code, got.header.Get("Content-Type"),
					got.header.Get("Allow"), tc.code, tc.ct, tc.allow)
			}
			if tc.method == "HEAD" && got.body != "" {
				t.Errorf("HEAD got a body: %q", got.body)
			}
		})
	}
}

// TestAnOversizedBodyIs413OverARealConnection sends a body over the limit
// to a loopback server: the client gets the 413 with its JSON body.
func TestAnOversizedBodyIs413OverARealConnection(t *testing.T) {
	v := levelVar(slog.LevelInfo)
	srv := httptest.NewServer(newMux(New(WithLevelVar("ROOT", v))))
	defer srv.Close()
	body := `{"configuredLevel":"DEBUG","pad":"` + strings.Repeat("x", 2*MaxRequestBody) + `"}`
	resp, err := http.Post(srv.URL+"/loggers/ROOT", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 413 || !strings.Contains(string(b), `"status":413`) {
		t.Errorf("got %d %s, want 413 with a JSON error", resp.StatusCode, b)
	}
	if v.Level() != slog.LevelInfo {
		t.Errorf("level changed to %v", v.Level())
	}
}

func TestNewPanicsOnProgrammerErrors(t *testing.T) {
	v := new(slog.LevelVar)
	tests := map[string]func(){
		"nil LevelVar":  func() { WithLevelVar("ROOT", nil) },
		"empty name":    func() { WithLevelVar("", v) },
		"slash in name": func() { WithLevelVar("a/b", v) },
		"added twice":   func() { New(WithLevelVar("ROOT", v), WithLevelVar("ROOT", v)) },
	}
	for name, fn := range tests {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if p, _ := recover().(string); !strings.HasPrefix(p, "loggers: ") {
					t.Errorf("panic %q, want one prefixed loggers:", p)
				}
			}()
			fn()
		})
	}
}
