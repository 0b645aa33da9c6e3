package lifecycle

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"weak"
)

// Phase is where a Lifecycle stands. It is reported in readiness details.
type Phase string

// The phases, in order.
const (
	// PhaseIdle: Run has not been called. Readiness is reported up (unless
	// SetReady(false)), so that a program serving by other means is not held
	// out of rotation forever.
	PhaseIdle Phase = "idle"
	// PhaseStarting: Run is binding the listeners; not ready.
	PhaseStarting Phase = "starting"
	// PhaseServing: every listener is bound and serving; ready.
	PhaseServing Phase = "serving"
	// PhaseDelaying: the shutdown started; readiness is down while the
	// servers keep accepting, so that load balancers stop routing here.
	PhaseDelaying Phase = "delaying"
	// PhaseDraining: the app listeners are closed; in-flight requests and
	// blocking tasks finish.
	PhaseDraining Phase = "draining"
	// PhaseCleanup: the cleanup hooks run.
	PhaseCleanup Phase = "cleanup"
	// PhaseStopped: the sequence is over; Done is closed.
	PhaseStopped Phase = "stopped"
)

var phases = [...]Phase{PhaseIdle, PhaseStarting, PhaseServing, PhaseDelaying, PhaseDraining, PhaseCleanup, PhaseStopped}

const (
	idxIdle int32 = iota
	idxStarting
	idxServing
	idxDelaying
	idxDraining
	idxCleanup
	idxStopped
)

// Errors a Lifecycle returns, joined, from Run.
var (
	// ErrDrainTimeout: connections were still active at the drain deadline;
	// their request contexts were cancelled and they were closed.
	ErrDrainTimeout = errors.New("lifecycle: drain deadline reached")
	// ErrHookTimeout: a cleanup hook did not return within its timeout.
	ErrHookTimeout = errors.New("lifecycle: cleanup hook timed out")
	// ErrShutdownTimeout: blocking tasks still held the shutdown open at the
	// overall deadline.
	ErrShutdownTimeout = errors.New("lifecycle: shutdown deadline reached")
	// ErrAlreadyRunning: Run was called a second time.
	ErrAlreadyRunning = errors.New("lifecycle: Run called twice")
	// ErrDraining is the cause (context.Cause) of the cancellation of a
	// request context by EndAtDrain: the drain started.
	ErrDraining = errors.New("lifecycle: draining")
)

// ExitCode maps the error Run returns to a process exit status: 0 when the
// shutdown was clean, 1 otherwise (drain or hook timeout, hook error, server
// or task failure).
func ExitCode(err error) int {
	if err == nil {
		return 0
	}
	return 1
}

// Lifecycle runs HTTP servers, holds the readiness and liveness state, and
// carries out the graceful shutdown sequence once, whatever triggers it.
// Its methods are safe for concurrent use.
type Lifecycle struct {
	cfg config

	phase     atomic.Int32
	userReady atomic.Bool
	userLive  atomic.Bool

	mu        sync.Mutex
	runCalled bool
	// signalsBeforeRun counts the configured signals taken before Run.
	signalsBeforeRun int
	triggered        bool
	reason           string
	started          chan struct{} // closed once Run has bound (or failed to); nil until Run
	served           bool
	apps             []*tracked
	mgmt             *tracked
	hooks            []hook
	onDrain          map[uint64]func()
	nextDrain        uint64
	holds            map[uint64]string
	nextHold         uint64
	holdsWait        chan struct{} // closed at the next release; nil when nobody waits
	errs             []error
	result           error

	sigCh       chan os.Signal // the configured signals, from New on; nil without
	serving     chan struct{}  // closed once Run serves
	stopping    chan struct{}  // closed by the trigger
	draining    chan struct{}
	drainCtx    context.Context // cancelled when the drain starts, for EndAtDrain
	drainCancel context.CancelFunc
	done        chan struct{}
	taskCtx     context.Context
	taskCancel  context.CancelFunc
	reqCtx      context.Context
	reqCancel   context.CancelFunc
}

type hook struct {
	name string
	fn   func(ctx context.Context) error
}

