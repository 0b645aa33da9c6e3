package metrics

import (
	"math"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/actuatorgo/actuator/internal/httpx"
)

// PrometheusContentType is the Content-Type of the Prometheus text
// exposition format 0.0.4.
const PrometheusContentType = "text/plain; version=0.0.4; charset=utf-8"

// promScalar is a built-in Prometheus family with one unlabelled series.
type promScalar struct {
	name, help, typ string
	value           func(rt *runtimeReading, pr *processReading) float64
}

func rtProm(i int) func(*runtimeReading, *processReading) float64 {
	return func(rt *runtimeReading, _ *processReading) float64 { return rt.get(i) }
}

// promScalars are written in this order after go_gc_duration_seconds and
// go_info. The go_* and process_* names and meanings are those of
// client_golang's Go and process collectors (go_memstats_* computed from
// runtime/metrics the way client_golang does on current Go versions); the
// others are Micrometer's export names, or our own.
var promScalars = [...]promScalar{
	{"go_goroutines", "Number of goroutines that currently exist.", "gauge", rtProm(rmGoroutines)},
	{"go_threads", "Number of OS threads created.", "gauge",
		func(rt *runtimeReading, _ *processReading) float64 { return rt.threadsCreated }},
	{"go_sched_gomaxprocs_threads", "The current runtime.GOMAXPROCS setting.", "gauge", rtProm(rmGomaxprocs)},
	{"go_gc_gogc_percent", "Heap size target percentage configured by GOGC (-1 when the collector is off).", "gauge", rtProm(rmGOGC)},
	{"go_gc_gomemlimit_bytes", "Go runtime soft memory limit configured by GOMEMLIMIT.", "gauge", rtProm(rmMemLimit)},
	{"go_gc_cycles_total", "Number of completed GC cycles.", "counter", rtProm(rmGCCycles)},
	{"go_memstats_alloc_bytes", "Bytes of allocated heap objects.", "gauge", rtProm(rmHeapObjectsBytes)},
	{"go_memstats_alloc_bytes_total", "Total bytes allocated on the heap, even if freed.", "counter", rtProm(rmAllocBytes)},
	{"go_memstats_sys_bytes", "Bytes of memory obtained from the OS by the Go runtime.", "gauge", rtProm(rmTotal)},
	{"go_memstats_mallocs_total", "Total heap objects allocated, tiny allocations included.", "counter",
		func(rt *runtimeReading, _ *processReading) float64 {
			return rt.get(rmAllocObjects) + rt.get(rmTinyAllocs)
		}},
	{"go_memstats_frees_total", "Total heap objects freed, tiny allocations included.", "counter",
		func(rt *runtimeReading, _ *processReading) float64 {
			return rt.get(rmFreeObjects) + rt.get(rmTinyAllocs)
		}},
	{"go_memstats_heap_alloc_bytes", "Bytes of allocated heap objects.", "gauge", rtProm(rmHeapObjectsBytes)},
	{"go_memstats_heap_sys_bytes", "Bytes of heap memory obtained from the OS.", "gauge",
		func(rt *runtimeReading, _ *processReading) float64 {
			return rt.get(rmHeapObjectsBytes) + rt.get(rmHeapUnused) + rt.get(rmHeapFree) + rt.get(rmHeapReleased)
		}},
	{"go_memstats_heap_idle_bytes", "Bytes of heap spans holding no object, released or not.", "gauge",
		func(rt *runtimeReading, _ *processReading) float64 {
			return rt.get(rmHeapFree) + rt.get(rmHeapReleased)
		}},
	{"go_memstats_heap_inuse_bytes", "Bytes of heap spans holding at least one object.", "gauge",
		func(rt *runtimeReading, _ *processReading) float64 {
			return rt.get(rmHeapObjectsBytes) + rt.get(rmHeapUnused)
		}},
	{"go_memstats_heap_released_bytes", "Bytes of heap memory returned to the OS.", "gauge", rtProm(rmHeapReleased)},
	{"go_memstats_heap_objects", "Number of allocated heap objects.", "gauge", rtProm(rmHeapObjects)},
	{"go_memstats_stack_inuse_bytes", "Bytes of stack spans in use.", "gauge", rtProm(rmHeapStacks)},
	{"go_memstats_stack_sys_bytes", "Bytes of stack memory obtained from the OS.", "gauge",
		func(rt *runtimeReading, _ *processReading) float64 { return rt.get(rmHeapStacks) + rt.get(rmOSStacks) }},
	{"go_memstats_mspan_inuse_bytes", "Bytes of mspan structures in use.", "gauge", rtProm(rmMSpanInuse)},
	{"go_memstats_mspan_sys_bytes", "Bytes of memory obtained from the OS for mspan structures.", "gauge",
		func(rt *runtimeReading, _ *processReading) float64 { return rt.get(rmMSpanInuse) + rt.get(rmMSpanFree) }},
	{"go_memstats_mcache_inuse_bytes", "Bytes of mcache structures in use.", "gauge", rtProm(rmMCacheInuse)},
	{"go_memstats_mcache_sys_bytes", "Bytes of memory obtained from the OS for mcache structures.", "gauge",
		func(rt *runtimeReading, _ *processReading) float64 {
			return rt.get(rmMCacheInuse) + rt.get(rmMCacheFree)
		}},
	{"go_memstats_buck_hash_sys_bytes", "Bytes of memory used by profiling bucket hash tables.", "gauge", rtProm(rmProfBuckets)},
	{"go_memstats_gc_sys_bytes", "Bytes of memory used by garbage collection metadata.", "gauge", rtProm(rmMetadataOther)},
	{"go_memstats_other_sys_bytes", "Bytes of memory used by other runtime allocations.", "gauge", rtProm(rmOther)},
	{"go_memstats_next_gc_bytes", "Heap size target of the next GC cycle.", "gauge", rtProm(rmHeapGoal)},

	{"process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", "counter",
		func(_ *runtimeReading, pr *processReading) float64 { return pr.cpuSeconds }},
	{"process_open_fds", "Number of open file descriptors.", "gauge",
		func(_ *runtimeReading, pr *processReading) float64 { return pr.openFDs }},
	{"process_max_fds", "Maximum number of open file descriptors.", "gauge",
		func(_ *runtimeReading, pr *processReading) float64 { return pr.maxFDs }},
	{"process_virtual_memory_bytes", "Virtual memory size in bytes.", "gauge",
		func(_ *runtimeReading, pr *processReading) float64 { return pr.vms }},
	{"process_resident_memory_bytes", "Resident memory size in bytes.", "gauge",
		func(_ *runtimeReading, pr *processReading) float64 { return pr.rss }},
	{"process_start_time_seconds", "Start time of the process since the Unix epoch in seconds.", "gauge",
		func(_ *runtimeReading, pr *processReading) float64 { return float64(pr.start.UnixMilli()) / 1e3 }},
	{"process_threads", "Number of OS threads of the process.", "gauge",
		func(_ *runtimeReading, pr *processReading) float64 { return pr.threads }},
	{"process_uptime_seconds", "The uptime of the process in seconds.", "gauge",
		func(_ *runtimeReading, pr *processReading) float64 { return pr.uptime().Seconds() }},
	{"process_cpu_usage", "Recent CPU usage of the process over all CPUs, from 0 to 1.", "gauge",
		func(_ *runtimeReading, pr *processReading) float64 { return pr.cpuUsage }},
	{"system_logical_cpus", "Number of logical CPUs of the machine.", "gauge",
		func(_ *runtimeReading, pr *processReading) float64 { return pr.cpuCount }},
	{"system_load_average_1m", "System load average over the last minute.", "gauge",
		func(_ *runtimeReading, pr *processReading) float64 { return pr.load1 }},
	{"system_load_average_5m", "System load average over the last 5 minutes.", "gauge",
		func(_ *runtimeReading, pr *processReading) float64 { return pr.load5 }},
	{"system_load_average_15m", "System load average over the last 15 minutes.", "gauge",
		func(_ *runtimeReading, pr *processReading) float64 { return pr.load15 }},
	{"system_memory_total_bytes", "Total physical memory of the machine in bytes.", "gauge",
		func(_ *runtimeReading, pr *processReading) float64 { return pr.memTotal }},
	{"system_memory_available_bytes", "Memory available to start new programs without swapping, in bytes.", "gauge",
		func(_ *runtimeReading, pr *processReading) float64 { return pr.memAvail }},
}

