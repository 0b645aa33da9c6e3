package diag

import (
	"html/template"
	"net/http"
	httppprof "net/http/pprof"
	"path"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"

	"github.com/actuatorgo/actuator/internal/httpx"
)

// Pprof serves the profiles of net/http/pprof below one endpoint, at any
// mount path, without net/http/pprof's init registering anything on
// [http.DefaultServeMux] (this package calls its handler functions
// directly; importing net/http/pprof still runs that init, so a program
// serving http.DefaultServeMux publicly should not). Build it with
// [NewPprof]; it is safe for concurrent use and runs one CPU profile and
// one trace at a time (409 while one runs).
type Pprof struct {
	cfg   config
	cpu   chan struct{} // held while a CPU profile runs
	trace chan struct{} // held while a trace runs
}

// NewPprof returns the pprof endpoint. It reads [WithMaxProfileDuration]
// and [WithMaxGoroutines] (goroutine?debug=2 stops the world for every
// goroutine, so above that many it gets 400). It panics on a nil option.
func NewPprof(opts ...Option) *Pprof {
	return &Pprof{cfg: newConfig("NewPprof", opts), cpu: make(chan struct{}, 1), trace: make(chan struct{}, 1)}
}

// Handler returns the handler of the pprof endpoint. It works on its own
// at any path of any [http.ServeMux]:
//
//	mux.Handle("/pprof", p.Handler())
//	mux.Handle("/pprof/{path...}", p.Handler())
//
// The value of the "{path...}" wildcard selects what is served:
//
//	""            an HTML index linking the others, with links that work
//	              with or without a slash after the mount path
//	"profile"     a CPU profile, ?seconds=N (default 30, at most
//	              WithMaxProfileDuration; 400 above)
//	"trace"       an execution trace, ?seconds=N (default 1, same bound)
//	"cmdline"     the command line, NUL-separated
//	"symbol"      program counters to function names (GET, or POST with
//	              the addresses in the body)
//	"{profile}"   a profile of runtime/pprof: goroutine, heap, allocs,
//	              block, mutex, threadcreate and any registered one;
//	              ?debug=N for text, ?gc=1 for heap, ?seconds=N for a
//	              delta profile (same bound)
//
// Bodies are net/http/pprof's: protocol buffers go tool pprof reads, or
// text. Unknown paths get 404, bad parameters 400, methods other than GET
// and HEAD (and POST for symbol) 405, all as JSON. A HEAD of profile or
// trace answers the headers without profiling. The block and mutex
// profiles stay empty until the program sets
// [runtime.SetBlockProfileRate] or [runtime.SetMutexProfileFraction].
func (p *Pprof) Handler() http.Handler { return pprofHandler{p} }

type pprofHandler struct{ p *Pprof }

var _ httpx.Endpoint = pprofHandler{}

func (h pprofHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.ServeEndpoint(w, r, httpx.SubPath(r), "")
}

// ServeEndpoint serves sub, the path below the endpoint. It checks the
// method itself (the root should accept GET and POST and leave the rest
// to it). contentType is ignored: the bodies have their own types and
// errors are application/json.
func (h pprofHandler) ServeEndpoint(w http.ResponseWriter, r *http.Request, sub, _ string) {
	p := h.p
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodPost:
		if sub != "symbol" {
			httpx.MethodNotAllowed(w, r, "GET, HEAD")
			return
		}
	default:
		allow := "GET, HEAD"
		if sub == "symbol" {
			allow = "GET, HEAD, POST"
		}
		httpx.MethodNotAllowed(w, r, allow)
		return
	}
	q := r.URL.Query()
	for k, vs := range q {
		if len(vs) > 1 {
			badRequest(w, r, "parameter "+strconv.Quote(k)+" given more than once")
			return
		}
	}
	switch sub {
	case "":
		p.serveIndex(w, r)
		return
	case "cmdline":
		httppprof.Cmdline(w, r)
		return
	case "symbol":
		httppprof.Symbol(w, r)
		return
	case "profile", "trace":
		if !p.seconds(w, r) {
			return
		}
		if r.Method == http.MethodHead {
			httpx.SetSecurityHeaders(w.Header())
			w.Header().Set("Content-Type", MediaTypeOctetStream)
			w.WriteHeader(http.StatusOK)
			return
		}
		sem, fn, what := p.cpu, httppprof.Profile, "a CPU profile"
		if sub == "trace" {
			sem, fn, what = p.trace, httppprof.Trace, "a trace"
		}
		select {
		case sem <- struct{}{}:
		default:
			httpx.WriteErrorAs(w, r, http.StatusConflict, httpx.MediaTypeJSON, what+" is running; try again when it is done")
			return
		}
		defer func() { <-sem }()
		httpx.SetSecurityHeaders(w.Header())
		fn(w, r)
		return
	}
	if strings.Contains(sub, "/") || pprof.Lookup(sub) == nil {
		httpx.NotFoundAs(w, r, httpx.MediaTypeJSON)
		return
	}
	if !p.seconds(w, r) {
		return
	}
	debug := 0
	if v := q.Get("debug"); v != "" {
		var err error
		if debug, err = strconv.Atoi(v); err != nil || debug < 0 || debug > 2 {
			badRequest(w, r, "debug must be 0, 1 or 2")
			return
		}
	}
	if v := q.Get("gc"); v != "" {
		if _, err := strconv.Atoi(v); err != nil {
			badRequest(w, r, "gc must be an integer")
			return
		}
	}
	if sub == "goroutine" && debug == 2 && runtime.NumGoroutine() > p.cfg.maxGoroutines {
		badRequest(w, r, "goroutine?debug=2 stops the world for every goroutine; with more than "+
			strconv.Itoa(p.cfg.maxGoroutines)+" use debug=1 or the protocol buffer form")
		return
	}
	httpx.SetSecurityHeaders(w.Header())
	httppprof.Handler(sub).ServeHTTP(w, r)
}

