package actuator_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/actuatorgo/actuator"
	"github.com/actuatorgo/actuator/health"
	"github.com/actuatorgo/actuator/lifecycle"
)

// startRun runs a.Run on a loopback server in the background and returns
// once it serves, with readiness on. The returned channel yields Run's
// result.
func startRun(t *testing.T, a *actuator.Actuator) (string, <-chan error) {
	t.Helper()
	serving := make(chan struct{}, 1)
	srv := &http.Server{
		Addr:    "127.0.0.1:0",
		Handler: a.Middleware(http.NotFoundHandler()),
		// Serve calls BaseContext once, before it accepts: Run has bound
		// the listener and is starting to serve.
		BaseContext: func(net.Listener) context.Context {
			select {
			case serving <- struct{}{}:
			default:
			}
			return context.Background()
		},
	}
	done := make(chan error, 1)
	go func() { done <- a.Run(context.Background(), srv) }()
	receive(t, serving, "call of Serve")
	// Addrs waits for Run to finish starting, readiness on.
	addrs := a.Lifecycle().Addrs()
	if len(addrs) == 0 {
		t.Fatal("Run serves but reports no address")
	}
	base := "http://" + addrs[0].String()
	if body, code := get(t, base+"/actuator/health/readiness"); code != http.StatusOK {
		t.Fatalf("readiness once serving = %d %s, want 200", code, body)
	}
	return base, done
}

func post(t *testing.T, url, auth string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("POST", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// TestShutdownEndpointRunsTheSequence drives the whole wiring: POST
// /shutdown behind a token, readiness OUT_OF_SERVICE with its phase while
// liveness stays UP, cleanup hooks, and a clean result from Run.
func TestShutdownEndpointRunsTheSequence(t *testing.T) {
	a := newActuator(t,
		actuator.WithShutdownEndpoint(),
		actuator.WithAuthorizer(actuator.BearerToken("t0k")),
		actuator.WithLifecycleOptions(lifecycle.WithSignals(), lifecycle.WithShutdownDelay(time.Second)),
	)
	var hookRan atomic.Bool
	a.Lifecycle().OnShutdown("flag", func(context.Context) error { hookRan.Store(true); return nil })
	base, done := startRun(t, a)

	if code, _ := post(t, base+"/actuator/shutdown", ""); code != http.StatusUnauthorized {
		t.Errorf("shutdown without token = %d, want 401", code)
	}
	if code, _ := post(t, base+"/actuator/shutdown", "Bearer nope"); code != http.StatusForbidden {
		t.Errorf("shutdown with a wrong token = %d, want 403", code)
	}
	if a.Lifecycle().Phase() != lifecycle.PhaseServing {
		t.Fatalf("refused calls changed the phase to %s", a.Lifecycle().Phase())
	}
	code, body := post(t, base+"/actuator/shutdown", "Bearer t0k")
	if code != 200 || !strings.Contains(body, `"message":"Shutting down, bye..."`) {
		t.Fatalf("shutdown = %d %s", code, body)
	}

	// During the delay: readiness 503 with its phase for an authorized
	// caller, liveness 200, and the second call answers the same.
	body, code = get(t, base+"/actuator/health/readinessState", "Authorization", "Bearer t0k")
	var comp struct {
		Status  string         `json:"status"`
		Details map[string]any `json:"details"`
	}
	if err := json.Unmarshal([]byte(body), &comp); err != nil {
		t.Fatalf("readinessState: %v %s", err, body)
	}
	if code != 503 || comp.Status != "OUT_OF_SERVICE" || comp.Details["phase"] != string(lifecycle.PhaseDelaying) {
		t.Errorf("readinessState during the delay = %d %s", code, body)
	}
	if _, code := get(t, base+"/actuator/health/liveness"); code != 200 {
		t.Errorf("liveness during the delay = %d, want 200", code)
	}
	if code, body := post(t, base+"/actuator/shutdown", "Bearer t0k"); code != 200 || !strings.Contains(body, "bye") {
		t.Errorf("second shutdown call = %d %s", code, body)
	}
	if p := a.Lifecycle().Phase(); p != lifecycle.PhaseDelaying {
		t.Errorf("the delay ended (phase %s) before the checks above finished: they did not all run during it", p)
	}

	select {
	case err := <-done:
		if err != nil || lifecycle.ExitCode(err) != 0 {
			t.Errorf("Run = %v, exit code %d", err, lifecycle.ExitCode(err))
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Run did not return after the shutdown")
	}
	if !hookRan.Load() {
		t.Error("cleanup hook did not run")
	}
}

// TestRunReportsHookErrors checks that a failing cleanup hook makes the
// exit code non-zero.
func TestRunReportsHookErrors(t *testing.T) {
	a := newActuator(t, actuator.WithLifecycleOptions(lifecycle.WithSignals(), lifecycle.WithoutShutdownDelay()))
	boom := errors.New("lock not released")
	a.Lifecycle().OnShutdown("lock", func(context.Context) error { return boom })
	_, done := startRun(t, a)
	a.Lifecycle().Shutdown("test")
	err := receive(t, done, "Run's result")
	if !errors.Is(err, boom) || lifecycle.ExitCode(err) == 0 {
		t.Errorf("Run = %v (exit %d), want the hook's error and a non-zero code", err, lifecycle.ExitCode(err))
	}
}

// Run starts the background checks, before any request asks for health.
func TestRunStartsBackgroundChecks(t *testing.T) {
	var calls atomic.Int32
	ran := make(chan struct{})
	check := func(context.Context) error {
		if calls.Add(1) == 1 {
			close(ran)
		}
		return nil
	}
	a := newActuator(t,
		actuator.WithHealthCheck("bg", check, health.WithBackground(time.Hour, 0)),
		actuator.WithLifecycleOptions(lifecycle.WithSignals(), lifecycle.WithoutShutdownDelay()),
	)
	if n := calls.Load(); n != 0 {
		t.Fatalf("New ran the background check %d times", n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, &http.Server{Addr: "127.0.0.1:0", Handler: http.NotFoundHandler()}) }()
	select {
	case <-ran:
	case <-time.After(10 * time.Second):
		t.Error("Run did not start the background check before any request")
	}
	cancel()
	if err := receive(t, done, "Run's result"); err != nil {
		t.Errorf("Run = %v", err)
	}
}
