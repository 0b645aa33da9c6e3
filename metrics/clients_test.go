package metrics

import (
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// This file pins what clients nobody here wrote read from the registry, each
// test citing where in the client's source the behaviour comes from.

// TestSpringBootAdminProcessPanel serves the metrics Spring Boot Admin's
// Process panel polls. spring-boot-admin-server-ui/src/main/frontend/views/
// instances/details/details-process.vue (fetchUptime, fetchCpuCount,
// fetchCpuLoadMetrics) requests process.uptime, system.cpu.count,
// process.cpu.usage and system.cpu.usage through /metrics/{name}, reads
// measurements[0].value, multiplies the CPU usages by 100 for a percentage
// and converts the uptime with toMillis(value, baseUnit)
// (views/instances/metrics/metric.vue). The other names are Micrometer's
// process and system meters (ProcessorMetrics, UptimeMetrics,
// FileDescriptorMetrics), which Spring serves with the same meaning.
// Before: system.cpu.usage was a 404 and the panel showed "0%".
func TestSpringBootAdminProcessPanel(t *testing.T) {
	r := New()
	names := r.Names()
	tests := []struct {
		name     string
		baseUnit string
		lo, hi   float64
	}{
		{"system.cpu.usage", "", 0, 1},
		{"process.cpu.usage", "", 0, 1},
		{"system.cpu.count", "", 1, 1 << 20},
		{"system.load.average.1m", "", 0, 1e6},
		{"process.uptime", "seconds", 0, 1e9},
		{"process.start.time", "seconds", float64(time.Now().Add(-24 * time.Hour).Unix()), float64(time.Now().Unix() + 1)},
		{"process.files.open", "files", 1, 1e9},
		{"process.files.max", "files", 1, math.MaxFloat64},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !slices.Contains(names, tc.name) {
				t.Errorf("names lacks %s", tc.name)
			}
			rec := serve(t, r, http.MethodGet, "/"+tc.name)
			if rec.Code != http.StatusOK {
				t.Fatalf("GET /%s: %d %s", tc.name, rec.Code, rec.Body)
			}
			m := decode[MetricResponse](t, rec.Body.Bytes())
			if m.BaseUnit != tc.baseUnit {
				t.Errorf("baseUnit %q, want %q", m.BaseUnit, tc.baseUnit)
			}
			if len(m.Measurements) == 0 || m.Measurements[0].Statistic != "VALUE" {
				t.Fatalf("measurements %+v, want VALUE first", m.Measurements)
			}
			if v := m.Measurements[0].Value; !(v >= tc.lo && v <= tc.hi) {
				t.Errorf("value %v, want in [%v, %v]", v, tc.lo, tc.hi)
			}
		})
	}
}

// TestProcessCPUUsageFollowsLoad reads process.cpu.usage around an idle
// stretch and a busy one: the rate between two cached readings must stay in
// [0,1] and rise with the load, without any sleep on the request path.
func TestProcessCPUUsageFollowsLoad(t *testing.T) {
	r := New(WithCacheTTL(0))
	usage := func(name string) float64 {
		m, ok := r.Metric(name)
		if !ok {
			t.Fatalf("no %s", name)
		}
		v := m.Measurements[0].Value
		if v < 0 || v > 1 {
			t.Errorf("%s = %v, want in [0,1]", name, v)
		}
		return v
	}
	usage("process.cpu.usage") // since the process start
	usage("system.cpu.usage")  // since boot
	time.Sleep(300 * time.Millisecond)
	idle := usage("process.cpu.usage")

	// Spin until the process has used 0.2 s more CPU time (read through
	// another registry, so that r's previous reading stays), bounded.
	probe := New(WithCacheTTL(0))
	cpuTime := func() float64 {
		m, _ := probe.Metric("process.cpu.time")
		return m.Measurements[0].Value
	}
	var stop atomic.Bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		for n := 0; !stop.Load(); n++ {
			if n%1024 == 0 {
				runtime.Gosched()
			}
		}
	}()
	for start, deadline := cpuTime(), time.Now().Add(10*time.Second); cpuTime()-start < 0.2 && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	busy := usage("process.cpu.usage")
	sys := usage("system.cpu.usage")
	stop.Store(true)
	<-done
	if !(busy > idle) {
		t.Errorf("process.cpu.usage busy %v, idle %v: want busy > idle", busy, idle)
	}
	if busy <= 0 {
		t.Errorf("process.cpu.usage %v while one goroutine spins", busy)
	}
	if sys <= 0 {
		t.Errorf("system.cpu.usage %v while a goroutine spins", sys)
	}
}

// scrape serves GET /prometheus with the given Accept and query.
func scrape(t *testing.T, r *Registry, accept, query string) (string, string) {
	t.Helper()
	h := r.PrometheusHandler()
	rec := serveWith(t, h, accept, query)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /prometheus?%s: %d", query, rec.Code)
	}
	return rec.Header().Get("Content-Type"), rec.Body.String()
}

