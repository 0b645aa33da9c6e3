package actuator_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/actuatorgo/actuator"
)

// requestTags reads the uri tag values of http.server.requests.
func requestTags(t *testing.T, a *actuator.Actuator) []string {
	t.Helper()
	w := do(a, "GET", "/actuator/metrics/http.server.requests")
	if w.Code != 200 {
		t.Fatalf("http.server.requests = %d %s", w.Code, w.Body)
	}
	var m struct {
		AvailableTags []struct {
			Tag    string   `json:"tag"`
			Values []string `json:"values"`
		} `json:"availableTags"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	for _, tag := range m.AvailableTags {
		if tag.Tag == "uri" {
			slices.Sort(tag.Values)
			return tag.Values
		}
	}
	return nil
}

// metricsRouteRows are requests to an application and the uri tags they
// are recorded under: the route pattern, never the raw path; without a
// pattern "/" is root and any other path UNKNOWN, as Spring tags them
// (404 is NOT_FOUND). The actuator's own requests are not recorded.
// gin_adapter_test.go has gin's.
var metricsRouteRows = []struct {
	name  string
	app   func() http.Handler
	paths []string
	want  []string
}{
	{"route patterns", func() http.Handler { return appMux() },
		[]string{"/users/1", "/users/2", "/hello", "/missing", "/actuator/health"},
		[]string{"/hello", "/users/{id}", "NOT_FOUND"}},
	{"no route pattern", func() http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })
	}, []string{"/", "/a/b"}, []string{"UNKNOWN", "root"}},
}

func TestHTTPMetricsUseRoutes(t *testing.T) {
	for _, tc := range metricsRouteRows {
		t.Run(tc.name, func(t *testing.T) {
			a := newActuator(t)
			h := a.Middleware(tc.app())
			for _, p := range tc.paths {
				do(h, "GET", p)
			}
			if got := requestTags(t, a); !slices.Equal(got, tc.want) {
				t.Errorf("uri tags = %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("off", func(t *testing.T) {
		a := newActuator(t, actuator.WithoutHTTPMetrics())
		if w := do(a.Middleware(appMux()), "GET", "/hello"); w.Code != 200 {
			t.Fatalf("GET /hello = %d", w.Code)
		}
		if w := do(a, "GET", "/actuator/metrics/http.server.requests"); w.Code != 404 {
			t.Errorf("http.server.requests without recording = %d %s", w.Code, w.Body)
		}
	})
}

// countOf500 reads the count of http.server.requests with status 500 on
// uri /boom.
func countOf500(a *actuator.Actuator) *httptest.ResponseRecorder {
	return do(a, "GET", "/actuator/metrics/http.server.requests?tag=status:500&tag=uri:/boom")
}

// A panicking handler is recorded as a 500, and the panic passed on.
func TestHTTPMetricsCountPanicsAs500(t *testing.T) {
	a := newActuator(t)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /boom", func(http.ResponseWriter, *http.Request) { panic("boom") })
	h := a.Middleware(mux)
	func() {
		defer func() {
			if p := recover(); p != "boom" {
				t.Errorf("the panic was not passed on: %v", p)
			}
		}()
		do(h, "GET", "/boom")
	}()
	if w := countOf500(a); w.Code != 200 || !strings.Contains(w.Body.String(), `"statistic":"COUNT","value":1`) {
		t.Errorf("panicking request not counted as a 500: %d %s", w.Code, w.Body)
	}
}

// readFromCounter stands between net/http's ResponseWriter and the
// middleware: it counts the calls of its ReadFrom and passes them on to
// net/http's, the sendfile path.
type readFromCounter struct {
	http.ResponseWriter
	calls *atomic.Int32
}

func (c readFromCounter) ReadFrom(src io.Reader) (int64, error) {
	c.calls.Add(1)
	return c.ResponseWriter.(io.ReaderFrom).ReadFrom(src)
}

func (c readFromCounter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// writeOnly is a ResponseWriter with no ReadFrom.
type writeOnly struct {
	h    http.Header
	body strings.Builder
}

func (w *writeOnly) Header() http.Header         { return w.h }
func (w *writeOnly) Write(p []byte) (int, error) { return w.body.Write(p) }
func (w *writeOnly) WriteHeader(int)             {}

// io.Copy from a file through Middleware reaches the ReadFrom of the
// writer below (net/http's sendfile path), and the request is recorded
// with its status; below a writer without ReadFrom the copy still
// arrives whole.
func TestMiddlewareKeepsReadFrom(t *testing.T) {
	const size = 10000
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, []byte(strings.Repeat("x", size)), 0o600); err != nil {
		t.Fatal(err)
	}
	app := http.NewServeMux()
	app.HandleFunc("GET /file", func(w http.ResponseWriter, r *http.Request) {
		f, err := os.Open(file)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer f.Close()
		io.Copy(w, f)
	})

	t.Run("net/http server", func(t *testing.T) {
		a := newActuator(t)
		inner := a.Middleware(app)
		var calls atomic.Int32
		served := make(chan struct{}) // the middleware records after the handler returns
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer close(served)
			inner.ServeHTTP(readFromCounter{w, &calls}, r)
		}))
		defer srv.Close()
		body, code := get(t, srv.URL+"/file")
		receive(t, served, "end of the handler")
		if code != 200 || len(body) != size {
			t.Errorf("GET /file = %d, %d bytes, want 200, %d", code, len(body), size)
		}
		if calls.Load() == 0 {
			t.Error("io.Copy from a file did not reach the ReadFrom below the middleware")
		}
		if w := do(a, "GET", "/actuator/metrics/http.server.requests?tag=status:200&tag=uri:/file"); !strings.Contains(w.Body.String(), `"statistic":"COUNT","value":1`) {
			t.Errorf("GET /file not recorded as a 200: %d %s", w.Code, w.Body)
		}
	})

	t.Run("writer without ReadFrom", func(t *testing.T) {
		a := newActuator(t)
		w := &writeOnly{h: http.Header{}}
		a.Middleware(app).ServeHTTP(w, httptest.NewRequest("GET", "/file", nil))
		if got := w.body.Len(); got != size {
			t.Errorf("wrote %d bytes, want %d", got, size)
		}
		if got := requestTags(t, a); !slices.Equal(got, []string{"/file"}) {
			t.Errorf("uri tags = %v, want [/file]", got)
		}
	})
}

// onlyUnwrap is a middleware's writer that implements nothing but Unwrap.
type onlyUnwrap struct{ http.ResponseWriter }

func (o onlyUnwrap) Unwrap() http.ResponseWriter { return o.ResponseWriter }

// The middleware's status recorder hijacks through wrappers that only
// unwrap, as http.ResponseController does, and records 101 as the status.
func TestMiddlewareHijackAndSwitchingProtocols(t *testing.T) {
	a := newActuator(t)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ws", func(w http.ResponseWriter, r *http.Request) {
		conn, brw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer conn.Close()
		brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: x\r\n\r\n")
		brw.Flush()
	})
	mux.HandleFunc("GET /h2c", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "Upgrade")
		w.Header().Set("Upgrade", "x")
		w.WriteHeader(http.StatusSwitchingProtocols)
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
	})
	inner := a.Middleware(mux)
	served := make(chan struct{}, 2) // the middleware records after the handler returns
	outer := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() { served <- struct{}{} }()
		inner.ServeHTTP(onlyUnwrap{w}, r)
	})
	srv := httptest.NewServer(outer)
	defer srv.Close()
	for _, path := range []string{"/ws", "/h2c"} {
		conn, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		conn.Write([]byte("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: x\r\n\r\n"))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		conn.Close()
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if resp.StatusCode != http.StatusSwitchingProtocols {
			t.Errorf("%s = %d, want 101", path, resp.StatusCode)
		}
	}
	receive(t, served, "end of the first handler")
	receive(t, served, "end of the second handler")
	w := do(a, "GET", "/actuator/metrics/http.server.requests?tag=status:101")
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"values":["/h2c","/ws"]`) {
		t.Errorf("101 requests = %d %s, want both recorded with status 101", w.Code, w.Body)
	}
}

