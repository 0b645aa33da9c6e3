package diag

import (
	"bytes"
	"net/http"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"

	"github.com/actuatorgo/actuator/internal/httpx"
)

// ThreadDump serves every goroutine's stack, the Go counterpart of Spring
// Boot's threaddump endpoint. Build it with [NewThreadDump]; it is safe
// for concurrent use, and serves one dump at a time (others wait for it,
// or for their request's context to end).
type ThreadDump struct {
	cfg config
	sem chan struct{} // one dump at a time bounds the memory of the buffer
}

// MediaTypeText is the type of the runtime's own text format.
const MediaTypeText = "text/plain; charset=utf-8"

// NewThreadDump returns a thread dump. It reads [WithMaxGoroutines],
// [WithMaxFrames] and [WithMaxStackBytes]. It panics on a nil option.
func NewThreadDump(opts ...Option) *ThreadDump {
	return &ThreadDump{cfg: newConfig("NewThreadDump", opts), sem: make(chan struct{}, 1)}
}

// Handler returns the handler of the thread dump. It works on its own at
// any path of any [http.ServeMux]:
//
//	mux.Handle("GET /threaddump", d.Handler())
//
// It answers GET and HEAD (405 otherwise) on the endpoint itself (404
// below it). The body is JSON in Spring Boot's shape by default, Spring
// Boot's v3 type or application/json as the client accepts; a client that
// asks for text/plain gets the runtime's own text, as goroutine?debug=2 of
// net/http/pprof writes it. 406 when it accepts none of them.
//
// With at most [WithMaxGoroutines] goroutines each one is listed with
// its id, wait reason and wait time (runtime.Stack, which stops the world
// while it collects). With more, goroutines with the same stack are
// listed once with their count, collected without stopping the world
// for long (the goroutine profile), and "mode" says "grouped".
func (d *ThreadDump) Handler() http.Handler {
	return httpx.RawHandler(threadDumpHandler{d}.ServeEndpoint)
}

type threadDumpHandler struct{ d *ThreadDump }

var _ httpx.Endpoint = threadDumpHandler{}

// ServeEndpoint serves the dump; sub must be "". A contentType of "" lets
// it negotiate JSON or text itself (the root should wire it that way, since
// its negotiation knows no text/plain); a JSON type is used as given.
func (h threadDumpHandler) ServeEndpoint(w http.ResponseWriter, r *http.Request, sub, ct string) {
	d := h.d
	if ct == "" {
		var ok bool
		if ct, ok = negotiateText(r); !ok {
			httpx.NotAcceptable(w, r)
			return
		}
	}
	errCT := ct
	if ct == MediaTypeText {
		errCT = httpx.MediaTypeJSON
	}
	if sub != "" {
		httpx.NotFoundAs(w, r, errCT)
		return
	}
	if r.Method == http.MethodHead { // headers only, without the pause
		httpx.SetSecurityHeaders(w.Header())
		w.Header().Set("Content-Type", ct)
		w.WriteHeader(http.StatusOK)
		return
	}
	select {
	case d.sem <- struct{}{}:
	case <-r.Context().Done():
		httpx.WriteErrorAs(w, r, http.StatusServiceUnavailable, errCT, "request ended while another thread dump was being written")
		return
	}
	defer func() { <-d.sem }()
	if n := runtime.NumGoroutine(); n > d.cfg.maxGoroutines {
		d.serveGrouped(w, r, ct, n)
		return
	}
	text, truncated := d.stacks()
	if ct == MediaTypeText {
		if truncated {
			w.Header().Set("X-Truncated", "true")
		}
		httpx.WriteBody(w, r, http.StatusOK, ct, text)
		return
	}
	gs := parseStacks(text, d.cfg.maxFrames)
	doc := dumpJSON{Mode: "full", Goroutines: len(gs), Truncated: truncated, Threads: make([]threadJSON, len(gs))}
	for i, g := range gs {
		doc.Threads[i] = g.json()
	}
	httpx.WriteJSONAs(w, r, http.StatusOK, ct, doc)
}

