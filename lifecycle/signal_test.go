package lifecycle_test

import (
	"context"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/actuatorgo/actuator/lifecycle"
)

// A SIGTERM during a slow start-up (migrations, cache warm-up, between
// lifecycle.New and Run) is not Go's default action, which kills the
// process at once and skips every hook: New takes the configured signals
// over, and Run, once called, serves nothing and runs the sequence (no
// delay: the process was never in rotation), so the hooks run and the
// process exits 0.
func TestSIGTERMDuringStartUpRunsTheHooks(t *testing.T) {
	t.Parallel()
	addr := freeAddr(t)
	p := launchProc(t, appBin.get(t), addr, addr, "-addr", addr, "-start-up", "1s", "-shutdown-delay", "5s", "-hooks", "2")
	p.waitOutput("starting up")
	p.signal(syscall.SIGTERM)
	if got := p.exitCode(); got != 0 {
		t.Errorf("exit code = %d (%v), want 0", got, p.waitErr)
	}
	out := p.out.String()
	assertOrder(t, out, "start-up done", `reason="signal terminated before Run"`, "hook h2", "hook h1", "exit served=0 err=<nil>")
	for _, never := range []string{"lifecycle: serving", "delay over"} {
		if strings.Contains(out, never) {
			t.Errorf("the output has %q: a process signalled before Run served or waited out the delay", never)
		}
	}
}

// guardSignal keeps sig from killing the test binary whatever the code
// under test does with it.
func guardSignal(t *testing.T, sig os.Signal) <-chan os.Signal {
	guard := make(chan os.Signal, 4)
	signal.Notify(guard, sig)
	t.Cleanup(func() { signal.Stop(guard) })
	return guard
}

// raise sends sig to the test binary and waits until it was delivered.
func raise(t *testing.T, sig syscall.Signal, guard <-chan os.Signal) {
	t.Helper()
	if err := syscall.Kill(os.Getpid(), sig); err != nil {
		t.Fatal(err)
	}
	select {
	case <-guard:
	case <-time.After(5 * time.Second):
		t.Fatal("the signal was not delivered")
	}
	// Every channel registered for sig is sent to in the same pass; let it
	// finish.
	time.Sleep(20 * time.Millisecond)
}

// In process: a signal between New and Run is held; Run then runs the
// sequence without serving and without the delay, and returns nil once the
// hooks ran.
func TestSignalBetweenNewAndRun(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	guard := guardSignal(t, syscall.SIGUSR2)
	exited := make(chan int, 1)
	logs := newOutput()
	l := lifecycle.New(lifecycle.WithSignals(syscall.SIGUSR2), lifecycle.WithShutdownDelay(10*time.Second),
		lifecycle.WithLogger(textLogger(logs)), lifecycle.WithExitFunc(func(code int) { exited <- code }))
	var hooks atomic.Int32
	l.OnShutdown("db", func(context.Context) error { hooks.Add(1); return nil })
	raise(t, syscall.SIGUSR2, guard)
	if !l.Ready() {
		t.Error("not ready before Run: the signal is only acted on by Run")
	}
	runErr := make(chan error, 1)
	begin := time.Now()
	go func() { runErr <- l.Run(context.Background(), &http.Server{Addr: "127.0.0.1:0"}) }()
	if _, err := waitRun(t, runErr, begin, 5*time.Second); err != nil {
		t.Errorf("Run = %v, want nil", err)
	}
	if n := hooks.Load(); n != 1 {
		t.Errorf("the hook ran %d times, want 1", n)
	}
	out := logs.String()
	if !strings.Contains(out, `reason="signal user defined signal 2 before Run"`) {
		t.Errorf("log lacks the reason:\n%s", out)
	}
	for _, never := range []string{"lifecycle: serving", "delay over"} {
		if strings.Contains(out, never) {
			t.Errorf("log has %q:\n%s", never, out)
		}
	}
	select {
	case code := <-exited:
		t.Errorf("exit(%d) called for a single signal", code)
	default:
	}
}

// Two signals before Run: the second is the documented escape hatch, even
// while the start-up hangs and Run is never called: exit at once with
// 128+signal.
func TestSecondSignalBeforeRunExits(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	guard := guardSignal(t, syscall.SIGUSR2)
	exited := make(chan int, 1)
	l := lifecycle.New(lifecycle.WithSignals(syscall.SIGUSR2), lifecycle.WithoutShutdownDelay(),
		lifecycle.WithExitFunc(func(code int) { exited <- code }))
	raise(t, syscall.SIGUSR2, guard)
	raise(t, syscall.SIGUSR2, guard)
	select {
	case code := <-exited:
		if want := 128 + int(syscall.SIGUSR2); code != want {
			t.Errorf("exit code = %d, want %d", code, want)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the second signal before Run did not call the exit func")
	}
	// The fake exit returned: end the lifecycle.
	l.Shutdown("test")
	<-l.Done()
}
