package health

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// details returns the details of component name in a full Check report.
func details(t *testing.T, r Report, name string) map[string]any {
	t.Helper()
	comp, ok := r.Components[name]
	if !ok {
		t.Fatalf("no component %q in %+v", name, r)
	}
	return comp.Details
}

func TestTimeouts(t *testing.T) {
	tests := []struct {
		name      string
		global    time.Duration
		perCheck  time.Duration
		wantAfter time.Duration
	}{
		{"global deadline", 300 * time.Millisecond, 0, 300 * time.Millisecond},
		{"per-check timeout shortens", 300 * time.Millisecond, 100 * time.Millisecond, 100 * time.Millisecond},
		{"per-check timeout cannot lengthen", 300 * time.Millisecond, time.Second, 300 * time.Millisecond},
		{"default deadline", 0, 0, DefaultTimeout},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var copts []CheckOption
				if tc.perCheck > 0 {
					copts = append(copts, Timeout(tc.perCheck))
				}
				opts := []Option{
					WithCheck("slow", blockUntilDone, copts...),
					WithCheck("fast", up),
					WithShowDetails(Always),
				}
				if tc.global > 0 {
					opts = append(opts, WithTimeout(tc.global))
				}
				c := New(opts...)
				defer c.Close()
				start := time.Now()
				res := serve(c, "")
				if took := time.Since(start); took != tc.wantAfter {
					t.Errorf("answered after %v, want %v", took, tc.wantAfter)
				}
				if res.code != 503 {
					t.Errorf("code = %d, want 503", res.code)
				}
				m := res.json(t)["components"].(map[string]any)
				slow := m["slow"].(map[string]any)
				if slow["status"] != "DOWN" || slow["details"].(map[string]any)["error"] != fmt.Sprintf("timed out after %v", tc.wantAfter) {
					t.Errorf("slow = %v", slow)
				}
				if fast := m["fast"].(map[string]any); fast["status"] != "UP" {
					t.Errorf("fast = %v, want UP", fast)
				}
			})
		})
	}
}

func TestChecksRunConcurrently(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sleep := func(ctx context.Context) error {
			select {
			case <-time.After(50 * time.Millisecond):
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		c := New(WithCheck("a", sleep), WithCheck("b", sleep), WithCheck("c", sleep))
		defer c.Close()
		start := time.Now()
		r := c.Check(context.Background())
		if took := time.Since(start); took != 50*time.Millisecond {
			t.Errorf("3 checks of 50ms took %v, want 50ms", took)
		}
		if r.Status != Up || r.Components["a"].Details["duration"] != "50ms" {
			t.Errorf("report = %+v", r)
		}
	})
}

func TestPanickingCheck(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := New(
			WithCheck("bad", func(context.Context) error { panic("kaboom") }),
			WithStatusCheck("worse", func(context.Context) Result { panic(errors.New("nil map")) }),
			WithCheck("good", up),
		)
		defer c.Close()
		r := c.Check(context.Background())
		if r.Status != Down {
			t.Errorf("status = %q, want DOWN", r.Status)
		}
		if got := details(t, r, "bad")["error"]; got != "panic: kaboom" {
			t.Errorf("bad error = %v", got)
		}
		if got := details(t, r, "worse")["error"]; got != "panic: nil map" {
			t.Errorf("worse error = %v", got)
		}
		if r.Components["good"].Status != Up {
			t.Errorf("good = %+v, want UP", r.Components["good"])
		}
	})
}

type badMarshal struct{}

func (badMarshal) MarshalJSON() ([]byte, error) { panic("marshal boom") }

type badError struct{}

func (badError) Error() string { panic("error boom") }

func TestHostileResults(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := New(
			WithStatusCheck("chan", status(Up, map[string]any{"c": make(chan int)})),
			WithStatusCheck("marshal", status(Up, map[string]any{"v": badMarshal{}})),
			WithStatusCheck("error", func(context.Context) Result { return Result{Err: badError{}} }),
			WithShowDetails(Always),
		)
		defer c.Close()
		r := c.Check(context.Background())
		if d := details(t, r, "chan"); r.Components["chan"].Status != Up || d["detailsError"] == nil || d["c"] != nil {
			t.Errorf("chan = %+v", r.Components["chan"])
		}
		for _, name := range []string{"marshal", "error"} {
			if comp := r.Components[name]; comp.Status != Down || comp.Details["error"] == nil {
				t.Errorf("%s = %+v, want DOWN with an error", name, comp)
			}
		}
		if res := serve(c, ""); res.code != 503 {
			t.Errorf("code = %d", res.code)
		} else {
			res.json(t)
		}
	})
}

