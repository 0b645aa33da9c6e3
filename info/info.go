package info

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/actuatorgo/actuator/internal/httpx"
)

// processStart approximates the process start time: package variables are
// initialised before main runs.
var processStart = time.Now()

// Collector is the info document's content: the sections [New] encoded and
// the contributors it calls; [Collector.Handler] serves it. It is immutable
// after New and safe for concurrent use.
type Collector struct {
	entries  []entry // sorted by key, one per top-level section
	timeout  time.Duration
	funcs    int // how many entries are contributors
	maxProcs func() int
	// The go section is encoded as goPrefix + GOMAXPROCS + goSuffix, since
	// GOMAXPROCS may change while the process runs.
	goPrefix, goSuffix []byte
	goStatic           map[string]any

	// authorizer decides who sees contributor error texts; nil: nobody.
	authorizer func(*http.Request) bool
}

type kind int

const (
	kindStatic kind = iota
	kindGo
	kindFunc
)

type entry struct {
	key     string
	keyJSON []byte // `"key":`
	kind    kind
	value   any  // kindStatic: the value
	builtin bool // value is one of our maps, deep-copied by Info
	raw     []byte
	fn      func(ctx context.Context) (any, error)
	flights *flights // kindFunc: the call in progress, shared
}

// New builds the endpoint. It reads the build info and the link-time stamps
// and encodes every static section once; only the contributors and
// GOMAXPROCS are computed per request. It panics on an empty key, a nil
// contributor or a [WithValue] value that cannot be encoded to JSON.
func New(opts ...Option) *Collector {
	c := config{gitMode: GitSimple, timeout: DefaultContributorTimeout}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	if c.timeout <= 0 {
		c.timeout = DefaultContributorTimeout
	}
	env := c.env
	if env == nil {
		env = realEnvironment()
	}
	e := &Collector{timeout: c.timeout, maxProcs: env.maxProcs, authorizer: c.authorizer}

	byKey := map[string]entry{}
	addStatic := func(key string, v map[string]any) {
		if len(v) > 0 {
			byKey[key] = entry{key: key, kind: kindStatic, value: v, builtin: true}
		}
	}
	addStatic("build", buildSection(env))
	addStatic("git", gitSection(env, c.gitMode))
	if !c.noGo {
		e.goStatic = goSection(env, c.gitMode)
		e.goPrefix, e.goSuffix = splitAround(e.goStatic, "gomaxprocs")
		byKey["go"] = entry{key: "go", kind: kindGo}
	}
	if c.process || c.hostname {
		addStatic("process", processSection(env, c.process, c.hostname))
	}
	showDeps := c.deps == depsOn || (c.deps == depsByMode && c.gitMode == GitFull)
	if deps := dependencies(env); showDeps && len(deps) > 0 {
		byKey["dependencies"] = entry{key: "dependencies", kind: kindStatic, value: deps, builtin: true}
	}
	for _, ct := range c.contribs {
		if ct.key == "" {
			panic("info: empty section key")
		}
		if ct.isFunc && ct.fn == nil {
			panic(fmt.Sprintf("info: nil contributor for key %q", ct.key))
		}
		if ct.isFunc {
			byKey[ct.key] = entry{key: ct.key, kind: kindFunc, fn: ct.fn, flights: &flights{}}
		} else {
			byKey[ct.key] = entry{key: ct.key, kind: kindStatic, value: ct.value}
		}
	}
	for _, en := range byKey {
		k, _ := json.Marshal(en.key)
		en.keyJSON = append(k, ':')
		if en.kind == kindStatic {
			raw, err := json.Marshal(en.value)
			if err != nil {
				panic(fmt.Sprintf("info: value for key %q cannot be encoded: %v", en.key, err))
			}
			en.raw = raw
		}
		if en.kind == kindFunc {
			e.funcs++
		}
		e.entries = append(e.entries, en)
	}
	slices.SortFunc(e.entries, func(a, b entry) int { return strings.Compare(a.key, b.key) })
	return e
}

