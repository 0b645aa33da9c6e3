package metrics

import (
	"fmt"
	"math"
	mathbits "math/bits"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/actuatorgo/actuator/internal/httpx"
)

// PrometheusContentType is the Content-Type of the Prometheus text
// exposition format 0.0.4.
const PrometheusContentType = "text/plain; version=0.0.4; charset=utf-8"

// OpenMetricsContentType is the Content-Type of the OpenMetrics text
// format 1.0.0, served to scrapers that prefer it.
const OpenMetricsContentType = "application/openmetrics-text; version=1.0.0; charset=utf-8"

const openMetricsV0ContentType = "application/openmetrics-text; version=0.0.1; charset=utf-8"

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
	{"go_memstats_last_gc_time_seconds", "Number of seconds since 1970 of last garbage collection.", "gauge",
		func(rt *runtimeReading, _ *processReading) float64 { return rt.lastGC }},
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
	{"process_virtual_memory_max_bytes", "Maximum amount of virtual memory available in bytes.", "gauge",
		func(_ *runtimeReading, pr *processReading) float64 { return pr.vmMax }},
	{"process_resident_memory_bytes", "Resident memory size in bytes.", "gauge",
		func(_ *runtimeReading, pr *processReading) float64 { return pr.rss }},
	{"process_start_time_seconds", "Start time of the process since the Unix epoch in seconds.", "gauge",
		func(_ *runtimeReading, pr *processReading) float64 { return float64(pr.start.UnixMilli()) / 1e3 }},
	{"process_network_receive_bytes_total", "Number of bytes received by the process over the network.", "counter",
		func(_ *runtimeReading, pr *processReading) float64 { return pr.netRecv }},
	{"process_network_transmit_bytes_total", "Number of bytes sent by the process over the network.", "counter",
		func(_ *runtimeReading, pr *processReading) float64 { return pr.netSent }},
	{"process_threads", "Number of OS threads of the process.", "gauge",
		func(_ *runtimeReading, pr *processReading) float64 { return pr.threads }},
	{"process_uptime_seconds", "The uptime of the process in seconds.", "gauge",
		func(_ *runtimeReading, pr *processReading) float64 { return pr.uptime().Seconds() }},
	{"process_cpu_usage", "Recent CPU usage of the process over all CPUs, from 0 to 1.", "gauge",
		func(_ *runtimeReading, pr *processReading) float64 { return pr.cpuUsage }},
	{"system_cpu_usage", "Recent CPU usage of the whole machine, from 0 to 1.", "gauge",
		func(_ *runtimeReading, pr *processReading) float64 { return pr.sysCPUUsage }},
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

// Names of the families that are not promScalars.
const (
	promGCDuration    = "go_gc_duration_seconds"
	promGoInfo        = "go_info"
	promRequests      = "http_server_requests_seconds"
	promRequestsMax   = "http_server_requests_seconds_max"
	promScrapes       = "promhttp_metric_handler_requests_total"
	promScrapesFlight = "promhttp_metric_handler_requests_in_flight"
)

// Help texts of the families that are not promScalars.
const (
	helpGCDuration    = "A summary of the wall-time pause (stop-the-world) duration in garbage collection cycles (quantiles estimated from the runtime's pause histogram)."
	helpGoInfo        = "Information about the Go environment."
	helpRequests      = "Duration of HTTP server requests."
	helpRequestsMax   = "Maximum duration of HTTP server requests over the recent window."
	helpScrapes       = "Total number of scrapes by HTTP status code."
	helpScrapesFlight = "Current number of scrapes being served."
)

// Pre-rendered text of the built-in families, for each format: HELP, TYPE
// (and UNIT) lines and the sample name, so a scrape appends constants and
// formats only numbers.
var (
	promHeaders  [2][len(promScalars)]string
	promGCHeader [2]string
	promInfo     [2]string
	// by format, then: scrapes, scrapes in flight, requests as a
	// histogram, requests as a summary, requests' max
	promFixed    [2][5]string
	promBuiltins = map[string]bool{}
	goInfoLabels = `{version="` + string(appendLabelValue(nil, runtime.Version())) + `"}`
)

