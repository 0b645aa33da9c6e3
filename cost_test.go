package actuator_test

import (
	"io"
	"math"
	"net/http"
	"runtime"
	"testing"

	"github.com/actuatorgo/actuator"
)

// The bounded-cost tests (TestLargeAcceptCostsAConstant,
// TestLongPathCostsAConstant, TestLongMethodCostsAConstant,
// TestDiscoveryWithHugeHostOrForwardedHeaders, TestHugeCredentialsCostAConstant)
// measure what a hostile request allocates against a small twin.

// maxExtraBytes bounds what a hostile header or path may cost a request
// in allocation, over the same request with a small one.
const maxExtraBytes = 4 << 10

// discardWriter is a ResponseWriter that keeps nothing but the status, so
// that measuring a handler's allocation measures the handler alone.
type discardWriter struct {
	h    http.Header
	code int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}

// bytesPerRequest is the fewest bytes h allocates to serve r over up to
// runs runs, stopping early once a run allocates at most enough, and the
// status of the last run. The minimum leaves out what background
// goroutines allocate meanwhile and refills of sync.Pools, which the race
// detector empties at random (a quarter of the time): a real cost shows in
// every run.
func bytesPerRequest(h http.Handler, r *http.Request, runs int, enough uint64) (uint64, int) {
	w := &discardWriter{h: http.Header{}}
	best := uint64(math.MaxUint64)
	var before, after runtime.MemStats
	for range runs {
		clear(w.h)
		w.code = 0
		runtime.ReadMemStats(&before)
		h.ServeHTTP(w, r)
		runtime.ReadMemStats(&after)
		if best = min(best, after.TotalAlloc-before.TotalAlloc); best <= enough {
			break
		}
	}
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return best, w.code
}

// assertBoundedCost checks that each hostile request allocates at most
// maxExtraBytes more than its small twin, and answers as expected.
func assertBoundedCost(t *testing.T, h http.Handler, name string, small, large *http.Request, wantSmall, wantLarge int) {
	t.Helper()
	h.ServeHTTP(&discardWriter{h: http.Header{}}, small) // warm caches and pools
	base, code := bytesPerRequest(h, small, 5, 0)
	if code != wantSmall {
		t.Errorf("%s: small request = %d, want %d", name, code, wantSmall)
	}
	got, code := bytesPerRequest(h, large, 20, base+maxExtraBytes)
	if code != wantLarge {
		t.Errorf("%s: hostile request = %d, want %d", name, code, wantLarge)
	}
	if got > base+maxExtraBytes {
		t.Errorf("%s: hostile request allocates %d bytes, the small one %d: %d extra, want at most %d",
			name, got, base, got-base, maxExtraBytes)
	}
}

// adapter puts an actuator in front of an application that answers
// GET /hello with "hello".
type adapter struct {
	name string
	wrap func(a *actuator.Actuator) http.Handler
	// unrouted is the application's status for a path it has no route
	// for: the net/http application answers every path, gin's 404s.
	unrouted int
}

// adapters are the adapters the bounded-cost tests go through:
// Middleware here, gin's appended by gin_adapter_test.go.
var adapters = []adapter{{
	name: "middleware",
	wrap: func(a *actuator.Actuator) http.Handler {
		return a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello") }))
	},
	unrouted: http.StatusOK,
}}

// servedAdapter is an adapter's handler, ready to serve.
type servedAdapter struct {
	adapter
	h http.Handler
}

// routesUnderTest serves every route the bounded-cost tests cover: the
// actuator's endpoints and probes through each adapter, and an application
// route behind each.
func routesUnderTest(t *testing.T, opts ...actuator.Option) []servedAdapter {
	t.Helper()
	a := newActuator(t, append([]actuator.Option{actuator.WithProbes()}, opts...)...)
	var out []servedAdapter
	for _, ad := range adapters {
		out = append(out, servedAdapter{ad, ad.wrap(a)})
	}
	return out
}

// boundedRoutes are the routes of routesUnderTest; negotiated ones answer
// 406 to an Accept header that names neither JSON type.
var boundedRoutes = []struct {
	path       string
	negotiated bool
}{
	{"/actuator", true},
	{"/actuator/health", true},
	{"/actuator/health/liveness", true},
	{"/livez", false},
	{"/readyz", false},
	{"/actuator/info", true},
	{"/actuator/metrics", true},
	{"/actuator/metrics/go.goroutines", true},
	{"/actuator/prometheus", false},
	{"/hello", false},
}
