//go:build !nogin

package actuator_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/actuatorgo/actuator"
)

// Several Accept lines are one list (RFC 9110 section 5.3): a client that
// sends "Accept: text/html" and "Accept: application/json" accepts JSON.
func TestAcceptOnSeveralLines(t *testing.T) {
	a := newActuator(t, actuator.WithProbes())
	h := a.Middleware(appMux())
	for _, path := range []string{"/actuator", "/actuator/info", "/actuator/health"} {
		r := httptest.NewRequest("GET", path, nil)
		r.Header.Add("Accept", "text/html")
		r.Header.Add("Accept", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "application/json" {
			t.Errorf("GET %s with two Accept lines = %d %s, want 200 application/json", path, w.Code, w.Header().Get("Content-Type"))
		}
	}
	r := httptest.NewRequest("GET", "/actuator/info", nil)
	r.Header.Add("Accept", "text/html")
	r.Header.Add("Accept", "text/plain")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusNotAcceptable {
		t.Errorf("two unacceptable Accept lines = %d, want 406", w.Code)
	}
}

// With the base path at the root, the middleware must still pass the
// application's own paths on: it claims only the exposed endpoints.
func TestMiddlewareAtRootLeavesTheAppAlone(t *testing.T) {
	a := newActuator(t, actuator.WithBasePath("/"))
	app := gin.New()
	app.Use(actuator.Gin(a))
	app.GET("/hello", func(c *gin.Context) { c.String(200, "hello") })
	app.GET("/", func(c *gin.Context) { c.String(200, "home") })
	handlers := map[string]http.Handler{"net/http": a.Middleware(rootMux()), "gin": app}
	for name, h := range handlers {
		tests := []struct {
			path   string
			status int
			body   string
		}{
			{"/hello", 200, "hello"},
			{"/", 200, "home"},
			{"/health", 200, `"status":"UP"`},
			{"/health/liveness", 200, `"status":"UP"`},
			{"/info/", 200, `{`},
			{"/shutdown", 404, ""}, // not exposed: the app's 404
			{"/missing", 404, ""},
		}
		for _, tc := range tests {
			w := do(h, "GET", tc.path)
			if w.Code != tc.status || !strings.Contains(w.Body.String(), tc.body) {
				t.Errorf("%s: GET %s = %d %q, want %d containing %q", name, tc.path, w.Code, w.Body, tc.status, tc.body)
			}
			if tc.status == 404 && strings.Contains(w.Body.String(), `"timestamp"`) {
				t.Errorf("%s: GET %s answered by the actuator, want the app's 404", name, tc.path)
			}
		}
	}
	// ServeHTTP itself, for a dedicated port, still serves the index at "/".
	if w := do(a, "GET", "/"); w.Code != 200 || !strings.Contains(w.Body.String(), `"_links"`) {
		t.Errorf("ServeHTTP GET / = %d %s", w.Code, w.Body)
	}
}

func rootMux() *http.ServeMux {
	mux := appMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("home")) })
	return mux
}

// A custom endpoint id is written into the index as JSON text.
func TestIndexEscapesCustomIDs(t *testing.T) {
	for _, id := range []string{`a"b`, `back\slash`, "tab\tid", "<x>"} {
		a := newActuator(t, actuator.WithEndpoint(id, http.NotFoundHandler()))
		w := do(a, "GET", "/actuator")
		if !json.Valid(w.Body.Bytes()) {
			t.Fatalf("index with id %q is not JSON: %s", id, w.Body)
		}
		links := decode(t, w)["_links"].(map[string]any)
		link, ok := links[id].(map[string]any)
		if !ok || link["href"] != "http://example.com/actuator/"+id {
			t.Errorf("link of %q = %v", id, links[id])
		}
	}
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
	var served sync.WaitGroup // the middleware records after the handler returns
	served.Add(2)
	outer := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer served.Done()
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
	served.Wait()
	w := do(a, "GET", "/actuator/metrics/http.server.requests?tag=status:101")
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"values":["/h2c","/ws"]`) {
		t.Errorf("101 requests = %d %s, want both recorded with status 101", w.Code, w.Body)
	}
}

// Without a route pattern, a request to "/" is tagged root and any other
// path UNKNOWN, as Spring tags them (3xx and 404 have their own values).
func TestHTTPMetricsRootAndUnknown(t *testing.T) {
	plain := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })
	t.Run("net/http", func(t *testing.T) {
		a := newActuator(t)
		h := a.Middleware(plain)
		for _, p := range []string{"/", "/a/b"} {
			do(h, "GET", p)
		}
		if got, want := requestTags(t, a), []string{"UNKNOWN", "root"}; !slices.Equal(got, want) {
			t.Errorf("uri tags = %v, want %v", got, want)
		}
	})
	t.Run("gin", func(t *testing.T) {
		a := newActuator(t)
		app := gin.New()
		app.Use(actuator.Gin(a))
		app.NoRoute(func(c *gin.Context) { c.String(200, "fallback") })
		for _, p := range []string{"/", "/a/b"} {
			do(app, "GET", p)
		}
		if got, want := requestTags(t, a), []string{"UNKNOWN", "root"}; !slices.Equal(got, want) {
			t.Errorf("uri tags = %v, want %v", got, want)
		}
	})
}

// URI schemes are case-insensitive (RFC 3986 section 3.1): a proxy that
// sends "X-Forwarded-Proto: HTTPS" means https.
func TestForwardedProtoAnyCase(t *testing.T) {
	a := newActuator(t, actuator.WithTrustForwardedHeaders())
	w := do(a, "GET", "http://internal/actuator", "X-Forwarded-Proto", "HTTPS, http")
	self := decode(t, w)["_links"].(map[string]any)["self"].(map[string]any)["href"]
	if self != "https://internal/actuator" {
		t.Errorf("self = %v, want https://internal/actuator", self)
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
