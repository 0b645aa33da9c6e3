package health

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// checkWithin runs fn in a goroutine and fails the test if it has not
// returned within d: the way to detect a deadlock without hanging the suite.
func checkWithin(t *testing.T, d time.Duration, what string, fn func()) bool {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); fn() }()
	select {
	case <-done:
		return true
	case <-time.After(d):
		t.Errorf("%s: did not return within %v (deadlock)", what, d)
		return false
	}
}

// A listener that calls back into the Checker from its callback, while the
// check it is told about changes status again, must not deadlock: not for
// inline checks (called from the request's own goroutine) nor for ordinary
// ones.
func TestListenerReentrancy(t *testing.T) {
	for _, inline := range []bool{true, false} {
		name := "ordinary"
		if inline {
			name = "inline"
		}
		t.Run(name, func(t *testing.T) {
			var calls atomic.Int64
			// Alternates UP, DOWN, UP, ...: every run is a transition.
			flip := func(context.Context) error {
				if calls.Add(1)%2 == 0 {
					return errors.New("flipped")
				}
				return nil
			}
			var opts []CheckOption
			if inline {
				opts = append(opts, Inline())
			}
			var c *Checker
			var mu sync.Mutex
			var seen []string
			depth := atomic.Int64{}
			c = New(
				WithCheck("flip", flip, opts...),
				WithListener(func(name string, from, to Status) {
					mu.Lock()
					seen = append(seen, string(from)+">"+string(to))
					mu.Unlock()
					// Re-enter a bounded number of times.
					if depth.Add(1) <= 3 {
						c.Check(context.Background())
						serve(c, "/flip")
					}
				}),
			)
			defer c.Close()
			if !checkWithin(t, 5*time.Second, "Check with a re-entrant listener", func() { c.Check(context.Background()) }) {
				return
			}
			// Every listener call must have returned and been reported in order.
			waitUntil(5*time.Second, func() bool {
				mu.Lock()
				n := len(seen)
				mu.Unlock()
				return int64(n) == depth.Load() && n >= 4
			})
			mu.Lock()
			defer mu.Unlock()
			if len(seen) < 4 {
				t.Fatalf("transitions seen %v, want at least 4", seen)
			}
			want := []string{"UNKNOWN>UP", "UP>DOWN", "DOWN>UP", "UP>DOWN"}
			for i, w := range want {
				if seen[i] != w {
					t.Fatalf("transitions %v, want them to start with %v", seen, want)
				}
			}
		})
	}
}

