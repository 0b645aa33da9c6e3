package health

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// TestHungCheckReachesFailureThreshold: a check that hangs (ignoring its
// context) keeps failing while it is due and still running, so a failure
// threshold is reached: before, the first timeout was reported as UP under
// the threshold and then served forever.
func TestHungCheckReachesFailureThreshold(t *testing.T) {
	t.Run("on demand", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var calls atomic.Int32
			release := make(chan struct{})
			var transitions []string
			var mu sync.Mutex
			c := New(WithCheck("hang", func(context.Context) error {
				if calls.Add(1) > 1 {
					<-release // ignores its context
				}
				return nil
			}, WithFailureThreshold(3), WithTimeout(100*time.Millisecond)),
				WithListener(func(name string, from, to Status) {
					mu.Lock()
					defer mu.Unlock()
					transitions = append(transitions, fmt.Sprintf("%s>%s", from, to))
				}))
			defer c.Close()
			var got []Status
			for range 5 { // a probe every second
				got = append(got, c.Check(context.Background()).Status)
				time.Sleep(time.Second)
			}
			if want := []Status{Up, Up, Up, Down, Down}; !slices.Equal(got, want) {
				t.Errorf("reported %v, want %v", got, want)
			}
			// Requests within the timeout of the last result share it, as
			// they would share a run: a burst counts once.
			c2 := New(WithCheck("hang", func(context.Context) error { <-release; return nil },
				WithFailureThreshold(3), WithTimeout(100*time.Millisecond)))
			defer c2.Close()
			c2.Check(context.Background()) // the first result, a timeout, is DOWN as it is
			for range 10 {
				if st := c2.Check(context.Background()).Status; st != Down {
					t.Fatalf("burst: %s", st)
				}
			}
			c2.leaves[0].mu.Lock()
			fails := c2.leaves[0].fails
			c2.leaves[0].mu.Unlock()
			if fails != 1 {
				t.Errorf("a burst within the timeout counted %d failures, want 1", fails)
			}
			if n := calls.Load(); n != 2 {
				t.Errorf("check started %d times, want 2 (no second goroutine while hung)", n)
			}
			close(release)
			synctest.Wait()
			if st := c.Check(context.Background()).Status; st != Up {
				t.Errorf("after the hung run returned: %s, want UP", st)
			}
			synctest.Wait()
			mu.Lock()
			defer mu.Unlock()
			if want := []string{"UNKNOWN>UP", "UP>DOWN", "DOWN>UP"}; !slices.Equal(transitions, want) {
				t.Errorf("listener saw %v, want %v", transitions, want)
			}
		})
	})
	t.Run("background", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var calls atomic.Int32
			release := make(chan struct{})
			c := New(WithCheck("hang", func(context.Context) error {
				if calls.Add(1) > 1 {
					<-release
				}
				return nil
			}, WithFailureThreshold(3), WithTimeout(100*time.Millisecond), WithBackground(time.Second, 0)))
			defer c.Close()
			c.Start()
			synctest.Wait()
			var got []Status
			// The second run starts at 1 s, hangs and times out at 1.1 s
			// (1 failure); the next ticks come an interval after that, at
			// 2.1 s and 3.1 s, and find it still running (2, 3).
			for range 5 {
				time.Sleep(time.Second)
				synctest.Wait()
				got = append(got, c.Check(context.Background()).Status)
			}
			if want := []Status{Up, Up, Up, Down, Down}; !slices.Equal(got, want) {
				t.Errorf("reported %v, want %v", got, want)
			}
			if n := calls.Load(); n != 2 {
				t.Errorf("check started %d times, want 2", n)
			}
			close(release)
			synctest.Wait()
		})
	})
}

