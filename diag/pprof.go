package diag

import (
	"bytes"
	"html/template"
	"io"
	"net/http"
	"os"
	"path"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/actuatorgo/actuator/internal/httpx"
)

// Pprof serves the profiles net/http/pprof serves, below one endpoint, at
// any mount path. It does not import net/http/pprof, whose init registers
// its handlers on [http.DefaultServeMux]: a program that imports this
// package exposes nothing it did not mount. Build it with [NewPprof]; it
// is safe for concurrent use and runs one CPU profile and one trace at a
// time (409 while one runs).
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
// The value of the "{path...}" wildcard selects what is served, as
// net/http/pprof serves it below /debug/pprof/:
//
//	""            an HTML index linking the others, with links that work
//	              with or without a slash after the mount path
//	"profile"     a CPU profile, ?seconds=N (default 30, at most
//	              WithMaxProfileDuration; 400 above)
//	"trace"       an execution trace, ?seconds=N (default 1, same bound)
//	"cmdline"     the command line, NUL-separated
//	"symbol"      program counters to function names, as go tool pprof
//	              asks (GET, or POST with the addresses in the body: a
//	              read, though a POST)
//	"{profile}"   a profile of runtime/pprof: goroutine, heap, allocs,
//	              block, mutex, threadcreate and any registered one;
//	              ?debug=1 or 2 for text, ?gc=1 to collect garbage before
//	              a heap profile
//
// Profiles are gzipped protocol buffers go tool pprof reads
// (application/octet-stream), or text with ?debug. Unknown paths get
// 404, bad parameters 400 (delta profiles, ?seconds on a named profile,
// are not served), methods other than GET and HEAD (and POST for symbol)
// 405, all as JSON. A HEAD of profile or trace answers the headers
// without profiling. The block and mutex profiles stay empty until the
// program calls [runtime.SetBlockProfileRate] or
// [runtime.SetMutexProfileFraction].
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
	if sub != "symbol" { // symbol's query is a list of addresses
		for k, vs := range q {
			if len(vs) > 1 {
				badRequest(w, r, "parameter "+strconv.Quote(k)+" given more than once")
				return
			}
		}
	}
	httpx.SetSecurityHeaders(w.Header())
	switch sub {
	case "":
		p.serveIndex(w, r)
	case "cmdline":
		httpx.WriteBody(w, r, http.StatusOK, MediaTypeText, []byte(strings.Join(os.Args, "\x00")))
	case "symbol":
		serveSymbol(w, r)
	case "profile":
		p.serveTimed(w, r, p.cpu, "a CPU profile", "profile", 30*time.Second, startCPUProfile)
	case "trace":
		p.serveTimed(w, r, p.trace, "a trace", "trace", time.Second, startTrace)
	default:
		p.serveProfile(w, r, sub)
	}
}

func startCPUProfile(w io.Writer) (func(), error) {
	if err := pprof.StartCPUProfile(w); err != nil {
		return nil, err
	}
	return pprof.StopCPUProfile, nil
}

func startTrace(w io.Writer) (func(), error) {
	if err := trace.Start(w); err != nil {
		return nil, err
	}
	return trace.Stop, nil
}

// serveTimed runs a CPU profile or a trace for the seconds asked (def
// when none), holding sem, and streams it. It ends early when the client
// leaves.
func (p *Pprof) serveTimed(w http.ResponseWriter, r *http.Request, sem chan struct{}, what, file string, def time.Duration,
	start func(io.Writer) (func(), error)) {
	d, ok := p.seconds(w, r, def)
	if !ok {
		return
	}
	h := w.Header()
	h.Set("Content-Type", MediaTypeOctetStream)
	h.Set("Content-Disposition", `attachment; filename="`+file+`"`)
	if r.Method == http.MethodHead {
		w.WriteHeader(http.StatusOK)
		return
	}
	select {
	case sem <- struct{}{}:
	default:
		h.Del("Content-Disposition")
		httpx.WriteErrorAs(w, r, http.StatusConflict, httpx.MediaTypeJSON, what+" is running; try again when it is done")
		return
	}
	defer func() { <-sem }()
	// A server's WriteTimeout shorter than the profile would cut it.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(d + 10*time.Second))
	stop, err := start(w)
	if err != nil { // another profiler in the process; nothing written yet
		h.Del("Content-Disposition")
		httpx.WriteErrorAs(w, r, http.StatusConflict, httpx.MediaTypeJSON, "cannot start "+what+": "+err.Error())
		return
	}
	t := time.NewTimer(d)
	select {
	case <-t.C:
	case <-r.Context().Done():
		t.Stop()
	}
	stop()
}