// New returns a Lifecycle configured by opts. With no option it handles
// SIGTERM and SIGINT and uses the documented defaults. It takes the
// configured signals over at once (see WithSignals); until Run, a timer
// (not a goroutine) looks for them.
func New(opts ...Option) *Lifecycle {
	l := &Lifecycle{
		cfg:      defaultConfig(),
		holds:    make(map[uint64]string),
		onDrain:  make(map[uint64]func()),
		serving:  make(chan struct{}),
		stopping: make(chan struct{}),
		draining: make(chan struct{}),
		done:     make(chan struct{}),
	}
	for _, o := range opts {
		if o != nil {
			o(&l.cfg)
		}
	}
	l.userReady.Store(true)
	l.userLive.Store(true)
	l.drainCtx, l.drainCancel = context.WithCancel(context.Background())
	l.taskCtx, l.taskCancel = context.WithCancel(context.Background())
	l.reqCtx, l.reqCancel = context.WithCancel(context.Background())
	if len(l.cfg.signals) > 0 {
		// From New on, the signals are the lifecycle's: one that arrives
		// during a slow start-up starts the sequence instead of killing
		// the process before the hooks could run. Set up last, once the
		// Lifecycle is whole.
		l.sigCh = make(chan os.Signal, 2)
		signal.Notify(l.sigCh, l.cfg.signals...)
		l.watchBeforeRun()
	}
	return l
}

// Phase returns the current phase.
func (l *Lifecycle) Phase() Phase { return phases[l.phase.Load()] }

// Ready reports whether the process should receive traffic: true before Run
// (see PhaseIdle) and while serving, unless SetReady(false); false while Run
// binds its listeners and from the moment the shutdown starts.
func (l *Lifecycle) Ready() bool {
	p := l.phase.Load()
	return (p == idxIdle || p == idxServing) && l.userReady.Load()
}

// SetReady sets the application's own readiness, for warm-up or
// maintenance. It cannot bring readiness back once the shutdown started.
func (l *Lifecycle) SetReady(ready bool) { l.userReady.Store(ready) }

// Live reports liveness. It stays true during the shutdown: a draining
// process is not a broken one, and must not be restarted.
func (l *Lifecycle) Live() bool { return l.userLive.Load() }

// SetLive sets liveness; false asks the orchestrator to restart the process.
func (l *Lifecycle) SetLive(live bool) { l.userLive.Store(live) }

// Done is closed when the shutdown sequence has completed.
func (l *Lifecycle) Done() <-chan struct{} { return l.done }

