package info

import (
	"context"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A contributor that ignores its context and hangs costs one goroutine,
// however many requests arrive; every request still answers at its
// deadline, and the call's result is shared once it returns.
func TestHungContributorCostsOneGoroutine(t *testing.T) {
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
	defer close(release)

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
	wg.Wait()
	if got := timedOut.Load(); got != requests {
		t.Errorf("%d of %d requests reported the timeout", got, requests)
	}
	if got := calls.Load(); got != 1 {
		t.Errorf("the hung contributor was called %d times, want 1 (shared)", got)
	}
	// Only the hung call's goroutine may remain.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before+1 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if got := runtime.NumGoroutine(); got > before+1 {
		t.Errorf("goroutines: %d before, %d after %d requests; want at most one more", before, got, requests)
	}
}

// Concurrent requests waiting on one slow, well-behaved contributor all get
// its value.
func TestConcurrentRequestsShareAContributorCall(t *testing.T) {
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
	for calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // let the other requests join the call
	close(gate)
	wg.Wait()
	for i, b := range bodies {
		if !strings.Contains(b, `"slow":"v"`) {
			t.Errorf("request %d: %s", i, b)
		}
	}
}
