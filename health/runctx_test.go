package health

import (
	"context"
	"errors"
	"testing"
	"time"
)

// A request's run has no timer of its own for its context (runCtx); these
// check that what a check sees of its context is what
// context.WithTimeout would give it.

func TestRunContextHasTheCheckDeadline(t *testing.T) {
	var hasDeadline bool
	c := New(WithCheck("db", func(ctx context.Context) error {
		_, hasDeadline = ctx.Deadline()
		return ctx.Err()
	}, WithTimeout(time.Hour)))
	defer c.Close()
	if got, want := c.Check(context.Background()).Status, Up; got != want {
		t.Errorf("status = %s, want %s", got, want)
	}
	if !hasDeadline {
		t.Error("the check's context has no deadline")
	}
}

func TestRunContextKeepsTheRequestValues(t *testing.T) {
	type key struct{}
	var got any
	c := New(WithCheck("db", func(ctx context.Context) error {
		got = ctx.Value(key{})
		return nil
	}))
	defer c.Close()
	ctx, cancel := context.WithCancel(context.WithValue(context.Background(), key{}, "v"))
	defer cancel()
	c.Check(ctx)
	if got != "v" {
		t.Errorf("value = %v, want v", got)
	}
}

func TestContextDerivedFromARunEndsAtItsTimeout(t *testing.T) {
	var childErr, cause error
	c := New(WithCheck("db", func(ctx context.Context) error {
		child, cancel := context.WithCancel(ctx)
		defer cancel()
		<-child.Done()
		childErr, cause = child.Err(), context.Cause(ctx)
		return child.Err()
	}, WithTimeout(10*time.Millisecond)))
	defer c.Close()
	if got, want := c.Check(context.Background()).Status, Down; got != want {
		t.Errorf("status = %s, want %s", got, want)
	}
	// The run's goroutine sets the errors after the timeout was reported:
	// wait for it to return.
	running := func() bool {
		l := c.leaves[0]
		l.mu.Lock()
		defer l.mu.Unlock()
		return l.running
	}
	for running() {
		time.Sleep(time.Millisecond)
	}
	if !errors.Is(childErr, context.DeadlineExceeded) || !errors.Is(cause, context.DeadlineExceeded) {
		t.Errorf("derived context ended with %v (cause %v), want context.DeadlineExceeded", childErr, cause)
	}
}

func TestRunContextAfterFuncStops(t *testing.T) {
	r := &runCtx{Context: context.Background(), deadline: time.Now().Add(time.Hour)}
	ran := make(chan struct{}, 1)
	stop := r.AfterFunc(func() { ran <- struct{}{} })
	if !stop() {
		t.Error("stop() = false before the run ended")
	}
	r.cancel()
	if stop() {
		t.Error("stop() = true twice")
	}
	select {
	case <-ran:
		t.Error("a stopped AfterFunc ran")
	default:
	}
	if got, want := r.Err(), context.Canceled; got != want {
		t.Errorf("Err() = %v, want %v", got, want)
	}
	<-r.Done() // closed
	r.AfterFunc(func() { ran <- struct{}{} })
	<-ran // an AfterFunc after the end runs at once
}
