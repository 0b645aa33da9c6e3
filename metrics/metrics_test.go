package metrics

import (
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/actuatorgo/actuator/internal/httpx"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// withClock makes the registry read time from now.
func withClock(now func() time.Time) Option {
	return func(c *config) { c.now = now }
}

// fakeClock is a settable clock for the windowed maximum.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// serve sends method target (a path relative to the endpoint, the
// "{path...}" wildcard of a mount at /actuator/metrics/{path...}, with an
// optional query) to h, a *Registry (through its Handler) or any handler,
// and returns the recorder.
func serve(t *testing.T, h any, method, target string) *httptest.ResponseRecorder {
	t.Helper()
	if r, ok := h.(*Registry); ok {
		h = r.Handler()
	}
	req := httptest.NewRequest(method, "/", nil)
	path, query, _ := strings.Cut(target, "?")
	req.URL.Path, req.URL.RawQuery = path, query
	req.SetPathValue("path", strings.TrimPrefix(path, "/"))
	rec := httptest.NewRecorder()
	h.(http.Handler).ServeHTTP(rec, req)
	return rec
}

func TestSnapshot(t *testing.T) {
	r := New()
	for _, path := range []string{"", "/"} {
		rec := serve(t, r, http.MethodGet, path)
		if got, want := rec.Code, http.StatusOK; got != want {
			t.Fatalf("GET %q: status %d, want %d", path, got, want)
		}
		if got, want := rec.Header().Get("Content-Type"), httpx.MediaTypeV3; got != want {
			t.Errorf("GET %q: Content-Type %q, want %q", path, got, want)
		}
		var s Snapshot
		if err := json.Unmarshal(rec.Body.Bytes(), &s); err != nil {
			t.Fatalf("GET %q: %v", path, err)
		}
		if !slices.IsSorted(s.Names) {
			t.Errorf("names not sorted: %v", s.Names)
		}
		for _, n := range []string{"go.goroutines", "go.memory.used", "go.gc.pause", "process.uptime", "process.memory.rss", "system.cpu.count"} {
			if !slices.Contains(s.Names, n) {
				t.Errorf("names lack %q: %v", n, s.Names)
			}
		}
		if slices.Contains(s.Names, httpServerRequests) {
			t.Errorf("names list %s before any request", httpServerRequests)
		}
		if s.Goroutines < 1 {
			t.Errorf("goroutines = %d", s.Goroutines)
		}
		if s.Memory.HeapAllocBytes == 0 || s.Memory.RuntimeTotalBytes < s.Memory.HeapAllocBytes {
			t.Errorf("memory = %+v", s.Memory)
		}
		if s.Memory.ResidentBytes == nil || *s.Memory.ResidentBytes < 1<<20 {
			t.Errorf("resident bytes = %v", s.Memory.ResidentBytes)
		}
		if s.CPU.GOMAXPROCS < 1 || s.CPU.Count == nil || *s.CPU.Count < 1 || len(s.CPU.LoadAverage) != 3 {
			t.Errorf("cpu = %+v", s.CPU)
		}
		if s.CPU.Usage == nil || *s.CPU.Usage < 0 || *s.CPU.Usage > 1 {
			t.Errorf("cpu usage = %v", s.CPU.Usage)
		}
		if s.Uptime.Seconds < 0 || s.Uptime.Human == "" || time.Since(s.Uptime.StartTime) > time.Hour || s.Uptime.StartTime.After(time.Now()) {
			t.Errorf("uptime = %+v", s.Uptime)
		}
		if s.Files == nil || s.Files.Open == nil || *s.Files.Open < 1 {
			t.Errorf("files = %+v", s.Files)
		}
	}
}

func TestSnapshotContentTypeAndMethods(t *testing.T) {
	r := New()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Accept", httpx.MediaTypeJSON)
	rec := httptest.NewRecorder()
	r.Handler().ServeHTTP(rec, req)
	if got, want := rec.Header().Get("Content-Type"), httpx.MediaTypeJSON; got != want {
		t.Errorf("Content-Type %q, want %q", got, want)
	}

	rec = serve(t, r, http.MethodHead, "/")
	if rec.Code != http.StatusOK || rec.Body.Len() != 0 {
		t.Errorf("HEAD: status %d, %d body bytes; want 200 and none", rec.Code, rec.Body.Len())
	}
	for _, m := range []string{http.MethodPost, http.MethodDelete, "BREW"} {
		rec = serve(t, r, m, "/go.goroutines")
		if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, HEAD" {
			t.Errorf("%s: status %d Allow %q, want 405 and GET, HEAD", m, rec.Code, rec.Header().Get("Allow"))
		}
	}
}

