package metrics

import (
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"
)

// discard is a ResponseWriter that keeps nothing, so benchmarks measure
// the handler and not a recorder's buffer.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(int)             {}

func benchRegistry() *Registry {
	r := New() // default 1 s process cache, as served
	for _, route := range []string{"/", "/users/{id}", "/orders", "/orders/{id}"} {
		r.ObserveRequest("GET", route, 200, time.Millisecond)
	}
	return r
}

func benchServe(b *testing.B, h http.Handler) {
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.URL.Path = ""
	w := &discard{h: http.Header{}}
	h.ServeHTTP(w, req) // warm the process cache and buffers
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		clear(w.h)
		h.ServeHTTP(w, req)
	}
}

// BenchmarkScrapeJSON is GET /metrics (the readable snapshot), served
// from the body encoded at the first request, as within the cache TTL.
func BenchmarkScrapeJSON(b *testing.B) { benchServe(b, benchRegistry().Handler()) }

// BenchmarkScrapeJSONUncached is GET /metrics with the cache off: the
// runtime and /proc are read and the snapshot encoded on every request.
func BenchmarkScrapeJSONUncached(b *testing.B) {
	benchServe(b, New(WithCacheTTL(0)).Handler())
}

// BenchmarkScrapePrometheus is GET /prometheus.
func BenchmarkScrapePrometheus(b *testing.B) { benchServe(b, benchRegistry().PrometheusHandler()) }

// BenchmarkScrapePrometheusNoHistogram is GET /prometheus with the request
// histogram off, to show what its bucket lines cost.
func BenchmarkScrapePrometheusNoHistogram(b *testing.B) {
	r := New(WithoutHTTPHistogram())
	for _, route := range []string{"/", "/users/{id}", "/orders", "/orders/{id}"} {
		r.ObserveRequest("GET", route, 200, time.Millisecond)
	}
	benchServe(b, r.PrometheusHandler())
}

// BenchmarkScrapeOpenMetrics is GET /prometheus as a Prometheus 2.x server
// asks for it.
func BenchmarkScrapeOpenMetrics(b *testing.B) {
	h := benchRegistry().PrometheusHandler()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.URL.Path = ""
	req.Header.Set("Accept", prometheusAccept)
	w := &discard{h: http.Header{}}
	h.ServeHTTP(w, req)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		clear(w.h)
		h.ServeHTTP(w, req)
	}
}

// BenchmarkScrapePrometheusUncached reads /proc on every scrape.
func BenchmarkScrapePrometheusUncached(b *testing.B) {
	r := New(WithCacheTTL(0))
	benchServe(b, r.PrometheusHandler())
}

// BenchmarkDrillDown is GET /metrics/http.server.requests?tag=uri:/orders.
func BenchmarkDrillDown(b *testing.B) {
	r := benchRegistry()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.URL.RawQuery = "tag=uri:/orders"
	req.SetPathValue("path", "http.server.requests")
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		r.Handler().ServeHTTP(w, req)
	}
}

// BenchmarkReadMemStats is the stop-the-world call other libraries make on
// every scrape, for comparison.
func BenchmarkReadMemStats(b *testing.B) {
	var ms runtime.MemStats
	b.ReportAllocs()
	for b.Loop() {
		runtime.ReadMemStats(&ms)
	}
}

// BenchmarkRuntimeMetricsRead is the runtime part of a scrape alone.
func BenchmarkRuntimeMetricsRead(b *testing.B) {
	var rr runtimeReader
	rr.init()
	b.ReportAllocs()
	for b.Loop() {
		_ = rr.read()
	}
}

// BenchmarkRuntimeMetricsReadAll reads every runtime metric, for scale.
func BenchmarkRuntimeMetricsReadAll(b *testing.B) {
	descs := metrics.All()
	samples := make([]metrics.Sample, len(descs))
	for i := range descs {
		samples[i].Name = descs[i].Name
	}
	b.ReportAllocs()
	for b.Loop() {
		metrics.Read(samples)
	}
}

// BenchmarkObserveRequest is the per-request cost of the middleware.
func BenchmarkObserveRequest(b *testing.B) {
	r := benchRegistry()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r.ObserveRequest("GET", "/users/{id}", 200, time.Millisecond)
		}
	})
}
