package health

import (
	"bytes"
	"context"
	"runtime"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// goroutineID returns the caller's goroutine number, from its stack's
// first line ("goroutine 42 [running]:").
func goroutineID() string {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	buf = bytes.TrimPrefix(buf, []byte("goroutine "))
	id, _, _ := bytes.Cut(buf, []byte(" "))
	return string(id)
}

// The uncached checks one request starts run on one goroutine while they
// return at once: a request with three instant checks costs one goroutine
// (and one timer), not three.
func TestInstantChecksOfARequestShareOneGoroutine(t *testing.T) {
	var mu sync.Mutex
	ran := map[string]string{} // check -> goroutine
	record := func(name string) StatusFunc {
		return func(context.Context) Result {
			mu.Lock()
			ran[name] = goroutineID()
			mu.Unlock()
			return Result{Status: Up}
		}
	}
	c := New(WithStatusCheck("a", record("a")), WithStatusCheck("b", record("b")), WithStatusCheck("c", record("c")))
	defer c.Close()
	for range 3 {
		clear(ran)
		if r := serve(c, ""); r.code != 200 {
			t.Fatalf("%d %s", r.code, r.body)
		}
		if len(ran) != 3 || ran["a"] != ran["b"] || ran["b"] != ran["c"] {
			t.Errorf("checks ran on goroutines %v, want one for the three", ran)
		}
	}
}

// A check that never returns holds neither the request nor the checks
// queued behind it: they start on goroutines of their own at the hand-off,
// and the hung one is reported at its own deadline.
func TestHungCheckDoesNotHoldTheOthersOfItsRequest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		defer close(release)
		hung := func(context.Context) error { <-release; return nil } // ignores its context
		c := New(
			WithCheck("hung", hung, WithTimeout(100*time.Millisecond)),
			WithCheck("fast", up),
			WithCheck("later", func(ctx context.Context) error { time.Sleep(10 * time.Millisecond); return nil }),
			WithDefaultShowDetails(Always),
		)
		defer c.Close()
		start := time.Now()
		r := c.Check(context.Background())
		if took := time.Since(start); took != 100*time.Millisecond {
			t.Errorf("answered after %v, want the hung check's timeout, 100ms", took)
		}
		if got := r.Components["hung"]; got.Status != Down || got.Details["error"] != "timed out after 100ms" {
			t.Errorf("hung = %+v", got)
		}
		for name, d := range map[string]string{"fast": "0s", "later": "10ms"} {
			if got := r.Components[name]; got.Status != Up || got.Details["duration"] != d {
				t.Errorf("%s = %+v, want UP in %s", name, got, d)
			}
		}
	})
}

// Each run of a batch keeps its own deadline: the timer reports the one
// with the shorter timeout first and is set again for the other.
func TestRunsOfARequestKeepTheirOwnDeadlines(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		ended := map[string]time.Duration{}
		start := time.Now()
		c := New(
			WithCheck("short", blockUntilDone, WithTimeout(20*time.Millisecond)),
			WithCheck("long", blockUntilDone, WithTimeout(200*time.Millisecond)),
			WithListener(func(name string, _, to Status) {
				mu.Lock()
				ended[name] = time.Since(start)
				mu.Unlock()
			}),
			WithDefaultShowDetails(Always),
		)
		defer c.Close()
		r := c.Check(context.Background())
		if took := time.Since(start); took != 200*time.Millisecond {
			t.Errorf("answered after %v, want 200ms", took)
		}
		for name, want := range map[string]time.Duration{"short": 20 * time.Millisecond, "long": 200 * time.Millisecond} {
			if got := r.Components[name]; got.Status != Down || got.Details["error"] != "timed out after "+want.String() {
				t.Errorf("%s = %+v", name, got)
			}
			mu.Lock()
			if ended[name] != want {
				t.Errorf("%s reported DOWN after %v, want %v", name, ended[name], want)
			}
			mu.Unlock()
		}
	})
}

// A run's context ends when its check returns, not when the batch does:
// work a check leaves bound to its context stops with it.
func TestRunContextEndsWithItsCheck(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var first context.Context
		c := New(
			WithCheck("first", func(ctx context.Context) error { first = ctx; return nil }),
			WithCheck("second", func(ctx context.Context) error {
				if first.Err() == nil {
					t.Error("the first run's context is still live while the second runs")
				}
				if dl, ok := ctx.Deadline(); !ok || time.Until(dl) != DefaultTimeout {
					t.Errorf("second's deadline in %v, want %v", time.Until(dl), DefaultTimeout)
				}
				return nil
			}),
		)
		defer c.Close()
		if r := c.Check(context.Background()); r.Status != Up {
			t.Errorf("report = %+v", r)
		}
	})
}

// The last result of a check, kept until its next run, does not keep the
// request that ran it alive: neither its batch nor the values of its
// context.
func TestLastResultDoesNotRetainTheRequest(t *testing.T) {
	c := New(WithCheck("a", up), WithCheck("b", up))
	defer c.Close()
	type ctxKey struct{}
	collected := make(chan struct{})
	func() {
		v := new([1 << 16]byte)
		runtime.AddCleanup(v, func(ch chan struct{}) { close(ch) }, collected)
		ctx := context.WithValue(context.Background(), ctxKey{}, v)
		if r := c.Check(ctx); r.Status != Up {
			t.Fatalf("report = %+v", r)
		}
	}()
	for range 50 {
		runtime.GC()
		select {
		case <-collected:
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Error("a value of the request's context is still reachable after its checks ran")
}
