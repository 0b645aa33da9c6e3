package bench

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/actuatorgo/actuator"
	"github.com/actuatorgo/actuator/health"
	ours "github.com/actuatorgo/actuator/metrics"
	goactuator "github.com/sinhashubham95/go-actuator"
)

// discard is a ResponseWriter that keeps nothing, so the figures are the
// handlers' own cost.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(int)             {}

// stopTheWorldPauses counts the non-GC stop-the-world pauses of the
// process so far; runtime.ReadMemStats causes one per call.
func stopTheWorldPauses() uint64 {
	s := []metrics.Sample{{Name: "/sched/pauses/total/other:seconds"}}
	metrics.Read(s)
	var n uint64
	for _, c := range s[0].Value.Float64Histogram().Counts {
		n += c
	}
	return n
}

// stwCalls is how many calls measure the stop-the-world pauses per call.
// They are counted outside the timed loop, because the testing package
// itself calls runtime.ReadMemStats when it starts and stops the timer.
const stwCalls = 1000

// stwPerCall calls f stwCalls times and returns the stop-the-world pauses
// per call.
func stwPerCall(f func()) float64 {
	before := stopTheWorldPauses()
	for range stwCalls {
		f()
	}
	return float64(stopTheWorldPauses()-before) / stwCalls
}

// run measures h, reporting the stop-the-world pauses per operation.
func run(b *testing.B, h http.Handler, path string) {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	w := &discard{h: http.Header{}}
	call := func() {
		clear(w.h)
		h.ServeHTTP(w, req)
	}
	stw := stwPerCall(call) // also warms caches and pools
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		call()
	}
	b.ReportMetric(stw, "stw/op")
}

func registry() *ours.Registry {
	r := ours.New() // defaults: process data cached for 1 s
	for _, route := range []string{"/", "/users/{id}", "/orders", "/orders/{id}"} {
		r.ObserveRequest(http.MethodGet, route, http.StatusOK, time.Millisecond)
	}
	return r
}

// BenchmarkActuatorJSON is GET /actuator/metrics of this module (the root
// strips the prefix, so the handler sees "/").
func BenchmarkActuatorJSON(b *testing.B) {
	run(b, registry().Handler(), "/")
}

// BenchmarkActuatorPrometheus is GET /actuator/prometheus of this module.
func BenchmarkActuatorPrometheus(b *testing.B) {
	run(b, registry().PrometheusHandler(), "/")
}

// BenchmarkActuatorPrometheusNoCache reads /proc on every scrape
// (WithCacheTTL(0)).
func BenchmarkActuatorPrometheusNoCache(b *testing.B) {
	run(b, ours.New(ours.WithCacheTTL(0)).PrometheusHandler(), "/")
}

// BenchmarkGoActuatorMetrics is GET /actuator/metrics of go-actuator
// v1.6.0: runtime.ReadMemStats plus the JSON of the whole MemStats.
func BenchmarkGoActuatorMetrics(b *testing.B) {
	h := goactuator.GetActuatorHandler(&goactuator.Config{Endpoints: []int{goactuator.Metrics}})
	run(b, h, "/actuator/metrics")
}

// BenchmarkReadMemStats is one runtime.ReadMemStats call.
func BenchmarkReadMemStats(b *testing.B) {
	var ms runtime.MemStats
	stw := stwPerCall(func() { runtime.ReadMemStats(&ms) })
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		runtime.ReadMemStats(&ms)
	}
	b.ReportMetric(stw, "stw/op")
}

// TestHandlersAnswer makes sure the benchmarks measure successful scrapes.
func TestHandlersAnswer(t *testing.T) {
	tests := []struct {
		name string
		h    http.Handler
		path string
	}{
		{"ours json", registry().Handler(), "/"},
		{"ours prometheus", registry().PrometheusHandler(), "/"},
		{"go-actuator", goactuator.GetActuatorHandler(&goactuator.Config{Endpoints: []int{goactuator.Metrics}}), "/actuator/metrics"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			tc.h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.path, nil))
			if rec.Code != http.StatusOK || rec.Body.Len() < 100 {
				t.Errorf("status %d, %d bytes", rec.Code, rec.Body.Len())
			}
		})
	}
}

// The /health rows of bench/run, in process: ours through each mount and
// the baselines writing the same bytes, so that a profile can tell where
// a request's time goes without a server in the way.

// healthBody and healthHeader are what ours answers at /health with no
// user checks.
var (
	healthBody   = []byte(`{"status":"UP","components":{"livenessState":{"status":"UP"},"readinessState":{"status":"UP"}},"groups":["liveness","readiness"]}`)
	healthHeader = http.Header{
		"Cache-Control":          {"no-store"},
		"Content-Type":           {"application/vnd.spring-boot.actuator.v3+json"},
		"X-Content-Type-Options": {"nosniff"},
	}
)

func writeHealth(w http.ResponseWriter) {
	h := w.Header()
	for k, v := range healthHeader {
		h[k] = v
	}
	w.Write(healthBody)
}

func trivial(context.Context) error { return nil }

func BenchmarkHealthBare(b *testing.B) {
	run(b, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { writeHealth(w) }), "/management/health")
}

func BenchmarkHealthHandler(b *testing.B) {
	mux := http.NewServeMux()
	mux.Handle("/management/", actuator.New().Handler("/management"))
	run(b, mux, "/management/health")
}

func BenchmarkHealthThreeChecks(b *testing.B) {
	mux := http.NewServeMux()
	mux.Handle("/management/", actuator.New(
		actuator.WithHealthCheck("a", trivial, health.WithGroups(health.GroupReadiness)),
		actuator.WithHealthCheck("b", trivial, health.WithGroups(health.GroupReadiness)),
		actuator.WithHealthCheck("c", trivial, health.WithGroups(health.GroupReadiness)),
	).Handler("/management"))
	run(b, mux, "/management/health")
}

func BenchmarkHealthGinBare(b *testing.B) {
	gin.SetMode(gin.ReleaseMode)
	app := gin.New()
	app.GET("/actuator/health", func(c *gin.Context) { writeHealth(c.Writer) })
	run(b, app, "/actuator/health")
}

func BenchmarkHealthGin(b *testing.B) {
	gin.SetMode(gin.ReleaseMode)
	app := gin.New()
	app.Use(actuator.Gin(actuator.New()))
	run(b, app, "/actuator/health")
}