// Err returns the result of the shutdown sequence once Done is closed (the
// error Run returns), and nil before.
func (l *Lifecycle) Err() error {
	select {
	case <-l.done:
	default:
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.result
}

// Serving is closed once Run has bound every listener and serves, with
// readiness on ([PhaseServing]); [Lifecycle.Addrs] then reports them. It
// is never closed when Run serves nothing (a listener failed to bind, the
// shutdown started first, Run is not called): select on
// [Lifecycle.Stopping] as well. It is for what needs the bound addresses,
// such as registering them with a registry or an admin server.
func (l *Lifecycle) Serving() <-chan struct{} { return l.serving }

// Stopping is closed at the shutdown trigger, when the sequence starts and
// readiness has just turned down, whatever triggered it (see
// [Lifecycle.Shutdown]); the delay and the drain are still to come. It is
// for what must happen at once when the instance starts going away, before
// load balancers have noticed: deregistering from a service registry or an
// admin server (the actuator deregisters from Spring Boot Admin there), so
// that it stops sending traffic or polling. Work selecting on it should be
// short, or hold the shutdown open with [Lifecycle.Hold] for its duration.
// Compare [Lifecycle.Draining], closed after the delay.
func (l *Lifecycle) Stopping() <-chan struct{} { return l.stopping }

// Draining is closed when the drain starts (the app listeners close). Long
// responses (SSE, streaming) and hijacked connections (WebSocket) select on
// it to end their stream or send a close frame.
func (l *Lifecycle) Draining() <-chan struct{} { return l.draining }

// EndAtDrain returns a handler that serves h with a request context that is
// also cancelled, with the cause ErrDraining, when the drain starts. It is
// for responses that never end by themselves: server-sent events, long
// polls, streaming. Without it they hold the drain until its deadline and
// are cut there, counted as failures; with it the handler sees its context
// done at the drain's start, can write a last event, and returns, so the
// client reconnects to another instance at once (and the drain does not
// wait for it). During the delay the stream goes on. A request that starts
// once the drain started gets a context already cancelled. Wrap only the
// long-lived routes: an ordinary request should finish its work.
func (l *Lifecycle) EndAtDrain(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithCancelCause(r.Context())
		defer cancel(nil)
		stop := context.AfterFunc(l.drainCtx, func() { cancel(ErrDraining) })
		defer stop()
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}

// OnDrain registers fn to be called, in its own goroutine, when the drain
// starts. It is meant for hijacked connections (WebSocket, raw TCP
// upgrades), which http.Server.Shutdown neither closes nor waits for: fn
// should start their graceful close and return. To have the shutdown wait
// for such a connection, take a Hold for its lifetime. Registering after the
// drain started calls fn at once. A panic in fn is recovered and logged.
//
// stop unregisters fn; it reports whether it did so before fn was called.
// Call it when the connection ends before the shutdown (defer stop()), or
// every registration stays in memory until the drain, as with
// context.AfterFunc.
func (l *Lifecycle) OnDrain(fn func()) (stop func() bool) {
	if fn == nil {
		return func() bool { return false }
	}
	l.mu.Lock()
	if l.phase.Load() < idxDraining {
		id := l.nextDrain
		l.nextDrain++
		l.onDrain[id] = fn
		l.mu.Unlock()
		return func() bool {
			l.mu.Lock()
			defer l.mu.Unlock()
			_, ok := l.onDrain[id]
			delete(l.onDrain, id)
			return ok
		}
	}
	l.mu.Unlock()
	go l.callDrain(fn)
	return func() bool { return false }
}

// OnShutdown registers a cleanup hook (closing a database pool, releasing a
// file lock, flushing telemetry). Hooks run after the drain, in reverse
// registration order, one at a time, each bounded by the hook timeout and
// the overall deadline; a failing or hung hook does not stop the next one.
// Their errors are joined into Run's result. A panic in a hook is an error.
// A hook registered while the hooks run (by a hook, a late task) runs after
// those already started; one registered once the sequence is over does not
// run.
func (l *Lifecycle) OnShutdown(name string, fn func(ctx context.Context) error) {
	if fn == nil {
		panic("lifecycle: OnShutdown with a nil func")
	}
	l.mu.Lock()
	l.hooks = append(l.hooks, hook{name: name, fn: fn})
	l.mu.Unlock()
}

// Hold registers a blocking task (a batch, a message being processed) that
// holds the shutdown open until release is called, bounded by the overall
// deadline: the cleanup hooks run only once every hold is released or the
// deadline passed. release may be called more than once.
func (l *Lifecycle) Hold(name string) (release func()) {
	l.mu.Lock()
	id := l.nextHold
	l.nextHold++
	l.holds[id] = name
	l.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			delete(l.holds, id)
			ch := l.holdsWait
			l.holdsWait = nil
			l.mu.Unlock()
			if ch != nil {
				close(ch)
			}
		})
	}
}

// Go runs fn in its own goroutine as a blocking task: it holds the shutdown
// open until fn returns. fn's context is cancelled when the drain starts
// (after the delay), its cue to finish the current unit of work and return.
// A non-nil error other than a context error once ctx is done, or a panic,
// triggers the shutdown and is joined into Run's result.
func (l *Lifecycle) Go(name string, fn func(ctx context.Context) error) {
	release := l.Hold(name)
	go func() {
		defer release()
		err := callSafely(l.taskCtx, fn)
		if err == nil || (l.taskCtx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded))) {
			return
		}
		l.addErr(fmt.Errorf("task %q: %w", name, err))
		l.Shutdown("task " + name + " failed")
	}()
}

func callSafely(ctx context.Context, fn func(ctx context.Context) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return fn(ctx)
}

func (l *Lifecycle) addErr(err error) {
	l.mu.Lock()
	l.errs = append(l.errs, err)
	l.mu.Unlock()
}

