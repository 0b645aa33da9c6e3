package actuator

import (
	"bufio"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/actuatorgo/actuator/internal/httpx"
	"github.com/actuatorgo/actuator/metrics"
)

// Handler returns a handler that serves the endpoints under prefix instead
// of the base path, for a router the program already has or a separate
// management port. It sees only the actuator's requests: it records no
// application request as http.server.requests and serves no /livez or
// /readyz, which [Actuator.Middleware] does. Mount it in any router:
//
//	mux.Handle("/management/", a.Handler("/management"))
//	mux.Handle("GET /management/", a.Handler("/management"))   // Go 1.22 patterns (reads only: no POST /shutdown)
//	r.Mount("/management", a.Handler("/management"))           // chi
//	mux.Handle("/ops/", http.StripPrefix("/ops", a.Handler("/"))) // prefix stripped before
//
// Requests outside prefix get the actuator's JSON 404. The first such
// request logs a warning naming the prefix and the path seen, since it
// means the handler is mounted somewhere else than prefix (to the
// [WithLogger] logger, or [slog.Default] when none is set). prefix must be
// a plain path: Handler panics on one with "?", "#", "%", "{", "}",
// whitespace, or empty, "." or ".." segments.
func (a *Actuator) Handler(prefix string) http.Handler {
	return &mounted{a: a, base: mustBasePath("Handler", prefix)}
}

type mounted struct {
	a      *Actuator
	base   string
	warned sync.Once
}

func (m *mounted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rel, ok := under(r.URL.Path, m.base)
	if !ok {
		m.warned.Do(func() {
			m.a.startupLogger().LogAttrs(r.Context(), slog.LevelWarn,
				"actuator: Handler(prefix) received a request outside its prefix; mount it at prefix+\"/\", or pass the prefix it is mounted under (\"/\" after http.StripPrefix)",
				slog.String("prefix", m.base), slog.String("path", logPath(r.URL.Path)))
		})
		httpx.NotFound(w, r)
		return
	}
	m.a.serve(w, r, rel)
}

// Middleware returns intercept-or-next middleware: requests under the base
// path (and /livez, /readyz with [WithProbes]) are answered by the actuator;
// every other request goes to next untouched, and is recorded as
// http.server.requests unless [WithoutHTTPMetrics] was given.
//
//	http.ListenAndServe(":8080", a.Middleware(appMux))
func (a *Actuator) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.intercept(w, r) {
			return
		}
		if !a.observe {
			next.ServeHTTP(w, r)
			return
		}
		rec := &statusRecorder{ResponseWriter: w}
		a.observeRequest(r, func() { next.ServeHTTP(rec, r) }, rec.status, func() string { return r.Pattern })
	})
}

// observeRequest runs next, the application's handling of r, and records it
// as http.server.requests: with the status and route pattern that status
// and route report once next has returned. A panic counts as a 500, the
// answer net/http's and gin's recovery give, and goes on up unchanged.
// [Actuator.Middleware] and [Gin] both record through it.
func (a *Actuator) observeRequest(r *http.Request, next func(), status func() int, route func() string) {
	start := time.Now()
	defer func() {
		code := status()
		p := recover()
		if p != nil {
			code = http.StatusInternalServerError
		}
		a.metrics.ObserveRequest(r.Method, routeTag(route(), r.URL.Path, code), code, time.Since(start))
		if p != nil {
			panic(p)
		}
	}()
	next()
}