// TestHangingCheckUnderProbeStorm sends 1,000 concurrent probe requests to a
// checker whose check ignores its context and never returns (until the test
// releases it): every request answers DOWN at the deadline, the check runs
// once, and it holds a single goroutine.
func TestHangingCheckUnderProbeStorm(t *testing.T) {
	release := make(chan struct{})
	var calls atomic.Int32
	hang := func(context.Context) error {
		calls.Add(1)
		<-release // ignores its context
		return nil
	}
	c := New(WithCheck("hang", hang, Groups(GroupReadiness)), WithCheck("ok", up), WithTimeout(100*time.Millisecond))
	stop := func() {
		close(release)
		c.Close()
	}
	defer func() {
		if release != nil {
			stop()
		}
	}()
	before := runtime.NumGoroutine()

	const probes = 1000
	for wave := range 2 {
		var wg sync.WaitGroup
		var bad atomic.Int32
		gate := make(chan struct{})
		for i := range probes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-gate
				path := ""
				if i%2 == 1 {
					path = "/readiness"
				}
				res := serve(c, path)
				if res.code != http.StatusServiceUnavailable {
					bad.Add(1)
				}
			}()
		}
		// Sample the goroutine count while the probes are in flight: the
		// probes' own goroutines, the hung check's one, and nothing per probe.
		var peak atomic.Int64
		sampled := make(chan struct{})
		stopSampling := make(chan struct{})
		go func() {
			defer close(sampled)
			tick := time.NewTicker(time.Millisecond)
			defer tick.Stop()
			for {
				if n := int64(runtime.NumGoroutine()); n > peak.Load() {
					peak.Store(n)
				}
				select {
				case <-stopSampling:
					return
				case <-tick.C:
				}
			}
		}()
		close(gate)
		wg.Wait()
		close(stopSampling)
		<-sampled
		// probes + the sampler + the hung check, plus a few runtime and
		// timer goroutines that come and go.
		const slack = 8
		t.Logf("wave %d: peak %d goroutines over the %d before", wave, int(peak.Load())-before, before)
		if extra := int(peak.Load()) - before; extra > probes+2+slack {
			t.Errorf("wave %d: peak of %d goroutines over the %d before, want at most %d", wave, extra, before, probes+2+slack)
		}
		if n := bad.Load(); n != 0 {
			t.Errorf("wave %d: %d of %d probes did not answer 503", wave, n, probes)
		}
		// The hung check holds exactly one goroutine, whatever the number of
		// probes. Timer goroutines may linger a moment, so allow them to end.
		var extra int
		for range 100 {
			if extra = runtime.NumGoroutine() - before; extra <= 1 {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		if extra > 1 {
			t.Errorf("wave %d: %d goroutines more than before the probes, want at most 1", wave, extra)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("hung check ran %d times, want 1", n)
	}
	r := c.Check(context.Background())
	if got := r.Components["hang"].Details["error"]; got != "timed out after 100ms" {
		t.Errorf("error = %v", got)
	}
	stop()
	release = nil
}

func TestSingleFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int32
		release := make(chan struct{})
		c := New(WithCheck("db", func(ctx context.Context) error {
			calls.Add(1)
			select {
			case <-release:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}))
		defer c.Close()
		const n = 50
		codes := make(chan int, n)
		for range n {
			go func() { codes <- serve(c, "/db").code }()
		}
		synctest.Wait() // every request is waiting for the one run
		if got := calls.Load(); got != 1 {
			t.Fatalf("%d runs for %d concurrent requests, want 1", got, n)
		}
		close(release)
		for range n {
			if code := <-codes; code != 200 {
				t.Errorf("code = %d", code)
			}
		}
		// A later request runs the check again: there is no TTL.
		serve(c, "/db")
		if got := calls.Load(); got != 2 {
			t.Errorf("runs = %d, want 2", got)
		}
	})
}

