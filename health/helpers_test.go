package health

import (
	"bytes"
	"runtime"
	"sync"
	"testing"
	"time"
)

// checkWithin runs fn in a goroutine and fails the test if it has not
// returned within d: the way to detect a deadlock without hanging the suite.
func checkWithin(t *testing.T, d time.Duration, what string, fn func()) bool {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); fn() }()
	select {
	case <-done:
		return true
	case <-time.After(d):
		t.Errorf("%s: did not return within %v (deadlock)", what, d)
		return false
	}
}

// waitUntil polls cond every millisecond until it holds or timeout passes,
// and reports whether it held.
func waitUntil(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(time.Millisecond)
	}
	return true
}

// waitFor polls cond until it holds, and fails the test, naming what did
// not happen, if it still does not after timeout.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	if !waitUntil(timeout, cond) {
		t.Fatalf("%s: did not happen within %v", what, timeout)
	}
}

// extraGoroutines polls, for up to 5 seconds, until at most max goroutines
// more than before are running (timer and runtime goroutines come and go),
// and returns how many more there were at the last look.
func extraGoroutines(before, max int) int {
	deadline := time.Now().Add(5 * time.Second)
	for {
		extra := runtime.NumGoroutine() - before
		if extra <= max || time.Now().After(deadline) {
			return extra
		}
		time.Sleep(time.Millisecond)
	}
}

// lockedWriter serialises writes to a buffer shared with a logger.
type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
