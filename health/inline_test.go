package health

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

func TestInlineCheck(t *testing.T) {
	var ready atomic.Bool
	ready.Store(true)
	var calls atomic.Int32
	var transitions []string
	state := func() Result {
		calls.Add(1)
		if ready.Load() {
			return Result{Status: Up}
		}
		return Result{Status: OutOfService, Details: map[string]any{"phase": "draining"}}
	}
	c := New(
		WithStateCheck("readinessState", state, WithGroups("readiness")),
		WithListener(func(name string, from, to Status) { transitions = append(transitions, string(from)+">"+string(to)) }),
		WithDefaultShowDetails(Always),
	)
	defer c.Close()

	before := runtime.NumGoroutine()
	for i := 0; i < 5; i++ {
		if r := serve(c, "/readiness"); r.code != 200 || r.body != `{"status":"UP"}` {
			t.Fatalf("ready: %d %s", r.code, r.body)
		}
	}
	if extra := extraGoroutines(before, 0); extra > 0 {
		t.Errorf("inline checks started goroutines: %d more than the %d before", extra, before)
	}
	if got := calls.Load(); got != 5 {
		t.Errorf("inline check ran %d times for 5 requests, want 5 (never cached)", got)
	}

	ready.Store(false)
	r := serve(c, "/readinessState")
	if r.code != 503 || r.json(t)["details"].(map[string]any)["phase"] != "draining" {
		t.Errorf("not ready: %d %s", r.code, r.body)
	}
	ready.Store(true)
	if r := serve(c, "/readiness"); r.code != 200 {
		t.Errorf("ready again: %d %s", r.code, r.body)
	}
	want := []string{"UNKNOWN>UP", "UP>OUT_OF_SERVICE", "OUT_OF_SERVICE>UP"}
	if len(transitions) != len(want) {
		t.Fatalf("transitions = %v, want %v", transitions, want)
	}
	for i := range want {
		if transitions[i] != want[i] {
			t.Errorf("transitions = %v, want %v", transitions, want)
		}
	}
}

func TestInlineCheckPanics(t *testing.T) {
	c := New(WithStatusCheck("boom", func(context.Context) Result { panic("kaboom") }, inline()), WithDefaultShowDetails(Always))
	defer c.Close()
	r := serve(c, "/boom")
	if r.code != 503 {
		t.Fatalf("panicking inline check = %d %s", r.code, r.body)
	}
	if got := r.json(t)["details"].(map[string]any)["error"]; got != "panic: kaboom" {
		t.Errorf("error detail = %v", got)
	}
}

// TestInlineIgnoresBackground: Background does not apply to an inline check,
// as documented; no goroutine of its own runs it.
func TestInlineIgnoresBackground(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int32
		c := New(WithStatusCheck("state", func(context.Context) Result { calls.Add(1); return Result{} },
			inline(), WithBackground(time.Second, 0)))
		defer c.Close()
		time.Sleep(time.Minute)
		synctest.Wait()
		if got := calls.Load(); got != 0 {
			t.Errorf("inline check ran %d times with no request, want 0", got)
		}
		if r := c.Check(context.Background()); r.Status != Up || calls.Load() != 1 {
			t.Errorf("Check = %+v after %d runs, want UP after 1", r, calls.Load())
		}
	})
}

// TestInlinePanicLogged: a panicking inline check is logged like any other.
func TestInlinePanicLogged(t *testing.T) {
	var buf bytes.Buffer
	var mu sync.Mutex
	c := New(WithStatusCheck("boom", func(context.Context) Result { panic("kaboom") }, inline()),
		WithLogger(slog.New(slog.NewTextHandler(&lockedWriter{w: &buf, mu: &mu}, nil))))
	defer c.Close()
	c.Check(context.Background())
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(buf.String(), `msg="health: check panicked" check=boom error="panic: kaboom"`) {
		t.Errorf("log = %s", buf.String())
	}
}

// TestInlineSteadyStateAllocatesNothing: a steady inline check reuses its
// last result (the fast path kept by the threshold fix).
func TestInlineSteadyStateAllocatesNothing(t *testing.T) {
	c := New(WithStatusCheck("state", status(Up, nil), inline(), WithFailureThreshold(3), WithSuccessThreshold(2)))
	defer c.Close()
	ctx := context.Background()
	c.Check(ctx)       // the first result
	st := c.getState() // not pooled per run: the race detector makes sync.Pool drop items
	defer c.putState(st)
	allocs := testing.AllocsPerRun(100, func() {
		c.evaluate(ctx, c.leaves, st)
		clear(st.snaps)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per steady inline evaluation, want 0", allocs)
	}
}

// A state check is not timed: it answers from memory, so reading the
// clock would cost more than the check. Its details hold no "duration"
// (Spring Boot's livenessState shows none), and a steady state check reads
// no clock at all.
func TestStateCheckIsNotTimed(t *testing.T) {
	var failing atomic.Bool
	c := New(
		WithStateCheck("state", func() Result {
			if failing.Load() {
				return Result{Status: Down, Err: errors.New("flag down")}
			}
			return Result{Status: Up}
		}),
		WithDefaultShowDetails(Always),
	)
	defer c.Close()
	var reads atomic.Int32
	c.now = func() time.Time { reads.Add(1); return time.Now() }

	if r := serve(c, "/state"); r.code != 200 || r.body != `{"status":"UP"}` {
		t.Errorf("UP: %d %s, want no details", r.code, r.body)
	}
	reads.Store(0)
	for range 10 {
		serve(c, "/state")
		serve(c, "")
	}
	if n := reads.Load(); n != 0 {
		t.Errorf("20 requests to a steady state check read the clock %d times, want 0", n)
	}
	failing.Store(true)
	if r := serve(c, "/state"); r.code != 503 || r.body != `{"status":"DOWN","details":{"error":"flag down"}}` {
		t.Errorf("DOWN: %d %s, want the error without a duration", r.code, r.body)
	}
	rep := c.Check(context.Background())
	if d := rep.Components["state"].Details; d["duration"] != nil || d["error"] != "flag down" {
		t.Errorf("Check details = %v, want the error without a duration", d)
	}
}