func TestRequestCancelled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := New(WithCheck("slow", blockUntilDone), WithShowDetails(Always))
		defer c.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		defer cancel()
		start := time.Now()
		r := c.Check(ctx)
		if took := time.Since(start); took != 10*time.Millisecond {
			t.Errorf("returned after %v, want 10ms", took)
		}
		if got := r.Components["slow"].Details["error"]; got != "request ended before the check finished: context deadline exceeded" {
			t.Errorf("error = %v", got)
		}
		// The run itself goes on to its own deadline, and the next request joins it.
		time.Sleep(DefaultTimeout)
	})
}

func TestTTL(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int32
		c := New(WithCheck("db", func(context.Context) error { calls.Add(1); return nil }, TTL(time.Second)), WithCheck("nocache", up))
		defer c.Close()
		for range 10 {
			serve(c, "")
			time.Sleep(50 * time.Millisecond)
		}
		if got := calls.Load(); got != 1 {
			t.Errorf("runs within the TTL = %d, want 1", got)
		}
		time.Sleep(time.Second)
		serve(c, "/db")
		if got := calls.Load(); got != 2 {
			t.Errorf("runs after the TTL = %d, want 2", got)
		}
	})
}

func TestBackground(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int32
		fail := atomic.Bool{}
		check := func(context.Context) error {
			calls.Add(1)
			if fail.Load() {
				return errors.New("down")
			}
			return nil
		}
		c := New(WithCheck("bg", check, Background(10*time.Second, time.Second)), WithShowDetails(Always))
		defer c.Close()

		r := c.Check(context.Background())
		if comp := r.Components["bg"]; comp.Status != Unknown || comp.Details["error"] != ErrNotChecked.Error() {
			t.Errorf("before the first run: %+v", comp)
		}
		if res := serve(c, ""); res.code != 200 { // UNKNOWN maps to 200
			t.Errorf("code = %d", res.code)
		}
		time.Sleep(time.Second)
		synctest.Wait()
		if got := calls.Load(); got != 1 {
			t.Fatalf("runs after the initial delay = %d, want 1", got)
		}
		for range 100 { // requests read the last result
			serve(c, "/bg")
		}
		if got := calls.Load(); got != 1 {
			t.Errorf("requests ran the background check: %d runs", got)
		}
		fail.Store(true)
		time.Sleep(10 * time.Second)
		synctest.Wait()
		if got, st := calls.Load(), c.Check(context.Background()).Status; got != 2 || st != Down {
			t.Errorf("after one interval: %d runs, status %s; want 2, DOWN", got, st)
		}
		c.Close()
		c.Close() // idempotent
		time.Sleep(time.Minute)
		if got := calls.Load(); got != 2 {
			t.Errorf("runs after Close = %d, want 2", got)
		}
		if st := c.Check(context.Background()).Status; st != Down {
			t.Errorf("after Close: %s, want the last result DOWN", st)
		}
	})
}

func TestBackgroundCloseKeepsLastResult(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int32
		c := New(WithCheck("bg", func(ctx context.Context) error {
			if calls.Add(1) == 1 {
				return nil
			}
			<-ctx.Done() // the second run is in progress at Close
			return ctx.Err()
		}, Background(time.Second, 0)))
		c.Start()
		time.Sleep(1500 * time.Millisecond)
		synctest.Wait()
		if got := calls.Load(); got != 2 {
			t.Fatalf("runs = %d, want 2", got)
		}
		c.Close()
		synctest.Wait()
		if r := c.Check(context.Background()); r.Status != Up {
			t.Errorf("after Close: %+v, want the last result UP", r.Components["bg"])
		}
	})
}

func TestBackgroundHungCheck(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int32
		release := make(chan struct{})
		c := New(WithCheck("bg", func(context.Context) error {
			calls.Add(1)
			<-release
			return nil
		}, Background(time.Second, 0), Timeout(100*time.Millisecond)))
		c.Start()
		time.Sleep(time.Minute + 500*time.Millisecond) // ticks come at k s + 100 ms
		synctest.Wait()
		if got := calls.Load(); got != 1 {
			t.Errorf("a hung background check was started %d times, want 1", got)
		}
		if r := c.Check(context.Background()); r.Components["bg"].Details["error"] != "timed out after 100ms" {
			t.Errorf("report = %+v", r.Components["bg"])
		}
		close(release)
		synctest.Wait()
		time.Sleep(time.Second)
		synctest.Wait()
		if got := calls.Load(); got != 2 {
			t.Errorf("runs after release = %d, want 2", got)
		}
		c.Close()
	})
}