// Shutdown starts the shutdown sequence and returns at once. Only the first
// call does anything, whatever makes it (a signal, the shutdown endpoint, a
// failed task, a cancelled Run context, a direct call); later calls are
// ignored. Readiness turns down before Shutdown returns. Without Run the
// sequence still runs (delay, blocking tasks, hooks) and closes Done.
func (l *Lifecycle) Shutdown(reason string) {
	l.mu.Lock()
	if l.triggered {
		l.mu.Unlock()
		return
	}
	l.triggered = true
	l.reason = reason
	l.phase.Store(idxDelaying)
	close(l.stopping) // readiness is down already
	started := l.started
	l.mu.Unlock()
	go l.sequence(time.Now(), started)
}

func (l *Lifecycle) log(msg string, args ...any) {
	if l.cfg.logger != nil {
		l.cfg.logger.LogAttrs(context.Background(), slog.LevelInfo, msg, argsToAttrs(args)...)
	}
}

func (l *Lifecycle) warn(msg string, args ...any) {
	if l.cfg.logger != nil {
		l.cfg.logger.LogAttrs(context.Background(), slog.LevelWarn, msg, argsToAttrs(args)...)
	}
}

func argsToAttrs(args []any) []slog.Attr {
	attrs := make([]slog.Attr, 0, len(args)/2)
	for i := 0; i+1 < len(args); i += 2 {
		key, _ := args[i].(string)
		attrs = append(attrs, slog.Any(key, args[i+1]))
	}
	return attrs
}

// ManagementServer returns the server given to [WithManagementServer], or
// nil. Next to Run's servers it tells which of [Lifecycle.Addrs] is the
// management server's, and whether it is served with TLS (its TLSConfig
// carries certificates), as the actuator needs to register its URLs with
// Spring Boot Admin.
func (l *Lifecycle) ManagementServer() *http.Server { return l.cfg.management }

// Addrs returns the bound addresses, app servers first (in Run's order),
// then the management server; nil before Run has bound them.
func (l *Lifecycle) Addrs() []net.Addr {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.served {
		return nil
	}
	var addrs []net.Addr
	for _, t := range l.apps {
		addrs = append(addrs, t.ln.Addr())
	}
	if l.mgmt != nil {
		addrs = append(addrs, l.mgmt.ln.Addr())
	}
	return addrs
}

