package health

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"runtime"
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
		for _, name := range []string{"a", "b", "c"} {
			if r.Status != Up || r.Components[name].Details["duration"] != "50ms" {
				t.Errorf("%s: report = %+v", name, r)
			}
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
			WithDefaultShowDetails(Always),
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

// 200 checks at once: the answer comes when the slowest is done (not the
// sum), each check runs once, and the goroutines go away afterwards.
func TestManyChecks(t *testing.T) {
	const n = 200
	var opts []Option
	var running, calls atomic.Int64
	gate := make(chan struct{})
	for i := 0; i < n; i++ {
		opts = append(opts, WithCheck(fmt.Sprintf("c%03d", i), func(ctx context.Context) error {
			calls.Add(1)
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
	c := New(append(opts, WithDefaultTimeout(10*time.Second))...)
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
	if got := calls.Load(); got != n {
		t.Errorf("%d check calls for %d checks, want each run once", got, n)
	}
	if extra := extraGoroutines(before, 0); extra > 0 {
		t.Errorf("%d goroutines left over after the request, want none of the %d checks' goroutines", extra, n)
	}
}