// Composite members that fail, panic or hang: the composite aggregates
// them, each member keeps its own error, and every path answers with the
// status code of what it serves, within the timeout.
func TestCompositeHostileMembers(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	hang := func(context.Context) error { <-release; return nil } // ignores ctx
	c := New(
		WithTimeout(50*time.Millisecond),
		WithAuthorizer(testAuthorizer),
		WithComposite("backends",
			WithCheck("ok", up),
			WithCheck("bad", failing("secret-host:5432 refused")),
			WithStatusCheck("boom", func(context.Context) Result { panic("kaboom") }),
			WithCheck("hang", hang),
			WithComposite("inner", WithStatusCheck("maint", status(OutOfService, map[string]any{"reason": "m"}))),
		),
		WithGroup("custom", Include("backends")),
	)
	defer c.Close()

	start := time.Now()
	r := serve(c, "/", authHeader, "yes")
	if el := time.Since(start); el > 5*time.Second {
		t.Fatalf("aggregate took %v with a hanging member", el)
	}
	if r.code != 503 {
		t.Fatalf("aggregate code %d, want 503: %s", r.code, r.body)
	}
	m := r.json(t)
	be := m["components"].(map[string]any)["backends"].(map[string]any)
	if be["status"] != "DOWN" {
		t.Fatalf("composite status %v, want DOWN", be["status"])
	}
	comps := be["components"].(map[string]any)
	wantStatus := map[string]string{"ok": "UP", "bad": "DOWN", "boom": "DOWN", "hang": "DOWN", "inner": "OUT_OF_SERVICE"}
	wantErr := map[string]string{"bad": "secret-host:5432 refused", "boom": "panic: kaboom", "hang": "timed out after 50ms"}
	for name, ws := range wantStatus {
		cm := comps[name].(map[string]any)
		if cm["status"] != ws {
			t.Errorf("member %s status %v, want %s", name, cm["status"], ws)
		}
		if we, ok := wantErr[name]; ok {
			d, _ := cm["details"].(map[string]any)
			if d["error"] != we {
				t.Errorf("member %s error %v, want %q", name, d["error"], we)
			}
		}
	}

	for _, tc := range []struct {
		path   string
		code   int
		status string
	}{
		{"/backends/ok", 200, "UP"},
		{"/backends/bad", 503, "DOWN"},
		{"/backends/boom", 503, "DOWN"},
		{"/backends/hang", 503, "DOWN"},
		{"/backends/inner", 503, "OUT_OF_SERVICE"},
		{"/backends/inner/maint", 503, "OUT_OF_SERVICE"},
		{"/custom/backends/inner/maint", 503, "OUT_OF_SERVICE"},
		{"/custom/backends/ok", 200, "UP"},
		{"/custom", 503, "DOWN"},
	} {
		for _, auth := range []string{"yes", "no"} {
			r := serve(c, tc.path, authHeader, auth)
			if r.code != tc.code || r.json(t)["status"] != tc.status {
				t.Errorf("%s (auth %s): %d %s, want %d %s", tc.path, auth, r.code, r.body, tc.code, tc.status)
			}
			if auth == "no" && (strings.Contains(r.body, "secret-host") || strings.Contains(r.body, "kaboom") || strings.Contains(r.body, "details")) {
				t.Errorf("%s: unauthorised body shows details: %s", tc.path, r.body)
			}
		}
	}
	// The hanging member holds one goroutine however many requests came.
	rep := c.Check(context.Background())
	if got := rep.Components["backends"].Components["hang"].Status; got != Down {
		t.Fatalf("Check: hang is %s, want DOWN", got)
	}
}

// Custom statuses ranked with WithOrder and mapped with WithStatusCode: the
// aggregate, groups, composites and components all follow the mapping.
func TestCustomStatusOrderAndCodes(t *testing.T) {
	const degraded, fatal Status = "DEGRADED", "FATAL"
	c := New(
		WithOrder(fatal, Down, degraded, OutOfService, Up, Unknown),
		WithStatusCode(degraded, 299),
		WithStatusCode(fatal, 500),
		WithStatusCode(Down, 502),
		WithStatusCheck("slowish", status(degraded, nil), Groups("g1")),
		WithCheck("fine", up, Groups("g1", "g2")),
		WithStatusCheck("odd", status("ZZZ_CUSTOM", nil), Groups("g2")),
		WithComposite("comp", WithStatusCheck("f", status(fatal, nil)), WithCheck("d", failing("x"))),
		WithGroup("g1"), WithGroup("g2"),
	)
	defer c.Close()
	for _, tc := range []struct {
		path   string
		code   int
		status string
	}{
		{"/", 500, "FATAL"},
		{"/g1", 299, "DEGRADED"},
		{"/g2", 200, "UP"}, // unlisted statuses rank after every listed one
		{"/slowish", 299, "DEGRADED"},
		{"/odd", 200, "ZZZ_CUSTOM"},
		{"/comp", 500, "FATAL"},
		{"/comp/d", 502, "DOWN"},
		{"/comp/f", 500, "FATAL"},
		{"/g1/slowish", 299, "DEGRADED"},
	} {
		for _, method := range []string{"GET", "HEAD"} {
			r := do(c, method, tc.path)
			if r.code != tc.code {
				t.Errorf("%s %s: code %d, want %d (%s)", method, tc.path, r.code, tc.code, r.body)
			}
			if method == "HEAD" {
				if r.body != "" {
					t.Errorf("HEAD %s: body %q", tc.path, r.body)
				}
				continue
			}
			if got := r.json(t)["status"]; got != tc.status {
				t.Errorf("GET %s: status %v, want %s", tc.path, got, tc.status)
			}
		}
	}
	if got := c.Aggregate("ZZZ_CUSTOM", "AAA_CUSTOM", Unknown); got != Unknown {
		t.Errorf("Aggregate of unlisted statuses and UNKNOWN = %s, want UNKNOWN (listed first)", got)
	}
	if got := c.Aggregate("ZZZ_CUSTOM", "AAA_CUSTOM"); got != "AAA_CUSTOM" {
		t.Errorf("Aggregate of unlisted statuses = %s, want AAA_CUSTOM (alphabetical)", got)
	}
}

