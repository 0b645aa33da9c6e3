package info

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// extraGoroutines returns how many goroutines more than before are running,
// looking again, up to many times, while there are more than max: the
// runtime's own goroutines count while they run finalizers or cleanups, so
// one look may see one more for a moment. It yields rather than sleeps, so
// it works the same inside a synctest bubble.
func extraGoroutines(before, max int) int {
	extra := runtime.NumGoroutine() - before
	for i := 0; i < 100000 && extra > max; i++ {
		runtime.Gosched()
		extra = runtime.NumGoroutine() - before
	}
	return extra
}

// A contributor that ignores its context and hangs costs one goroutine,
// however many requests arrive; every request still answers at its
// deadline, and the call's result is shared once it returns.
func TestHungContributorCostsOneGoroutine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		var calls atomic.Int32
		e := New(
			WithContributorTimeout(20*time.Millisecond),
			WithAuthorizer(func(*http.Request) bool { return true }), // the timeout's text is visible
			WithContributor("stuck", func(context.Context) (any, error) {
				calls.Add(1)
				<-release // ignores its context
				return "late", nil
			}),
		)

		before := runtime.NumGoroutine()
		const requests = 200
		var wg sync.WaitGroup
		var timedOut atomic.Int32
		for range requests {
			wg.Add(1)
			go func() {
				defer wg.Done()
				w := serve(t, e, http.MethodGet, "")
				if w.Code == http.StatusOK && strings.Contains(w.Body.String(), "contributor did not answer") {
					timedOut.Add(1)
				}
			}()
		}
		synctest.Wait() // every request is waiting for the call or its deadline
		// The requests' own goroutines and one for the call: none per request.
		if extra := extraGoroutines(before, requests+1); extra > requests+1 {
			t.Errorf("%d goroutines more than before while %d requests wait, want at most %d (one call)", extra, requests, requests+1)
		}
		wg.Wait()       // the deadline passes in the bubble's time
		synctest.Wait() // and the requests' goroutines have ended
		if got := timedOut.Load(); got != requests {
			t.Errorf("%d of %d requests reported the timeout", got, requests)
		}
		if got := calls.Load(); got != 1 {
			t.Errorf("the hung contributor was called %d times, want 1 (shared)", got)
		}
		// Only the hung call's goroutine remains.
		if extra := extraGoroutines(before, 1); extra > 1 {
			t.Errorf("%d goroutines more than before after %d requests, want at most 1 (the hung call)", extra, requests)
		}

		// A request that comes while the call still hangs joins it, and gets
		// its value when it returns in time.
		late := make(chan *httptest.ResponseRecorder, 1)
		go func() { late <- serve(t, e, http.MethodGet, "") }()
		synctest.Wait() // the request waits on the hung call
		close(release)
		w := <-late
		if got := calls.Load(); got != 1 {
			t.Errorf("the contributor was called %d times, want 1: the late request should join the hung call", got)
		}
		if body := w.Body.String(); !strings.Contains(body, `"stuck":"late"`) {
			t.Errorf("request joining the hung call: %s, want its value", body)
		}
	})
}

// Concurrent requests waiting on one slow, well-behaved contributor share
// one call, and all get its value.
func TestConcurrentRequestsShareAContributorCall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int32
		gate := make(chan struct{})
		e := New(WithContributor("slow", func(ctx context.Context) (any, error) {
			calls.Add(1)
			select {
			case <-gate:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			return "v", nil
		}))
		var wg sync.WaitGroup
		bodies := make([]string, 20)
		for i := range bodies {
			wg.Add(1)
			go func() {
				defer wg.Done()
				bodies[i] = serve(t, e, http.MethodGet, "").Body.String()
			}()
		}
		synctest.Wait() // every request has joined and is waiting
		if got := calls.Load(); got != 1 {
			t.Errorf("%d contributor calls for %d concurrent requests, want 1 shared", got, len(bodies))
		}
		close(gate)
		wg.Wait()
		for i, b := range bodies {
			if !strings.Contains(b, `"slow":"v"`) {
				t.Errorf("request %d: %s", i, b)
			}
		}
		if got := calls.Load(); got != 1 {
			t.Errorf("%d contributor calls after the requests, want 1", got)
		}
	})
}

func TestContributorContext(t *testing.T) {
	t.Run("deadline", func(t *testing.T) {
		var left time.Duration
		e := New(WithContributorTimeout(time.Minute), WithContributor("c", func(ctx context.Context) (any, error) {
			d, ok := ctx.Deadline()
			if !ok {
				return nil, errors.New("no deadline")
			}
			left = time.Until(d)
			return "ok", nil
		}))
		if got := e.Info(context.Background())["c"]; got != "ok" {
			t.Fatalf("c = %v, want ok", got)
		}
		if left <= 0 || left > time.Minute {
			t.Errorf("deadline in %v, want within the 1m contributor timeout", left)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		release := make(chan struct{})
		defer close(release) // lets the contributor's goroutine end
		e := New(WithContributorTimeout(5*time.Millisecond), WithContributor("slow", func(ctx context.Context) (any, error) {
			<-release // ignores its context, as a careless contributor would
			return "too late", nil
		}))
		got, _ := e.Info(context.Background())["slow"].(map[string]any)
		if msg, _ := got["error"].(string); !strings.Contains(msg, context.DeadlineExceeded.Error()) {
			t.Errorf("slow = %v, want a deadline error", got)
		}
	})
	t.Run("client gone", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		e := New(WithContributor("c", func(ctx context.Context) (any, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		}))
		got, _ := e.Info(ctx)["c"].(map[string]any)
		if msg, _ := got["error"].(string); !strings.Contains(msg, context.Canceled.Error()) {
			t.Errorf("c = %v, want a cancellation error", got)
		}
	})
	t.Run("concurrent", func(t *testing.T) {
		// Two contributors that each wait for the other can only both
		// answer if they run at the same time.
		var wg sync.WaitGroup
		wg.Add(2)
		both := make(chan struct{})
		go func() { wg.Wait(); close(both) }()
		fn := func(ctx context.Context) (any, error) {
			wg.Done()
			select {
			case <-both:
				return "ok", nil
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		e := New(WithContributorTimeout(time.Minute), WithContributor("a", fn), WithContributor("b", fn))
		info := e.Info(context.Background())
		if info["a"] != "ok" || info["b"] != "ok" {
			t.Errorf("a = %v, b = %v, want ok, ok", info["a"], info["b"])
		}
	})
}