// decode unmarshals body into a T, failing the test when it cannot.
func decode[T any](t *testing.T, body []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return v
}

func measurement(m MetricResponse, stat string) (float64, bool) {
	for _, x := range m.Measurements {
		if x.Statistic == stat {
			return x.Value, true
		}
	}
	return 0, false
}

func TestDrillDown(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	r := New(withClock(clock.now))
	r.ObserveRequest(http.MethodGet, "/users/{id}", 200, 30*time.Millisecond)
	r.ObserveRequest(http.MethodGet, "/users/{id}", 200, 10*time.Millisecond)
	r.ObserveRequest(http.MethodPost, "/users", 201, 50*time.Millisecond)
	r.ObserveRequest(http.MethodGet, RouteNotFound, 404, time.Millisecond)
	c, err := r.Counter("orders.placed", WithDescription("Orders placed."), WithUnit("orders"), WithTag("region", "eu"))
	if err != nil {
		t.Fatal(err)
	}
	c.Add(3)
	c2, _ := r.Counter("orders.placed", WithUnit("orders"), WithTag("region", "us"))
	c2.Inc()
	if err := r.Gauge("queue.size", func() float64 { return 7 }, WithTag("queue", "mail")); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name       string
		target     string
		wantStatus int
		stat       string  // a statistic to check when 200
		want       float64 // its value; -1 means "greater than 0"
		wantTags   []string
	}{
		{"goroutines", "/go.goroutines", 200, "VALUE", -1, nil},
		{"memory by class", "/go.memory.used", 200, "VALUE", -1, []string{"class"}},
		{"memory one class", "/go.memory.used?tag=class:heap/objects", 200, "VALUE", -1, []string{}},
		{"memory unknown class", "/go.memory.used?tag=class:nope", 404, "", 0, nil},
		{"gc pauses", "/go.gc.pause", 200, "COUNT", 0, nil},
		{"uptime", "/process.uptime", 200, "VALUE", 0, nil},
		{"requests all", "/http.server.requests", 200, "COUNT", 4, []string{"method", "outcome", "status", "uri"}},
		{"requests total time", "/http.server.requests", 200, "TOTAL_TIME", 0.091, nil},
		{"requests max", "/http.server.requests", 200, "MAX", 0.05, nil},
		{"requests by uri", "/http.server.requests?tag=uri:/users/{id}", 200, "COUNT", 2, []string{"method", "outcome", "status"}},
		{"requests max by uri", "/http.server.requests?tag=uri:/users/{id}", 200, "MAX", 0.03, nil},
		{"requests two tags", "/http.server.requests?tag=method:GET&tag=outcome:CLIENT_ERROR", 200, "COUNT", 1, nil},
		{"repeated identical tag", "/http.server.requests?tag=method:GET&tag=method:GET", 200, "COUNT", 3, nil},
		{"conflicting tags", "/http.server.requests?tag=method:GET&tag=method:POST", 404, "", 0, nil},
		{"unknown tag key", "/http.server.requests?tag=nope:x", 404, "", 0, nil},
		{"tag on untagged metric", "/go.goroutines?tag=a:b", 404, "", 0, nil},
		{"value with colon", "/http.server.requests?tag=uri:/a:b", 404, "", 0, nil},
		{"other parameters ignored", "/go.goroutines?foo=bar", 200, "VALUE", -1, nil},
		{"counter", "/orders.placed", 200, "COUNT", 4, []string{"region"}},
		{"counter filtered", "/orders.placed?tag=region:eu", 200, "COUNT", 3, []string{}},
		{"gauge", "/queue.size", 200, "VALUE", 7, []string{"queue"}},
		{"unknown name", "/no.such.metric", 404, "", 0, nil},
		{"script name", "/<script>alert(1)</script>", 404, "", 0, nil},
		{"nested path", "/go.goroutines/extra", 404, "", 0, nil},
		{"double slash", "//", 404, "", 0, nil},
		{"empty segment", "/go.goroutines//", 404, "", 0, nil},
		{"tag without colon", "/go.goroutines?tag=nocolon", 400, "", 0, nil},
		{"tag with empty key", "/go.goroutines?tag=:v", 400, "", 0, nil},
		{"empty tag", "/go.goroutines?tag=", 400, "", 0, nil},
		{"malformed query", "/go.goroutines?tag=%zz", 400, "", 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := serve(t, r, http.MethodGet, tc.target)
			if got := rec.Code; got != tc.wantStatus {
				t.Fatalf("GET %s: status %d, want %d; body %s", tc.target, got, tc.wantStatus, rec.Body)
			}
			if !json.Valid(rec.Body.Bytes()) {
				t.Fatalf("body is not JSON: %s", rec.Body)
			}
			if strings.Contains(rec.Body.String(), "<script>") {
				t.Errorf("body echoes markup unescaped: %s", rec.Body)
			}
			if tc.wantStatus != http.StatusOK {
				var e httpx.ErrorBody
				if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Status != tc.wantStatus || e.Message == "" {
					t.Errorf("error body %s (%v)", rec.Body, err)
				}
				return
			}
			m := decode[MetricResponse](t, rec.Body.Bytes())
			if got, want := m.Name, strings.TrimPrefix(strings.SplitN(tc.target, "?", 2)[0], "/"); got != want {
				t.Errorf("name %q, want %q", got, want)
			}
			v, ok := measurement(m, tc.stat)
			switch {
			case !ok:
				t.Errorf("no %s in %+v", tc.stat, m.Measurements)
			case tc.want == -1 && !(v > 0):
				t.Errorf("%s = %v, want > 0", tc.stat, v)
			case tc.want >= 0 && math.Abs(v-tc.want) > 1e-9 && !(tc.name == "gc pauses" || tc.name == "uptime"):
				t.Errorf("%s = %v, want %v", tc.stat, v, tc.want)
			case tc.want >= 0 && v < 0:
				t.Errorf("%s = %v, want >= 0", tc.stat, v)
			}
			if tc.wantTags != nil {
				var got []string
				for _, at := range m.AvailableTags {
					got = append(got, at.Tag)
					if len(at.Values) == 0 {
						t.Errorf("tag %q has no values", at.Tag)
					}
				}
				if !slices.Equal(got, tc.wantTags) && !(len(got) == 0 && len(tc.wantTags) == 0) {
					t.Errorf("availableTags %v, want %v", got, tc.wantTags)
				}
			}
		})
	}
}