// Output formats, the first index of the pre-rendered headers.
const (
	fmtText = iota // text 0.0.4
	fmtOM          // OpenMetrics 1.0.0
)

// omFamily is the OpenMetrics name of a family: a counter's without its
// "_total" suffix, which only its sample carries.
func omFamily(name, typ string) string {
	if typ == "counter" {
		return strings.TrimSuffix(name, "_total")
	}
	return name
}

// omUnit is the unit OpenMetrics announces for a family: the last word of
// its name when that is one of the base units we use (the format requires
// the name to end with the unit).
func omUnit(family string) string {
	for _, u := range [...]string{"seconds", "bytes"} {
		if strings.HasSuffix(family, "_"+u) {
			return u
		}
	}
	return ""
}

// appendHeader appends the metadata lines of a family in format f.
func appendHeader(b []byte, f int, name, help, typ, unit string) []byte {
	if f == fmtText {
		b = append(b, "# HELP "...)
		b = append(b, name...)
		b = append(b, ' ')
		b = appendHelp(b, help)
		b = append(b, "\n# TYPE "...)
		b = append(b, name...)
		b = append(b, ' ')
		b = append(b, typ...)
		return append(b, '\n')
	}
	fam := omFamily(name, typ)
	b = append(b, "# TYPE "...)
	b = append(b, fam...)
	b = append(b, ' ')
	b = append(b, typ...)
	if unit != "" && strings.HasSuffix(fam, "_"+unit) {
		b = append(b, "\n# UNIT "...)
		b = append(b, fam...)
		b = append(b, ' ')
		b = append(b, unit...)
	}
	// OpenMetrics escapes double quotes in HELP too, as in label values.
	b = append(b, "\n# HELP "...)
	b = append(b, fam...)
	b = append(b, ' ')
	b = appendLabelValue(b, help)
	return append(b, '\n')
}

func init() {
	for f := range 2 {
		for i, p := range promScalars {
			h := appendHeader(nil, f, p.name, p.help, p.typ, omUnit(omFamily(p.name, p.typ)))
			promHeaders[f][i] = string(h) + p.name // value() adds the space
		}
		promGCHeader[f] = string(appendHeader(nil, f, promGCDuration, helpGCDuration, "summary", "seconds"))
		promInfo[f] = string(appendHeader(nil, f, promGoInfo, helpGoInfo, "gauge", "")) + promGoInfo + goInfoLabels + " 1\n"
		promFixed[f] = [5]string{
			string(appendHeader(nil, f, promScrapes, helpScrapes, "counter", "")),
			string(appendHeader(nil, f, promScrapesFlight, helpScrapesFlight, "gauge", "")),
			string(appendHeader(nil, f, promRequests, helpRequests, "histogram", "seconds")),
			string(appendHeader(nil, f, promRequests, helpRequests, "summary", "seconds")),
			string(appendHeader(nil, f, promRequestsMax, helpRequestsMax, "gauge", "seconds")),
		}
	}
	for _, p := range promScalars {
		promBuiltins[p.name] = true
	}
	for _, n := range []string{promGCDuration, promGoInfo, promRequests, promRequestsMax, promScrapes, promScrapesFlight} {
		promBuiltins[n] = true
	}
}

// isBuiltinProm reports whether a custom metric's Prometheus name would
// clash with a built-in family or with the series a built-in summary or
// histogram writes (_sum, _count, _bucket), in either format.
func isBuiltinProm(name string) bool {
	if promBuiltins[name] || promBuiltins[name+"_total"] {
		return true
	}
	for _, suffix := range []string{"_sum", "_count", "_max", "_bucket", "_total"} {
		if base, ok := strings.CutSuffix(name, suffix); ok && promBuiltins[base] {
			return true
		}
	}
	return false
}