// Run binds a listener for every server (and the management server), turns
// readiness on once all are bound, serves, and blocks until the shutdown
// sequence has completed. A configured signal, the cancellation of ctx or a
// call to Shutdown starts the sequence. A signal that arrived between New
// and Run makes Run serve nothing and run the sequence at once, without the
// delay (see WithSignals). The error is nil after a clean
// shutdown; otherwise it joins what went wrong (see ExitCode).
//
// Run sets fields of the servers, chaining what the caller set: Handler
// (HTTP/1 responses whose headers are written once the shutdown started
// get "Connection: close", a request in flight at the trigger included; the
// ResponseWriter is wrapped, keeping Flush, Hijack, ReadFrom and
// http.ResponseController working; nil means http.DefaultServeMux),
// BaseContext (request contexts are cancelled at the drain deadline) and
// ConnState (connections are tracked to know when the drain is over, to
// close the idle ones, and to count what is left). A server whose TLSConfig
// carries certificates is served with TLS.
//
// An HTTP/1 server is drained without http.Server.Shutdown, which would
// drop a request sent on a connection whose last response could not say
// "Connection: close": the lifecycle closes the listener itself and gives
// such connections the idle linger (WithIdleLinger) to bring one more
// request, served with "Connection: close". A server that may speak HTTP/2
// (TLS, or Protocols allowing unencrypted HTTP/2) is drained with Shutdown,
// whose GOAWAY tells HTTP/2 clients; its HTTP/1 connections get no linger.
func (l *Lifecycle) Run(ctx context.Context, servers ...*http.Server) error {
	l.mu.Lock()
	if l.runCalled {
		l.mu.Unlock()
		return ErrAlreadyRunning
	}
	l.runCalled = true // from now on Run, not the poll, reads the signals
	sigCh := l.sigCh
	if sigCh != nil {
		defer signal.Stop(sigCh)
	}
	seen := l.signalsBeforeRun
	watchDone := make(chan struct{})
	if l.triggered {
		l.mu.Unlock()
		go l.watch(ctx, sigCh, seen, watchDone)
		<-l.done
		<-watchDone
		return l.result
	}
	l.started = make(chan struct{})
	l.phase.Store(idxStarting)
	l.mu.Unlock()

	begin := time.Now()
	go l.watch(ctx, sigCh, seen, watchDone)

	var all []*tracked
	for i, srv := range servers {
		if srv == nil {
			continue
		}
		all = append(all, &tracked{srv: srv, name: fmt.Sprintf("app[%d]", i)})
	}
	var mgmt *tracked
	if l.cfg.management != nil {
		mgmt = &tracked{srv: l.cfg.management, name: "management"}
		all = append(all, mgmt)
	}
	var bindErr error
	for _, t := range all {
		if bindErr = t.listen(); bindErr != nil {
			break
		}
	}

	if bindErr == nil && ctx.Err() != nil {
		// Checked here, not only by watch: a context cancelled before Run
		// must not put the servers in rotation, even for a moment.
		l.Shutdown("context cancelled")
	}
	var wg sync.WaitGroup
	l.mu.Lock()
	startServing := bindErr == nil && !l.triggered
	if startServing {
		l.served = true
		for _, t := range all {
			if t != mgmt {
				l.apps = append(l.apps, t)
				l.instrument(t)
			}
		}
		l.mgmt = mgmt
		for _, t := range all {
			t.serveDone = make(chan struct{})
			wg.Add(1)
			go l.serve(t, &wg)
		}
		l.phase.Store(idxServing)
		close(l.serving)
	}
	l.mu.Unlock()
	if startServing {
		l.log("lifecycle: serving", "addrs", addrStrings(all), "took", time.Since(begin))
	} else {
		for _, t := range all {
			if t.ln != nil {
				_ = t.ln.Close()
			}
		}
		if bindErr != nil {
			l.addErr(bindErr)
			l.Shutdown("listen failed")
		}
	}
	close(l.started)

	<-l.done
	wg.Wait()
	<-watchDone
	return l.result
}

func addrStrings(ts []*tracked) []string {
	s := make([]string, 0, len(ts))
	for _, t := range ts {
		s = append(s, t.name+"="+t.ln.Addr().String())
	}
	return s
}

// watch turns signals and the cancellation of ctx into Shutdown; a second
// signal exits the process at once.
// signals is how many were already seen (one that arrived before Run).
func (l *Lifecycle) watch(ctx context.Context, sigCh <-chan os.Signal, signals int, stop chan<- struct{}) {
	defer close(stop)
	ctxDone := ctx.Done()
	for {
		select {
		case <-l.done:
			return
		case <-ctxDone:
			ctxDone = nil
			l.Shutdown("context cancelled")
		case s := <-sigCh:
			signals++
			if signals == 1 {
				l.Shutdown("signal " + s.String())
				continue
			}
			l.exitNow(s)
			return
		}
	}
}

// exitNow exits the process on a second signal, with status 128+signal.
func (l *Lifecycle) exitNow(s os.Signal) {
	code := 1
	if n, ok := s.(syscall.Signal); ok {
		code = 128 + int(n)
	}
	l.warn("lifecycle: second signal, exiting now", "signal", s.String(), "phase", l.Phase(), "code", code)
	l.cfg.exit(code)
}

// signalPoll is how often, until Run is called, the lifecycle looks for
// the configured signals.
const signalPoll = 100 * time.Millisecond

// watchBeforeRun looks for signals until Run takes them over, the sequence
// ends, or the Lifecycle is garbage collected. It runs on a timer and holds
// the Lifecycle weakly: a Lifecycle that is never run and never signalled
// leaves no goroutine behind, and once collected it stops the signals'
// registration.
func (l *Lifecycle) watchBeforeRun() {
	wp := weak.Make(l)
	var mu sync.Mutex
	var timer *time.Timer
	mu.Lock()
	defer mu.Unlock()
	timer = time.AfterFunc(signalPoll, func() {
		l := wp.Value()
		if l == nil || !l.pollSignals() {
			return
		}
		mu.Lock()
		timer.Reset(signalPoll)
		mu.Unlock()
	})
	runtime.AddCleanup(l, func(ch chan os.Signal) { signal.Stop(ch) }, l.sigCh)
}