// Every visibility combination on a group's component paths, with GET and
// HEAD, authorized or not: 404 when components are hidden from the caller,
// details only when shown, HEAD with the same code and headers and no body.
func TestGroupComponentPathVisibility(t *testing.T) {
	vis := []Visibility{Never, WhenAuthorized, Always}
	for _, comps := range vis {
		for _, details := range vis {
			c := New(
				WithAuthorizer(testAuthorizer),
				WithShowComponents(Never), WithShowDetails(Never), // the group overrides both
				WithCheck("db", failing("db-secret"), Groups("g")),
				WithComposite("cc", WithCheck("m", failing("member-secret"))),
				WithGroup("g", Include("cc"), ShowComponents(comps), ShowDetails(details)),
			)
			for _, authorized := range []bool{false, true} {
				auth := "no"
				if authorized {
					auth = "yes"
				}
				showC := comps == Always || (comps == WhenAuthorized && authorized)
				showD := details == Always || (details == WhenAuthorized && authorized)
				for _, path := range []string{"/g/db", "/g/cc", "/g/cc/m"} {
					get := do(c, "GET", path, authHeader, auth)
					head := do(c, "HEAD", path, authHeader, auth)
					name := fmt.Sprintf("comps=%v details=%v auth=%v %s", comps, details, authorized, path)
					// (Content-Length may differ: durations and timestamps vary.)
					if head.code != get.code || head.body != "" || head.header.Get("Content-Type") != get.header.Get("Content-Type") ||
						head.header.Get("Content-Length") == "" {
						t.Errorf("%s: HEAD %d %q %v, GET %d %v", name, head.code, head.body, head.header, get.code, get.header)
					}
					if !showC {
						if get.code != 404 {
							t.Errorf("%s: %d %s, want 404 (components hidden)", name, get.code, get.body)
						}
						continue
					}
					if get.code != 503 {
						t.Errorf("%s: %d %s, want 503", name, get.code, get.body)
					}
					hasSecret := strings.Contains(get.body, "secret")
					if hasSecret != showD {
						t.Errorf("%s: details shown %v, want %v: %s", name, hasSecret, showD, get.body)
					}
				}
				// The group itself: components per comps, details per details.
				g := serve(c, "/g", authHeader, auth)
				if strings.Contains(g.body, "components") != showC || strings.Contains(g.body, "secret") != (showC && showD) {
					t.Errorf("comps=%v details=%v auth=%v /g: %s", comps, details, authorized, g.body)
				}
				// Outside the group, the checker's Never applies.
				if r := serve(c, "/db", authHeader, auth); r.code != 404 {
					t.Errorf("/db with components Never: %d %s", r.code, r.body)
				}
			}
			c.Close()
		}
	}
}

