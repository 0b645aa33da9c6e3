package lifecycle_test

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The tests in this file run the whole SIGTERM sequence (delay, drain,
// blocking tasks, hooks, exit code) in the test app (testdata/app), a real
// process on loopback driven with signals and HTTP. Process tests of one
// behaviour live in that behaviour's file (keepalive, drain, endpoint,
// management, hijack, signal).

func TestSIGTERMLetsInFlightRequestsFinish(t *testing.T) {
	t.Parallel()
	p := startApp(t, "-shutdown-delay", "1s", "-drain-timeout", "10s")
	c := newClient(t)

	const inFlight = 3
	results := make(chan result, inFlight)
	for i := range inFlight {
		go func() { results <- get(c, p.url(fmt.Sprintf("/slow?ms=2500&id=%d", i))) }()
	}
	for i := range inFlight {
		p.waitOutput(fmt.Sprintf("slow started %d", i))
	}
	p.signal(syscall.SIGTERM)
	p.waitOutput("shutdown started")

	// The delay: readiness fails, the app still serves new connections,
	// asking them to close.
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 20 * time.Second}
	if r := get(fresh, p.url("/readyz")); r.err != nil || r.status != http.StatusServiceUnavailable || !strings.Contains(r.body, "delaying") {
		t.Errorf("readiness during the delay = %d %q %v, want 503 delaying", r.status, r.body, r.err)
	}
	if r := get(c, p.url("/")); r.err != nil || r.status != http.StatusOK || !r.close {
		t.Errorf("app request during the delay = %d close=%v %v, want 200 with Connection: close", r.status, r.close, r.err)
	}

	// After the delay: the listener is closed while requests are in flight.
	p.waitOutput("listener closed")
	if _, err := net.DialTimeout("tcp", p.addr, time.Second); !isRefused(err) {
		t.Errorf("dial after the delay: %v, want connection refused", err)
	}
	for range inFlight {
		r := awaitWithin(t, results, 30*time.Second, "an in-flight request to end")
		if r.err != nil || r.status != http.StatusOK || r.body != "slow done\n" {
			t.Errorf("in-flight request = %d %q %v, want 200 slow done", r.status, r.body, r.err)
		}
		if !r.close {
			t.Error("in-flight response finished during the drain lacks Connection: close")
		}
	}
	if got := p.exitCode(); got != 0 {
		t.Errorf("exit code = %d, want 0", got)
	}
	assertOrder(t, p.out.String(), "shutdown started", "delay over", "servers drained", "shutdown complete")
}

func TestHooks(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		args     []string
		order    []string
		code     int
		contains string
	}{
		{"reverse registration order", []string{"-hooks", "3"}, []string{"hook h3", "hook h2", "hook h1", "shutdown complete"}, 0, "hook=h1"},
		{"a failing hook does not stop the others", []string{"-hooks", "2", "-failing-hook"},
			[]string{"hook failing", "hook h2", "hook h1"}, 1, `hook \"failing\": cannot flush`},
		{"a hung hook is cut at its timeout", []string{"-hooks", "2", "-hung-hook", "-hook-timeout", "300ms"},
			[]string{"hook hung started", "hook failed", "hook h2", "hook h1"}, 1, "cleanup hook timed out after 300ms"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := startApp(t, append([]string{"-shutdown-delay", "0"}, tc.args...)...)
			p.signal(syscall.SIGTERM)
			if got := p.exitCode(); got != tc.code {
				t.Errorf("exit code = %d, want %d", got, tc.code)
			}
			out := p.out.String()
			assertOrder(t, out, tc.order...)
			if !strings.Contains(out, tc.contains) {
				t.Errorf("output lacks %q", tc.contains)
			}
		})
	}
}

func TestBlockingTasks(t *testing.T) {
	t.Parallel()
	t.Run("hold the shutdown open until released", func(t *testing.T) {
		t.Parallel()
		p := startApp(t, "-shutdown-delay", "0", "-hooks", "1", "-task-ms", "300")
		// Without keep-alive: a connection idle for less than the idle
		// linger at the drain would hold the drain that long, past the task.
		once := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 20 * time.Second}
		if r := get(once, p.url("/hold?ms=800")); r.status != http.StatusAccepted {
			t.Fatalf("/hold = %d %v", r.status, r.err)
		}
		p.signal(syscall.SIGTERM)
		if got := p.exitCode(); got != 0 {
			t.Errorf("exit code = %d, want 0", got)
		}
		out := p.out.String()
		assertOrder(t, out, "servers drained", "waiting for blocking tasks", "task batch done", "job done", "blocking tasks done", "hook h1")
	})
	t.Run("bounded by the overall deadline", func(t *testing.T) {
		t.Parallel()
		p := startApp(t, "-shutdown-delay", "0", "-hooks", "1", "-shutdown-timeout", "1s")
		if r := get(newClient(t), p.url("/hold?ms=600000")); r.status != http.StatusAccepted {
			t.Fatalf("/hold = %d %v", r.status, r.err)
		}
		p.signal(syscall.SIGTERM)
		if got := p.exitCode(); got != 1 {
			t.Errorf("exit code = %d, want 1", got)
		}
		out := p.out.String()
		// The overall deadline is a hard bound: the hook cannot start
		// before it, and is skipped and named.
		assertOrder(t, out, "blocking tasks still held at the deadline", "cleanup hooks skipped at the deadline",
			"shutdown deadline reached: blocking tasks still held: job", "1 cleanup hooks not run: h1")
		if strings.Contains(out, "hook h1\n") {
			t.Error("the hook ran past the overall deadline")
		}
		if strings.Contains(out, "job done") {
			t.Error("the job finished; the test proves nothing")
		}
	})
	t.Run("a failed task triggers the shutdown", func(t *testing.T) {
		t.Parallel()
		p := startApp(t, "-shutdown-delay", "0", "-hooks", "1", "-task-fail-ms", "300")
		if got := p.exitCode(); got != 1 {
			t.Errorf("exit code = %d, want 1", got)
		}
		assertOrder(t, p.out.String(), `reason="task failer failed"`, "hook h1", `task \"failer\": queue lost`)
	})
}