func TestDrillDownShape(t *testing.T) {
	r := New()
	c, _ := r.Counter("jobs.done", WithDescription("Jobs done."), WithUnit("jobs"))
	c.Add(2)
	rec := serve(t, r, http.MethodGet, "/jobs.done")
	want := `{"name":"jobs.done","description":"Jobs done.","baseUnit":"jobs","measurements":[{"statistic":"COUNT","value":2}],"availableTags":[]}`
	if got := rec.Body.String(); got != want {
		t.Errorf("body\n got %s\nwant %s", got, want)
	}
}

func TestObserveRequestTags(t *testing.T) {
	tests := []struct {
		method, route string
		status        int
		wantMethod    string
		wantURI       string
		wantStatus    string
		wantOutcome   string
	}{
		{"GET", "/a", 200, "GET", "/a", "200", "SUCCESS"},
		{"HEAD", "/a", 101, "HEAD", "/a", "101", "INFORMATIONAL"},
		{"POST", "/a", 302, "POST", "/a", "302", "REDIRECTION"},
		{"DELETE", "/a", 404, "DELETE", "/a", "404", "CLIENT_ERROR"},
		{"PUT", "/a", 503, "PUT", "/a", "503", "SERVER_ERROR"},
		{"PATCH", "/a", 600, "PATCH", "/a", "600", "UNKNOWN"},
		{"BREW", "/a", 200, "OTHER", "/a", "200", "SUCCESS"},
		{"get", "/a", 200, "OTHER", "/a", "200", "SUCCESS"},
		{"GET", "", 200, "GET", RouteUnknown, "200", "SUCCESS"},
		{"GET", "/a", 0, "GET", "/a", "UNKNOWN", "UNKNOWN"},
		{"GET", "/a", -5, "GET", "/a", "UNKNOWN", "UNKNOWN"},
		{"GET", "/a", 100000, "GET", "/a", "UNKNOWN", "UNKNOWN"},
	}
	for _, tc := range tests {
		t.Run(tc.method+tc.route, func(t *testing.T) {
			r := New()
			r.ObserveRequest(tc.method, tc.route, tc.status, -time.Second)
			got := r.http.snapshot()
			if len(got) != 1 {
				t.Fatalf("%d series, want 1", len(got))
			}
			s := got[0]
			if s.key.method != tc.wantMethod || s.key.uri != tc.wantURI || s.statusText != tc.wantStatus || s.result != tc.wantOutcome {
				t.Errorf("got %s %s %s %s, want %s %s %s %s", s.key.method, s.key.uri, s.statusText, s.result,
					tc.wantMethod, tc.wantURI, tc.wantStatus, tc.wantOutcome)
			}
			if s.count != 1 || s.total != 0 || s.max != 0 {
				t.Errorf("negative duration: count %v total %v max %v, want 1 0 0", s.count, s.total, s.max)
			}
		})
	}
}