// Close while many requests are in flight and background checks run: no
// panic, every request answers, requests after Close still answer, and
// background checks keep their last result.
func TestCloseUnderLoad(t *testing.T) {
	var bgRuns atomic.Int64
	c := New(
		WithTimeout(200*time.Millisecond),
		WithCheck("bg", func(ctx context.Context) error {
			bgRuns.Add(1)
			select { // a slow dependency that honours ctx
			case <-time.After(time.Millisecond):
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}, Background(time.Millisecond, 0)),
		WithCheck("slow", blockUntilDone, Timeout(20*time.Millisecond)),
		WithCheck("fast", up, TTL(time.Millisecond)),
	)
	// Wait for a first background result.
	if !waitUntil(5*time.Second, func() bool { return c.Check(context.Background()).Components["bg"].Status == Up }) {
		t.Fatal("background check never reported UP")
	}
	var wg sync.WaitGroup
	codes := make(chan int, 400)
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 10; j++ {
				codes <- serve(c, "/").code
			}
		}()
	}
	for bgRuns.Load() < 3 {
		time.Sleep(time.Millisecond)
	}
	checkWithin(t, 5*time.Second, "Close under load", c.Close)
	c.Close() // idempotent
	if !checkWithin(t, 10*time.Second, "requests after Close", wg.Wait) {
		return
	}
	close(codes)
	n := 0
	for code := range codes {
		n++
		if code != 503 { // "slow" always times out
			t.Fatalf("a request got %d, want 503", code)
		}
	}
	if n != 400 {
		t.Fatalf("%d answers, want 400", n)
	}
	runs := bgRuns.Load()
	rep := c.Check(context.Background())
	if rep.Components["bg"].Status != Up {
		t.Errorf("after Close, bg = %s, want its last result UP", rep.Components["bg"].Status)
	}
	if rep.Components["slow"].Status != Down || rep.Components["fast"].Status != Up {
		t.Errorf("after Close: %+v", rep.Components)
	}
	time.Sleep(10 * time.Millisecond)
	if got := bgRuns.Load(); got != runs {
		t.Errorf("background check ran %d more times after Close", got-runs)
	}
}

// TTL, FailureThreshold and SuccessThreshold together, under concurrent
// requests (run with -race): single-flight and the TTL mean each run counts
// once, so the thresholds see exactly the sequence of runs.
func TestTTLAndThresholdsUnderConcurrency(t *testing.T) {
	var runs atomic.Int64
	var down atomic.Bool
	var mu sync.Mutex
	var seen []string
	c := New(
		WithCheck("dep", func(context.Context) error {
			runs.Add(1)
			if down.Load() {
				return errors.New("down")
			}
			return nil
		}, TTL(time.Hour), FailureThreshold(3), SuccessThreshold(2)),
		WithListener(func(_ string, from, to Status) {
			mu.Lock()
			seen = append(seen, string(from)+">"+string(to))
			mu.Unlock()
		}),
	)
	defer c.Close()
	clock := time.Unix(0, 0)
	var clockMu sync.Mutex
	c.now = func() time.Time { clockMu.Lock(); defer clockMu.Unlock(); return clock }
	advance := func() { clockMu.Lock(); clock = clock.Add(2 * time.Hour); clockMu.Unlock() }

	// burst sends 50 concurrent requests and returns the statuses seen.
	burst := func() map[string]int {
		var wg sync.WaitGroup
		var smu sync.Mutex
		got := map[string]int{}
		for i := 0; i < 50; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s := serve(c, "/dep").json(t)["status"].(string)
				smu.Lock()
				got[s]++
				smu.Unlock()
			}()
		}
		wg.Wait()
		return got
	}
	steps := []struct {
		down bool
		want Status
	}{
		{false, Up},   // first result as is
		{true, Up},    // 1st failure
		{true, Up},    // 2nd
		{true, Down},  // 3rd: threshold reached
		{false, Down}, // 1st success
		{false, Up},   // 2nd: back UP
		{true, Up},
		{false, Up}, // the failure streak restarts
		{true, Up},
		{true, Up},
		{true, Down},
	}
	for i, s := range steps {
		down.Store(s.down)
		before := runs.Load()
		got := burst()
		if len(got) != 1 || got[string(s.want)] != 50 {
			t.Fatalf("step %d: statuses %v, want all %s", i, got, s.want)
		}
		if n := runs.Load() - before; n != 1 {
			t.Fatalf("step %d: %d runs for a burst, want 1 (TTL and single-flight)", i, n)
		}
		advance()
	}
	mu.Lock()
	defer mu.Unlock()
	want := "UNKNOWN>UP UP>DOWN DOWN>UP UP>DOWN"
	if got := strings.Join(seen, " "); got != want {
		t.Errorf("transitions %q, want %q", got, want)
	}
}

