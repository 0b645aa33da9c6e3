package lifecycle_test

// Helpers to run a Lifecycle inside the test process and to wait for it,
// each bounded: a test that breaks fails within seconds with what it
// awaited, never at go test's timeout.

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/actuatorgo/actuator/lifecycle"
)

// runInProcess starts l.Run with servers and waits until it serves.
func runInProcess(t *testing.T, l *lifecycle.Lifecycle, servers ...*http.Server) ([]net.Addr, <-chan error) {
	t.Helper()
	runErr := make(chan error, 1)
	go func() { runErr <- l.Run(context.Background(), servers...) }()
	return waitReady(t, l, runErr), runErr
}

// waitRun waits up to limit for Run to return and reports its error and
// how long it took from since.
func waitRun(t *testing.T, runErr <-chan error, since time.Time, limit time.Duration) (time.Duration, error) {
	t.Helper()
	select {
	case err := <-runErr:
		return time.Since(since), err
	case <-time.After(limit):
		t.Fatalf("Run did not return within %s", limit)
		return 0, nil
	}
}

// textLogger logs as text into o, for tests that read the lifecycle's log.
func textLogger(o *output) *slog.Logger { return slog.New(slog.NewTextHandler(o, nil)) }

// waitReady polls until l serves and is ready, and returns its bound
// addresses; it fails the test when Run returns first or after 10 s.
func waitReady(t *testing.T, l *lifecycle.Lifecycle, runErr <-chan error) []net.Addr {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if l.Phase() == lifecycle.PhaseServing && l.Ready() {
			return l.Addrs()
		}
		select {
		case err := <-runErr:
			t.Fatalf("Run returned early: %v", err)
		case <-time.After(5 * time.Millisecond):
		}
	}
	t.Fatal("not ready after 10s")
	return nil
}

// waitUntil polls cond every 10 ms until it holds, failing the test with
// what was awaited once limit has passed.
func waitUntil(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", limit, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitLimit bounds the waits of the in-process tests for something that
// happens at once when the code works: past it, it is not going to.
const waitLimit = 10 * time.Second

// await receives from ch, failing the test with what it awaited when
// nothing comes within waitLimit.
func await[T any](t testing.TB, ch <-chan T, what string) T {
	t.Helper()
	return awaitWithin(t, ch, waitLimit, what)
}

// awaitWithin receives from ch, failing the test with what it awaited when
// nothing comes within limit.
func awaitWithin[T any](t testing.TB, ch <-chan T, limit time.Duration, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(limit):
		t.Fatalf("waited %s for %s", limit, what)
		var zero T
		return zero
	}
}

// awaitGroup waits for wg, failing the test with what it awaited when it
// is not done within limit.
func awaitGroup(t testing.TB, wg *sync.WaitGroup, limit time.Duration, what string) {
	t.Helper()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(limit):
		t.Fatalf("waited %s for %s", limit, what)
	}
}

// runBounded calls l.Run and returns its result, failing the test when Run
// does not return within waitLimit.
func runBounded(t *testing.T, ctx context.Context, l *lifecycle.Lifecycle, servers ...*http.Server) error {
	t.Helper()
	runErr := make(chan error, 1)
	go func() { runErr <- l.Run(ctx, servers...) }()
	return await(t, runErr, "Run to return")
}
