package metrics

import (
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/actuatorgo/actuator/internal/httpx"
)

// Registry holds an actuator's metrics and serves them. Build it with
// [New]; its methods are safe for concurrent use. A Registry shares no state
// with other registries in the same process.
type Registry struct {
	cfg config

	rt   runtimeReader
	proc *processReader
	http *requestMetrics

	scrapes scrapeCounts // promhttp_metric_handler_requests_*

	mu         sync.RWMutex
	custom     map[string]*customFamily // by Spring name
	customProm map[string]string        // Prometheus name -> Spring name
	names      atomic.Pointer[[]string] // sorted custom names, rebuilt on registration

	snap   atomic.Pointer[encodedSnapshot] // the JSON snapshot last encoded, see snapshotBody
	snapMu sync.Mutex                      // held while the snapshot is recomputed
}

// New returns a Registry reading the current process. It is useful with no
// options; see [WithLogger], [WithCacheTTL], [WithMaxWindow] and
// [WithMaxRequestSeries] for the defaults. New starts no goroutines and
// holds nothing to release, so a Registry has no Close.
func New(opts ...Option) *Registry {
	cfg := defaultConfig()
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.now == nil {
		cfg.now = time.Now
	}
	if cfg.maxWindow < time.Second {
		cfg.maxWindow = time.Second
	}
	if cfg.maxRoutes < 1 {
		cfg.maxRoutes = 1
	}
	r := &Registry{
		cfg:        cfg,
		custom:     make(map[string]*customFamily),
		customProm: make(map[string]string),
	}
	r.rt.init()
	r.proc = newProcessReader(cfg)
	r.http = newRequestMetrics(cfg)
	empty := []string{}
	r.names.Store(&empty)
	return r
}

// Handler returns the handler of the metrics endpoint's JSON side. It works
// on its own at any path of any [http.ServeMux]:
//
//	mux.Handle("GET /metrics", reg.Handler())            // the snapshot
//	mux.Handle("GET /metrics/{path...}", reg.Handler())  // the drill-down
//
// At its own path it serves the readable [Snapshot] with Spring Boot
// Actuator's "names" list, encoded at most once per cache TTL (see
// [WithCacheTTL]) and at once when a metric is added to "names"; the value of the "{path...}" wildcard, when the
// pattern has one, names a metric for Spring's drill-down, filtered by
// repeated ?tag=key:value parameters. An unknown name, or a filter that
// matches nothing, is a 404; a malformed tag, or more than [MaxTagFilters]
// tag parameters, is a 400. It answers GET and HEAD (405 otherwise) with
// Spring Boot's v3 JSON type, or application/json when the client asks for
// that (406 when it accepts neither).
func (r *Registry) Handler() http.Handler { return httpx.Handler(r.serveEndpoint) }

// serveEndpoint serves the metrics endpoint's JSON side; the actuator's
// router calls it with the sub-path and content type it has settled.
func (r *Registry) serveEndpoint(w http.ResponseWriter, req *http.Request, sub, ct string) {
	if sub == "" {
		r.serveSnapshot(w, req, ct)
		return
	}
	r.serveMetric(w, req, sub, ct)
}

// Names returns the names of every metric that currently has data, sorted,
// as listed by the endpoint's "names".
func (r *Registry) Names() []string {
	rt := r.rt.read()
	pr := r.proc.read()
	return r.appendNames(nil, &rt, &pr)
}

func (r *Registry) appendNames(dst []string, rt *runtimeReading, pr *processReading) []string {
	hasRequests := r.http.len() > 0
	custom := *r.names.Load()
	j := 0
	for _, b := range sortedBuiltins {
		if b == nil {
			if !hasRequests {
				continue
			}
		} else if !b.available(rt, pr) {
			continue
		}
		name := httpServerRequests
		if b != nil {
			name = b.name
		}
		for j < len(custom) && custom[j] < name {
			dst = append(dst, custom[j])
			j++
		}
		dst = append(dst, name)
	}
	return append(dst, custom[j:]...)
}

// sortedBuiltins are the built-in meters sorted by name, with nil standing
// for http.server.requests.
var sortedBuiltins = func() []*builtin {
	list := []*builtin{nil}
	for i := range builtins {
		list = append(list, &builtins[i])
	}
	name := func(b *builtin) string {
		if b == nil {
			return httpServerRequests
		}
		return b.name
	}
	sort.Slice(list, func(i, j int) bool { return name(list[i]) < name(list[j]) })
	return list
}()
