package health

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

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
					copts = append(copts, WithTimeout(tc.perCheck))
				}
				opts := []Option{
					WithCheck("slow", blockUntilDone, copts...),
					WithCheck("fast", up),
					WithDefaultShowDetails(Always),
				}
				if tc.global > 0 {
					opts = append(opts, WithDefaultTimeout(tc.global))
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

func TestRequestCancelled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int32
		c := New(WithCheck("slow", func(ctx context.Context) error { calls.Add(1); return blockUntilDone(ctx) }), WithDefaultShowDetails(Always))
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
		// The run itself goes on to its own deadline, and the next request
		// joins it rather than starting another: it answers the run's
		// timeout when the run's deadline passes.
		r = c.Check(context.Background())
		if took := time.Since(start); took != DefaultTimeout {
			t.Errorf("the next request returned %v after the first, want at the run's deadline %v", took, DefaultTimeout)
		}
		if got, want := r.Components["slow"].Details["error"], "timed out after "+DefaultTimeout.String(); got != want {
			t.Errorf("next request: error = %v, want %q", got, want)
		}
		if n := calls.Load(); n != 1 {
			t.Errorf("the check ran %d times, want 1 (the next request joins the run)", n)
		}
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
			c := New(WithCheck("late", lateNil, WithTimeout(5*time.Millisecond)), WithDefaultShowDetails(Always))
			defer c.Close()
			res := serve(c, "/late")
			d := res.json(t)["details"].(map[string]any)
			if res.code != 503 || d["error"] != "timed out after 5ms" {
				t.Fatalf("run %d: %d %s, want 503 timed out", i, res.code, res.body)
			}
		})
	}
}

// A client that goes away mid-check gets its answer at once; the shared run
// goes on and serves the other requests.
func TestClientCancelMidCheck(t *testing.T) {
	release := make(chan struct{})
	var runs atomic.Int64
	started := make(chan struct{}, 1)
	// TTL: a request that arrives after the run still gets its result, so
	// the test does not depend on when the second request joins; had the
	// client's cancel cut the run short, that result would be DOWN.
	c := New(WithDefaultTimeout(10*time.Second), WithCheck("dep", func(ctx context.Context) error {
		runs.Add(1)
		select {
		case started <- struct{}{}:
		default:
		}
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}, WithTTL(time.Hour)))
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
	select {
	case <-started:
	case <-time.After(5 * time.Second):
		close(release)
		t.Fatal("the first request did not start the check within 5s")
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

var errSentinel = errors.New("sentinel")

func TestTimeoutError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := New(WithStatusCheck("x", func(ctx context.Context) Result {
			<-ctx.Done()
			return Result{Err: fmt.Errorf("query: %w", errSentinel)}
		}, WithTimeout(100*time.Millisecond)))
		defer c.Close()
		st := c.getState()
		defer c.putState(st)
		c.evaluate(context.Background(), c.leaves, st)
		// The timer and the check's own return race at the deadline; both
		// say it timed out.
		if err := st.snaps[0].err; !errors.Is(err, context.DeadlineExceeded) || !strings.HasPrefix(err.Error(), "timed out after 100ms") {
			t.Errorf("err = %v", err)
		}
	})
	// Which of the two wins varies, so each shape is also checked directly.
	for _, tc := range []struct {
		err          error
		text         string
		wrapSentinel bool
	}{
		{&timeoutError{timeout: time.Second}, "timed out after 1s", false},
		{&timeoutError{timeout: time.Second, err: fmt.Errorf("query: %w", errSentinel)}, "timed out after 1s: query: sentinel", true},
	} {
		if got := tc.err.Error(); got != tc.text {
			t.Errorf("Error() = %q, want %q", got, tc.text)
		}
		if !errors.Is(tc.err, context.DeadlineExceeded) {
			t.Errorf("%q is not context.DeadlineExceeded", tc.text)
		}
		if got := errors.Is(tc.err, errSentinel); got != tc.wrapSentinel {
			t.Errorf("%q wraps the check's error: %v, want %v", tc.text, got, tc.wrapSentinel)
		}
	}
}
