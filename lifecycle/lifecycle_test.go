package lifecycle_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/actuatorgo/actuator/lifecycle"
)

func TestStateBeforeRun(t *testing.T) {
	l := lifecycle.New()
	if !l.Ready() || !l.Live() || l.Phase() != lifecycle.PhaseIdle {
		t.Fatalf("new lifecycle: ready=%v live=%v phase=%s, want ready, live, idle", l.Ready(), l.Live(), l.Phase())
	}
	l.SetReady(false)
	l.SetLive(false)
	if l.Ready() || l.Live() {
		t.Errorf("after SetReady(false), SetLive(false): ready=%v live=%v", l.Ready(), l.Live())
	}
	l.SetReady(true)
	if !l.Ready() {
		t.Error("SetReady(true) did not restore readiness")
	}
	if l.Err() != nil {
		t.Errorf("Err before the shutdown = %v", l.Err())
	}
}

func TestShutdownWithoutRun(t *testing.T) {
	l := lifecycle.New(lifecycle.WithoutShutdownDelay())
	var mu sync.Mutex
	var order []string
	for _, name := range []string{"db", "cache", "telemetry"} {
		l.OnShutdown(name, func(context.Context) error {
			mu.Lock()
			order = append(order, name)
			mu.Unlock()
			return nil
		})
	}
	l.Shutdown("test")
	if l.Ready() {
		t.Error("ready after Shutdown returned")
	}
	if l.Live() != true {
		t.Error("liveness fell with the shutdown")
	}
	l.SetReady(true)
	if l.Ready() {
		t.Error("SetReady(true) brought readiness back during the shutdown")
	}
	l.Shutdown("again") // ignored
	await(t, l.Done(), "the sequence to end")
	if got, want := strings.Join(order, ","), "telemetry,cache,db"; got != want {
		t.Errorf("hook order = %s, want %s", got, want)
	}
	if l.Phase() != lifecycle.PhaseStopped || l.Err() != nil {
		t.Errorf("after Done: phase=%s err=%v, want stopped, nil", l.Phase(), l.Err())
	}
	// Run after a shutdown that ran without it serves nothing and returns
	// the sequence's result.
	if err := runBounded(t, context.Background(), l, &http.Server{Addr: "127.0.0.1:0"}); err != nil {
		t.Errorf("Run after the shutdown = %v, want the sequence's result (nil)", err)
	}
	if l.Addrs() != nil {
		t.Errorf("Run after the shutdown bound %v", l.Addrs())
	}
}

func TestHookErrorsAreJoined(t *testing.T) {
	l := lifecycle.New(lifecycle.WithoutShutdownDelay(), lifecycle.WithHookTimeout(50*time.Millisecond))
	errDB := errors.New("db close failed")
	var ran atomic.Int32
	l.OnShutdown("db", func(context.Context) error { ran.Add(1); return errDB })
	l.OnShutdown("slow", func(ctx context.Context) error { ran.Add(1); <-ctx.Done(); return ctx.Err() })
	l.OnShutdown("panics", func(context.Context) error { ran.Add(1); panic("boom") })
	l.OnShutdown("fine", func(context.Context) error { ran.Add(1); return nil })
	l.Shutdown("test")
	await(t, l.Done(), "the sequence to end")
	err := l.Err()
	if ran.Load() != 4 {
		t.Errorf("%d hooks ran, want 4", ran.Load())
	}
	for _, want := range []error{errDB, lifecycle.ErrHookTimeout} {
		if !errors.Is(err, want) {
			t.Errorf("Err() = %v, want it to wrap %v", err, want)
		}
	}
	if err == nil || !strings.Contains(err.Error(), `hook "panics": panic: boom`) {
		t.Errorf("Err() = %v, want the panic reported", err)
	}
	if got := lifecycle.ExitCode(err); got != 1 {
		t.Errorf("ExitCode = %d, want 1", got)
	}
}

