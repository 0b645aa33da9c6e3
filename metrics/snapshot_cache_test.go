package metrics

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/actuatorgo/actuator/internal/httpx"
)

// getSnapshot serves GET /metrics and returns the body, failing on any
// status but 200.
func getSnapshot(t *testing.T, r *Registry) []byte {
	t.Helper()
	rec := serve(t, r, http.MethodGet, "")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET: status %d, want 200: %s", rec.Code, rec.Body)
	}
	return rec.Body.Bytes()
}

// The GC cycle count is read from the runtime and only grows, and
// runtime.GC adds at least one: a body that shows the same count after a
// runtime.GC was not read from the runtime again.

func TestSnapshotWithinTTLIsServedWithoutReadingTheRuntime(t *testing.T) {
	clock := &fakeClock{t: time.Now()}
	r := New(withClock(clock.now), WithCacheTTL(time.Minute))
	first := getSnapshot(t, r)
	runtime.GC()
	clock.advance(time.Minute - time.Nanosecond)
	if second := getSnapshot(t, r); !bytes.Equal(second, first) {
		t.Errorf("second request within the TTL, after a GC, got another body:\n%s\nwant\n%s", second, first)
	}
}

func TestSnapshotWithinTTLAllocatesOnlyHeaders(t *testing.T) {
	clock := &fakeClock{t: time.Now()}
	r := New(withClock(clock.now), WithCacheTTL(time.Minute))
	h := r.Handler()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	w := &discard{h: http.Header{}}
	h.ServeHTTP(w, req) // computes the body
	allocs := testing.AllocsPerRun(100, func() {
		clear(w.h)
		h.ServeHTTP(w, req)
	})
	// httpx.WriteBody formats Content-Length: a string and its []string.
	if allocs > 2 {
		t.Errorf("%v allocations per request within the TTL, want at most 2 (the Content-Length header)", allocs)
	}
}

func TestSnapshotAfterTTLIsRecomputed(t *testing.T) {
	clock := &fakeClock{t: time.Now()}
	r := New(withClock(clock.now), WithCacheTTL(time.Minute))
	first := decode[Snapshot](t, getSnapshot(t, r))
	runtime.GC()
	clock.advance(time.Minute)
	second := decode[Snapshot](t, getSnapshot(t, r))
	if second.GC.Cycles <= first.GC.Cycles {
		t.Errorf("GC cycles %d after a GC and the TTL, want more than %d", second.GC.Cycles, first.GC.Cycles)
	}
	// The process reading shares the TTL and the clock, so it is fresh too.
	if got, want := second.Uptime.Seconds-first.Uptime.Seconds, time.Minute.Seconds(); math.Abs(got-want) > 1e-6 {
		t.Errorf("uptime grew by %vs over the TTL, want %vs", got, want)
	}
}

func TestSnapshotWithoutCacheTTLReadsLive(t *testing.T) {
	for _, ttl := range []time.Duration{0, -time.Second} {
		t.Run(ttl.String(), func(t *testing.T) {
			clock := &fakeClock{t: time.Now()} // never advanced
			r := New(withClock(clock.now), WithCacheTTL(ttl))
			prev := decode[Snapshot](t, getSnapshot(t, r))
			for i := range 3 {
				runtime.GC()
				s := decode[Snapshot](t, getSnapshot(t, r))
				if s.GC.Cycles <= prev.GC.Cycles {
					t.Fatalf("request %d: GC cycles %d after a GC, want more than %d", i, s.GC.Cycles, prev.GC.Cycles)
				}
				prev = s
			}
		})
	}
}

// "names" lists every metric the drill-down serves: what adds one shows at
// once, however long the TTL.
func TestSnapshotNamesChangeWithinTTL(t *testing.T) {
	clock := &fakeClock{t: time.Now()}
	r := New(withClock(clock.now), WithCacheTTL(time.Hour))
	names := func() []string { return decode[Snapshot](t, getSnapshot(t, r)).Names }
	if n := names(); slices.Contains(n, httpServerRequests) || slices.Contains(n, "orders.placed") {
		t.Fatalf("names before any request or registration: %v", n)
	}

	if _, err := r.Counter("orders.placed"); err != nil {
		t.Fatal(err)
	}
	if n := names(); !slices.Contains(n, "orders.placed") {
		t.Errorf("names lack the counter registered since the last request: %v", n)
	}
	if err := r.Gauge("queue.depth", func() float64 { return 3 }); err != nil {
		t.Fatal(err)
	}
	if n := names(); !slices.Contains(n, "queue.depth") {
		t.Errorf("names lack the gauge registered since the last request: %v", n)
	}
	r.ObserveRequest(http.MethodGet, "/orders", http.StatusOK, time.Millisecond)
	if n := names(); !slices.Contains(n, httpServerRequests) {
		t.Errorf("names lack %s after the first request: %v", httpServerRequests, n)
	}
	for _, name := range names() {
		if rec := serve(t, r, http.MethodGet, "/"+name); rec.Code != http.StatusOK {
			t.Errorf("drill-down of listed %q: status %d", name, rec.Code)
		}
	}
}

