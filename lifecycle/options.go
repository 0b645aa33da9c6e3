package lifecycle

import (
	"log/slog"
	"net/http"
	"os"
	"syscall"
	"time"
)

// Defaults. Together they fit Kubernetes' default
// terminationGracePeriodSeconds of 30 s: 5 s delay + 15 s drain leaves 5 s
// for the cleanup hooks inside the 25 s overall deadline, and 5 s of margin
// before the kubelet's SIGKILL.
const (
	// DefaultShutdownDelay is how long readiness reports OUT_OF_SERVICE while
	// the servers keep serving, outside Kubernetes.
	DefaultShutdownDelay = 2 * time.Second
	// DefaultKubernetesShutdownDelay replaces DefaultShutdownDelay when the
	// process runs in a Kubernetes pod (KUBERNETES_SERVICE_HOST is set): the
	// endpoint removal takes a few seconds to reach every kube-proxy and
	// ingress controller.
	DefaultKubernetesShutdownDelay = 5 * time.Second
	// DefaultDrainTimeout bounds the wait for in-flight requests once the
	// listeners are closed.
	DefaultDrainTimeout = 15 * time.Second
	// DefaultShutdownTimeout bounds the whole sequence, from the trigger to
	// the return of Run.
	DefaultShutdownTimeout = 25 * time.Second
	// DefaultHookTimeout bounds each cleanup hook.
	DefaultHookTimeout = 5 * time.Second
	// DefaultIdleLinger is how long a keep-alive connection that was never
	// told to close stays open once idle during the shutdown, to serve the
	// request its client may already be sending.
	DefaultIdleLinger = 500 * time.Millisecond
)

// forceGrace is how long handlers get to return after their request
// contexts were cancelled at the drain deadline, before their connections
// are closed under them.
const forceGrace = time.Second

// DeadlineMargin is how long after the overall deadline (WithShutdownTimeout,
// counted from the trigger) Run returns at the latest, whatever the hooks,
// the blocking tasks or the requests do: the time to close what is left and
// to return. Keep the orchestrator's kill grace period above the overall
// timeout plus this margin.
const DeadlineMargin = 250 * time.Millisecond

// managementStopTimeout bounds the graceful stop of the management server,
// whose requests are short probes.
const managementStopTimeout = time.Second

// An Option configures a Lifecycle.
type Option func(*config)

type config struct {
	signals         []os.Signal
	delay           time.Duration
	drainTimeout    time.Duration
	shutdownTimeout time.Duration
	hookTimeout     time.Duration
	idleLinger      time.Duration
	management      *http.Server
	logger          *slog.Logger
	exit            func(code int)
}

func defaultConfig() config {
	delay := DefaultShutdownDelay
	if os.Getenv("KUBERNETES_SERVICE_HOST") != "" {
		delay = DefaultKubernetesShutdownDelay
	}
	return config{
		signals:         []os.Signal{syscall.SIGTERM, os.Interrupt},
		delay:           delay,
		drainTimeout:    DefaultDrainTimeout,
		shutdownTimeout: DefaultShutdownTimeout,
		hookTimeout:     DefaultHookTimeout,
		idleLinger:      DefaultIdleLinger,
		exit:            os.Exit,
	}
}

// WithSignals sets the signals that start the shutdown. The default is
// SIGTERM and SIGINT. New takes them over (signal.Notify), so Go's default
// action, which kills the process at once and skips every hook, no longer
// applies: a signal that arrives between New and Run (a slow start-up:
// migrations, cache warm-up) starts the sequence at once (readiness down,
// delay, blocking tasks, hooks). Run, once called, serves nothing and
// returns the sequence's result; if Run has not been called when the
// sequence is over, the process exits with ExitCode of its result (through
// WithExitFunc). Run stops the registration when it returns. A second
// signal exits the process at once with status 128+signal number, during
// the shutdown as before Run (the escape hatch of a start-up that hangs). A
// program that drains its own servers without Run should handle the
// signals itself and pass WithSignals() with no argument, which disables
// signal handling.
func WithSignals(sig ...os.Signal) Option {
	s := append([]os.Signal(nil), sig...)
	return func(c *config) { c.signals = s }
}

// WithShutdownDelay sets how long readiness reports not-ready while the
// servers keep accepting and serving, so that load balancers and Kubernetes
// endpoints stop routing to the process before its listeners close. The
// default is DefaultShutdownDelay (2 s), or DefaultKubernetesShutdownDelay
// (5 s) when KUBERNETES_SERVICE_HOST is set. Behind a balancer with active
// checks it must exceed fall x inter + one inter. Zero disables the delay
// (use it when a preStop hook already waits). Negative values panic.
func WithShutdownDelay(d time.Duration) Option {
	mustNotBeNegative("WithShutdownDelay", d)
	return func(c *config) { c.delay = d }
}