// Handler returns the handler of the info endpoint. It works on its own at
// any path of any [http.ServeMux]:
//
//	mux.Handle("GET /info", e.Handler())
//
// It answers GET and HEAD (405 otherwise) with Spring Boot's v3 JSON type,
// or application/json when the client asks for that (406 when it accepts
// neither). Mounted under a "{path...}" wildcard, it answers 404 below its
// own path.
func (e *Collector) Handler() http.Handler { return httpx.Handler(e.serveEndpoint) }

// serveEndpoint serves the info endpoint; the actuator's router calls it
// with the sub-path and content type it has settled.
func (e *Collector) serveEndpoint(w http.ResponseWriter, r *http.Request, sub, ct string) {
	if sub != "" {
		httpx.NotFoundAs(w, r, ct)
		return
	}
	buf := httpx.GetBuffer()
	defer httpx.PutBuffer(buf)
	*buf = e.appendJSON(*buf, r)
	httpx.WriteBody(w, r, http.StatusOK, ct, *buf)
}

// Info returns the info document as a fresh map, the same content
// its handler encodes. Built-in sections are copies the caller may modify;
// [WithValue] values are returned as given.
func (e *Collector) Info(ctx context.Context) map[string]any {
	results := e.runContributors(ctx)
	out := make(map[string]any, len(e.entries))
	fi := 0
	for _, en := range e.entries {
		switch en.kind {
		case kindStatic:
			if en.builtin {
				out[en.key] = deepCopy(en.value)
			} else {
				out[en.key] = en.value
			}
		case kindGo:
			m := deepCopy(e.goStatic).(map[string]any)
			m["gomaxprocs"] = e.maxProcs()
			out[en.key] = m
		case kindFunc:
			res := results[fi]
			fi++
			if res.err != nil {
				out[en.key] = map[string]any{"error": res.err.Error()}
			} else {
				out[en.key] = res.value
			}
		}
	}
	return out
}

func (e *Collector) appendJSON(b []byte, r *http.Request) []byte {
	results := e.runContributors(r.Context())
	showErrors, asked := false, false
	b = append(b, '{')
	fi := 0
	for i, en := range e.entries {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, en.keyJSON...)
		switch en.kind {
		case kindStatic:
			b = append(b, en.raw...)
		case kindGo:
			b = append(b, e.goPrefix...)
			b = strconv.AppendInt(b, int64(e.maxProcs()), 10)
			b = append(b, e.goSuffix...)
		case kindFunc:
			res := results[fi]
			fi++
			if res.err != nil && !asked {
				// Asked once, and only when a contributor failed.
				showErrors, asked = e.authorizer != nil && e.authorizer(r), true
			}
			b = appendResult(b, res, showErrors)
		}
	}
	return append(b, '}')
}

// hiddenError is what a caller who may not see error texts gets for a
// failed contributor.
const hiddenError = `{"error":"unavailable"}`

// appendResult appends a contributor's value or its error: the error's
// text when showError is true, the bare fact that it failed otherwise.
func appendResult(b []byte, res result, showError bool) []byte {
	if res.err == nil {
		return append(b, res.raw...)
	}
	if !showError {
		return append(b, hiddenError...)
	}
	raw, _ := json.Marshal(map[string]string{"error": res.err.Error()})
	return append(b, raw...)
}

func realEnvironment() *environment {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		bi = nil
	}
	return &environment{
		build:     bi,
		stamps:    linkStamps(),
		goVersion: runtime.Version(),
		goos:      runtime.GOOS,
		goarch:    runtime.GOARCH,
		compiler:  runtime.Compiler,
		maxProcs:  func() int { return runtime.GOMAXPROCS(0) },
		pid:       os.Getpid(),
		ppid:      os.Getppid(),
		numCPU:    runtime.NumCPU(),
		start:     processStart,
		hostname:  os.Hostname,
	}
}

// deepCopy copies the maps and slices New builds; other values are
// immutable (strings, numbers, bools).
func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, x := range v {
			m[k] = deepCopy(x)
		}
		return m
	case []any:
		s := make([]any, len(v))
		for i, x := range v {
			s[i] = deepCopy(x)
		}
		return s
	case map[string]string:
		m := make(map[string]string, len(v))
		for k, x := range v {
			m[k] = x
		}
		return m
	}
	return v
}