// Pre-rendered text of the built-in families: HELP and TYPE lines and the
// sample name, so a scrape appends constants and formats only numbers.
var (
	promHeaders    [len(promScalars)]string
	promGCHeader   string
	promInfo       string
	promReqHeader  string
	promMaxHeader  string
	promBuiltins   = map[string]bool{}
	promGCDuration = "go_gc_duration_seconds"
)

func header(name, help, typ string) string {
	return "# HELP " + name + " " + string(appendHelp(nil, help)) + "\n# TYPE " + name + " " + typ + "\n"
}

func init() {
	for i, p := range promScalars {
		promHeaders[i] = header(p.name, p.help, p.typ) + p.name // value() adds the space
		promBuiltins[p.name] = true
	}
	promGCHeader = header(promGCDuration, "A summary of the stop-the-world pause durations of the garbage collector (quantiles estimated from the runtime's pause histogram).", "summary")
	promInfo = header("go_info", "Information about the Go environment.", "gauge") +
		`go_info{version="` + string(appendLabelValue(nil, runtime.Version())) + "\"} 1\n"
	promReqHeader = header("http_server_requests_seconds", "Duration of HTTP server requests.", "summary")
	promMaxHeader = header("http_server_requests_seconds_max", "Maximum duration of HTTP server requests over the recent window.", "gauge")
	for _, n := range []string{promGCDuration, "go_info", "http_server_requests_seconds", "http_server_requests_seconds_max"} {
		promBuiltins[n] = true
	}
}