// TTL, FailureThreshold and SuccessThreshold together, under concurrent
// requests (run with -race): single-flight and the TTL mean each run counts
// once, so the thresholds see exactly the sequence of runs.
func TestTTLAndThresholdsUnderConcurrency(t *testing.T) {
	var runs atomic.Int64
	var down atomic.Bool
	var mu sync.Mutex
	var seen []string
	c := New(
		WithCheck("dep", func(context.Context) error {
			runs.Add(1)
			if down.Load() {
				return errors.New("down")
			}
			return nil
		}, WithTTL(time.Hour), WithFailureThreshold(3), WithSuccessThreshold(2)),
		WithListener(func(_ string, from, to Status) {
			mu.Lock()
			seen = append(seen, string(from)+">"+string(to))
			mu.Unlock()
		}),
	)
	defer c.Close()
	clock := time.Unix(0, 0)
	var clockMu sync.Mutex
	c.now = func() time.Time { clockMu.Lock(); defer clockMu.Unlock(); return clock }
	advance := func() { clockMu.Lock(); clock = clock.Add(2 * time.Hour); clockMu.Unlock() }

	// burst sends 50 concurrent requests and returns the statuses seen.
	burst := func() map[string]int {
		var wg sync.WaitGroup
		var smu sync.Mutex
		got := map[string]int{}
		for i := 0; i < 50; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s := serve(c, "/dep").json(t)["status"].(string)
				smu.Lock()
				got[s]++
				smu.Unlock()
			}()
		}
		wg.Wait()
		return got
	}
	steps := []struct {
		down bool
		want Status
	}{
		{false, Up},   // first result as is
		{true, Up},    // 1st failure
		{true, Up},    // 2nd
		{true, Down},  // 3rd: threshold reached
		{false, Down}, // 1st success
		{false, Up},   // 2nd: back UP
		{true, Up},
		{false, Up}, // the failure streak restarts
		{true, Up},
		{true, Up},
		{true, Down},
	}
	for i, s := range steps {
		down.Store(s.down)
		before := runs.Load()
		got := burst()
		if len(got) != 1 || got[string(s.want)] != 50 {
			t.Fatalf("step %d: statuses %v, want all %s", i, got, s.want)
		}
		if n := runs.Load() - before; n != 1 {
			t.Fatalf("step %d: %d runs for a burst, want 1 (TTL and single-flight)", i, n)
		}
		advance()
	}
	mu.Lock()
	defer mu.Unlock()
	want := "UNKNOWN>UP UP>DOWN DOWN>UP UP>DOWN"
	if got := strings.Join(seen, " "); got != want {
		t.Errorf("transitions %q, want %q", got, want)
	}
}

// TestThresholds runs one table through an ordinary and an inline check:
// the reported status follows FailureThreshold and SuccessThreshold, and
// the listener is told each reported change once. For the inline check, the
// fast path that reuses the last result must not skip the counters.
func TestThresholds(t *testing.T) {
	const U, D, O = Up, Down, OutOfService
	tests := []struct {
		name       string
		fail, succ int
		raw        []Status
		want       []Status
	}{
		{"defaults follow every change", 1, 1, []Status{U, D, U, O, D}, []Status{U, D, U, O, D}},
		{"failure threshold 3", 3, 1, []Status{U, D, D, D, D, U}, []Status{U, U, U, D, D, U}},
		{"failure streak broken", 3, 1, []Status{U, D, D, U, D, D, D}, []Status{U, U, U, U, U, U, D}},
		{"failure streak broken early", 3, 1, []Status{U, D, U, D, D, U}, []Status{U, U, U, U, U, U}},
		{"failure streak broken twice", 3, 1, []Status{U, D, U, U, D, D, D}, []Status{U, U, U, U, U, U, D}},
		{"success threshold 2", 1, 2, []Status{U, D, U, D, U, U}, []Status{U, D, D, D, D, U}},
		{"success streak broken", 1, 3, []Status{D, U, D, U, U}, []Status{D, D, D, D, D}},
		{"success streak broken by repeated DOWN", 1, 3, []Status{D, O, D, D, U, U, U}, []Status{D, D, D, D, D, D, U}},
		{"first result is taken as is", 3, 3, []Status{D, U, U, U}, []Status{D, D, D, U}},
		{"changes between non-DOWN statuses are immediate", 3, 3, []Status{U, O, U}, []Status{U, O, U}},
	}
	for _, kind := range []struct {
		name string
		opts []CheckOption
	}{
		{"ordinary", nil},
		{"inline", []CheckOption{inline()}},
	} {
		t.Run(kind.name, func(t *testing.T) {
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					synctest.Test(t, func(t *testing.T) {
						i := 0
						var transitions []string
						c := New(
							WithStatusCheck("x", func(context.Context) Result { i++; return Result{Status: tc.raw[i-1]} },
								append(kind.opts, WithFailureThreshold(tc.fail), WithSuccessThreshold(tc.succ))...),
							WithListener(func(name string, from, to Status) {
								transitions = append(transitions, fmt.Sprintf("%s:%s>%s", name, from, to))
							}),
						)
						defer c.Close()
						var got []Status
						var want []string
						prev := Unknown
						for j := range tc.raw {
							got = append(got, c.Check(context.Background()).Status)
							if tc.want[j] != prev {
								want = append(want, fmt.Sprintf("x:%s>%s", prev, tc.want[j]))
								prev = tc.want[j]
							}
						}
						if !slices.Equal(got, tc.want) {
							t.Errorf("reported %v, want %v", got, tc.want)
						}
						synctest.Wait()
						if !slices.Equal(transitions, want) {
							t.Errorf("listener saw %v, want %v", transitions, want)
						}
					})
				})
			}
		})
	}
}