func TestThresholds(t *testing.T) {
	const U, D, O = Up, Down, OutOfService
	tests := []struct {
		name       string
		fail, succ int
		raw        []Status
		want       []Status
	}{
		{"defaults follow every change", 1, 1, []Status{U, D, U, O, D}, []Status{U, D, U, O, D}},
		{"failure threshold 3", 3, 1, []Status{U, D, D, D, D, U}, []Status{U, U, U, D, D, U}},
		{"failure streak broken", 3, 1, []Status{U, D, D, U, D, D, D}, []Status{U, U, U, U, U, U, D}},
		{"success threshold 2", 1, 2, []Status{U, D, U, D, U, U}, []Status{U, D, D, D, D, U}},
		{"first result is taken as is", 3, 3, []Status{D, U, U, U}, []Status{D, D, D, U}},
		{"changes between non-DOWN statuses are immediate", 3, 3, []Status{U, O, U}, []Status{U, O, U}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				i := 0
				var transitions []string
				c := New(
					WithStatusCheck("x", func(context.Context) Result { i++; return Result{Status: tc.raw[i-1]} },
						FailureThreshold(tc.fail), SuccessThreshold(tc.succ)),
					WithListener(func(name string, from, to Status) {
						transitions = append(transitions, fmt.Sprintf("%s:%s>%s", name, from, to))
					}),
				)
				defer c.Close()
				var got []Status
				var want []string
				prev := Unknown
				for j := range tc.raw {
					got = append(got, c.Check(context.Background()).Status)
					if tc.want[j] != prev {
						want = append(want, fmt.Sprintf("x:%s>%s", prev, tc.want[j]))
						prev = tc.want[j]
					}
				}
				if !slices.Equal(got, tc.want) {
					t.Errorf("reported %v, want %v", got, tc.want)
				}
				synctest.Wait()
				if !slices.Equal(transitions, want) {
					t.Errorf("listener saw %v, want %v", transitions, want)
				}
			})
		})
	}
}

func TestListenerPanicAndLogging(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var buf bytes.Buffer
		var mu sync.Mutex
		logger := slog.New(slog.NewJSONHandler(&lockedWriter{w: &buf, mu: &mu}, nil))
		c := New(
			WithCheck("bad", func(context.Context) error { panic("kaboom") }),
			WithCheck("slow", func(ctx context.Context) error { time.Sleep(60 * time.Millisecond); return nil }, Timeout(100*time.Millisecond)),
			WithCheck("hang", blockUntilDone, Timeout(10*time.Millisecond)),
			WithListener(func(string, Status, Status) { panic("listener boom") }),
			WithLogger(logger),
		)
		defer c.Close()
		c.Check(context.Background())
		synctest.Wait()
		mu.Lock()
		defer mu.Unlock()
		var msgs []string
		for line := range bytes.Lines(buf.Bytes()) {
			var rec struct {
				Msg   string `json:"msg"`
				Check string `json:"check"`
			}
			if err := json.Unmarshal(line, &rec); err != nil {
				t.Fatalf("log line %q: %v", line, err)
			}
			msgs = append(msgs, rec.Msg+" "+rec.Check)
		}
		for _, want := range []string{
			"health: check panicked bad",
			"health: slow check slow",
			"health: check timed out hang",
			"health: status changed bad",
			"health: status changed slow",
			"health: listener panicked hang",
		} {
			if !slices.Contains(msgs, want) {
				t.Errorf("no log %q in %q", want, msgs)
			}
		}
	})
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestWithoutCancelKeepsRequestValues(t *testing.T) {
	type key struct{}
	var got any
	c := New(WithCheck("v", func(ctx context.Context) error { got = ctx.Value(key{}); return nil }))
	defer c.Close()
	r := httptest.NewRequest("GET", "/", nil)
	r = r.WithContext(context.WithValue(r.Context(), key{}, "trace-1"))
	c.Handler().ServeHTTP(httptest.NewRecorder(), r)
	if got != "trace-1" {
		t.Errorf("check saw %v, want the request's value", got)
	}
}

