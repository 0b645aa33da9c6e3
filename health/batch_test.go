package health

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

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

// Each run of a batch has a context of its own: with its own deadline,
// and ended once its check returns, whatever the others do.
func TestRunContextsAreTheirOwn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		ctxs := map[string]context.Context{}
		keep := func(name string) CheckFunc {
			return func(ctx context.Context) error {
				mu.Lock()
				ctxs[name] = ctx
				mu.Unlock()
				return nil
			}
		}
		start := time.Now()
		c := New(
			WithCheck("short", keep("short"), WithTimeout(100*time.Millisecond)),
			WithCheck("long", keep("long")),
		)
		defer c.Close()
		if r := c.Check(context.Background()); r.Status != Up {
			t.Fatalf("report = %+v", r)
		}
		synctest.Wait()
		for name, timeout := range map[string]time.Duration{"short": 100 * time.Millisecond, "long": DefaultTimeout} {
			ctx := ctxs[name]
			if dl, ok := ctx.Deadline(); !ok || dl.Sub(start) != timeout {
				t.Errorf("%s: deadline %v after the request, want %v", name, dl.Sub(start), timeout)
			}
			if ctx.Err() != context.Canceled {
				t.Errorf("%s: context error %v once the check returned, want context.Canceled", name, ctx.Err())
			}
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
