package health

import (
	"bytes"
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

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