// serveWith sends GET with an Accept header and a query to h.
func serveWith(t *testing.T, h http.Handler, accept, query string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.URL.Path, req.URL.RawQuery = "", query
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// sampleValue returns the value of the first sample line that starts with
// prefix (a name with optional labels).
func sampleValue(t *testing.T, text, prefix string) float64 {
	t.Helper()
	for line := range strings.Lines(text) {
		if strings.HasPrefix(line, prefix+" ") {
			v, err := strconv.ParseFloat(strings.TrimSpace(line[strings.LastIndexByte(line, ' ')+1:]), 64)
			if err != nil {
				t.Fatalf("%q: %v", line, err)
			}
			return v
		}
	}
	t.Fatalf("no sample %s in:\n%s", prefix, text)
	return 0
}

func gcCycles() float64 {
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	return float64(s[0].Value.Uint64())
}

// TestGCDurationCountsCycles pins go_gc_duration_seconds as client_golang
// serves it: prometheus/go_collector.go, baseGoCollector.Collect, builds the
// summary from debug.GCStats: count NumGC (completed cycles), sum
// PauseTotal, quantiles from PauseQuantiles. Dashboards chart
// rate(go_gc_duration_seconds_count[1m]) as GC cycles per second. Before:
// _count counted pauses, two per cycle, and read double.
func TestGCDurationCountsCycles(t *testing.T) {
	r := New()
	for range 3 {
		runtime.GC()
	}
	before := gcCycles()
	_, text := scrape(t, r, "", "")
	after := gcCycles()
	got := sampleValue(t, text, "go_gc_duration_seconds_count")
	if got < before || got > after {
		t.Errorf("go_gc_duration_seconds_count = %v, want GC cycles in [%v, %v]", got, before, after)
	}
	if v := sampleValue(t, text, `go_gc_duration_seconds{quantile="1"}`); math.IsNaN(v) || v < 0 {
		t.Errorf("max pause %v", v)
	}
	// go_memstats_last_gc_time_seconds: stats.LastGC in seconds since 1970.
	last := sampleValue(t, text, "go_memstats_last_gc_time_seconds")
	if now := float64(time.Now().UnixNano()) / 1e9; last < now-60 || last > now+1 {
		t.Errorf("go_memstats_last_gc_time_seconds = %v, want about %v", last, now)
	}
}

// TestScrapeHandlerCounts pins promhttp's own families as
// promhttp.InstrumentMetricHandler (prometheus/promhttp/http.go) serves
// them: promhttp_metric_handler_requests_total{code}, with 200, 500 and 503
// present from the start and a scrape counted once it is done, and
// promhttp_metric_handler_requests_in_flight, which includes the scrape
// that reads it.
func TestScrapeHandlerCounts(t *testing.T) {
	r := New()
	_, text := scrape(t, r, "", "")
	for _, code := range []string{"200", "500", "503"} {
		if v := sampleValue(t, text, `promhttp_metric_handler_requests_total{code="`+code+`"}`); v != 0 {
			t.Errorf("first scrape: code %s = %v, want 0", code, v)
		}
	}
	if v := sampleValue(t, text, "promhttp_metric_handler_requests_in_flight"); v != 1 {
		t.Errorf("in flight %v, want 1 (this scrape)", v)
	}
	scrape(t, r, "", "")
	serve(t, r.PrometheusHandler(), http.MethodPost, "/")
	_, text = scrape(t, r, "", "")
	if v := sampleValue(t, text, `promhttp_metric_handler_requests_total{code="200"}`); v != 2 {
		t.Errorf("code 200 = %v, want 2", v)
	}
	if v := sampleValue(t, text, `promhttp_metric_handler_requests_total{code="405"}`); v != 1 {
		t.Errorf("code 405 = %v, want 1", v)
	}
}

// TestReadNetstat reads the IpExt octet counters as procfs's Netstat does
// for client_golang's process_network_*_bytes_total
// (prometheus/process_collector_procfsenabled.go).
func TestReadNetstat(t *testing.T) {
	path := t.TempDir() + "/netstat"
	const text = "TcpExt: SyncookiesSent SyncookiesRecv\nTcpExt: 0 0\n" +
		"IpExt: InNoRoutes InTruncatedPkts InMcastPkts OutMcastPkts InBcastPkts OutBcastPkts InOctets OutOctets\n" +
		"IpExt: 0 0 0 0 0 0 123456789012 987\n"
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	var buf []byte
	for range 2 { // the second read reuses the buffer
		in, out := readNetstat(path, &buf)
		if in != 123456789012 || out != 987 {
			t.Errorf("readNetstat = %v, %v; want 123456789012, 987", in, out)
		}
	}
	if in, out := readNetstat(path+".missing", &buf); !math.IsNaN(in) || !math.IsNaN(out) {
		t.Errorf("missing file: %v, %v; want NaN", in, out)
	}
}