// The body is what encoding/json gives for the Snapshot it holds, as the
// endpoint wrote it when it encoded every request: decoded and encoded
// again through httpx.WriteJSONAs, it comes back byte for byte.
func TestSnapshotBodyIsTheEncodedSnapshot(t *testing.T) {
	r := New(WithCacheTTL(time.Minute))
	r.ObserveRequest(http.MethodGet, "/", http.StatusOK, time.Millisecond)
	if _, err := r.Counter("orders.placed"); err != nil {
		t.Fatal(err)
	}
	body := getSnapshot(t, r)
	rec := httptest.NewRecorder()
	httpx.WriteJSONAs(rec, httptest.NewRequest(http.MethodGet, "/", nil), http.StatusOK, httpx.MediaTypeV3, decode[Snapshot](t, body))
	if !bytes.Equal(body, rec.Body.Bytes()) {
		t.Errorf("served\n%s\nencoding/json gives\n%s", body, rec.Body.Bytes())
	}
}

// Within the TTL, GET and HEAD with either content type carry the same
// body (none for HEAD) and the same headers but Content-Type, as a client
// sees them (Content-Length of small bodies is net/http's to add).
func TestSnapshotHeadAndContentTypes(t *testing.T) {
	r := New(WithCacheTTL(time.Hour))
	first := getSnapshot(t, r)
	srv := httptest.NewServer(r.Handler())
	defer srv.Close()
	for _, accept := range []string{"", httpx.MediaTypeV3, httpx.MediaTypeJSON, "*/*"} {
		wantType := httpx.MediaTypeV3
		if accept == httpx.MediaTypeJSON {
			wantType = httpx.MediaTypeJSON
		}
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			req, _ := http.NewRequest(method, srv.URL, nil)
			if accept != "" {
				req.Header.Set("Accept", accept)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			h := resp.Header
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s Accept %q: status %d", method, accept, resp.StatusCode)
			}
			if got := h.Get("Content-Type"); got != wantType {
				t.Errorf("%s Accept %q: Content-Type %q, want %q", method, accept, got, wantType)
			}
			if got, want := h.Get("Content-Length"), strconv.Itoa(len(first)); got != want {
				t.Errorf("%s Accept %q: Content-Length %q, want %q", method, accept, got, want)
			}
			if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Cache-Control") != "no-store" {
				t.Errorf("%s Accept %q: security headers %v", method, accept, h)
			}
			wantBody := first
			if method == http.MethodHead {
				wantBody = nil
			}
			if !bytes.Equal(got, wantBody) {
				t.Errorf("%s Accept %q: body of %d bytes, want %d", method, accept, len(got), len(wantBody))
			}
		}
	}
}

// Concurrent requests see one body per refresh: with the clock stopped, all
// get the bytes the first refresh encoded; with the clock moving and
// metrics registered meanwhile, each body is complete and lists what was
// registered before the request began.
func TestSnapshotConcurrentRequests(t *testing.T) {
	clock := &fakeClock{t: time.Now()}
	r := New(withClock(clock.now), WithCacheTTL(time.Second))
	const workers, requests = 8, 50
	bodies := make([][]byte, workers)
	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() { bodies[i] = serve(t, r, http.MethodGet, "").Body.Bytes() })
	}
	wg.Wait()
	for i, b := range bodies {
		if !bytes.Equal(b, bodies[0]) {
			t.Fatalf("request %d at the same instant got another body:\n%s\nwant\n%s", i, b, bodies[0])
		}
	}

	for w := range workers {
		wg.Go(func() {
			for i := range requests {
				name := "worker" + strconv.Itoa(w) + ".n" + strconv.Itoa(i)
				if _, err := r.Counter(name); err != nil {
					t.Error(err)
					return
				}
				if i%10 == 0 {
					clock.advance(300 * time.Millisecond)
				}
				rec := serve(t, r, http.MethodGet, "")
				var s Snapshot
				if err := json.Unmarshal(rec.Body.Bytes(), &s); err != nil || rec.Code != http.StatusOK {
					t.Errorf("status %d, %v: %s", rec.Code, err, rec.Body)
					return
				}
				if !slices.Contains(s.Names, name) {
					t.Errorf("names lack %q, registered before the request", name)
					return
				}
			}
		})
	}
	wg.Wait()
}