// isBuiltinProm reports whether a custom metric's Prometheus name would
// clash with a built-in family or with the series a built-in summary
// writes (_sum, _count).
func isBuiltinProm(name string) bool {
	if promBuiltins[name] {
		return true
	}
	for _, suffix := range []string{"_sum", "_count", "_max"} {
		if base, ok := strings.CutSuffix(name, suffix); ok && promBuiltins[base] {
			return true
		}
	}
	return false
}

// PrometheusHandler returns the handler of the Prometheus endpoint: the
// registry's metrics in text exposition format 0.0.4, whatever the client
// accepts. It works on its own at any path of any [http.ServeMux]:
//
//	mux.Handle("GET /metrics/prometheus", reg.PrometheusHandler())
//
// It answers GET and HEAD (405 otherwise), and 404 below its own path when
// mounted under a "{path...}" wildcard.
func (r *Registry) PrometheusHandler() http.Handler {
	return promHandler{r}
}

// promHandler is the Prometheus endpoint; the actuator's router calls its
// ServeEndpoint, with no content type: the endpoint writes its own.
type promHandler struct{ r *Registry }

var _ httpx.Endpoint = promHandler{}

// scratch is the reusable state of one scrape; the body goes to a buffer
// of httpx's pool.
type scratch struct {
	rt     runtimeReading
	pr     processReading
	maxes  []float64
	custom []customFamily
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

func (h promHandler) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		httpx.MethodNotAllowed(w, req, "GET, HEAD")
		return
	}
	h.ServeEndpoint(w, req, httpx.SubPath(req), "")
}

func (h promHandler) ServeEndpoint(w http.ResponseWriter, req *http.Request, sub, _ string) {
	if sub != "" {
		httpx.NotFound(w, req)
		return
	}
	sc := scratchPool.Get().(*scratch)
	buf := httpx.GetBuffer()
	*buf = h.r.appendPrometheus(*buf, sc)
	httpx.WriteBody(w, req, http.StatusOK, PrometheusContentType, *buf)
	httpx.PutBuffer(buf)
	clear(sc.custom)
	scratchPool.Put(sc)
}

// AppendPrometheus appends the registry's metrics in Prometheus text
// exposition format 0.0.4 to b and returns the extended buffer.
func (r *Registry) AppendPrometheus(b []byte) []byte {
	return r.appendPrometheus(b, new(scratch))
}

