package lifecycle_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
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
// over and the signal starts the sequence at once. Run, called when the
// start-up ends, serves nothing and returns the sequence's result, so the
// hooks run and the process exits 0.
func TestSIGTERMDuringStartUpRunsTheHooks(t *testing.T) {
	t.Parallel()
	addr := freeAddr(t)
	p := launchProc(t, appBin.get(t), addr, addr, "-addr", addr, "-start-up", "1s", "-shutdown-delay", "2s", "-hooks", "2")
	p.waitOutput("starting up")
	p.signal(syscall.SIGTERM)
	if got := p.exitCode(); got != 0 {
		t.Errorf("exit code = %d (%v), want 0", got, p.waitErr)
	}
	out := p.out.String()
	assertOrder(t, out, `reason="signal terminated before Run"`, "start-up done", "hook h2", "hook h1", "exit served=0 err=<nil>")
	if strings.Contains(out, "lifecycle: serving") {
		t.Errorf("a process signalled before Run served:\n%s", out)
	}
}

// A program that never reaches Run (a start-up that hangs, or one that
// serves by other means) still gets the sequence on SIGTERM: the hooks run
// and the process exits with the sequence's exit code, not Go's 143.
func TestSIGTERMWithoutRunRunsTheHooksAndExits(t *testing.T) {
	t.Parallel()
	addr := freeAddr(t)
	p := launchProc(t, appBin.get(t), addr, addr, "-addr", addr, "-start-up", "1h", "-shutdown-delay", "200ms", "-hooks", "2")
	p.waitOutput("starting up")
	p.signal(syscall.SIGTERM)
	if got := p.exitCode(); got != 0 {
		t.Errorf("exit code = %d (%v), want 0", got, p.waitErr)
	}
	out := p.out.String()
	assertOrder(t, out, `reason="signal terminated before Run"`, "hook h2", "hook h1", "shutdown complete")
	if strings.Contains(out, "start-up done") {
		t.Errorf("the start-up finished: the process did not exit at the end of the sequence:\n%s", out)
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

// raise sends sig to the test binary and waits until it was delivered to
// guard; callers wait for its effect on the lifecycle before the next one.
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
}

// In process: a signal between New and Run starts the sequence at once
// (readiness turns down); Run, called while it runs, serves nothing and
// returns its result; the exit func is not called, since Run returned the
// result to the program.
func TestSignalBetweenNewAndRun(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	guard := guardSignal(t, syscall.SIGUSR2)
	exited := make(chan int, 1)
	logs := newOutput()
	l := lifecycle.New(lifecycle.WithSignals(syscall.SIGUSR2), lifecycle.WithShutdownDelay(time.Second),
		lifecycle.WithLogger(textLogger(logs)), lifecycle.WithExitFunc(func(code int) { exited <- code }))
	var hooks atomic.Int32
	l.OnShutdown("db", func(context.Context) error { hooks.Add(1); return nil })
	raise(t, syscall.SIGUSR2, guard)
	waitUntil(t, 5*time.Second, "readiness to turn down after a signal before Run", func() bool { return !l.Ready() })
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
	if strings.Contains(out, "lifecycle: serving") {
		t.Errorf("Run served after a signal before it:\n%s", out)
	}
	select {
	case code := <-exited:
		t.Errorf("exit(%d) called although Run returned the result", code)
	default:
	}
}

// In process: a signal and no Run at all: the sequence runs, then the exit
// func gets its exit code.
func TestSignalWithoutRunExitsWithTheSequencesCode(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	guard := guardSignal(t, syscall.SIGUSR2)
	exited := make(chan int, 1)
	l := lifecycle.New(lifecycle.WithSignals(syscall.SIGUSR2), lifecycle.WithoutShutdownDelay(),
		lifecycle.WithExitFunc(func(code int) { exited <- code }))
	l.OnShutdown("lock", func(context.Context) error { return errors.New("lock busy") })
	raise(t, syscall.SIGUSR2, guard)
	select {
	case code := <-exited:
		if code != 1 {
			t.Errorf("exit code = %d, want 1 (a hook failed)", code)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a signal without Run did not end in the exit func")
	}
	select {
	case <-l.Done():
	default:
		t.Error("exit called before the sequence was over")
	}
}

// Two signals before Run: the second is the documented escape hatch, even
// while the start-up hangs and Run is never called: exit at once with
// 128+signal.
func TestSecondSignalBeforeRunExits(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	guard := guardSignal(t, syscall.SIGUSR2)
	exited := make(chan int, 1)
	// The delay keeps the sequence the first signal started running when
	// the second comes.
	l := lifecycle.New(lifecycle.WithSignals(syscall.SIGUSR2), lifecycle.WithShutdownDelay(time.Second),
		lifecycle.WithExitFunc(func(code int) { exited <- code }))
	raise(t, syscall.SIGUSR2, guard)
	// The lifecycle took the first one: readiness is down. Only then is the
	// next one a second signal.
	waitUntil(t, 5*time.Second, "readiness to turn down after the first signal", func() bool { return !l.Ready() })
	raise(t, syscall.SIGUSR2, guard)
	select {
	case code := <-exited:
		if want := 128 + int(syscall.SIGUSR2); code != want {
			t.Errorf("exit code = %d, want %d", code, want)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the second signal before Run did not call the exit func")
	}
	// The fake exit returned: let the sequence end.
	await(t, l.Done(), "the sequence to end")
}

func TestSecondSignalCallsExit(t *testing.T) {
	exited := make(chan int, 1)
	unblock := make(chan struct{})
	l := lifecycle.New(
		lifecycle.WithSignals(syscall.SIGUSR1),
		lifecycle.WithoutShutdownDelay(),
		lifecycle.WithExitFunc(func(code int) { exited <- code }),
	)
	hookStarted := make(chan struct{})
	l.OnShutdown("stuck", func(ctx context.Context) error {
		close(hookStarted)
		<-unblock
		return nil
	})
	runErr := make(chan error, 1)
	go func() { runErr <- l.Run(context.Background(), &http.Server{Addr: "127.0.0.1:0"}) }()
	waitReady(t, l, runErr)
	if err := syscall.Kill(os.Getpid(), syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	await(t, hookStarted, "the hook to start after the first signal")
	if err := syscall.Kill(os.Getpid(), syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-exited:
		if want := 128 + int(syscall.SIGUSR1); code != want {
			t.Errorf("exit code = %d, want %d", code, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the second signal did not call the exit func")
	}
	close(unblock)
	if err := await(t, runErr, "Run to return once the hook is unblocked"); err != nil {
		t.Errorf("Run = %v", err)
	}
}

// Shutdown called from many goroutines at once, and a signal at the same
// time, run the sequence once, and the signal does not count as a second
// one (no exit).
func TestConcurrentShutdownsAndASignalRunTheSequenceOnce(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	// Keep SIGUSR2 from killing the test binary should it arrive after Run
	// stopped listening for it.
	guard := make(chan os.Signal, 1)
	signal.Notify(guard, syscall.SIGUSR2)
	defer signal.Stop(guard)
	logs := newOutput()
	exited := make(chan int, 1)
	l := lifecycle.New(lifecycle.WithSignals(syscall.SIGUSR2), lifecycle.WithShutdownDelay(200*time.Millisecond),
		lifecycle.WithLogger(textLogger(logs)), lifecycle.WithExitFunc(func(code int) { exited <- code }))
	var hooks atomic.Int32
	l.OnShutdown("h", func(context.Context) error { hooks.Add(1); return nil })
	_, runErr := runInProcess(t, l, &http.Server{Addr: "127.0.0.1:0"})
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			l.Shutdown(fmt.Sprintf("caller %d", i))
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		<-gate
		_ = syscall.Kill(os.Getpid(), syscall.SIGUSR2)
	}()
	begin := time.Now()
	close(gate)
	awaitGroup(t, &wg, waitLimit, "the Shutdown calls to return")
	if _, err := waitRun(t, runErr, begin, 10*time.Second); err != nil {
		t.Errorf("Run = %v", err)
	}
	select {
	case code := <-exited:
		t.Errorf("exit(%d) called: the signal was taken for a second one", code)
	default:
	}
	out := logs.String()
	if n := strings.Count(out, "shutdown started"); n != 1 {
		t.Errorf("%d sequences started, want 1:\n%s", n, out)
	}
	if n := hooks.Load(); n != 1 {
		t.Errorf("the hook ran %d times, want 1", n)
	}
}

func TestSecondSignalExitsAtOnce(t *testing.T) {
	t.Parallel()
	p := startApp(t, "-shutdown-delay", "0", "-hung-hook", "-hook-timeout", "60s", "-shutdown-timeout", "60s")
	p.signal(syscall.SIGTERM)
	p.waitOutput("hook hung started")
	p.signal(syscall.SIGTERM)
	if got, want := p.exitCode(), 128+int(syscall.SIGTERM); got != want {
		t.Errorf("exit code = %d, want %d", got, want)
	}
	if out := p.out.String(); !strings.Contains(out, "second signal, exiting now") || strings.Contains(out, "shutdown complete") {
		t.Errorf("want an immediate exit logged, without a completed sequence:\n%s", out)
	}
}
