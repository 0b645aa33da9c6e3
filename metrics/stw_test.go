package metrics

import (
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"
)

// otherPauses counts the process's stop-the-world pauses not caused by
// the garbage collector; runtime.ReadMemStats causes one per call.
func otherPauses(t testing.TB) uint64 {
	s := []metrics.Sample{{Name: "/sched/pauses/total/other:seconds"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindFloat64Histogram {
		t.Skip("this Go version does not count stop-the-world pauses")
	}
	var n uint64
	for _, c := range s[0].Value.Float64Histogram().Counts {
		n += c
	}
	return n
}

// TestScrapeDoesNotStopTheWorld scrapes every way, with the process cache
// off so gopsutil runs too, and checks that the runtime counted no
// stop-the-world pause; ReadMemStats shows that the counter works.
func TestScrapeDoesNotStopTheWorld(t *testing.T) {
	r := New(WithCacheTTL(0))
	r.ObserveRequest("GET", "/", 200, time.Millisecond)
	c, _ := r.Counter("c")
	c.Inc()
	prom := r.PrometheusHandler()
	scrape := func() {
		for _, target := range []string{"/", "/go.goroutines", "/http.server.requests?tag=uri:/"} {
			serve(t, r, http.MethodGet, target)
		}
		prom.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	}
	scrape() // first reads initialise gopsutil

	before := otherPauses(t)
	for range 20 {
		scrape()
	}
	if got := otherPauses(t) - before; got != 0 {
		t.Errorf("20 scrapes caused %d stop-the-world pauses, want 0", got)
	}

	var ms runtime.MemStats
	before = otherPauses(t)
	runtime.ReadMemStats(&ms)
	if got := otherPauses(t) - before; got != 1 {
		t.Errorf("ReadMemStats caused %d stop-the-world pauses, want 1: the detector is broken", got)
	}
}