func TestRequestSeriesBound(t *testing.T) {
	var logs strings.Builder
	r := New(WithMaxRequestSeries(3), WithLogger(slogTo(&logs)))
	for i := range 10 {
		r.ObserveRequest("GET", "/raw/"+strings.Repeat("x", i), 200, time.Millisecond)
	}
	got := r.http.snapshot()
	if len(got) != 4 { // three routes plus OTHER
		t.Fatalf("%d series, want 4", len(got))
	}
	m, ok := r.Metric(httpServerRequests, Tag{Key: "uri", Value: RouteOther})
	if !ok {
		t.Fatal("no OTHER series")
	}
	if v, _ := measurement(m, "COUNT"); v != 7 {
		t.Errorf("OTHER count = %v, want 7", v)
	}
	// WithLogger promises to report dropped series: once, not per request.
	if n := strings.Count(logs.String(), "uri OTHER"); n != 1 {
		t.Errorf("bound reported %d times, want once: %q", n, logs.String())
	}
}

func TestWindowedMax(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	r := New(withClock(clock.now), WithMaxWindow(2*time.Minute))
	maxAt := func() float64 {
		m, ok := r.Metric(httpServerRequests)
		if !ok {
			t.Fatal("no http.server.requests")
		}
		v, _ := measurement(m, "MAX")
		return v
	}
	r.ObserveRequest("GET", "/", 200, 5*time.Second)
	steps := []struct {
		advance time.Duration
		record  time.Duration // 0: none
		want    float64
	}{
		{0, 0, 5},
		{39 * time.Second, 0, 5},
		{80 * time.Second, 0, 5}, // t=119s: still inside the window
		{time.Second, 0, 0},      // t=120s: expired
		{10 * time.Second, 2 * time.Second, 2},
		{time.Hour, 0, 0}, // long idle: every slot cleared
	}
	for i, s := range steps {
		clock.advance(s.advance)
		if s.record > 0 {
			r.ObserveRequest("GET", "/", 200, s.record)
		}
		if got := maxAt(); got != s.want {
			t.Errorf("step %d: max %v, want %v", i, got, s.want)
		}
	}
	m, _ := r.Metric(httpServerRequests)
	if v, _ := measurement(m, "COUNT"); v != 2 {
		t.Errorf("count = %v, want 2 (the max window must not reset counts)", v)
	}
}

func TestCounter(t *testing.T) {
	r := New()
	c, err := r.Counter("c.total.things")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []float64{1, 2.5, -3, math.NaN(), math.Inf(1), 0} {
		c.Add(v)
	}
	c.Inc()
	if got, want := c.Value(), 4.5; got != want {
		t.Errorf("value %v, want %v", got, want)
	}
	again, err := r.Counter("c.total.things")
	if err != nil || again != c {
		t.Errorf("second Counter: %p, %v; want the same counter %p", again, err, c)
	}
}

