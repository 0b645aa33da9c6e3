package health

import (
	"context"
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
		WithCheck("bg", func(context.Context) error { calls.Add(1); return nil }, Background(time.Hour, 0)),
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
				c := New(WithCheck("bg", func(context.Context) error { calls.Add(1); return nil }, Background(10*time.Second, time.Second)))
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
		c := New(WithCheck("bg", func(context.Context) error { calls.Add(1); return nil }, Background(time.Second, 0)))
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

// A listener may use the variable New's result is assigned to: nothing
// calls it before New has returned.
func TestListenerMayUseTheCheckerVariable(t *testing.T) {
	var c *Checker
	seen := make(chan bool, 1)
	c = New(
		WithCheck("bg", up, Background(time.Hour, 0)),
		WithListener(func(string, Status, Status) {
			select {
			case seen <- c != nil:
			default:
			}
		}),
	)
	defer c.Close()
	c.Start()
	select {
	case ok := <-seen:
		if !ok {
			t.Error("the listener ran before New returned")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the background check never reported")
	}
}
