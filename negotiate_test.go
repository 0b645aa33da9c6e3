package actuator_test

import (
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/actuatorgo/actuator"
)

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
	if h == nil {
		return // gin, left out by -tags nogin
	}
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

// routesUnderTest serves every route the bounded-cost tests cover: the
// actuator's endpoints and probes through Middleware and through gin, and
// an application route behind each. ginAppFor gives nil with -tags nogin.
func routesUnderTest(t *testing.T, opts ...actuator.Option) (middleware, ginApp http.Handler) {
	t.Helper()
	a := newActuator(t, append([]actuator.Option{actuator.WithProbes()}, opts...)...)
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello") })
	return a.Middleware(app), ginAppFor(a)
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

// TestLargeAcceptCostsAConstant sends Accept headers of a megabyte
// (commas, ranges with parameters, upper case, one huge range, thousands
// of lines) to every endpoint, the probes and an application route, through
// Middleware and gin: each costs at most a few KiB more than "Accept: */*",
// and negotiates as a small header of the same kind would.
func TestLargeAcceptCostsAConstant(t *testing.T) {
	mw, g := routesUnderTest(t)
	const mib = 1 << 20
	accepts := []struct {
		name         string
		vals         []string
		unacceptable bool
	}{
		{"commas", []string{strings.Repeat(",", mib)}, true},
		{"ranges with parameters", []string{strings.Repeat("text/html;level=1;q=0.5, ", mib/24) + "*/*"}, false},
		{"upper case", []string{strings.Repeat("APPLICATION/JSON;Q=1.0,", mib/23)}, false},
		{"one huge range", []string{"application/" + strings.Repeat("x", mib) + ", */*"}, false},
		{"huge parameter", []string{"*/*;" + strings.Repeat("a=b;", mib/4)}, false},
		{"many lines", manyLines("text/html, */*;q=0.1", 40000), false},
	}
	for _, acc := range accepts {
		for _, rt := range boundedRoutes {
			for _, h := range []struct {
				name string
				h    http.Handler
			}{{"middleware", mw}, {"gin", g}} {
				small := httptest.NewRequest("GET", rt.path, nil)
				small.Header.Set("Accept", "*/*")
				large := httptest.NewRequest("GET", rt.path, nil)
				large.Header["Accept"] = acc.vals
				want := http.StatusOK
				if acc.unacceptable && rt.negotiated {
					want = http.StatusNotAcceptable
				}
				assertBoundedCost(t, h.h, acc.name+" "+h.name+" "+rt.path, small, large, http.StatusOK, want)
			}
		}
	}
}

func manyLines(v string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// TestNegotiationAcrossLinesAndRanges pins RFC 9110 negotiation where the
// scanner has edge cases: ranges split over lines, empty elements, case,
// whitespace around parameters, and malformed weights.
func TestNegotiationAcrossLinesAndRanges(t *testing.T) {
	a := newActuator(t)
	tests := []struct {
		name   string
		accept []string
		status int
		ct     string
	}{
		{"no header", nil, 200, v3},
		{"empty", []string{""}, 200, v3},
		{"two empty lines", []string{"", ""}, 406, "application/json"},
		{"json on the second line", []string{"text/html", "application/json"}, 200, "application/json"},
		{"v3 wins a tie across lines", []string{"application/json", v3}, 200, v3},
		{"empty elements", []string{",,application/json,,"}, 200, "application/json"},
		{"upper case", []string{"APPLICATION/JSON"}, 200, "application/json"},
		{"upper-case q", []string{"application/json;Q=0"}, 406, "application/json"},
		{"spaces around q", []string{"application/json ; q = 0.5 , text/html"}, 200, "application/json"},
		{"specific zero beats wildcard", []string{"application/json;q=0, */*;q=0.1"}, 200, v3},
		{"both zero", []string{v3 + ";q=0, application/json;q=0, */*"}, 406, "application/json"},
		{"malformed q", []string{"application/json;q=1.5"}, 406, "application/json"},
		{"q without value", []string{"application/json;q"}, 200, "application/json"},
		{"later q wins", []string{"application/json;q=0;q=1"}, 200, "application/json"},
		{"wildcard subtype", []string{"application/*;q=0.3, application/json;q=0.2"}, 200, v3},
		{"non-ASCII fold is no match", []string{"application/jſon"}, 406, "application/json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/actuator/info", nil)
			if tc.accept != nil {
				r.Header["Accept"] = tc.accept
			}
			w := httptest.NewRecorder()
			a.ServeHTTP(w, r)
			if w.Code != tc.status || w.Header().Get("Content-Type") != tc.ct {
				t.Errorf("Accept %q = %d %q, want %d %q", tc.accept, w.Code, w.Header().Get("Content-Type"), tc.status, tc.ct)
			}
		})
	}
}