// intercept serves r when it belongs to the actuator and reports whether
// it did.
func (a *Actuator) intercept(w http.ResponseWriter, r *http.Request) bool {
	if a.probe(w, r) {
		return true
	}
	if a.separatePort {
		return false // the endpoints are on the management port only
	}
	rel, ok := under(r.URL.Path, a.basePath)
	if !ok {
		return false
	}
	if a.basePath == "" {
		// At the root the actuator shares the path space with the
		// application: it claims its endpoints' paths only and leaves "/"
		// and everything else to the application (Spring Boot, too,
		// serves no discovery page at "/").
		id, _ := splitID(rel)
		e, mine := a.endpoints[id]
		if !mine || (e.sensitive && !e.allows(r.Method) && !a.authorizer(r)) {
			// A sensitive endpoint is not there for a refused caller
			// (see serve): the path is the application's.
			return false
		}
	}
	a.serve(w, r, rel)
	return true
}

// probe serves /livez and /readyz when [WithProbes] is on and reports
// whether it did.
func (a *Actuator) probe(w http.ResponseWriter, r *http.Request) bool {
	if !a.probes {
		return false
	}
	switch r.URL.Path {
	case "/livez":
		a.serveProbe(w, r, a.livez)
		return true
	case "/readyz":
		a.serveProbe(w, r, a.readyz)
		return true
	}
	return false
}

// serveProbe answers /livez or /readyz with the bare group status: h, the
// group's handler, checks the method and answers whatever the prober
// accepts.
func (a *Actuator) serveProbe(w http.ResponseWriter, r *http.Request, h http.Handler) {
	httpx.SkipBody(w, r) // probes read no body; see serve
	h.ServeHTTP(w, r)
}

// routeTag is the uri tag of http.server.requests: the matched route
// pattern, never the raw path, so the number of series stays bounded.
// Without a pattern it follows Spring: REDIRECTION, NOT_FOUND, root for a
// request to "/", or UNKNOWN.
func routeTag(pattern, path string, status int) string {
	if i := strings.IndexByte(pattern, '/'); i >= 0 {
		return pattern[i:] // drop the method and host of "GET host/path"
	}
	switch {
	case status >= 300 && status < 400:
		return metrics.RouteRedirection
	case status == http.StatusNotFound:
		return metrics.RouteNotFound
	case strings.Trim(path, "/") == "":
		return metrics.RouteRoot
	}
	return metrics.RouteUnknown
}

// statusRecorder remembers the status an application handler wrote. It
// keeps Flush, Hijack and Unwrap working, so streaming, WebSocket upgrades
// and http.ResponseController go through it.
type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (s *statusRecorder) WriteHeader(code int) {
	// 1xx answers are interim, except 101, which ends the HTTP exchange.
	if s.code == 0 && (code >= 200 || code == http.StatusSwitchingProtocols) {
		s.code = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(p []byte) (int, error) {
	if s.code == 0 {
		s.code = http.StatusOK
	}
	return s.ResponseWriter.Write(p)
}

func (s *statusRecorder) status() int {
	if s.code == 0 {
		return http.StatusOK
	}
	return s.code
}

func (s *statusRecorder) Flush() { _ = s.FlushError() }

// FlushError flushes like Flush and reports the underlying writer's error
// (http.ErrNotSupported included), which http.ResponseController.Flush
// returns to the application.
func (s *statusRecorder) FlushError() error {
	if s.code == 0 {
		s.code = http.StatusOK
	}
	return http.NewResponseController(s.ResponseWriter).Flush()
}

// Hijack hijacks the underlying connection, found through Unwrap as
// http.ResponseController does when the writer is itself a wrapper.
func (s *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(s.ResponseWriter).Hijack()
	if err == nil && s.code == 0 {
		s.code = http.StatusSwitchingProtocols
	}
	return conn, brw, err
}

// ReadFrom keeps net/http's sendfile path for io.Copy from a file.
func (s *statusRecorder) ReadFrom(src io.Reader) (int64, error) {
	if s.code == 0 {
		s.code = http.StatusOK
	}
	if rf, ok := s.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(src)
	}
	return io.Copy(writerOnly{s.ResponseWriter}, src)
}

// writerOnly hides every method but Write, so io.Copy cannot loop back
// into ReadFrom.
type writerOnly struct{ io.Writer }

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
