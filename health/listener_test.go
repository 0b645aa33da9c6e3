package health

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// A listener that calls back into the Checker from its callback, while the
// check it is told about changes status again, must not deadlock: not for
// inline checks (called from the request's own goroutine) nor for ordinary
// ones.
func TestListenerReentrancy(t *testing.T) {
	for _, isInline := range []bool{true, false} {
		name := "ordinary"
		if isInline {
			name = "inline"
		}
		t.Run(name, func(t *testing.T) {
			var calls atomic.Int64
			// Alternates UP, DOWN, UP, ...: every run is a transition.
			flip := func(context.Context) error {
				if calls.Add(1)%2 == 0 {
					return errors.New("flipped")
				}
				return nil
			}
			var opts []CheckOption
			if isInline {
				opts = append(opts, inline())
			}
			var c *Checker
			var mu sync.Mutex
			var seen []string
			depth := atomic.Int64{}
			c = New(
				WithCheck("flip", flip, opts...),
				WithListener(func(name string, from, to Status) {
					mu.Lock()
					seen = append(seen, string(from)+">"+string(to))
					mu.Unlock()
					// Re-enter a bounded number of times.
					if depth.Add(1) <= 3 {
						c.Check(context.Background())
						serve(c, "/flip")
					}
				}),
			)
			defer c.Close()
			if !checkWithin(t, 5*time.Second, "Check with a re-entrant listener", func() { c.Check(context.Background()) }) {
				return
			}
			// Every listener call must have returned and been reported in order.
			waitFor(t, 5*time.Second, "four transitions, each told once", func() bool {
				mu.Lock()
				n := len(seen)
				mu.Unlock()
				return int64(n) == depth.Load() && n >= 4
			})
			mu.Lock()
			defer mu.Unlock()
			if len(seen) < 4 {
				t.Fatalf("transitions seen %v, want at least 4", seen)
			}
			want := []string{"UNKNOWN>UP", "UP>DOWN", "DOWN>UP", "UP>DOWN"}
			for i, w := range want {
				if seen[i] != w {
					t.Fatalf("transitions %v, want them to start with %v", seen, want)
				}
			}
		})
	}
}

// A listener may call Close, even for a transition found by a background
// check's own loop (a hung run reaching its failure threshold): Close waits
// for the loops, so the loop must not be the one calling the listener.
func TestListenerClosesChecker(t *testing.T) {
	release := make(chan struct{})
	var calls atomic.Int64
	var c *Checker
	closed := make(chan struct{})
	var once sync.Once
	c = New(
		WithCheck("dep", func(context.Context) error {
			if calls.Add(1) == 1 {
				return nil // UP first
			}
			<-release // then hangs, ignoring its context
			return nil
		}, WithBackground(time.Millisecond, 0), WithTimeout(5*time.Millisecond), WithFailureThreshold(2)),
		WithListener(func(_ string, _, to Status) {
			if to == Down {
				c.Close()
				once.Do(func() { close(closed) })
			}
		}),
	)
	c.Start() // c is set: New starts no background check
	defer close(release)
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("the listener's Close did not return (deadlock)")
	}
	if got := c.Check(context.Background()).Components["dep"].Status; got != Down {
		t.Errorf("after Close: %s, want DOWN", got)
	}
}

// Transitions produced by many goroutines at once (an inline check that
// flips on every call, probed concurrently) reach the listener one at a
// time and as a chain: each change starts where the previous one ended.
func TestListenerChainUnderConcurrency(t *testing.T) {
	var calls atomic.Int64
	var inListener atomic.Int32
	var mu sync.Mutex
	var seen [][2]Status
	c := New(
		WithCheck("flip", func(context.Context) error {
			if calls.Add(1)%2 == 0 {
				return errors.New("flipped")
			}
			return nil
		}, inline()),
		WithListener(func(_ string, from, to Status) {
			if inListener.Add(1) != 1 {
				t.Error("listener called concurrently for one check")
			}
			mu.Lock()
			seen = append(seen, [2]Status{from, to})
			mu.Unlock()
			runtime.Gosched()
			inListener.Add(-1)
		}),
	)
	defer c.Close()
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				serve(c, "/flip")
			}
		}()
	}
	if !checkWithin(t, 20*time.Second, "concurrent probes", wg.Wait) {
		return
	}
	// Transitions are told by the requests that made them, before they
	// return: once every request has returned, none is left to tell.
	if n := inListener.Load(); n != 0 {
		t.Fatalf("%d listener calls still running after every request returned", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) < 2 || seen[0] != [2]Status{Unknown, Up} {
		t.Fatalf("first transitions %v", seen[:min(len(seen), 3)])
	}
	for i := 1; i < len(seen); i++ {
		if seen[i][0] != seen[i-1][1] || seen[i][0] == seen[i][1] {
			t.Fatalf("transition %d %v does not follow %v", i, seen[i], seen[i-1])
		}
	}
}

func TestListenerPanicAndLogging(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var buf bytes.Buffer
		var mu sync.Mutex
		logger := slog.New(slog.NewJSONHandler(&lockedWriter{w: &buf, mu: &mu}, nil))
		c := New(
			WithCheck("bad", func(context.Context) error { panic("kaboom") }),
			WithCheck("slow", func(ctx context.Context) error { time.Sleep(60 * time.Millisecond); return nil }, WithTimeout(100*time.Millisecond)),
			WithCheck("hang", blockUntilDone, WithTimeout(10*time.Millisecond)),
			WithListener(func(string, Status, Status) { panic("listener boom") }),
			WithLogger(logger),
		)
		defer c.Close()
		c.Check(context.Background())
		synctest.Wait()
		mu.Lock()
		defer mu.Unlock()
		var msgs []string
		for line := range bytes.Lines(buf.Bytes()) {
			var rec struct {
				Msg   string `json:"msg"`
				Check string `json:"check"`
			}
			if err := json.Unmarshal(line, &rec); err != nil {
				t.Fatalf("log line %q: %v", line, err)
			}
			msgs = append(msgs, rec.Msg+" "+rec.Check)
		}
		for _, want := range []string{
			"health: check panicked bad",
			"health: slow check slow",
			"health: check timed out hang",
			"health: status changed bad",
			"health: status changed slow",
			"health: listener panicked hang",
		} {
			if !slices.Contains(msgs, want) {
				t.Errorf("no log %q in %q", want, msgs)
			}
		}
	})
}

// A listener may use the variable New's result is assigned to: nothing
// calls it before New has returned.
func TestListenerMayUseTheCheckerVariable(t *testing.T) {
	var c *Checker
	seen := make(chan bool, 1)
	c = New(
		WithCheck("bg", up, WithBackground(time.Hour, 0)),
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