// 200 checks at once: the answer comes when the slowest is done (not the
// sum), each check runs once, and the goroutines go away afterwards.
func TestManyChecks(t *testing.T) {
	const n = 200
	var opts []Option
	var running atomic.Int64
	gate := make(chan struct{})
	for i := 0; i < n; i++ {
		opts = append(opts, WithCheck(fmt.Sprintf("c%03d", i), func(ctx context.Context) error {
			running.Add(1)
			defer running.Add(-1)
			select {
			case <-gate:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}))
	}
	c := New(append(opts, WithTimeout(10*time.Second))...)
	defer c.Close()
	before := runtime.NumGoroutine()
	done := make(chan response, 1)
	go func() { done <- serve(c, "/") }()
	// All 200 run at the same time: they all block on the gate until it
	// opens, so the request can only finish once every check started.
	if !waitUntil(10*time.Second, func() bool { return running.Load() >= n }) {
		close(gate)
		<-done
		t.Fatalf("only %d of %d checks running at once", running.Load(), n)
	}
	if g := runtime.NumGoroutine() - before; g > n+10 {
		t.Errorf("%d extra goroutines for %d checks", g, n)
	}
	close(gate)
	r := <-done
	if r.code != 200 {
		t.Fatalf("code %d: %.200s", r.code, r.body)
	}
	if got := len(r.json(t)["components"].(map[string]any)); got != n {
		t.Fatalf("%d components, want %d", got, n)
	}
}

// A client that goes away mid-check gets its answer at once; the shared run
// goes on and serves the other requests.
func TestClientCancelMidCheck(t *testing.T) {
	release := make(chan struct{})
	var runs atomic.Int64
	// TTL: a request that arrives after the run still gets its result, so
	// the test does not depend on when the second request joins; had the
	// client's cancel cut the run short, that result would be DOWN.
	c := New(WithTimeout(10*time.Second), WithCheck("dep", func(ctx context.Context) error {
		runs.Add(1)
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}, TTL(time.Hour)))
	defer c.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancelled := make(chan response, 1)
	go func() {
		r := httptest.NewRequest("GET", "/actuator/health", nil).WithContext(ctx)
		r.URL.Path = "/dep"
		w := httptest.NewRecorder()
		c.Handler().ServeHTTP(w, r)
		cancelled <- response{code: w.Code, body: w.Body.String()}
	}()
	other := make(chan response, 1)
	for runs.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	go func() { other <- serve(c, "/dep") }()
	cancel()
	select {
	case r := <-cancelled:
		if r.code != 503 || !strings.Contains(r.body, `"DOWN"`) {
			t.Errorf("cancelled request: %d %s", r.code, r.body)
		}
	case <-time.After(5 * time.Second):
		close(release)
		t.Fatal("the cancelled request did not return")
	}
	select {
	case r := <-other:
		t.Fatalf("the other request returned before the run ended: %d %s", r.code, r.body)
	default:
	}
	close(release)
	r := <-other
	if r.code != 200 {
		t.Fatalf("other request: %d %s, want the shared run's UP", r.code, r.body)
	}
	if n := runs.Load(); n != 1 {
		t.Fatalf("%d runs, want 1 shared", n)
	}
}

// A listener may call Close, even for a transition found by a background
// check's own loop (a hung run reaching its failure threshold): Close waits
// for the loops, so the loop must not be the one calling the listener.
func TestListenerClosesChecker(t *testing.T) {
	release := make(chan struct{})
	var calls atomic.Int64
	var c *Checker
	closed := make(chan struct{})
	var once sync.Once
	c = New(
		WithCheck("dep", func(context.Context) error {
			if calls.Add(1) == 1 {
				return nil // UP first
			}
			<-release // then hangs, ignoring its context
			return nil
		}, Background(time.Millisecond, 0), Timeout(5*time.Millisecond), FailureThreshold(2)),
		WithListener(func(_ string, _, to Status) {
			if to == Down {
				c.Close()
				once.Do(func() { close(closed) })
			}
		}),
	)
	c.Start() // c is set: New starts no background check
	defer close(release)
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("the listener's Close did not return (deadlock)")
	}
	if got := c.Check(context.Background()).Components["dep"].Status; got != Down {
		t.Errorf("after Close: %s, want DOWN", got)
	}
}