// stacks returns runtime.Stack's text of every goroutine, in a buffer
// sized from their number and grown until it fits or reaches the bound;
// a dump cut at the bound ends after the last whole goroutine.
func (d *ThreadDump) stacks() ([]byte, bool) {
	size := min(max(runtime.NumGoroutine()*1024, 64<<10), d.cfg.maxStackBytes)
	for {
		buf := make([]byte, size)
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return buf[:n], false
		}
		if size >= d.cfg.maxStackBytes {
			if i := bytes.LastIndex(buf, []byte("\n\n")); i >= 0 {
				n = i + 1
			}
			return buf[:n], true
		}
		size = min(size*2, d.cfg.maxStackBytes)
	}
}

// serveGrouped answers with goroutines grouped by stack, collected
// concurrently with the program.
func (d *ThreadDump) serveGrouped(w http.ResponseWriter, r *http.Request, ct string, n int) {
	if ct == MediaTypeText {
		var b bytes.Buffer
		if err := pprof.Lookup("goroutine").WriteTo(&b, 1); err != nil {
			httpx.WriteErrorAs(w, r, http.StatusInternalServerError, httpx.MediaTypeJSON, err.Error())
			return
		}
		httpx.WriteBody(w, r, http.StatusOK, ct, b.Bytes())
		return
	}
	var recs []runtime.StackRecord
	for {
		recs = make([]runtime.StackRecord, n+n/10+10)
		var ok bool
		if n, ok = runtime.GoroutineProfile(recs); ok {
			recs = recs[:n]
			break
		}
	}
	type group struct {
		stack []uintptr
		count int
	}
	index := make(map[[32]uintptr]int)
	var groups []group
	for _, rec := range recs {
		if i, ok := index[rec.Stack0]; ok {
			groups[i].count++
			continue
		}
		index[rec.Stack0] = len(groups)
		groups = append(groups, group{stack: rec.Stack(), count: 1})
	}
	slices.SortStableFunc(groups, func(a, b group) int { return b.count - a.count })
	doc := dumpJSON{Mode: "grouped", Goroutines: n, Threads: make([]threadJSON, len(groups))}
	for i, g := range groups {
		t := threadJSON{
			ThreadName:  strconv.Itoa(g.count) + " goroutines",
			ThreadID:    int64(i + 1),
			ThreadState: "UNKNOWN",
			Count:       g.count,
			StackTrace:  []jsonFrame{},
		}
		frames := runtime.CallersFrames(g.stack)
		for {
			f, more := frames.Next()
			if f.Function != "" {
				if len(t.StackTrace) == d.cfg.maxFrames {
					t.FramesTruncated = true
					break
				}
				t.StackTrace = append(t.StackTrace, toJSONFrame(frame{function: f.Function, file: f.File, line: f.Line}))
			}
			if !more {
				break
			}
		}
		doc.Threads[i] = t
	}
	httpx.WriteJSONAs(w, r, http.StatusOK, ct, doc)
}

// dumpJSON is the JSON document: Spring Boot's {"threads":[...]} and what
// Go adds.
type dumpJSON struct {
	Threads []threadJSON `json:"threads"`
	// Mode is "full" (one entry per goroutine) or "grouped" (one per stack).
	Mode string `json:"mode"`
	// Goroutines is how many goroutines there were.
	Goroutines int `json:"goroutines"`
	// Truncated tells that the text outgrew WithMaxStackBytes and the
	// last goroutines are missing.
	Truncated bool `json:"truncated"`
}

