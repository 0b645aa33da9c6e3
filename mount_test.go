package actuator_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/actuatorgo/actuator"
)

// logBuffer collects what a logger writes, for tests that read warnings.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// lines returns the logged lines that contain s.
func (b *logBuffer) lines(s string) []string {
	var out []string
	for _, l := range strings.Split(b.String(), "\n") {
		if strings.Contains(l, s) {
			out = append(out, l)
		}
	}
	return out
}

// newLogger returns a text logger at debug level writing to a fresh buffer.
func newLogger() (*slog.Logger, *logBuffer) {
	b := &logBuffer{}
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug})), b
}

func TestHandlerMountedElsewhereWarnsOnce(t *testing.T) {
	tests := []struct {
		name    string
		pattern string // where the mux mounts the handler
		strip   string // what http.StripPrefix removes first, if anything
		prefix  string // what Handler was told
		path    string // the request's path
		seen    string // the path the handler sees
	}{
		{"other prefix", "/ops/", "", "/management", "/ops/health", "/ops/health"},
		{"prefix already stripped", "/ops/", "/ops", "/ops", "/ops/health", "/health"},
		{"similar prefix", "/management-x/", "", "/management", "/management-x/health", "/management-x/health"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			logger, logs := newLogger()
			a := newActuator(t, actuator.WithLogger(logger))
			mux := http.NewServeMux()
			var h http.Handler = a.Handler(tc.prefix)
			if tc.strip != "" {
				h = http.StripPrefix(tc.strip, h)
			}
			mux.Handle(tc.pattern, h)
			for range 3 {
				if w := do(mux, "GET", tc.path); w.Code != http.StatusNotFound {
					t.Fatalf("GET %s = %d, want 404", tc.path, w.Code)
				}
			}
			got := logs.lines("level=WARN")
			if len(got) != 1 {
				t.Fatalf("warnings = %q, want exactly one", got)
			}
			for _, want := range []string{"prefix=" + tc.prefix, "path=" + tc.seen} {
				if !strings.Contains(got[0], want) {
					t.Errorf("warning %q does not name %q", got[0], want)
				}
			}
		})
	}
}

func TestHandlerMountedRightIsSilent(t *testing.T) {
	logger, logs := newLogger()
	a := newActuator(t, actuator.WithLogger(logger))
	mux := http.NewServeMux()
	mux.Handle("/management/", a.Handler("/management"))
	for _, p := range []string{"/management/health", "/management/nope", "/management/", "/management/health/nope"} {
		w := do(mux, "GET", p)
		if want := strings.HasSuffix(p, "nope"); (w.Code == http.StatusNotFound) != want || !json.Valid(w.Body.Bytes()) {
			t.Errorf("GET %s = %d %s, want the actuator's answer", p, w.Code, w.Body)
		}
	}
	if got := logs.lines("level=WARN"); len(got) != 0 {
		t.Errorf("warnings for a correct mount: %q", got)
	}
}

// Handler and Middleware mount on a net/http server every usual way and
// leave the application's routes and its 404s alone.
func TestStdMounting(t *testing.T) {
	a := newActuator(t)
	mounts := []struct {
		name   string
		prefix string // where the index answers
		build  func() http.Handler
	}{
		{"Handle with prefix", "/management", func() http.Handler {
			mux := appMux()
			mux.Handle("/management/", a.Handler("/management"))
			return mux
		}},
		{"Go 1.22 pattern with method", "/management", func() http.Handler {
			mux := appMux()
			mux.Handle("GET /management/", a.Handler("/management/"))
			return mux
		}},
		{"StripPrefix to root", "/ops", func() http.Handler {
			mux := appMux()
			mux.Handle("/ops/", http.StripPrefix("/ops", a.Handler("/")))
			return mux
		}},
		{"nested prefix", "/internal/admin", func() http.Handler {
			mux := appMux()
			mux.Handle("/internal/admin/", a.Handler("/internal/admin"))
			return mux
		}},
		{"middleware at base path", "/actuator", func() http.Handler {
			return a.Middleware(appMux())
		}},
	}
	for _, m := range mounts {
		t.Run(m.name, func(t *testing.T) {
			srv := httptest.NewServer(m.build())
			defer srv.Close()
			body, code := get(t, srv.URL+m.prefix+"/")
			if code != 200 || !strings.Contains(body, `"href":"`+srv.URL+m.prefix+`/health"`) {
				t.Errorf("index under %s = %d %s", m.prefix, code, body)
			}
			if _, code := get(t, srv.URL+m.prefix+"/health"); code != 200 {
				t.Errorf("health under %s = %d", m.prefix, code)
			}
			if body, code := get(t, srv.URL+"/hello"); code != 200 || body != "hello" {
				t.Errorf("app route = %d %q", code, body)
			}
			if body, code := get(t, srv.URL+"/missing"); code != 404 || strings.Contains(body, `"timestamp"`) {
				t.Errorf("app 404 = %d %q; want the app's own 404", code, body)
			}
		})
	}
}