// pollSignals acts on the signals that arrived before Run: the first starts
// the shutdown sequence at once (and exits the process when it is over, if
// Run has still not been called); a second exits at once. It reports
// whether to keep polling.
func (l *Lifecycle) pollSignals() bool {
	select {
	case <-l.done:
		// Shut down without Run: the signals are no longer the
		// lifecycle's.
		signal.Stop(l.sigCh)
		return false
	default:
	}
	l.mu.Lock()
	if l.runCalled {
		l.mu.Unlock()
		return false
	}
	var sig os.Signal
	select {
	case sig = <-l.sigCh:
		l.signalsBeforeRun++
	default:
	}
	n := l.signalsBeforeRun
	l.mu.Unlock()
	switch {
	case sig == nil:
		return true
	case n == 1:
		l.Shutdown("signal " + sig.String() + " before Run")
		go l.exitUnlessRun()
		return true
	default:
		l.exitNow(sig)
		return false
	}
}

// exitUnlessRun waits for a sequence that a signal started before Run and
// exits the process with its exit code, unless Run was called meanwhile
// (Run then returns the result to the program).
func (l *Lifecycle) exitUnlessRun() {
	<-l.done
	l.mu.Lock()
	run := l.runCalled
	l.mu.Unlock()
	if !run {
		l.cfg.exit(ExitCode(l.Err()))
	}
}

func (l *Lifecycle) serve(t *tracked, wg *sync.WaitGroup) {
	defer wg.Done()
	defer close(t.serveDone)
	var err error
	if hasTLS(t.srv.TLSConfig) {
		err = t.srv.ServeTLS(t.ln, "", "")
	} else {
		err = t.srv.Serve(t.ln)
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) && !t.closing.Load() {
		l.addErr(fmt.Errorf("serve %s: %w", t.name, err))
		l.Shutdown("server " + t.name + " failed")
	}
}

func hasTLS(c *tls.Config) bool {
	return c != nil && (len(c.Certificates) > 0 || c.GetCertificate != nil || c.GetConfigForClient != nil)
}

// instrument chains the lifecycle's hooks into an app server's fields.
func (l *Lifecycle) instrument(t *tracked) {
	srv := t.srv
	t.h2 = mayServeHTTP2(srv) // before Serve, which sets the HTTP/2 defaults
	next := srv.Handler
	if next == nil {
		next = http.DefaultServeMux
	}
	srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// From the start of the shutdown on, every response asks the client
		// to close its connection, so keep-alive clients (and balancers that
		// pool connections) reconnect elsewhere before the listener closes.
		// HTTP/2 has no such header: Shutdown's GOAWAY tells its clients.
		if r.ProtoMajor != 1 {
			next.ServeHTTP(w, r)
			return
		}
		cw := &closeWriter{ResponseWriter: w, l: l}
		next.ServeHTTP(cw, r)
		if !cw.hijacked {
			// The handler wrote nothing: net/http writes the headers now.
			cw.decide()
		}
	})
	userBase := srv.BaseContext
	srv.BaseContext = func(ln net.Listener) context.Context {
		parent := context.Background()
		if userBase != nil {
			parent = userBase(ln)
		}
		ctx, cancel := context.WithCancel(parent)
		context.AfterFunc(l.reqCtx, cancel)
		return ctx
	}
	userState := srv.ConnState
	t.conns = make(map[net.Conn]connInfo)
	srv.ConnState = func(c net.Conn, s http.ConnState) {
		t.setState(c, s)
		if userState != nil {
			userState(c, s)
		}
	}
}

// closeWriter decides whether a response asks its client to close the
// connection when the response headers are written, not when the request
// started: a request in flight at the trigger whose response is written
// during the delay or the drain gets "Connection: close" too. It keeps
// Flush, Hijack, ReadFrom and http.ResponseController (through Unwrap)
// working.
type closeWriter struct {
	http.ResponseWriter
	l        *Lifecycle
	decided  bool
	hijacked bool
}

