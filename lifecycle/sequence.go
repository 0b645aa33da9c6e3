package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// sequence carries out the shutdown, once; begin is the trigger time.
func (l *Lifecycle) sequence(begin time.Time, started chan struct{}) {
	deadline := begin.Add(l.cfg.shutdownTimeout)
	if started != nil {
		<-started // Run has bound its listeners, or given up
	}
	l.mu.Lock()
	served, apps, mgmt, reason := l.served, l.apps, l.mgmt, l.reason
	// Without Run, readiness was reported up (PhaseIdle), so balancers may
	// route here through servers the program runs itself: delay as well.
	wasReady := served || started == nil
	l.mu.Unlock()
	l.log("lifecycle: shutdown started", "reason", reason, "phase", PhaseDelaying,
		"delay", l.cfg.delay, "drain_timeout", l.cfg.drainTimeout, "shutdown_timeout", l.cfg.shutdownTimeout)

	// Connections that go idle without having been told to close are
	// closed by their server's reaper, after the idle linger, from now on.
	reapers := make([]*reaper, len(apps))
	for i, t := range apps {
		if !t.h2 {
			reapers[i] = t.startReaper(l.cfg.idleLinger, begin, l.draining)
		}
	}

	var errs []error
	if wasReady && l.cfg.delay > 0 {
		timer := time.NewTimer(min(l.cfg.delay, time.Until(deadline)))
		<-timer.C
		l.log("lifecycle: delay over", "phase", PhaseDraining, "took", time.Since(begin))
	}

	drainStart := time.Now()
	l.mu.Lock()
	l.phase.Store(idxDraining)
	onDrain := l.onDrain
	l.onDrain = make(map[uint64]func())
	l.mu.Unlock()
	close(l.draining)
	l.drainCancel()
	l.taskCancel()
	for _, fn := range onDrain {
		go l.callDrain(fn)
	}

	drainDeadline := earliest(drainStart.Add(l.cfg.drainTimeout), deadline)
	left := make([]int, len(apps))
	var wg sync.WaitGroup
	for i, t := range apps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if reapers[i] != nil {
				left[i] = l.drainHTTP1(t, reapers[i], drainDeadline, deadline)
			} else {
				left[i] = l.drain(t, drainDeadline, deadline)
			}
		}()
	}
	wg.Wait()
	total := 0
	for _, n := range left {
		total += n
	}
	if total > 0 {
		errs = append(errs, fmt.Errorf("%w: %d connections still active were cancelled and closed", ErrDrainTimeout, total))
	}
	if len(apps) > 0 {
		l.log("lifecycle: servers drained", "took", time.Since(drainStart), "connections_closed_at_deadline", total)
	}

	if err := l.waitHolds(deadline); err != nil {
		errs = append(errs, err)
	}

	cleanupStart := time.Now()
	l.mu.Lock()
	l.phase.Store(idxCleanup)
	l.mu.Unlock()
	seen, ran := 0, 0
	var skipped []string
	for {
		// Hooks registered while earlier ones ran (a hook that registers
		// another, a task still running past the deadline) are run too.
		l.mu.Lock()
		hooks := append([]hook(nil), l.hooks[seen:]...)
		l.mu.Unlock()
		if len(hooks) == 0 {
			break
		}
		seen += len(hooks)
		for i := len(hooks) - 1; i >= 0; i-- {
			// The overall deadline is a hard bound: a hook that cannot
			// start before it is skipped, not given time past it.
			if !time.Now().Before(deadline) {
				skipped = append(skipped, hooks[i].name)
				continue
			}
			ran++
			if err := l.runHook(hooks[i], deadline); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if ran > 0 {
		l.log("lifecycle: cleanup hooks done", "took", time.Since(cleanupStart), "hooks", ran)
	}
	if len(skipped) > 0 {
		list := strings.Join(skipped, ", ")
		l.warn("lifecycle: cleanup hooks skipped at the deadline", "hooks", list)
		errs = append(errs, fmt.Errorf("%w: %d cleanup hooks not run: %s", ErrShutdownTimeout, len(skipped), list))
	}

	if mgmt != nil {
		l.stopManagement(mgmt, deadline)
	}
	l.reqCancel()

	l.mu.Lock()
	l.result = errors.Join(append(l.errs, errs...)...)
	result := l.result
	l.phase.Store(idxStopped)
	l.mu.Unlock()
	if result != nil {
		l.warn("lifecycle: shutdown complete", "phase", PhaseStopped, "took", time.Since(begin), "error", result.Error())
	} else {
		l.log("lifecycle: shutdown complete", "phase", PhaseStopped, "took", time.Since(begin))
	}
	close(l.done)
}

// drainHTTP1 drains a server that speaks HTTP/1 only. It closes the
// listener itself rather than calling http.Server.Shutdown, which would
// close every connection as soon as its response ends, even one whose
// response could not carry "Connection: close": the client may already be
// sending its next request on it. Keep-alives stay on; every response
// written from now on asks its client to close, and net/http closes the
// connection after it; the reaper closes the connections that go idle
// without having been told, after the idle linger. It waits until every
// connection is gone or the drain deadline, and returns how many were still
// serving a request at that deadline: those get their request contexts
// cancelled and a short grace to return before everything is closed.
func (l *Lifecycle) drainHTTP1(t *tracked, r *reaper, drainDeadline, deadline time.Time) int {
	t.closing.Store(true)
	_ = t.ln.Close()
	<-t.serveDone
	l.log("lifecycle: listener closed", "server", t.name)

	left := 0
	if !t.waitFor(true, drainDeadline) {
		if remotes := t.active(); len(remotes) > 0 {
			left = len(remotes)
			l.warn("lifecycle: drain deadline reached, cancelling requests", "server", t.name,
				"connections", left, "remotes", strings.Join(remotes, ","))
			l.reqCancel()
			t.waitFor(false, earliest(time.Now().Add(forceGrace), deadline))
		}
	}
	r.stop()
	_ = t.srv.Close()
	return left
}

// drain drains a server that may speak HTTP/2 with http.Server.Shutdown,
// whose GOAWAY is the only way to tell HTTP/2 clients: it closes the
// listener, waits until no request is in flight or the drain deadline, and
// returns how many connections were still serving a request at that
// deadline. Those get their request contexts cancelled and a short grace to
// return before everything is closed. HTTP/1 connections on such a server
// are closed as soon as their response ends, without the idle linger.
func (l *Lifecycle) drain(t *tracked, drainDeadline, deadline time.Time) int {
	ctx, cancel := context.WithCancel(context.Background())
	shut := make(chan struct{})
	go func() {
		defer close(shut)
		// Closes the listener and the idle connections, turns keep-alives
		// off (in-flight responses get "Connection: close"), and starts the
		// RegisterOnShutdown callbacks (HTTP/2 GOAWAY among them).
		_ = t.srv.Shutdown(ctx)
	}()
	<-t.serveDone
	l.log("lifecycle: listener closed", "server", t.name)

	left := 0
	if !t.waitFor(false, drainDeadline) {
		remotes := t.active()
		left = len(remotes)
		l.warn("lifecycle: drain deadline reached, cancelling requests", "server", t.name,
			"connections", left, "remotes", strings.Join(remotes, ","))
		l.reqCancel()
		t.waitFor(false, earliest(time.Now().Add(forceGrace), deadline))
	}
	if t.h2 {
		// HTTP/2 reports a connection idle before its last frames are
		// flushed, and closes the connection itself after its GOAWAY:
		// let Shutdown see that through rather than cut the response.
		grace := time.NewTimer(min(time.Until(deadline), h2CloseGrace))
		select {
		case <-shut:
		case <-grace.C:
		}
		grace.Stop()
	}
	// Shutdown polls every 500 ms at most; the connection tracking knows
	// sooner. Stop it and close what is left (idle or never-used
	// connections, handlers that ignored their cancelled context).
	cancel()
	<-shut
	_ = t.srv.Close()
	return left
}

// waitHolds waits until every Hold is released, or the overall deadline.
func (l *Lifecycle) waitHolds(deadline time.Time) error {
	start := time.Now()
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	logged := false
	for {
		l.mu.Lock()
		if len(l.holds) == 0 {
			l.mu.Unlock()
			if logged {
				l.log("lifecycle: blocking tasks done", "took", time.Since(start))
			}
			return nil
		}
		if l.holdsWait == nil {
			l.holdsWait = make(chan struct{})
		}
		ch := l.holdsWait
		names := make([]string, 0, len(l.holds))
		for _, n := range l.holds {
			names = append(names, n)
		}
		l.mu.Unlock()
		sort.Strings(names)
		if !logged {
			l.log("lifecycle: waiting for blocking tasks", "tasks", strings.Join(names, ","))
			logged = true
		}
		select {
		case <-ch:
		case <-timer.C:
			l.warn("lifecycle: blocking tasks still held at the deadline", "tasks", strings.Join(names, ","))
			return fmt.Errorf("%w: blocking tasks still held: %s", ErrShutdownTimeout, strings.Join(names, ", "))
		}
	}
}

// runHook runs one cleanup hook bounded by the hook timeout and the overall
// deadline. A hook that does not return in time is left behind.
func (l *Lifecycle) runHook(h hook, deadline time.Time) error {
	start := time.Now()
	timeout := min(l.cfg.hookTimeout, time.Until(deadline))
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	ch := make(chan error, 1)
	go func() { ch <- callSafely(ctx, h.fn) }()
	var err error
	select {
	case err = <-ch:
		if err != nil {
			err = fmt.Errorf("hook %q: %w", h.name, err)
		}
	case <-ctx.Done():
		err = fmt.Errorf("hook %q: %w after %s", h.name, ErrHookTimeout, timeout)
	}
	if err != nil {
		l.warn("lifecycle: hook failed", "hook", h.name, "took", time.Since(start), "error", err.Error())
	} else {
		l.log("lifecycle: hook done", "hook", h.name, "took", time.Since(start))
	}
	return err
}

// stopManagement stops the management server last, letting the probes in
// flight finish, within the overall deadline.
func (l *Lifecycle) stopManagement(t *tracked, deadline time.Time) {
	ctx, cancel := context.WithDeadline(context.Background(), earliest(time.Now().Add(managementStopTimeout), deadline))
	defer cancel()
	if err := t.srv.Shutdown(ctx); err != nil {
		_ = t.srv.Close()
	}
	<-t.serveDone
	l.log("lifecycle: management server stopped")
}

func earliest(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// callDrain runs one OnDrain callback. A panicking callback is the
// application's bug, but it must not take the process down mid-drain: it is
// logged and joined into the sequence's result.
func (l *Lifecycle) callDrain(fn func()) {
	err := callSafely(context.Background(), func(context.Context) error { fn(); return nil })
	if err != nil {
		l.addErr(fmt.Errorf("drain callback: %w", err))
		l.warn("lifecycle: drain callback panicked", "err", err)
	}
}

// h2CloseGrace bounds the wait for HTTP/2 connections to close themselves
// once drained: net/http's HTTP/2 server closes a connection one second
// after its graceful GOAWAY, when its last stream is done.
const h2CloseGrace = 1500 * time.Millisecond

// mayServeHTTP2 reports whether srv can have HTTP/2 connections: over TLS
// (negotiated with ALPN), or unencrypted when its Protocols allow it.
func mayServeHTTP2(srv *http.Server) bool {
	return hasTLS(srv.TLSConfig) || (srv.Protocols != nil && srv.Protocols.UnencryptedHTTP2())
}

// A reaper closes, from the trigger on, the keep-alive connections of an
// HTTP/1 server that went idle without having been told to close (their
// last response was flushed before the trigger, or ended before it), once
// they have been idle for the linger: long enough to serve the request a
// client may already be sending with "Connection: close", short enough not
// to hold the drain. Until the drain starts it only closes connections that
// went idle after the trigger; from the drain on, every idle connection,
// and those accepted that have not sent a request yet.
type reaper struct {
	t            *tracked
	linger       time.Duration
	trigger      time.Time
	drainStarted <-chan struct{}
	quit         chan struct{}
	done         chan struct{}
}

func (t *tracked) startReaper(linger time.Duration, trigger time.Time, drainStarted <-chan struct{}) *reaper {
	r := &reaper{t: t, linger: linger, trigger: trigger, drainStarted: drainStarted,
		quit: make(chan struct{}), done: make(chan struct{})}
	go r.run()
	return r
}

// stop stops the reaper and waits for it.
func (r *reaper) stop() {
	close(r.quit)
	<-r.done
}

func (r *reaper) run() {
	defer close(r.done)
	t := r.t
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		draining := false
		select {
		case <-r.drainStarted:
			draining = true
		default:
		}
		now := time.Now()
		var next time.Time
		t.mu.Lock()
		for c, ci := range t.conns {
			if ci.closed {
				continue
			}
			switch {
			case ci.state == http.StateIdle && (draining || !ci.since.Before(r.trigger)):
			case ci.state == http.StateNew && draining:
			default:
				continue
			}
			at := ci.since.Add(r.linger)
			if !at.After(now) {
				// Closed under the lock, so that the state seen is the
				// state closed: a connection that turned active meanwhile
				// is left alone. (Closing a plain TCP connection does not
				// block.)
				ci.closed = true
				t.conns[c] = ci
				_ = c.Close()
			} else if next.IsZero() || at.Before(next) {
				next = at
			}
		}
		if t.changed == nil {
			t.changed = make(chan struct{})
		}
		changed := t.changed
		t.mu.Unlock()

		var wake <-chan time.Time
		if !next.IsZero() {
			timer.Reset(time.Until(next))
			wake = timer.C
		}
		var drainC <-chan struct{}
		if !draining {
			drainC = r.drainStarted
		}
		select {
		case <-changed:
		case <-wake:
		case <-drainC:
		case <-r.quit:
			return
		}
		timer.Stop()
	}
}