func TestExitCode(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want int
	}{
		{nil, 0},
		{lifecycle.ErrDrainTimeout, 1},
		{errors.Join(lifecycle.ErrHookTimeout, io.EOF), 1},
	} {
		if got := lifecycle.ExitCode(tc.err); got != tc.want {
			t.Errorf("ExitCode(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}

func TestOptionsRejectBadDurations(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  func() lifecycle.Option
	}{
		{"negative delay", func() lifecycle.Option { return lifecycle.WithShutdownDelay(-time.Second) }},
		{"zero drain", func() lifecycle.Option { return lifecycle.WithDrainTimeout(0) }},
		{"negative shutdown", func() lifecycle.Option { return lifecycle.WithShutdownTimeout(-1) }},
		{"zero hook", func() lifecycle.Option { return lifecycle.WithHookTimeout(0) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if s, ok := r.(string); !ok || !strings.HasPrefix(s, "lifecycle: ") {
					t.Errorf("recovered %v, want a lifecycle: panic", r)
				}
			}()
			tc.opt()
		})
	}
}

type ctxKey struct{}

func TestRunChainsServerFieldsAndStopsOnContext(t *testing.T) {
	var states atomic.Int32
	srv := &http.Server{
		Addr: "127.0.0.1:0",
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			v, _ := r.Context().Value(ctxKey{}).(string)
			_, _ = io.WriteString(w, v)
		}),
		BaseContext: func(net.Listener) context.Context { return context.WithValue(context.Background(), ctxKey{}, "base") },
		ConnState:   func(net.Conn, http.ConnState) { states.Add(1) },
	}
	l := lifecycle.New(lifecycle.WithSignals(), lifecycle.WithShutdownDelay(time.Millisecond))
	if got := l.Addrs(); got != nil {
		t.Errorf("Addrs before Run = %v", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	runErr := make(chan error, 1)
	go func() { runErr <- l.Run(ctx, srv) }()
	addrs := waitReady(t, l, runErr)
	if len(addrs) != 1 || l.Phase() != lifecycle.PhaseServing {
		t.Fatalf("Addrs = %v, phase %s", addrs, l.Phase())
	}
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	r := get(&http.Client{Transport: tr, Timeout: waitLimit}, "http://"+addrs[0].String()+"/")
	if r.err != nil || r.body != "base" || r.close {
		t.Errorf("request = %q close=%v %v, want the user's BaseContext value, keep-alive", r.body, r.close, r.err)
	}
	if states.Load() == 0 {
		t.Error("the user's ConnState was not called")
	}
	if err := runBounded(t, ctx, l, srv); !errors.Is(err, lifecycle.ErrAlreadyRunning) {
		t.Errorf("second Run = %v, want ErrAlreadyRunning", err)
	}
	cancel()
	select {
	case err := <-runErr:
		if err != nil {
			t.Errorf("Run = %v, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after the context was cancelled")
	}
	if l.Phase() != lifecycle.PhaseStopped || l.Ready() || !l.Live() {
		t.Errorf("after Run: phase=%s ready=%v live=%v", l.Phase(), l.Ready(), l.Live())
	}
}

func TestRunFailsWhenAListenerCannotBind(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	var everReady atomic.Bool
	logs := newOutput()
	l := lifecycle.New(
		lifecycle.WithSignals(),
		lifecycle.WithManagementServer(&http.Server{Addr: taken.Addr().String()}),
		lifecycle.WithLogger(textLogger(logs)),
	)
	var hookRan atomic.Bool
	l.OnShutdown("db", func(context.Context) error { hookRan.Store(true); return nil })
	stop := make(chan struct{})
	polled := make(chan struct{})
	go func() {
		defer close(polled)
		for {
			select {
			case <-stop:
				return
			default:
				if l.Phase() != lifecycle.PhaseIdle && l.Ready() {
					everReady.Store(true)
				}
				time.Sleep(100 * time.Microsecond)
			}
		}
	}()
	err = runBounded(t, context.Background(), l, &http.Server{Addr: "127.0.0.1:0"})
	close(stop)
	await(t, polled, "the readiness poller to stop")
	if err == nil || !strings.Contains(err.Error(), "listen management") {
		t.Errorf("Run = %v, want a listen error for the management server", err)
	}
	if lifecycle.ExitCode(err) != 1 {
		t.Errorf("ExitCode = %d, want 1", lifecycle.ExitCode(err))
	}
	if everReady.Load() {
		t.Error("readiness was up although a listener failed to bind")
	}
	if !hookRan.Load() {
		t.Error("the cleanup hooks did not run after the failed start")
	}
	// Nothing served, so nothing was in rotation: no delay.
	if out := logs.String(); strings.Contains(out, "delay over") || strings.Contains(out, "lifecycle: serving") {
		t.Errorf("a failed start served or waited out the delay:\n%s", out)
	}
}

func TestGoTask(t *testing.T) {
	t.Run("cancelled at the drain, awaited before the hooks", func(t *testing.T) {
		l := lifecycle.New(lifecycle.WithoutShutdownDelay())
		finished := make(chan struct{})
		l.Go("consumer", func(ctx context.Context) error {
			<-ctx.Done()
			// Its current unit of work: a hook that did not wait for the
			// task would run meanwhile.
			time.Sleep(20 * time.Millisecond)
			close(finished)
			return ctx.Err()
		})
		// Whether the task had finished when the hook ran, observed by the
		// hook itself.
		hookSawFinished := make(chan bool, 1)
		l.OnShutdown("db", func(context.Context) error {
			select {
			case <-finished:
				hookSawFinished <- true
			default:
				hookSawFinished <- false
			}
			return nil
		})
		l.Shutdown("test")
		await(t, l.Done(), "the sequence to end")
		if !await(t, hookSawFinished, "the hook to run") {
			t.Error("the hook ran before the task finished")
		}
		if l.Err() != nil {
			t.Errorf("Err = %v, want nil: a context error after cancellation is clean", l.Err())
		}
	})
	t.Run("a failure triggers the shutdown", func(t *testing.T) {
		l := lifecycle.New(lifecycle.WithoutShutdownDelay())
		l.Go("consumer", func(context.Context) error { return io.ErrUnexpectedEOF })
		select {
		case <-l.Done():
		case <-time.After(10 * time.Second):
			t.Fatal("a failed task did not trigger the shutdown")
		}
		if err := l.Err(); !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("Err = %v, want the task's error", err)
		}
	})
}

// A context cancelled before Run must not put the servers in rotation, nor
// make the process wait out the shutdown delay for nothing.
func TestRunWithCancelledContextNeverServes(t *testing.T) {
	for i := range 5 {
		logs := newOutput()
		l := lifecycle.New(
			lifecycle.WithSignals(),
			lifecycle.WithShutdownDelay(20*time.Millisecond),
			lifecycle.WithLogger(textLogger(logs)),
		)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := runBounded(t, ctx, l, &http.Server{Addr: "127.0.0.1:0"}); err != nil {
			t.Fatalf("Run = %v, want nil", err)
		}
		out := logs.String()
		if strings.Contains(out, "lifecycle: serving") || strings.Contains(out, "delay over") {
			t.Fatalf("run %d: the servers served (and the delay ran) after the context was cancelled:\n%s", i, out)
		}
		if !strings.Contains(out, `reason="context cancelled"`) {
			t.Fatalf("run %d: no shutdown for the cancelled context:\n%s", i, out)
		}
	}
}

// Hooks registered while the hooks run (by a hook, by a task still running
// past the deadline) release resources too: they must run.
func TestHookRegisteredDuringCleanupRuns(t *testing.T) {
	l := lifecycle.New(lifecycle.WithoutShutdownDelay())
	var mu sync.Mutex
	var order []string
	record := func(name string) {
		mu.Lock()
		order = append(order, name)
		mu.Unlock()
	}
	l.OnShutdown("first", func(context.Context) error { record("first"); return nil })
	l.OnShutdown("second", func(context.Context) error {
		record("second")
		l.OnShutdown("late", func(context.Context) error { record("late"); return errors.New("late failed") })
		return nil
	})
	l.Shutdown("test")
	await(t, l.Done(), "the sequence to end")
	if got, want := strings.Join(order, ","), "second,first,late"; got != want {
		t.Errorf("hooks ran %s, want %s", got, want)
	}
	if err := l.Err(); err == nil || !strings.Contains(err.Error(), "late failed") {
		t.Errorf("Err = %v, want the late hook's error", err)
	}
}
