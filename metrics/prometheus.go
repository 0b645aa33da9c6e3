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

// promBuiltins are the Prometheus names the registry writes itself;
// custom metrics cannot take them.
var promBuiltins = map[string]bool{}

func init() {
	for _, n := range []string{
		"go_gc_duration_seconds", "go_goroutines", "go_threads", "go_info",
		"go_sched_gomaxprocs_threads", "go_gc_gogc_percent", "go_gc_gomemlimit_bytes",
		"go_gc_cycles_total", "go_memstats_alloc_bytes", "go_memstats_alloc_bytes_total",
		"go_memstats_sys_bytes", "go_memstats_mallocs_total", "go_memstats_frees_total",
		"go_memstats_heap_alloc_bytes", "go_memstats_heap_sys_bytes", "go_memstats_heap_idle_bytes",
		"go_memstats_heap_inuse_bytes", "go_memstats_heap_released_bytes", "go_memstats_heap_objects",
		"go_memstats_stack_inuse_bytes", "go_memstats_stack_sys_bytes", "go_memstats_mspan_inuse_bytes",
		"go_memstats_mspan_sys_bytes", "go_memstats_mcache_inuse_bytes", "go_memstats_mcache_sys_bytes",
		"go_memstats_buck_hash_sys_bytes", "go_memstats_gc_sys_bytes", "go_memstats_other_sys_bytes",
		"go_memstats_next_gc_bytes", "process_cpu_seconds_total", "process_open_fds", "process_max_fds",
		"process_virtual_memory_bytes", "process_resident_memory_bytes", "process_start_time_seconds",
		"process_threads", "process_uptime_seconds", "process_cpu_usage", "system_logical_cpus",
		"system_load_average_1m", "system_load_average_5m", "system_load_average_15m",
		"system_memory_total_bytes", "system_memory_available_bytes",
		"http_server_requests_seconds", "http_server_requests_seconds_max",
	} {
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
// registry's metrics in text exposition format 0.0.4, at the relative path
// "" or "/" (any other path is a 404). GET and HEAD are allowed.
func (r *Registry) PrometheusHandler() http.Handler {
	return promHandler{r}
}

type promHandler struct{ r *Registry }

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

func (h promHandler) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		httpx.MethodNotAllowed(w, req, "GET, HEAD")
		return
	}
	if p := req.URL.Path; p != "" && p != "/" {
		httpx.NotFound(w, req)
		return
	}
	bp := bufPool.Get().(*[]byte)
	b := h.r.AppendPrometheus((*bp)[:0])
	httpx.WriteBody(w, req, http.StatusOK, PrometheusContentType, b)
	if cap(b) <= 1<<20 {
		*bp = b
		bufPool.Put(bp)
	}
}