func TestRegistrationErrors(t *testing.T) {
	r := New()
	if _, err := r.Counter("dup.counter", WithTag("a", "1")); err != nil {
		t.Fatal(err)
	}
	if err := r.Gauge("dup.gauge", func() float64 { return 1 }); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Counter("my.bytes.sent", WithUnit("bytes")); err != nil {
		t.Fatal(err)
	}
	one := func() float64 { return 1 }
	tests := []struct {
		name string
		reg  func() error
		want error
	}{
		{"empty name", func() error { return r.Gauge("", one) }, ErrInvalidName},
		{"space in name", func() error { return r.Gauge("a b", one) }, ErrInvalidName},
		{"leading digit", func() error { return r.Gauge("1a", one) }, ErrInvalidName},
		{"slash in name", func() error { return r.Gauge("a/b", one) }, ErrInvalidName},
		{"unicode name", func() error { return r.Gauge("é", one) }, ErrInvalidName},
		{"bad tag key", func() error { return r.Gauge("g1", one, WithTag("a b", "x")) }, ErrInvalidName},
		{"reserved tag key", func() error { return r.Gauge("g2", one, WithTag("le", "x")) }, ErrInvalidName},
		{"bad unit", func() error { return r.Gauge("g3", one, WithUnit("m/s")) }, ErrInvalidName},
		{"nil gauge", func() error { return r.Gauge("g4", nil) }, ErrInvalidName},
		{"same tag key twice", func() error { return r.Gauge("g5", one, WithTag("a", "1"), WithTag("a", "2")) }, ErrConflict},
		{"same label apart in sort order", func() error {
			return r.Gauge("g6", one, WithTag("a.b", "1"), WithTag("a.c", "2"), WithTag("a_b", "3"))
		}, ErrConflict},
		{"builtin name", func() error { return r.Gauge("go.goroutines", one) }, ErrConflict},
		{"builtin requests", func() error { return r.Gauge(httpServerRequests, one) }, ErrConflict},
		{"builtin prometheus name", func() error { return r.Gauge("process.open.fds", one) }, ErrConflict},
		{"builtin summary series", func() error { return r.Gauge("go_gc_duration_seconds_sum", one) }, ErrConflict},
		{"prometheus clash", func() error { _, err := r.Counter("dup-counter", WithTag("a", "1")); return err }, ErrConflict},
		{"unit prometheus clash", func() error { _, err := r.Counter("my.bytes.sent.bytes"); return err }, ErrConflict},
		{"kind mismatch", func() error { return r.Gauge("dup.counter", one, WithTag("a", "2")) }, ErrConflict},
		{"unit mismatch", func() error { _, err := r.Counter("dup.counter", WithUnit("s"), WithTag("a", "2")); return err }, ErrConflict},
		{"tag keys mismatch", func() error { _, err := r.Counter("dup.counter", WithTag("b", "2")); return err }, ErrConflict},
		{"duplicate gauge", func() error { return r.Gauge("dup.gauge", one) }, ErrDuplicate},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.reg(); !errors.Is(err, tc.want) {
				t.Errorf("error %v, want %v", err, tc.want)
			}
		})
	}
	if names := r.Names(); slices.Contains(names, "g5") || slices.Contains(names, "dup-counter") {
		t.Errorf("failed registrations left names behind: %v", names)
	}
}

func TestGaugePanicIsRecovered(t *testing.T) {
	var logs strings.Builder
	r := New(WithLogger(slogTo(&logs)))
	if err := r.Gauge("bad.gauge", func() float64 { panic("boom") }); err != nil {
		t.Fatal(err)
	}
	prom := string(r.AppendPrometheus(nil))
	if !strings.Contains(prom, "\nbad_gauge NaN\n") {
		t.Errorf("exposition lacks bad_gauge NaN")
	}
	rec := serve(t, r, http.MethodGet, "/bad.gauge")
	if rec.Code != http.StatusOK || !json.Valid(rec.Body.Bytes()) {
		t.Errorf("drill-down: %d %s", rec.Code, rec.Body)
	}
	if !strings.Contains(logs.String(), "boom") {
		t.Errorf("panic not logged: %q", logs.String())
	}
}

func TestHumanDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"},
		{1500 * time.Millisecond, "2s"},
		{time.Hour + 2*time.Minute + 3*time.Second, "1h2m3s"},
		{24 * time.Hour, "1d"},
		{3*24*time.Hour + 4*time.Hour + 5*time.Minute + 6*time.Second, "3d4h5m6s"},
	}
	for _, tc := range tests {
		if got := humanDuration(tc.d); got != tc.want {
			t.Errorf("humanDuration(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestProcessCache(t *testing.T) {
	clock := &fakeClock{t: time.Now()}
	r := New(withClock(clock.now), WithCacheTTL(time.Minute))
	first := r.proc.read()
	clock.advance(30 * time.Second)
	if got := r.proc.read(); !got.at.Equal(first.at) {
		t.Errorf("read within the TTL refreshed: %v then %v", first.at, got.at)
	}
	clock.advance(31 * time.Second)
	if got := r.proc.read(); got.at.Equal(first.at) {
		t.Errorf("read after the TTL was not refreshed")
	}
	if first.start.IsZero() || first.start.After(time.Now()) {
		t.Errorf("start time %v", first.start)
	}
}

// A cache TTL of zero or less reads the process on every scrape: however
// little time has passed, no reading is reused.
func TestProcessCacheDisabled(t *testing.T) {
	for _, ttl := range []time.Duration{0, -time.Second} {
		t.Run(ttl.String(), func(t *testing.T) {
			clock := &fakeClock{t: time.Now()}
			r := New(withClock(clock.now), WithCacheTTL(ttl))
			for i := range 3 {
				want := clock.now()
				if got := r.proc.read(); !got.at.Equal(want) {
					t.Fatalf("read %d, %v after the previous one: reading taken at %v, want a fresh one at %v",
						i, time.Nanosecond, got.at, want)
				}
				clock.advance(time.Nanosecond)
			}
		})
	}
}

func TestSummarise(t *testing.T) {
	h := &histogram{
		Counts:  []uint64{0, 3, 0, 5, 2},
		Buckets: []float64{math.Inf(-1), 1, 2, 3, 4, math.Inf(1)},
	}
	s := summarise(h.get())
	if s.count != 10 {
		t.Errorf("count %v, want 10", s.count)
	}
	// 3 in [1,2), 5 in [3,4), 2 in [4,+Inf) counted at 4.
	if want := 3*1.5 + 5*3.5 + 2*4.0; s.sum != want {
		t.Errorf("sum %v, want %v", s.sum, want)
	}
	if s.max != 4 {
		t.Errorf("max %v, want 4", s.max)
	}
	if want := [5]float64{1, 2, 4, 4, 4}; s.quantiles != want {
		t.Errorf("quantiles %v, want %v", s.quantiles, want)
	}
	empty := summarise((&histogram{Counts: []uint64{0}, Buckets: []float64{0, 1}}).get())
	// Before the first GC client_golang reports quantiles of 0, not NaN:
	// prometheus/go_collector.go, baseGoCollector.Collect, fills them
	// from debug.GCStats.PauseQuantiles, which are zero then.
	if empty.count != 0 || empty.quantiles != [5]float64{} {
		t.Errorf("empty histogram: %+v", empty)
	}
}

func TestConcurrentUse(t *testing.T) {
	r := New(WithCacheTTL(0))
	c, _ := r.Counter("hits")
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				r.ObserveRequest("GET", "/r/"+string(rune('a'+g)), 200, time.Duration(i)*time.Microsecond)
				c.Inc()
				if i%50 == 0 {
					_ = r.AppendPrometheus(nil)
					_ = r.Snapshot()
					_, _ = r.Counter("hits")
					_ = r.Gauge("g."+string(rune('a'+g))+string(rune('a'+i/50)), func() float64 { return 1 })
				}
			}
		}()
	}
	wg.Wait()
	if got := c.Value(); got != 800 {
		t.Errorf("counter %v, want 800", got)
	}
	m, _ := r.Metric(httpServerRequests)
	if v, _ := measurement(m, "COUNT"); v != 800 {
		t.Errorf("requests %v, want 800", v)
	}
}

// drain reads and closes a response body.
func drain(rc io.ReadCloser) string {
	b, _ := io.ReadAll(rc)
	_ = rc.Close()
	return string(b)
}

func TestNamesMergeCustom(t *testing.T) {
	r := New()
	for _, n := range []string{"zzz.last", "a.first", "http.server.zzz", "go.aaa", "process.cpu.usage2"} {
		if _, err := r.Counter(n); err != nil {
			t.Fatal(err)
		}
	}
	names := r.Names()
	if !slices.IsSorted(names) {
		t.Errorf("names not sorted: %v", names)
	}
	if slices.Contains(names, httpServerRequests) {
		t.Errorf("%s listed before any request", httpServerRequests)
	}
	r.ObserveRequest("GET", "/", 200, time.Millisecond)
	names = r.Names()
	if !slices.IsSorted(names) || len(slices.Compact(slices.Clone(names))) != len(names) {
		t.Errorf("names not sorted and unique: %v", names)
	}
	for _, n := range []string{"zzz.last", "a.first", "http.server.zzz", "go.aaa", httpServerRequests, "go.goroutines"} {
		if !slices.Contains(names, n) {
			t.Errorf("names lack %q", n)
		}
	}
	if got, want := len(names), len(builtins)+1+5; got != want {
		t.Errorf("%d names, want %d: %v", got, want, names)
	}
}