var (
	_ http.Flusher  = (*closeWriter)(nil)
	_ http.Hijacker = (*closeWriter)(nil)
	_ io.ReaderFrom = (*closeWriter)(nil)
)

// decide adds "Connection: close" if the shutdown has started, once, before
// the headers are written.
func (w *closeWriter) decide() {
	if w.decided {
		return
	}
	w.decided = true
	if w.l.phase.Load() >= idxDelaying {
		w.ResponseWriter.Header().Set("Connection", "close")
	}
}

func (w *closeWriter) WriteHeader(code int) {
	switch {
	case code == http.StatusSwitchingProtocols:
		// The connection is handed over to another protocol: its
		// Connection header says "Upgrade".
		w.decided = true
	case code >= 200:
		w.decide()
	}
	// Other 1xx answers are interim: the decision waits for the final one.
	w.ResponseWriter.WriteHeader(code)
}

func (w *closeWriter) Write(p []byte) (int, error) {
	w.decide()
	return w.ResponseWriter.Write(p)
}

func (w *closeWriter) Flush() { _ = w.FlushError() }

// FlushError flushes like Flush and reports the underlying writer's error,
// which http.ResponseController.Flush returns to the handler.
func (w *closeWriter) FlushError() error {
	w.decide()
	return http.NewResponseController(w.ResponseWriter).Flush()
}

func (w *closeWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err == nil {
		w.hijacked = true
	}
	return conn, brw, err
}

func (w *closeWriter) ReadFrom(src io.Reader) (int64, error) {
	w.decide()
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(src)
	}
	return io.Copy(writerOnly{w.ResponseWriter}, src)
}

// writerOnly hides a writer's ReadFrom from io.Copy.
type writerOnly struct{ io.Writer }

func (w *closeWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// tracked is one server with its listener and its connections.
type tracked struct {
	srv       *http.Server
	name      string
	ln        net.Listener
	serveDone chan struct{} // closed when Serve returned: every accepted connection is tracked
	closing   atomic.Bool   // the drain closed the listener: Serve's error is expected
	h2        bool          // may serve HTTP/2: drained with http.Server.Shutdown

	mu      sync.Mutex
	conns   map[net.Conn]connInfo
	changed chan struct{} // closed at the next state change; nil when nobody waits
}

// connInfo is a connection's state and when it entered it.
type connInfo struct {
	state  http.ConnState
	since  time.Time
	closed bool // closed by the lifecycle; net/http has not reported it yet
}

func (t *tracked) listen() error {
	addr := t.srv.Addr
	if addr == "" {
		addr = ":http"
		if hasTLS(t.srv.TLSConfig) {
			addr = ":https"
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen %s on %s: %w", t.name, addr, err)
	}
	t.ln = ln
	return nil
}

func (t *tracked) setState(c net.Conn, s http.ConnState) {
	t.mu.Lock()
	switch s {
	case http.StateHijacked, http.StateClosed:
		delete(t.conns, c)
	default:
		t.conns[c] = connInfo{state: s, since: time.Now()}
	}
	ch := t.changed
	t.changed = nil
	t.mu.Unlock()
	if ch != nil {
		close(ch)
	}
}

// active returns the remote addresses of the connections serving a request.
func (t *tracked) active() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var addrs []string
	for c, ci := range t.conns {
		if ci.state == http.StateActive {
			addrs = append(addrs, c.RemoteAddr().String())
		}
	}
	sort.Strings(addrs)
	return addrs
}

// waitFor waits until no connection is active (all == false) or none is
// left at all (all == true), or until deadline; it reports success.
func (t *tracked) waitFor(all bool, deadline time.Time) bool {
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	for {
		t.mu.Lock()
		busy := len(t.conns) > 0
		if !all {
			busy = false
			for _, ci := range t.conns {
				if ci.state == http.StateActive {
					busy = true
					break
				}
			}
		}
		if !busy {
			t.mu.Unlock()
			return true
		}
		if t.changed == nil {
			t.changed = make(chan struct{})
		}
		ch := t.changed
		t.mu.Unlock()
		select {
		case <-ch:
		case <-timer.C:
			return false
		}
	}
}