// TestHungCheckReachesFailureThreshold: a check that hangs (ignoring its
// context) keeps failing while it is due and still running, so a failure
// threshold is reached: before, the first timeout was reported as UP under
// the threshold and then served forever.
func TestHungCheckReachesFailureThreshold(t *testing.T) {
	t.Run("on demand", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var calls atomic.Int32
			release := make(chan struct{})
			var transitions []string
			var mu sync.Mutex
			c := New(WithCheck("hang", func(context.Context) error {
				if calls.Add(1) > 1 {
					<-release // ignores its context
				}
				return nil
			}, FailureThreshold(3), Timeout(100*time.Millisecond)),
				WithListener(func(name string, from, to Status) {
					mu.Lock()
					defer mu.Unlock()
					transitions = append(transitions, fmt.Sprintf("%s>%s", from, to))
				}))
			defer c.Close()
			var got []Status
			for range 5 { // a probe every second
				got = append(got, c.Check(context.Background()).Status)
				time.Sleep(time.Second)
			}
			if want := []Status{Up, Up, Up, Down, Down}; !slices.Equal(got, want) {
				t.Errorf("reported %v, want %v", got, want)
			}
			// Requests within the timeout of the last result share it, as
			// they would share a run: a burst counts once.
			c2 := New(WithCheck("hang", func(context.Context) error { <-release; return nil },
				FailureThreshold(3), Timeout(100*time.Millisecond)))
			defer c2.Close()
			c2.Check(context.Background()) // the first result, a timeout, is DOWN as it is
			for range 10 {
				if st := c2.Check(context.Background()).Status; st != Down {
					t.Fatalf("burst: %s", st)
				}
			}
			c2.leaves[0].mu.Lock()
			fails := c2.leaves[0].fails
			c2.leaves[0].mu.Unlock()
			if fails != 1 {
				t.Errorf("a burst within the timeout counted %d failures, want 1", fails)
			}
			if n := calls.Load(); n != 2 {
				t.Errorf("check started %d times, want 2 (no second goroutine while hung)", n)
			}
			close(release)
			synctest.Wait()
			if st := c.Check(context.Background()).Status; st != Up {
				t.Errorf("after the hung run returned: %s, want UP", st)
			}
			synctest.Wait()
			mu.Lock()
			defer mu.Unlock()
			if want := []string{"UNKNOWN>UP", "UP>DOWN", "DOWN>UP"}; !slices.Equal(transitions, want) {
				t.Errorf("listener saw %v, want %v", transitions, want)
			}
		})
	})
	t.Run("background", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var calls atomic.Int32
			release := make(chan struct{})
			c := New(WithCheck("hang", func(context.Context) error {
				if calls.Add(1) > 1 {
					<-release
				}
				return nil
			}, FailureThreshold(3), Timeout(100*time.Millisecond), Background(time.Second, 0)))
			defer c.Close()
			c.Start()
			synctest.Wait()
			var got []Status
			// The second run starts at 1 s, hangs and times out at 1.1 s
			// (1 failure); the next ticks come an interval after that, at
			// 2.1 s and 3.1 s, and find it still running (2, 3).
			for range 5 {
				time.Sleep(time.Second)
				synctest.Wait()
				got = append(got, c.Check(context.Background()).Status)
			}
			if want := []Status{Up, Up, Up, Down, Down}; !slices.Equal(got, want) {
				t.Errorf("reported %v, want %v", got, want)
			}
			if n := calls.Load(); n != 2 {
				t.Errorf("check started %d times, want 2", n)
			}
			close(release)
			synctest.Wait()
		})
	})
}

// A check that returns nil only after its deadline still timed out: it is
// DOWN whichever of the check and the timeout timer reports first.
func TestLateSuccessIsATimeout(t *testing.T) {
	lateNil := func(ctx context.Context) error {
		<-ctx.Done()
		return nil
	}
	for i := range 100 {
		synctest.Test(t, func(t *testing.T) {
			c := New(WithCheck("late", lateNil, Timeout(5*time.Millisecond)), WithShowDetails(Always))
			defer c.Close()
			res := serve(c, "/late")
			d := res.json(t)["details"].(map[string]any)
			if res.code != 503 || d["error"] != "timed out after 5ms" {
				t.Fatalf("run %d: %d %s, want 503 timed out", i, res.code, res.body)
			}
		})
	}
}
