package health

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"
)

func TestInlineCheck(t *testing.T) {
	var ready atomic.Bool
	ready.Store(true)
	var calls atomic.Int32
	var transitions []string
	state := func(context.Context) Result {
		calls.Add(1)
		if ready.Load() {
			return Result{Status: Up}
		}
		return Result{Status: OutOfService, Details: map[string]any{"phase": "draining"}}
	}
	c := New(
		WithStatusCheck("readinessState", state, Groups("readiness"), Inline()),
		WithListener(func(name string, from, to Status) { transitions = append(transitions, string(from)+">"+string(to)) }),
		WithShowDetails(Always),
	)
	defer c.Close()

	before := runtime.NumGoroutine()
	for i := 0; i < 5; i++ {
		if r := serve(c, "/readiness"); r.code != 200 || r.body != `{"status":"UP"}` {
			t.Fatalf("ready: %d %s", r.code, r.body)
		}
	}
	if got := runtime.NumGoroutine(); got > before {
		t.Errorf("inline checks started goroutines: %d -> %d", before, got)
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
	c := New(WithStatusCheck("boom", func(context.Context) Result { panic("kaboom") }, Inline()), WithShowDetails(Always))
	defer c.Close()
	r := serve(c, "/boom")
	if r.code != 503 {
		t.Fatalf("panicking inline check = %d %s", r.code, r.body)
	}
	if got := r.json(t)["details"].(map[string]any)["error"]; got != "panic: kaboom" {
		t.Errorf("error detail = %v", got)
	}
}
