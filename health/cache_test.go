package health

import (
	"context"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// TestHangingCheckUnderProbeStorm sends 1,000 concurrent probe requests to a
// checker whose check ignores its context and never returns (until the test
// releases it): every request answers DOWN at the deadline, the check runs
// once, and it holds a single goroutine.
func TestHangingCheckUnderProbeStorm(t *testing.T) {
	release := make(chan struct{})
	var calls atomic.Int32
	hang := func(context.Context) error {
		calls.Add(1)
		<-release // ignores its context
		return nil
	}
	c := New(WithCheck("hang", hang, WithGroups(GroupReadiness)), WithCheck("ok", up), WithDefaultTimeout(100*time.Millisecond))
	stop := func() {
		close(release)
		c.Close()
	}
	defer func() {
		if release != nil {
			stop()
		}
	}()
	before := runtime.NumGoroutine()

	const probes = 1000
	for wave := range 2 {
		var wg sync.WaitGroup
		var bad atomic.Int32
		gate := make(chan struct{})
		for i := range probes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-gate
				path := ""
				if i%2 == 1 {
					path = "/readiness"
				}
				res := serve(c, path)
				if res.code != http.StatusServiceUnavailable {
					bad.Add(1)
				}
			}()
		}
		// Sample the goroutine count while the probes are in flight: the
		// probes' own goroutines, the hung check's one, and nothing per probe.
		var peak atomic.Int64
		sampled := make(chan struct{})
		stopSampling := make(chan struct{})
		go func() {
			defer close(sampled)
			tick := time.NewTicker(time.Millisecond)
			defer tick.Stop()
			for {
				if n := int64(runtime.NumGoroutine()); n > peak.Load() {
					peak.Store(n)
				}
				select {
				case <-stopSampling:
					return
				case <-tick.C:
				}
			}
		}()
		close(gate)
		wg.Wait()
		close(stopSampling)
		<-sampled
		// probes + the sampler + the hung check, plus a few runtime and
		// timer goroutines that come and go.
		const slack = 8
		t.Logf("wave %d: peak %d goroutines over the %d before", wave, int(peak.Load())-before, before)
		if extra := int(peak.Load()) - before; extra > probes+2+slack {
			t.Errorf("wave %d: peak of %d goroutines over the %d before, want at most %d", wave, extra, before, probes+2+slack)
		}
		if n := bad.Load(); n != 0 {
			t.Errorf("wave %d: %d of %d probes did not answer 503", wave, n, probes)
		}
		// The hung check holds exactly one goroutine, whatever the number of
		// probes. Timer goroutines may linger a moment, so allow them to end.
		if extra := extraGoroutines(before, 1); extra > 1 {
			t.Errorf("wave %d: %d goroutines more than before the probes, want at most 1", wave, extra)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("hung check ran %d times, want 1", n)
	}
	r := c.Check(context.Background())
	if got := r.Components["hang"].Details["error"]; got != "timed out after 100ms" {
		t.Errorf("error = %v", got)
	}
	stop()
	release = nil
}

func TestSingleFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int32
		release := make(chan struct{})
		c := New(WithCheck("db", func(ctx context.Context) error {
			calls.Add(1)
			select {
			case <-release:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}))
		defer c.Close()
		const n = 50
		codes := make(chan int, n)
		for range n {
			go func() { codes <- serve(c, "/db").code }()
		}
		synctest.Wait() // every request is waiting for the one run
		if got := calls.Load(); got != 1 {
			t.Fatalf("%d runs for %d concurrent requests, want 1", got, n)
		}
		close(release)
		for range n {
			if code := <-codes; code != 200 {
				t.Errorf("code = %d", code)
			}
		}
		// A later request runs the check again: there is no TTL.
		serve(c, "/db")
		if got := calls.Load(); got != 2 {
			t.Errorf("runs = %d, want 2", got)
		}
	})
}

func TestTTL(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int32
		c := New(WithCheck("db", func(context.Context) error { calls.Add(1); return nil }, WithTTL(time.Second)), WithCheck("nocache", up))
		defer c.Close()
		for range 10 {
			serve(c, "")
			time.Sleep(50 * time.Millisecond)
		}
		if got := calls.Load(); got != 1 {
			t.Errorf("runs within the TTL = %d, want 1", got)
		}
		time.Sleep(time.Second)
		serve(c, "/db")
		if got := calls.Load(); got != 2 {
			t.Errorf("runs after the TTL = %d, want 2", got)
		}
	})
}