// PrometheusHandler returns the handler of the Prometheus endpoint: the
// registry's metrics in text exposition format 0.0.4, or in OpenMetrics
// text 1.0.0 when the request's Accept prefers it by its q values (as a
// Prometheus 2.x server's does). It works on its own at any path of any
// [http.ServeMux]:
//
//	mux.Handle("GET /metrics/prometheus", reg.PrometheusHandler())
//
// ?includedNames=a,b (comma-separated, repeatable) keeps only the families
// of those Prometheus names, as Spring Boot's endpoint does; names that
// match nothing give an empty 200. It answers GET and HEAD (405
// otherwise), and 404 below its own path when mounted under a "{path...}"
// wildcard. Its own requests are counted in
// promhttp_metric_handler_requests_total and _in_flight, as promhttp's
// handler counts its own.
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
	rt      runtimeReading
	pr      processReading
	maxes   []float64
	buckets []uint64
	names   []string
	custom  []customFamily
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

func (h promHandler) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		h.r.scrapes.begin()
		httpx.MethodNotAllowed(w, req, "GET, HEAD")
		h.r.scrapes.end(http.StatusMethodNotAllowed)
		return
	}
	h.ServeEndpoint(w, req, httpx.SubPath(req), "")
}

func (h promHandler) ServeEndpoint(w http.ResponseWriter, req *http.Request, sub, _ string) {
	h.r.scrapes.begin()
	if sub != "" {
		httpx.NotFound(w, req)
		h.r.scrapes.end(http.StatusNotFound)
		return
	}
	sc := scratchPool.Get().(*scratch)
	o := promOptions{format: fmtText}
	ct := PrometheusContentType
	switch httpx.NegotiateOpenMetrics(req) {
	case httpx.OpenMetricsV1:
		o.format, ct = fmtOM, OpenMetricsContentType
	case httpx.OpenMetricsV0:
		o.format, ct = fmtOM, openMetricsV0ContentType
	}
	var err error
	o.names, o.filter, err = includedNames(sc.names[:0], req.URL.RawQuery)
	if err != nil {
		clear(o.names)
		sc.names = o.names[:0]
		scratchPool.Put(sc)
		httpx.WriteError(w, req, http.StatusBadRequest, err.Error())
		h.r.scrapes.end(http.StatusBadRequest)
		return
	}
	buf := httpx.GetBuffer()
	*buf = h.r.appendPrometheus(*buf, sc, o)
	// The format depends on Accept: shared caches must key on it.
	w.Header().Add("Vary", "Accept")
	httpx.WriteBody(w, req, http.StatusOK, ct, *buf)
	httpx.PutBuffer(buf)
	clear(sc.custom)
	clear(o.names)
	sc.names = o.names[:0]
	scratchPool.Put(sc)
	h.r.scrapes.end(http.StatusOK)
}

// maxIncludedNames bounds the names of ?includedNames, so that a long
// query cannot make a scrape cost more than a small bound: every family is
// compared with every name.
const maxIncludedNames = 256

// includedNames appends the names of every includedNames parameter of the
// query to dst (comma-separated values, repeated parameters), and reports
// whether there was any such parameter; more than maxIncludedNames names
// is an error.
func includedNames(dst []string, rawQuery string) ([]string, bool, error) {
	if !strings.Contains(rawQuery, "includedNames") && !strings.Contains(rawQuery, "%") {
		return dst, false, nil
	}
	filter := false
	for rest := rawQuery; rest != ""; {
		var kv string
		kv, rest, _ = strings.Cut(rest, "&")
		k, v, _ := strings.Cut(kv, "=")
		if k != "includedNames" {
			if u, err := url.QueryUnescape(k); err != nil || u != "includedNames" {
				continue
			}
		}
		filter = true
		if u, err := url.QueryUnescape(v); err == nil {
			v = u
		}
		for more := true; more; {
			var name string
			name, v, more = strings.Cut(v, ",")
			if name = strings.TrimSpace(name); name != "" {
				if len(dst) == maxIncludedNames {
					return dst, true, fmt.Errorf("at most %d includedNames are allowed", maxIncludedNames)
				}
				dst = append(dst, name)
			}
		}
	}
	return dst, filter, nil
}