// AppendPrometheus appends the registry's metrics in Prometheus text
// exposition format 0.0.4 to b and returns the extended buffer.
func (r *Registry) AppendPrometheus(b []byte) []byte {
	rt := r.rt.read()
	pr := r.proc.read()
	w := promWriter{b: b}

	// Go runtime, named as client_golang's Go collector.
	p := rt.pauses
	w.family("go_gc_duration_seconds", "A summary of the stop-the-world pause durations of the garbage collector (quantiles estimated from the runtime's pause histogram).", "summary")
	for i, q := range pauseQuantiles {
		w.name("go_gc_duration_seconds")
		w.b = append(w.b, `{quantile="`...)
		w.b = strconv.AppendFloat(w.b, q, 'g', -1, 64)
		w.b = append(w.b, `"}`...)
		w.value(p.quantiles[i])
	}
	w.scalar("go_gc_duration_seconds_sum", p.sum)
	w.scalar("go_gc_duration_seconds_count", p.count)
	w.gauge("go_goroutines", "Number of goroutines that currently exist.", rt.get(rmGoroutines))
	w.family("go_info", "Information about the Go environment.", "gauge")
	w.name("go_info")
	w.b = append(w.b, `{version="`...)
	w.b = appendLabelValue(w.b, runtime.Version())
	w.b = append(w.b, `"}`...)
	w.value(1)
	w.gauge("go_threads", "Number of OS threads created.", rt.threadsCreated)
	w.gauge("go_sched_gomaxprocs_threads", "The current runtime.GOMAXPROCS setting.", rt.get(rmGomaxprocs))
	w.gauge("go_gc_gogc_percent", "Heap size target percentage configured by GOGC (-1 when the collector is off).", rt.get(rmGOGC))
	w.gauge("go_gc_gomemlimit_bytes", "Go runtime soft memory limit configured by GOMEMLIMIT.", rt.get(rmMemLimit))
	w.counter("go_gc_cycles_total", "Number of completed GC cycles.", rt.get(rmGCCycles))

	heapObj, heapUnused := rt.get(rmHeapObjectsBytes), rt.get(rmHeapUnused)
	heapFree, heapReleased := rt.get(rmHeapFree), rt.get(rmHeapReleased)
	tiny := rt.get(rmTinyAllocs)
	w.gauge("go_memstats_alloc_bytes", "Bytes of allocated heap objects.", heapObj)
	w.counter("go_memstats_alloc_bytes_total", "Total bytes allocated on the heap, even if freed.", rt.get(rmAllocBytes))
	w.gauge("go_memstats_sys_bytes", "Bytes of memory obtained from the OS by the Go runtime.", rt.get(rmTotal))
	w.counter("go_memstats_mallocs_total", "Total heap objects allocated, tiny allocations included.", rt.get(rmAllocObjects)+tiny)
	w.counter("go_memstats_frees_total", "Total heap objects freed, tiny allocations included.", rt.get(rmFreeObjects)+tiny)
	w.gauge("go_memstats_heap_alloc_bytes", "Bytes of allocated heap objects.", heapObj)
	w.gauge("go_memstats_heap_sys_bytes", "Bytes of heap memory obtained from the OS.", heapObj+heapUnused+heapFree+heapReleased)
	w.gauge("go_memstats_heap_idle_bytes", "Bytes of heap spans holding no object, released or not.", heapFree+heapReleased)
	w.gauge("go_memstats_heap_inuse_bytes", "Bytes of heap spans holding at least one object.", heapObj+heapUnused)
	w.gauge("go_memstats_heap_released_bytes", "Bytes of heap memory returned to the OS.", heapReleased)
	w.gauge("go_memstats_heap_objects", "Number of allocated heap objects.", rt.get(rmHeapObjects))
	w.gauge("go_memstats_stack_inuse_bytes", "Bytes of stack spans in use.", rt.get(rmHeapStacks))
	w.gauge("go_memstats_stack_sys_bytes", "Bytes of stack memory obtained from the OS.", rt.get(rmHeapStacks)+rt.get(rmOSStacks))
	w.gauge("go_memstats_mspan_inuse_bytes", "Bytes of mspan structures in use.", rt.get(rmMSpanInuse))
	w.gauge("go_memstats_mspan_sys_bytes", "Bytes of memory obtained from the OS for mspan structures.", rt.get(rmMSpanInuse)+rt.get(rmMSpanFree))
	w.gauge("go_memstats_mcache_inuse_bytes", "Bytes of mcache structures in use.", rt.get(rmMCacheInuse))
	w.gauge("go_memstats_mcache_sys_bytes", "Bytes of memory obtained from the OS for mcache structures.", rt.get(rmMCacheInuse)+rt.get(rmMCacheFree))
	w.gauge("go_memstats_buck_hash_sys_bytes", "Bytes of memory used by profiling bucket hash tables.", rt.get(rmProfBuckets))
	w.gauge("go_memstats_gc_sys_bytes", "Bytes of memory used by garbage collection metadata.", rt.get(rmMetadataOther))
	w.gauge("go_memstats_other_sys_bytes", "Bytes of memory used by other runtime allocations.", rt.get(rmOther))
	w.gauge("go_memstats_next_gc_bytes", "Heap size target of the next GC cycle.", rt.get(rmHeapGoal))

	// Process, named as client_golang's process collector.
	w.counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", pr.cpuSeconds)
	w.gauge("process_open_fds", "Number of open file descriptors.", pr.openFDs)
	w.gauge("process_max_fds", "Maximum number of open file descriptors.", pr.maxFDs)
	w.gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", pr.vms)
	w.gauge("process_resident_memory_bytes", "Resident memory size in bytes.", pr.rss)
	w.gauge("process_start_time_seconds", "Start time of the process since the Unix epoch in seconds.", float64(pr.start.UnixMilli())/1e3)
	// Process and system, named as Micrometer exports them.
	w.gauge("process_threads", "Number of OS threads of the process.", pr.threads)
	w.gauge("process_uptime_seconds", "The uptime of the process in seconds.", pr.uptime().Seconds())
	w.gauge("process_cpu_usage", "Recent CPU usage of the process over all CPUs, from 0 to 1.", pr.cpuUsage)
	w.gauge("system_logical_cpus", "Number of logical CPUs of the machine.", pr.cpuCount)
	w.gauge("system_load_average_1m", "System load average over the last minute.", pr.load1)
	w.gauge("system_load_average_5m", "System load average over the last 5 minutes.", pr.load5)
	w.gauge("system_load_average_15m", "System load average over the last 15 minutes.", pr.load15)
	w.gauge("system_memory_total_bytes", "Total physical memory of the machine in bytes.", pr.memTotal)
	w.gauge("system_memory_available_bytes", "Memory available to start new programs without swapping, in bytes.", pr.memAvail)

	// HTTP server requests, named as Micrometer exports them.
	if reqs := r.http.snapshot(); len(reqs) > 0 {
		w.family("http_server_requests_seconds", "Duration of HTTP server requests.", "summary")
		for _, s := range reqs {
			w.requestLine("http_server_requests_seconds_count", &s, s.count)
			w.requestLine("http_server_requests_seconds_sum", &s, s.total)
		}
		w.family("http_server_requests_seconds_max", "Maximum duration of HTTP server requests over the recent window.", "gauge")
		for _, s := range reqs {
			w.requestLine("http_server_requests_seconds_max", &s, s.max)
		}
	}

	// Custom metrics.
	var arr [16]customFamily
	for _, f := range r.customFamilies(arr[:0]) {
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

// gauge writes a one-series gauge family; an unavailable (NaN) value
// leaves the family out.
func (w *promWriter) gauge(name, help string, v float64) {
	if math.IsNaN(v) {
		return
	}
	w.family(name, help, "gauge")
	w.scalar(name, v)
}

func (w *promWriter) counter(name, help string, v float64) {
	if math.IsNaN(v) {
		return
	}
	w.family(name, help, "counter")
	w.scalar(name, v)
}

func (w *promWriter) requestLine(name string, s *requestSample, v float64) {
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
func appendLabelValue(b []byte, s string) []byte {
	if !strings.ContainsAny(s, "\\\"\n") && utf8.ValidString(s) {
		return append(b, s...)
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch c {
			case '\\':
				b = append(b, `\\`...)
			case '"':
				b = append(b, `\"`...)
			case '\n':
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

// appendHelp escapes a HELP text (backslash and line feed).
func appendHelp(b []byte, s string) []byte {
	if !strings.ContainsAny(s, "\\\n") && utf8.ValidString(s) {
		return append(b, s...)
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch c {
			case '\\':
				b = append(b, `\\`...)
			case '\n':
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