// seconds validates the optional seconds parameter, an integer from 1 to
// the bound; when it is not one, it answers 400 and returns false.
func (p *Pprof) seconds(w http.ResponseWriter, r *http.Request) bool {
	v, present := r.URL.Query()["seconds"]
	if !present {
		return true
	}
	n, err := strconv.Atoi(v[0])
	if err != nil || n < 1 || n > p.cfg.maxSeconds {
		badRequest(w, r, "seconds must be an integer from 1 to "+strconv.Itoa(p.cfg.maxSeconds))
		return false
	}
	return true
}

func badRequest(w http.ResponseWriter, r *http.Request, msg string) {
	httpx.WriteErrorAs(w, r, http.StatusBadRequest, httpx.MediaTypeJSON, msg)
}

// indexEntry is one line of the index.
type indexEntry struct {
	Name  string
	Href  string
	Count int // -1 when not a counted profile
	Desc  string
}

var indexTemplate = template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html><head><title>pprof</title></head><body>
<p>Profiles of this process (see <a href="https://pkg.go.dev/net/http/pprof">net/http/pprof</a>):</p>
<table>
<thead><tr><th>Count</th><th>Profile</th><th>Description</th></tr></thead>
{{range .Entries}}<tr><td>{{if ge .Count 0}}{{.Count}}{{end}}</td><td><a href="{{.Href}}">{{.Name}}</a></td><td>{{.Desc}}</td></tr>
{{end}}</table>
<p><a href="{{.Prefix}}goroutine?debug=2">full goroutine stack dump</a></p>
</body></html>
`))

var descriptions = map[string]string{
	"allocs":       "A sampling of all past memory allocations",
	"block":        "Stack traces that led to blocking on synchronization primitives",
	"goroutine":    "Stack traces of all current goroutines",
	"heap":         "A sampling of memory allocations of live objects; ?gc=1 collects garbage first",
	"mutex":        "Stack traces of holders of contended mutexes",
	"threadcreate": "Stack traces that led to the creation of new OS threads",
	"profile":      "CPU profile; ?seconds=N sets the duration",
	"trace":        "An execution trace; ?seconds=N sets the duration",
	"cmdline":      "The command line of this program",
	"symbol":       "Looks up program counters, as go tool pprof asks",
}

// serveIndex writes the HTML index. Its links are relative to the
// endpoint: when the client's path has no slash after the endpoint, they
// start with the endpoint's last segment.
func (p *Pprof) serveIndex(w http.ResponseWriter, r *http.Request) {
	prefix := ""
	if u := r.URL.Path; u != "" && !strings.HasSuffix(u, "/") {
		prefix = path.Base(u) + "/"
	}
	var entries []indexEntry
	profiles := pprof.Profiles()
	slices.SortFunc(profiles, func(a, b *pprof.Profile) int { return strings.Compare(a.Name(), b.Name()) })
	for _, pr := range profiles {
		href := prefix + pr.Name() + "?debug=1"
		entries = append(entries, indexEntry{Name: pr.Name(), Href: href, Count: pr.Count(), Desc: descriptions[pr.Name()]})
	}
	for _, n := range []string{"profile", "trace", "cmdline", "symbol"} {
		entries = append(entries, indexEntry{Name: n, Href: prefix + n, Count: -1, Desc: descriptions[n]})
	}
	var b strings.Builder
	_ = indexTemplate.Execute(&b, struct {
		Prefix  string
		Entries []indexEntry
	}{prefix, entries})
	httpx.WriteBody(w, r, http.StatusOK, "text/html; charset=utf-8", []byte(b.String()))
}
