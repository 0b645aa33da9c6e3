package health

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"
)

func TestNewStartsNoGoroutine(t *testing.T) {
	before := goleak.IgnoreCurrent()
	var calls atomic.Int32
	c := New(
		WithCheck("bg", func(context.Context) error { calls.Add(1); return nil }, WithBackground(time.Hour, 0)),
		WithListener(func(string, Status, Status) {}),
	)
	defer c.Close()
	if err := goleak.Find(before); err != nil {
		t.Errorf("New started goroutines: %v", err)
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("New ran the background check %d times", n)
	}
}

func TestBackgroundStartsOnFirstUse(t *testing.T) {
	uses := []struct {
		name string
		use  func(c *Checker)
	}{
		{"Start", func(c *Checker) { c.Start() }},
		{"Check", func(c *Checker) { c.Check(context.Background()) }},
		{"CheckGroup", func(c *Checker) { c.CheckGroup(context.Background(), GroupLiveness) }},
		{"request", func(c *Checker) { serve(c, "/") }},
		{"probe request", func(c *Checker) { serve(c.GroupHandler(GroupLiveness), "") }},
	}
	for _, u := range uses {
		t.Run(u.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var calls atomic.Int32
				c := New(WithCheck("bg", func(context.Context) error { calls.Add(1); return nil }, WithBackground(10*time.Second, time.Second)))
				defer c.Close()
				time.Sleep(time.Minute)
				synctest.Wait()
				if n := calls.Load(); n != 0 {
					t.Fatalf("runs before any use = %d, want 0", n)
				}
				u.use(c)
				u.use(c) // a second use starts nothing more
				c.Start()
				time.Sleep(time.Second) // the initial delay counts from the first use
				synctest.Wait()
				if n := calls.Load(); n != 1 {
					t.Errorf("runs one initial delay after the first use = %d, want 1", n)
				}
				time.Sleep(10 * time.Second)
				synctest.Wait()
				if n := calls.Load(); n != 2 {
					t.Errorf("runs one interval later = %d, want 2", n)
				}
			})
		})
	}
}

func TestCloseBeforeUseStartsNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int32
		c := New(WithCheck("bg", func(context.Context) error { calls.Add(1); return nil }, WithBackground(time.Second, 0)))
		c.Close()
		c.Start()
		if r := c.Check(context.Background()); r.Components["bg"].Status != Unknown {
			t.Errorf("after Close: %+v, want UNKNOWN (never checked)", r.Components["bg"])
		}
		time.Sleep(time.Minute)
		synctest.Wait()
		if n := calls.Load(); n != 0 {
			t.Errorf("runs after Close = %d, want 0", n)
		}
	})
}

// Close while many requests are in flight and background checks run: no
// panic, every request answers, requests after Close still answer, and
// background checks keep their last result.
func TestCloseUnderLoad(t *testing.T) {
	var bgRuns atomic.Int64
	c := New(
		WithDefaultTimeout(200*time.Millisecond),
		WithCheck("bg", func(ctx context.Context) error {
			bgRuns.Add(1)
			select { // a slow dependency that honours ctx
			case <-time.After(time.Millisecond):
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}, WithBackground(time.Millisecond, 0)),
		WithCheck("slow", blockUntilDone, WithTimeout(20*time.Millisecond)),
		WithCheck("fast", up, WithTTL(time.Millisecond)),
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
	if !waitUntil(5*time.Second, func() bool { return bgRuns.Load() >= 3 }) {
		c.Close()
		wg.Wait()
		t.Fatalf("the background check ran %d times within 5s under load, want 3 before Close", bgRuns.Load())
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
	// Close has waited for the loop, but a run it launched just before may
	// enter the check function a moment later (its goroutine outlives the
	// loop): count the runs once the requests after Close are done.
	runs := bgRuns.Load()
	rep := c.Check(context.Background())
	if rep.Components["bg"].Status != Up {
		t.Errorf("after Close, bg = %s, want its last result UP", rep.Components["bg"].Status)
	}
	if rep.Components["slow"].Status != Down || rep.Components["fast"].Status != Up {
		t.Errorf("after Close: %+v", rep.Components)
	}
	// Not a wait for something to happen: a window in which a loop that
	// survived Close, due every millisecond, would have run again.
	time.Sleep(10 * time.Millisecond)
	if got := bgRuns.Load(); got != runs {
		t.Errorf("background check ran %d more times after Close", got-runs)
	}
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
		c := New(WithCheck("bg", check, WithBackground(10*time.Second, time.Second)), WithDefaultShowDetails(Always))
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
		}, WithBackground(time.Second, 0)))
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
		}, WithBackground(time.Second, 0), WithTimeout(100*time.Millisecond)))
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