// WithoutShutdownDelay is WithShutdownDelay(0): the drain starts as soon as
// the shutdown is triggered. Use it when a Kubernetes preStop hook already
// sleeps before SIGTERM is sent.
func WithoutShutdownDelay() Option { return WithShutdownDelay(0) }

// WithDrainTimeout bounds the wait for in-flight requests after the
// listeners are closed. At this deadline request contexts are cancelled and
// the connections left are closed, counted and logged. The default is
// DefaultDrainTimeout (15 s); it must outlast the slowest request. The
// overall deadline (WithShutdownTimeout) caps it. Values <= 0 panic.
func WithDrainTimeout(d time.Duration) Option {
	mustBePositive("WithDrainTimeout", d)
	return func(c *config) { c.drainTimeout = d }
}

// WithShutdownTimeout sets the overall deadline of the sequence, counted
// from the trigger: delay, drain, blocking tasks and hooks all fit in it.
// The default is DefaultShutdownTimeout (25 s); keep it below the
// orchestrator's kill grace period. Values <= 0 panic.
func WithShutdownTimeout(d time.Duration) Option {
	mustBePositive("WithShutdownTimeout", d)
	return func(c *config) { c.shutdownTimeout = d }
}

// WithHookTimeout bounds each cleanup hook registered with OnShutdown; the
// time left before the overall deadline bounds it too. The overall deadline
// is a hard bound: a hook that cannot start before it (the drain, the
// blocking tasks or earlier hooks used it up) is skipped, and named in
// Run's error (ErrShutdownTimeout) and in the log. The default is
// DefaultHookTimeout (5 s). Values <= 0 panic.
func WithHookTimeout(d time.Duration) Option {
	mustBePositive("WithHookTimeout", d)
	return func(c *config) { c.hookTimeout = d }
}

// WithIdleLinger sets how long, during the shutdown, an HTTP/1 keep-alive
// connection that was never told "Connection: close" stays open once idle:
// its last response was flushed before the trigger, or ended before it, so
// its client may be sending the next request on it at that very moment.
// Such a request is served, with "Connection: close"; when nothing comes
// within the linger the connection is closed. Connections accepted before
// the listener closed that have not sent a request yet get the same linger
// from the drain on. The default is DefaultIdleLinger (500 ms); it only
// holds the drain while such a connection exists. Zero closes them as soon
// as they are idle (and, for connections idle since before the trigger, at
// the drain). Negative values panic. It does not apply to a server that may
// speak HTTP/2 (see Run).
func WithIdleLinger(d time.Duration) Option {
	mustNotBeNegative("WithIdleLinger", d)
	return func(c *config) { c.idleLinger = d }
}

// WithManagementServer adds a separate server for the management endpoints
// (probes, actuator). Run binds it with the app servers before readiness
// turns ready; during the shutdown it keeps answering (readiness 503) while
// the app servers drain and the hooks run, and it stops last. Nil means no
// management server, the default.
func WithManagementServer(srv *http.Server) Option {
	return func(c *config) { c.management = srv }
}

// WithLogger sets the logger for the phase lines (each with its duration).
// Nil, the default, is silent.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) { c.logger = l }
}

// WithExitFunc replaces os.Exit, which the second signal calls. Tests use
// it; nil restores os.Exit.
func WithExitFunc(exit func(code int)) Option {
	return func(c *config) {
		if exit == nil {
			exit = os.Exit
		}
		c.exit = exit
	}
}

func mustNotBeNegative(name string, d time.Duration) {
	if d < 0 {
		panic("lifecycle: " + name + " with a negative duration")
	}
}

func mustBePositive(name string, d time.Duration) {
	if d <= 0 {
		panic("lifecycle: " + name + " needs a positive duration")
	}
}

// Timeouts is the time budget of the shutdown sequence, as configured.
type Timeouts struct {
	Delay    time.Duration // WithShutdownDelay
	Drain    time.Duration // WithDrainTimeout
	Hook     time.Duration // WithHookTimeout, for each hook
	Shutdown time.Duration // WithShutdownTimeout, the bound on all of it
}

// Timeouts returns the configured shutdown budget, for a check at start-up
// that Delay + Drain + Hook fits in Shutdown (the actuator's New makes it),
// or to derive an orchestrator's grace period from it.
func (l *Lifecycle) Timeouts() Timeouts {
	return Timeouts{
		Delay:    l.cfg.delay,
		Drain:    l.cfg.drainTimeout,
		Hook:     l.cfg.hookTimeout,
		Shutdown: l.cfg.shutdownTimeout,
	}
}