// promOptions select what a scrape writes.
type promOptions struct {
	format int
	filter bool     // names applies
	names  []string // includedNames
}

// AppendPrometheus appends the registry's metrics in Prometheus text
// exposition format 0.0.4 to b and returns the extended buffer.
func (r *Registry) AppendPrometheus(b []byte) []byte {
	return r.appendPrometheus(b, new(scratch), promOptions{format: fmtText})
}

func (r *Registry) appendPrometheus(b []byte, sc *scratch, o promOptions) []byte {
	sc.rt = r.rt.read()
	sc.pr = r.proc.read()
	rt, pr := &sc.rt, &sc.pr
	w := promWriter{b: b, o: o}

	// As client_golang: _count counts GC cycles, _sum is the total pause
	// time; the quantiles are those of single pauses.
	if p := &rt.pauses; w.include(promGCDuration, "summary") {
		w.b = append(w.b, promGCHeader[o.format]...)
		for i, q := range pauseQuantileLabels {
			w.b = append(w.b, q...)
			w.value(p.quantiles[i])
		}
		w.scalar("go_gc_duration_seconds_sum", p.sum)
		w.scalar("go_gc_duration_seconds_count", rt.get(rmGCCycles))
	}
	if w.include(promGoInfo, "gauge") {
		w.b = append(w.b, promInfo[o.format]...)
	}
	for i := range promScalars {
		p := &promScalars[i]
		if !w.include(p.name, p.typ) {
			continue
		}
		v := p.value(rt, pr)
		if math.IsNaN(v) {
			continue // not available on this platform
		}
		w.b = append(w.b, promHeaders[o.format][i]...)
		w.value(v)
	}

	// promhttp's own counters; this scrape is in flight, and is counted
	// once it is done, as promhttp.InstrumentMetricHandler does.
	if w.include(promScrapes, "counter") {
		w.b = append(w.b, promFixed[o.format][0]...)
		for k := range r.scrapes.seen {
			for bits := r.scrapes.seen[k].Load() | initialCodes[k]; bits != 0; bits &= bits - 1 {
				i := k*64 + mathbits.TrailingZeros64(bits)
				w.b = append(w.b, promScrapes+`{code="`...)
				w.b = strconv.AppendInt(w.b, int64(i+minCode), 10)
				w.b = append(w.b, `"}`...)
				w.value(float64(r.scrapes.codes[i].Load()))
			}
		}
	}
	if w.include(promScrapesFlight, "gauge") {
		w.b = append(w.b, promFixed[o.format][1]...)
		w.scalar(promScrapesFlight, float64(r.scrapes.inFlight.Load()))
	}

	// HTTP server requests, named as Micrometer exports them.
	if reqs := r.http.all(); len(reqs) > 0 {
		now := r.cfg.now()
		bounds := r.http.bounds
		histogram := len(bounds) > 0
		maxes := sc.maxes[:0]
		typ := "summary"
		if histogram {
			typ = "histogram"
		}
		withReqs := w.include(promRequests, typ)
		if withReqs {
			if histogram {
				w.b = append(w.b, promFixed[o.format][2]...)
			} else {
				w.b = append(w.b, promFixed[o.format][3]...)
			}
		}
		for _, s := range reqs {
			var count, total, max float64
			sc.buckets, count, total, max = s.timer.readBuckets(sc.buckets[:0], now)
			maxes = append(maxes, max)
			if !withReqs {
				continue
			}
			if histogram {
				les := r.http.leLabels[o.format]
				for i, c := range sc.buckets {
					w.requestLine("http_server_requests_seconds_bucket", s, les[i])
					w.value(float64(c))
				}
				w.requestLine("http_server_requests_seconds_bucket", s, `,le="+Inf"`)
				w.value(count)
			}
			w.requestLine("http_server_requests_seconds_count", s, "")
			w.value(count)
			w.requestLine("http_server_requests_seconds_sum", s, "")
			w.value(total)
		}
		if w.include(promRequestsMax, "gauge") {
			w.b = append(w.b, promFixed[o.format][4]...)
			for i, s := range reqs {
				w.requestLine(promRequestsMax, s, "")
				w.value(maxes[i])
			}
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
		if !w.include(f.prom, typ) {
			continue
		}
		w.family(f.prom, help, typ, promName(f.unit))
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
	if o.format == fmtOM {
		w.b = append(w.b, "# EOF\n"...)
	}
	return w.b
}

// minCode and maxCode bound the status codes promhttp_metric_handler_requests_total counts.
const (
	minCode = 100
	maxCode = 599
)

const codeWords = (maxCode - minCode + 64) / 64

// scrapeCounts are promhttp's counters of the Prometheus endpoint's own
// requests: by status code, and in flight. seen has a bit for each code
// counted at least once, so a scrape reads only those.
type scrapeCounts struct {
	inFlight atomic.Int64
	codes    [maxCode - minCode + 1]atomic.Uint64
	seen     [codeWords]atomic.Uint64
}

// initialCodes are the codes promhttp.InstrumentMetricHandler initialises
// (200, 500, 503), as bits of scrapeCounts.seen.
var initialCodes = func() (bits [codeWords]uint64) {
	for _, c := range []int{200, 500, 503} {
		i := c - minCode
		bits[i/64] |= 1 << (i % 64)
	}
	return bits
}()

func (s *scrapeCounts) begin() { s.inFlight.Add(1) }

func (s *scrapeCounts) end(code int) {
	if code >= minCode && code <= maxCode {
		i := code - minCode
		if s.codes[i].Add(1) == 1 {
			s.seen[i/64].Or(1 << (i % 64))
		}
	}
	s.inFlight.Add(-1)
}

// promWriter appends exposition lines.
type promWriter struct {
	b []byte
	o promOptions
}

// include reports whether the family name (as written in text 0.0.4) of
// type typ is asked for by includedNames: by that name, or, for a counter,
// by its OpenMetrics name without "_total".
func (w *promWriter) include(name, typ string) bool {
	if !w.o.filter {
		return true
	}
	fam := omFamily(name, typ)
	for _, n := range w.o.names {
		if n == name || n == fam {
			return true
		}
	}
	return false
}

func (w *promWriter) family(name, help, typ, unit string) {
	w.b = appendHeader(w.b, w.o.format, name, help, typ, unit)
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

// requestLine appends the name and labels of a request sample, with extra
// (such as `,le="0.1"`) after the tags; value() ends the line.
func (w *promWriter) requestLine(name string, s *requestSeries, extra string) {
	w.b = append(w.b, name...)
	w.b = append(w.b, s.labels...)
	w.b = append(w.b, extra...)
	w.b = append(w.b, '}')
}

// requestLabels renders the labels of a request series, without the
// closing brace.
func requestLabels(s *requestSeries) string {
	b := append([]byte(nil), `{method="`...)
	b = appendLabelValue(b, s.key.method)
	b = append(b, `",outcome="`...)
	b = append(b, s.result...)
	b = append(b, `",status="`...)
	b = append(b, s.statusText...)
	b = append(b, `",uri="`...)
	b = appendLabelValue(b, s.key.uri)
	return string(append(b, '"'))
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

// leLabel renders the le label of a bucket bound in format f: as
// client_golang's text encoder writes it ("1", "0.005"), and in
// OpenMetrics with a decimal point ("1.0"), as expfmt's OpenMetrics
// encoder writes it (prometheus/common expfmt/openmetrics_create.go).
func leLabel(bound float64, f int) string {
	s := strconv.FormatFloat(bound, 'g', -1, 64)
	if f == fmtOM && !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return `,le="` + s + `"`
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