// threadJSON is one goroutine in the shape of Java's ThreadInfo as
// Spring Boot serialises it, with Go's own fields after.
type threadJSON struct {
	ThreadName          string      `json:"threadName"`
	ThreadID            int64       `json:"threadId"`
	ThreadState         string      `json:"threadState"`
	Daemon              bool        `json:"daemon"`
	InNative            bool        `json:"inNative"`
	Suspended           bool        `json:"suspended"`
	BlockedCount        int64       `json:"blockedCount"`
	BlockedTime         int64       `json:"blockedTime"`
	WaitedCount         int64       `json:"waitedCount"`
	WaitedTime          int64       `json:"waitedTime"`
	LockOwnerID         int64       `json:"lockOwnerId"`
	StackTrace          []jsonFrame `json:"stackTrace"`
	LockedMonitors      []struct{}  `json:"lockedMonitors"`
	LockedSynchronizers []struct{}  `json:"lockedSynchronizers"`

	WaitReason      string     `json:"waitReason,omitempty"`
	WaitMinutes     int64      `json:"waitMinutes,omitempty"`
	LockedToThread  bool       `json:"lockedToThread,omitempty"`
	FramesTruncated bool       `json:"framesTruncated,omitempty"`
	CreatedBy       *jsonFrame `json:"createdBy,omitempty"`
	CreatedIn       int64      `json:"createdInGoroutine,omitempty"`
	Count           int        `json:"count,omitempty"`
}

var none = []struct{}{}

func (g goroutine) json() threadJSON {
	t := threadJSON{
		ThreadName:          "goroutine " + strconv.FormatInt(g.id, 10),
		ThreadID:            g.id,
		ThreadState:         threadState(g.reason),
		InNative:            g.reason == "syscall",
		BlockedTime:         -1,
		WaitedTime:          -1,
		LockOwnerID:         -1,
		StackTrace:          make([]jsonFrame, len(g.frames)),
		LockedMonitors:      none,
		LockedSynchronizers: none,
		WaitReason:          g.reason,
		WaitMinutes:         g.waitMinutes,
		LockedToThread:      g.locked,
		FramesTruncated:     g.elided,
		CreatedIn:           g.createdIn,
	}
	if g.waitMinutes > 0 {
		t.WaitedTime = g.waitMinutes * 60_000
	}
	for i, f := range g.frames {
		t.StackTrace[i] = toJSONFrame(f)
	}
	if g.createdBy != nil {
		f := toJSONFrame(*g.createdBy)
		t.CreatedBy = &f
	}
	return t
}

// negotiateText picks the thread dump's type: text when the client asks
// for text/plain (or text/*) at least as much as for JSON, else the JSON
// type httpx.Negotiate picks.
func negotiateText(r *http.Request) (string, bool) {
	var qText, qJSON float64
	for _, line := range r.Header.Values("Accept") {
		for part := range strings.SplitSeq(line, ",") {
			mt, q := mediaRange(part)
			switch {
			case httpx.EqualFoldASCII(mt, "text/plain"), httpx.EqualFoldASCII(mt, "text/*"):
				qText = max(qText, q)
			case httpx.EqualFoldASCII(mt, httpx.MediaTypeJSON), httpx.EqualFoldASCII(mt, httpx.MediaTypeV3),
				httpx.EqualFoldASCII(mt, "application/*"):
				qJSON = max(qJSON, q)
			}
		}
	}
	if qText > 0 && qText >= qJSON {
		return MediaTypeText, true
	}
	return httpx.Negotiate(r)
}

// mediaRange splits one Accept element into its type and q weight (1 when
// absent, 0 when malformed).
func mediaRange(part string) (string, float64) {
	mt, params, _ := strings.Cut(part, ";")
	q := 1.0
	for p := range strings.SplitSeq(params, ";") {
		k, v, ok := strings.Cut(p, "=")
		if ok && httpx.EqualFoldASCII(strings.TrimSpace(k), "q") {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || f < 0 || f > 1 {
				f = 0
			}
			q = f
		}
	}
	return strings.TrimSpace(mt), q
}