// Transitions produced by many goroutines at once (an inline check that
// flips on every call, probed concurrently) reach the listener one at a
// time and as a chain: each change starts where the previous one ended.
func TestListenerChainUnderConcurrency(t *testing.T) {
	var calls atomic.Int64
	var inListener atomic.Int32
	var mu sync.Mutex
	var seen [][2]Status
	c := New(
		WithCheck("flip", func(context.Context) error {
			if calls.Add(1)%2 == 0 {
				return errors.New("flipped")
			}
			return nil
		}, Inline()),
		WithListener(func(_ string, from, to Status) {
			if inListener.Add(1) != 1 {
				t.Error("listener called concurrently for one check")
			}
			mu.Lock()
			seen = append(seen, [2]Status{from, to})
			mu.Unlock()
			runtime.Gosched()
			inListener.Add(-1)
		}),
	)
	defer c.Close()
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				serve(c, "/flip")
			}
		}()
	}
	if !checkWithin(t, 20*time.Second, "concurrent probes", wg.Wait) {
		return
	}
	// The last drainer may still be telling: wait until quiet.
	waitUntil(5*time.Second, func() bool {
		mu.Lock()
		n := len(seen)
		mu.Unlock()
		time.Sleep(5 * time.Millisecond)
		mu.Lock()
		m := len(seen)
		mu.Unlock()
		return n == m && inListener.Load() == 0
	})
	mu.Lock()
	defer mu.Unlock()
	if len(seen) < 2 || seen[0] != [2]Status{Unknown, Up} {
		t.Fatalf("first transitions %v", seen[:min(len(seen), 3)])
	}
	for i := 1; i < len(seen); i++ {
		if seen[i][0] != seen[i-1][1] || seen[i][0] == seen[i][1] {
			t.Fatalf("transition %d %v does not follow %v", i, seen[i], seen[i-1])
		}
	}
}

// A 1xx code is interim: net/http sends it and then answers 200, so a DOWN
// instance mapped to one would look healthy to a load balancer. Such a
// mapping is a programmer error, like any code outside 200-599.
func TestStatusCodeRejectsInterimCodes(t *testing.T) {
	for _, code := range []int{100, 102, 103, 199, 600} {
		func() {
			defer func() {
				p := recover()
				if msg, _ := p.(string); !strings.Contains(msg, "invalid status code") {
					t.Errorf("WithStatusCode(DOWN, %d): panic %v, want invalid status code", code, p)
				}
			}()
			WithStatusCode(Down, code)
		}()
	}
	for _, code := range []int{200, 204, 429, 599} {
		c := New(WithCheck("x", failing("boom")), WithStatusCode(Down, code))
		if r := serve(c, "/"); r.code != code {
			t.Errorf("WithStatusCode(DOWN, %d): answered %d", code, r.code)
		}
		c.Close()
	}
}

// waitUntil polls cond every millisecond until it holds or timeout passes,
// and reports whether it held.
func waitUntil(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(time.Millisecond)
	}
	return true
}