func (r *Registry) appendPrometheus(b []byte, sc *scratch) []byte {
	sc.rt = r.rt.read()
	sc.pr = r.proc.read()
	rt, pr := &sc.rt, &sc.pr
	w := promWriter{b: b}

	p := &rt.pauses
	w.b = append(w.b, promGCHeader...)
	for i, q := range pauseQuantileLabels {
		w.b = append(w.b, q...)
		w.value(p.quantiles[i])
	}
	w.scalar("go_gc_duration_seconds_sum", p.sum)
	w.scalar("go_gc_duration_seconds_count", p.count)
	w.b = append(w.b, promInfo...)
	for i := range promScalars {
		v := promScalars[i].value(rt, pr)
		if math.IsNaN(v) {
			continue // not available on this platform
		}
		w.b = append(w.b, promHeaders[i]...)
		w.value(v)
	}

	// HTTP server requests, named as Micrometer exports them.
	if reqs := r.http.all(); len(reqs) > 0 {
		now := r.cfg.now()
		maxes := sc.maxes[:0]
		w.b = append(w.b, promReqHeader...)
		for _, s := range reqs {
			count, total, max := s.timer.read(now)
			maxes = append(maxes, max)
			w.requestLine("http_server_requests_seconds_count", s, count)
			w.requestLine("http_server_requests_seconds_sum", s, total)
		}
		w.b = append(w.b, promMaxHeader...)
		for i, s := range reqs {
			w.requestLine("http_server_requests_seconds_max", s, maxes[i])
		}
		sc.maxes = maxes
	}

	// Custom metrics.
	sc.custom = r.customFamilies(sc.custom[:0])
	for _, f := range sc.custom {
		if len(f.series) == 0 {
			continue
		}
		help := f.description
		if help == "" {
			help = f.name
		}
		typ := "gauge"
		if f.kind == kindCounter {
			typ = "counter"
		}
		w.family(f.prom, help, typ)
		for _, s := range f.series {
			w.name(f.prom)
			if len(s.tags) > 0 {
				w.b = append(w.b, '{')
				for i, t := range s.tags {
					if i > 0 {
						w.b = append(w.b, ',')
					}
					w.b = append(w.b, promName(t.Key)...)
					w.b = append(w.b, `="`...)
					w.b = appendLabelValue(w.b, t.Value)
					w.b = append(w.b, '"')
				}
				w.b = append(w.b, '}')
			}
			if s.counter != nil {
				w.value(s.counter.Value())
			} else {
				w.value(r.callGauge(f.name, s.gauge))
			}
		}
	}
	return w.b
}

// promWriter appends exposition lines.
type promWriter struct{ b []byte }

func (w *promWriter) family(name, help, typ string) {
	w.b = append(w.b, "# HELP "...)
	w.b = append(w.b, name...)
	w.b = append(w.b, ' ')
	w.b = appendHelp(w.b, help)
	w.b = append(w.b, "\n# TYPE "...)
	w.b = append(w.b, name...)
	w.b = append(w.b, ' ')
	w.b = append(w.b, typ...)
	w.b = append(w.b, '\n')
}

func (w *promWriter) name(name string) { w.b = append(w.b, name...) }

func (w *promWriter) value(v float64) {
	w.b = append(w.b, ' ')
	w.b = appendFloat(w.b, v)
	w.b = append(w.b, '\n')
}

func (w *promWriter) scalar(name string, v float64) {
	w.name(name)
	w.value(v)
}

func (w *promWriter) requestLine(name string, s *requestSeries, v float64) {
	w.b = append(w.b, name...)
	w.b = append(w.b, `{method="`...)
	w.b = appendLabelValue(w.b, s.key.method)
	w.b = append(w.b, `",outcome="`...)
	w.b = append(w.b, s.result...)
	w.b = append(w.b, `",status="`...)
	w.b = append(w.b, s.statusText...)
	w.b = append(w.b, `",uri="`...)
	w.b = appendLabelValue(w.b, s.key.uri)
	w.b = append(w.b, `"}`...)
	w.value(v)
}

func appendFloat(b []byte, v float64) []byte {
	switch {
	case math.IsNaN(v):
		return append(b, "NaN"...)
	case math.IsInf(v, 1):
		return append(b, "+Inf"...)
	case math.IsInf(v, -1):
		return append(b, "-Inf"...)
	}
	if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
		return strconv.AppendInt(b, int64(v), 10)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

// appendLabelValue escapes a label value as the text format requires
// (backslash, double quote, line feed); invalid UTF-8 becomes U+FFFD.
func appendLabelValue(b []byte, s string) []byte { return appendEscaped(b, s, true) }

// appendHelp escapes a HELP text (backslash and line feed; a double quote
// stays as it is); invalid UTF-8 becomes U+FFFD.
func appendHelp(b []byte, s string) []byte { return appendEscaped(b, s, false) }

// appendEscaped appends s with backslashes and line feeds escaped, double
// quotes too when quote, and invalid UTF-8 replaced by U+FFFD.
func appendEscaped(b []byte, s string, quote bool) []byte {
	special := "\\\n"
	if quote {
		special = "\\\"\n"
	}
	if !strings.ContainsAny(s, special) && utf8.ValidString(s) {
		return append(b, s...)
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '\\':
				b = append(b, `\\`...)
			case c == '"' && quote:
				b = append(b, `\"`...)
			case c == '\n':
				b = append(b, `\n`...)
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, "\uFFFD"...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return b
}