// serveProfile writes a named profile of runtime/pprof.
func (p *Pprof) serveProfile(w http.ResponseWriter, r *http.Request, name string) {
	prof := pprof.Lookup(name)
	if strings.Contains(name, "/") || prof == nil {
		httpx.NotFoundAs(w, r, httpx.MediaTypeJSON)
		return
	}
	q := r.URL.Query()
	if q.Has("seconds") {
		badRequest(w, r, "delta profiles are not served: take two profiles and compare them with go tool pprof -diff_base")
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
	gc := 0
	if v := q.Get("gc"); v != "" {
		var err error
		if gc, err = strconv.Atoi(v); err != nil {
			badRequest(w, r, "gc must be an integer")
			return
		}
	}
	if name == "goroutine" && debug == 2 && runtime.NumGoroutine() > p.cfg.maxGoroutines {
		badRequest(w, r, "goroutine?debug=2 stops the world for every goroutine; with more than "+
			strconv.Itoa(p.cfg.maxGoroutines)+" use debug=1 or the protocol buffer form")
		return
	}
	if name == "heap" && gc > 0 {
		runtime.GC()
	}
	var b bytes.Buffer
	if err := prof.WriteTo(&b, debug); err != nil {
		httpx.WriteErrorAs(w, r, http.StatusInternalServerError, httpx.MediaTypeJSON, name+" profile: "+err.Error())
		return
	}
	ct := MediaTypeText
	if debug == 0 {
		ct = MediaTypeOctetStream
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	}
	httpx.WriteBody(w, r, http.StatusOK, ct, b.Bytes())
}

// maxSymbolBody bounds a symbol request's list of addresses.
const maxSymbolBody = 64 << 10

// serveSymbol answers go tool pprof's symbol lookups: for each address of
// the '+'-separated list in the query (GET) or body (POST), "0x<pc>
// <function>"; with none, "num_symbols: 1", meaning symbols are available.
func serveSymbol(w http.ResponseWriter, r *http.Request) {
	list := r.URL.RawQuery
	if r.Method == http.MethodPost {
		b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxSymbolBody))
		if err != nil {
			httpx.WriteErrorAs(w, r, http.StatusRequestEntityTooLarge, httpx.MediaTypeJSON,
				"addresses must fit in "+strconv.Itoa(maxSymbolBody)+" bytes")
			return
		}
		list = string(b)
	}
	out := []byte("num_symbols: 1\n")
	for word := range strings.SplitSeq(list, "+") {
		pc, _ := strconv.ParseUint(word, 0, 64)
		if pc == 0 {
			continue
		}
		if f := runtime.FuncForPC(uintptr(pc)); f != nil {
			out = append(out, "0x"...)
			out = strconv.AppendUint(out, pc, 16)
			out = append(out, ' ')
			out = append(out, f.Name()...)
			out = append(out, '\n')
		}
	}
	httpx.WriteBody(w, r, http.StatusOK, MediaTypeText, out)
}

// seconds reads the optional seconds parameter, an integer from 1 to the
// bound (def, within the bound, when absent); when it is not one, it
// answers 400 and returns false.
func (p *Pprof) seconds(w http.ResponseWriter, r *http.Request, def time.Duration) (time.Duration, bool) {
	v, present := r.URL.Query()["seconds"]
	if !present {
		return min(def, time.Duration(p.cfg.maxSeconds)*time.Second), true
	}
	n, err := strconv.Atoi(v[0])
	if err != nil || n < 1 || n > p.cfg.maxSeconds {
		badRequest(w, r, "seconds must be an integer from 1 to "+strconv.Itoa(p.cfg.maxSeconds))
		return 0, false
	}
	return time.Duration(n) * time.Second, true
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
