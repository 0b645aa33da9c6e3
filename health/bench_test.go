package health

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/actuatorgo/actuator/internal/httpx"
)

// discard is a ResponseWriter that keeps nothing, so benchmarks measure the
// handler rather than a recorder.
type discard struct {
	h    http.Header
	code int
	n    int
}

func (d *discard) Header() http.Header  { return d.h }
func (d *discard) WriteHeader(code int) { d.code = code }
func (d *discard) Write(p []byte) (int, error) {
	d.n += len(p)
	return len(p), nil
}

func (d *discard) reset() {
	clear(d.h)
	d.code, d.n = 0, 0
}

func cachedChecker(n int) *Checker {
	var opts []Option
	for i := range n {
		opts = append(opts, WithCheck(fmt.Sprintf("check%d", i), up, WithTTL(time.Hour), WithGroups(GroupReadiness)))
	}
	return New(opts...)
}

// BenchmarkHealth compares GET /health with 0 and with 5 cached checks to a
// bare handler writing the same bytes: "bare" sets Content-Type and writes,
// "bare-httpx" writes through httpx.WriteBody like the checker does (same
// security headers and Content-Length).
func BenchmarkHealth(b *testing.B) {
	for _, n := range []int{0, 5} {
		c := cachedChecker(n)
		defer c.Close()
		req := httptest.NewRequest(http.MethodGet, "/actuator/health", nil)
		req.URL.Path = ""
		rec := httptest.NewRecorder()
		c.Handler().ServeHTTP(rec, req) // warms the cache
		body := rec.Body.Bytes()
		ct := rec.Header().Get("Content-Type")
		handlers := []struct {
			name string
			h    http.Handler
		}{
			{"health", c.Handler()},
			{"bare", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", ct)
				_, _ = w.Write(body)
			})},
			{"bare-httpx", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				httpx.WriteBody(w, r, http.StatusOK, httpx.MediaTypeV3, body)
			})},
		}
		for _, h := range handlers {
			b.Run(fmt.Sprintf("checks=%d/handler=%s", n, h.name), func(b *testing.B) {
				w := &discard{h: make(http.Header)}
				b.ReportAllocs()
				for b.Loop() {
					w.reset()
					h.h.ServeHTTP(w, req)
				}
				if w.n != len(body) {
					b.Fatalf("wrote %d bytes, want %d", w.n, len(body))
				}
			})
		}
	}
}

// BenchmarkHealthUncached is /health with 5 instant checks and no cache:
// every request runs them (a goroutine each, one timer for the request).
func BenchmarkHealthUncached(b *testing.B) {
	var opts []Option
	for i := range 5 {
		opts = append(opts, WithCheck(fmt.Sprintf("check%d", i), up))
	}
	c := New(opts...)
	defer c.Close()
	req := httptest.NewRequest(http.MethodGet, "/actuator/health", nil)
	req.URL.Path = ""
	w := &discard{h: make(http.Header)}
	b.ReportAllocs()
	for b.Loop() {
		w.reset()
		c.Handler().ServeHTTP(w, req)
	}
}

// BenchmarkHealthParallel is the 5-cached-checks case from many goroutines.
func BenchmarkHealthParallel(b *testing.B) {
	c := cachedChecker(5)
	defer c.Close()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		req := httptest.NewRequest(http.MethodGet, "/actuator/health", nil)
		req.URL.Path = ""
		w := &discard{h: make(http.Header)}
		for pb.Next() {
			w.reset()
			c.Handler().ServeHTTP(w, req)
		}
	})
}

// BenchmarkThreeSlowChecks measures a request whose 3 uncached checks take
// 50 ms each: run concurrently, it takes about 50 ms, not 150 ms. The
// ms/req metric is the wall time per request.
func BenchmarkThreeSlowChecks(b *testing.B) {
	slow := func(ctx context.Context) error {
		t := time.NewTimer(50 * time.Millisecond)
		defer t.Stop()
		select {
		case <-t.C:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	c := New(WithCheck("a", slow), WithCheck("b", slow), WithCheck("c", slow))
	defer c.Close()
	req := httptest.NewRequest(http.MethodGet, "/actuator/health", nil)
	req.URL.Path = ""
	w := &discard{h: make(http.Header)}
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		w.reset()
		c.Handler().ServeHTTP(w, req)
		if w.code != http.StatusOK {
			b.Fatalf("code %d", w.code)
		}
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(b.N), "ms/req")
}