// plainWriter supports neither flushing nor hijacking.
type plainWriter struct {
	h    http.Header
	code int
}

func (p *plainWriter) Header() http.Header         { return p.h }
func (p *plainWriter) Write(b []byte) (int, error) { return len(b), nil }
func (p *plainWriter) WriteHeader(code int)        { p.code = code }

// Through the middleware, http.ResponseController reports what the real
// writer cannot do instead of pretending that a flush worked.
func TestMiddlewareReportsUnsupportedFlush(t *testing.T) {
	a := newActuator(t)
	var flushErr, hijackErr error
	h := a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		flushErr = rc.Flush()
		_, _, hijackErr = rc.Hijack()
	}))
	w := &plainWriter{h: http.Header{}}
	h.ServeHTTP(w, httptest.NewRequest("GET", "/stream", nil))
	if !errors.Is(flushErr, http.ErrNotSupported) {
		t.Errorf("Flush error = %v, want http.ErrNotSupported", flushErr)
	}
	if !errors.Is(hijackErr, http.ErrNotSupported) {
		t.Errorf("Hijack error = %v, want http.ErrNotSupported", hijackErr)
	}
	// And a writer that can flush still flushes.
	rec := httptest.NewRecorder()
	a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("x"))
		flushErr = http.NewResponseController(w).Flush()
	})).ServeHTTP(rec, httptest.NewRequest("GET", "/stream", nil))
	if flushErr != nil || !rec.Flushed {
		t.Errorf("flush through the middleware: err %v, flushed %v", flushErr, rec.Flushed)
	}
}
