package health

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/actuatorgo/actuator/internal/httpx"
)

// leaf is one check with its cache, single-flight and threshold state.
type leaf struct {
	idx        int
	name       string // full name, "composite/member" for members
	fn         StatusFunc
	timeout    time.Duration // effective: min(check timeout, request timeout)
	ttl        time.Duration
	background bool
	interval   time.Duration
	delay      time.Duration
	failN      int
	succN      int
	inline     bool
	pending    *snapshot // what a background check reports before its first run

	mu      sync.Mutex
	last    *snapshot // last reported result
	cur     *flight   // the run requests join, nil when none
	running bool      // the check function is executing (it may outlive its flight)
	started time.Time // when the current or last run started
	stable  Status    // reported status after thresholds; "" before the first result
	fails   int       // consecutive DOWN results
	succs   int       // consecutive results that are not DOWN

	notes     []note // transitions not yet told to the listener, in order
	notifying bool   // a goroutine is telling them (see drainNotes)
}

// flight is one execution of a check, shared by every request that needs it.
type flight struct {
	done  chan struct{} // closed when snap is set; see queueLocked
	snap  *snapshot
	timer *time.Timer // a background run's; a request's run is its batch's
	run   *batchRun   // a request's run
}

// snapshot is an immutable result, with its JSON pre-encoded so that cached
// results cost nothing to serve. The details of a plain result (no error,
// no details of the check's own) are built on first use: most requests
// never show them, and a check run per request would pay for a map and its
// JSON on every run.
type snapshot struct {
	info  *statusInfo
	err   error
	at    time.Time     // completion, by the checker's clock
	plain bool          // details are {"duration": dur}, built by build
	dur   time.Duration // for a plain result

	once        sync.Once      // builds a plain result's details
	details     map[string]any // with "duration" and "error"; use detailMap
	detailsJSON []byte         // use detailBytes
}

// detailMap returns the details, with "duration" and "error".
func (s *snapshot) detailMap() map[string]any {
	if s.plain {
		s.once.Do(s.build)
	}
	return s.details
}

// detailBytes returns the details' JSON.
func (s *snapshot) detailBytes() []byte {
	if s.plain {
		s.once.Do(s.build)
	}
	return s.detailsJSON
}

func (s *snapshot) build() {
	d := s.dur.String()
	s.details = map[string]any{"duration": d}
	// Digits, letters and '.': no escaping.
	s.detailsJSON = append(append(append(make([]byte, 0, len(d)+15), `{"duration":"`...), d...), `"}`...)
}

// withStatus returns a copy of s reporting info instead.
func (s *snapshot) withStatus(info *statusInfo) *snapshot {
	if s.plain {
		return &snapshot{info: info, at: s.at, plain: true, dur: s.dur}
	}
	return &snapshot{info: info, err: s.err, details: s.details, detailsJSON: s.detailsJSON, at: s.at}
}

func (c *Checker) newLeaf(name string, e *entry) *leaf {
	l := &leaf{
		idx:        len(c.leaves),
		name:       name,
		fn:         e.fn,
		timeout:    c.timeout,
		ttl:        e.check.ttl,
		background: e.check.background,
		interval:   e.check.interval,
		delay:      e.check.initialDelay,
		failN:      e.check.failureThreshold,
		succN:      e.check.successThreshold,
		inline:     e.check.inline,
	}
	if l.inline {
		// WithTimeout, WithTTL and WithBackground do not apply to an inline check.
		l.background = false
	}
	if t := e.check.timeout; t > 0 && t < l.timeout {
		l.timeout = t
	}
	if l.background {
		l.pending = c.newSnapshot(Unknown, ErrNotChecked, nil, 0, time.Time{})
	}
	c.leaves = append(c.leaves, l)
	return l
}

// untimed is the duration of a state check's result: such a check reads
// memory and returns at once, so it is not timed (reading the clock would
// cost more than the check) and its details hold no "duration", as
// Spring Boot's livenessState and readinessState show none.
const untimed time.Duration = -1

// newSnapshot builds a snapshot. It may call user code (Error, MarshalJSON),
// so callers outside a recover must only pass errors and details of ours.
func (c *Checker) newSnapshot(s Status, err error, details map[string]any, d time.Duration, at time.Time) *snapshot {
	return c.snapshotInto(nil, s, err, details, d, at)
}

// snapshotInto is newSnapshot writing a result without error or details
// into dst, when dst is not nil, rather than into memory of its own. A
// batch's run has such a place, allocated by the request with the batch:
// a run's goroutine is new, and a goroutine new to a GC cycle pays for its
// first allocation with a share of the marking.
func (c *Checker) snapshotInto(dst *snapshot, s Status, err error, details map[string]any, d time.Duration, at time.Time) *snapshot {
	if err == nil && len(details) == 0 {
		if dst == nil {
			dst = new(snapshot)
		}
		dst.info, dst.at = c.statusInfo(s), at
		if d != untimed { // else no details at all
			dst.plain, dst.dur = true, d
		}
		return dst
	}
	return c.encodeSnapshot(s, err, details, d, at)
}

// encodeSnapshot is newSnapshot for a result with an error or details,
// apart so that the frame of a plain result's path stays small: checks
// run on fresh goroutines, whose stacks start small.
func (c *Checker) encodeSnapshot(s Status, err error, details map[string]any, d time.Duration, at time.Time) *snapshot {
	m := make(map[string]any, len(details)+2)
	for k, v := range details {
		m[k] = v
	}
	if d != untimed {
		m["duration"] = d.String()
	}
	if err != nil {
		m["error"] = err.Error()
	}
	var b []byte
	var jerr error
	if len(details) == 0 {
		// The common case, written by hand: encoding/json sorts map keys
		// through reflection, which costs a dozen allocations.
		b = append(b, '{')
		if d != untimed {
			b = append(b, `"duration":"`...)
			b = append(b, m["duration"].(string)...) // digits, letters and '.': no escaping
			b = append(b, '"')
		}
		if err != nil {
			if d != untimed {
				b = append(b, ',')
			}
			b = append(b, `"error":`...)
			b = httpx.AppendJSONString(b, m["error"].(string))
		}
		b = append(b, '}')
	} else {
		b, jerr = json.Marshal(m)
	}
	if jerr != nil {
		m = map[string]any{"detailsError": "cannot encode details: " + jerr.Error()}
		if d != untimed {
			m["duration"] = d.String()
		}
		if err != nil {
			m["error"] = err.Error()
		}
		b = mustJSON(m)
	}
	return &snapshot{info: c.statusInfo(s), err: err, details: m, detailsJSON: b, at: at}
}

// acquire returns the leaf's result for a request: a snapshot when one can
// be served at once, or the flight to wait for.
func (c *Checker) acquire(ctx context.Context, l *leaf, st *evalState) (*snapshot, *flight) {
	l.mu.Lock()
	switch {
	case l.background:
		snap := l.last
		if snap == nil {
			snap = l.pending
		}
		l.mu.Unlock()
		return snap, nil
	case l.last != nil && l.ttl > 0 && st.clock(c).Sub(l.last.at) < l.ttl:
		snap := l.last
		l.mu.Unlock()
		return snap, nil
	case l.cur != nil:
		f := l.cur
		if f.done == nil {
			f.done = make(chan struct{})
		}
		l.mu.Unlock()
		return nil, f
	case l.running:
		// The last run timed out and its function has not returned: answer
		// another timeout rather than start a second goroutine.
		snap, tr := c.hungLocked(l, c.now())
		l.mu.Unlock()
		c.reportTransition(l, tr)
		return snap, nil
	}
	f := c.queueLocked(ctx, l, st)
	l.mu.Unlock()
	return nil, f
}

// startLocked starts a background run of l, on a goroutine of its own
// with a timer of its own; l.mu must be held. (A request's runs start in
// batches: see queueLocked.)
func (c *Checker) startLocked(parent context.Context, l *leaf) *flight {
	f := &flight{done: make(chan struct{})}
	ctx, cancel := context.WithTimeout(parent, l.timeout)
	start := c.now()
	l.cur, l.running, l.started = f, true, start
	f.timer = time.AfterFunc(l.timeout, func() { c.expire(l, f, nil, start) })
	go c.exec(ctx, cancel, l, f, start)
	return f
}

// expire reports the run of flight f, started at start, as timed out,
// unless its function returned first, and ends rc, its context when it is
// a request's run.
func (c *Checker) expire(l *leaf, f *flight, rc *runCtx, start time.Time) {
	if rc != nil {
		rc.end(context.DeadlineExceeded)
	}
	err := &timeoutError{timeout: l.timeout}
	now := c.now()
	c.finish(l, f, Result{Status: Down, Err: err}, c.newSnapshot(Down, err, nil, now.Sub(start), now), false, true)
}

// exec runs the check function once, in its own goroutine. It calls
// cancel, when there is one, once done.
func (c *Checker) exec(ctx context.Context, cancel context.CancelFunc, l *leaf, f *flight, start time.Time) {
	if cancel != nil {
		defer cancel()
	}
	res, panicked := call(ctx, l.fn)
	end := c.now()
	d := end.Sub(start)
	if l.background && c.bgCtx.Err() != nil && errors.Is(ctx.Err(), context.Canceled) {
		// Close cancelled this run: its failure says nothing about the
		// dependency, so keep serving the previous result.
		c.finish(l, f, res, nil, true, false)
		return
	}
	timedOut := errors.Is(ctx.Err(), context.DeadlineExceeded)
	if timedOut {
		res = l.timedOut(res)
	}
	status := normalize(res)
	var dst *snapshot
	if f.run != nil {
		dst = f.run.snap
	}
	snap, perr := c.safeSnapshot(status, res, d, end, dst)
	if perr != nil {
		res = Result{Status: Down, Err: perr}
		status, panicked = Down, true
		snap = c.newSnapshot(Down, perr, nil, d, end)
	}
	if c.logger != nil {
		c.logRun(l, snap, panicked, d)
	}
	c.finish(l, f, res, snap, true, timedOut)
}

// timedOut returns res, the result of a check whose deadline passed before
// it returned: whatever it says, it timed out, as the timer reports it.
func (l *leaf) timedOut(res Result) Result {
	if res.Err == nil || errors.Is(res.Err, context.DeadlineExceeded) {
		res.Err = &timeoutError{timeout: l.timeout}
	} else {
		res.Err = &timeoutError{timeout: l.timeout, err: res.Err}
	}
	res.Status = Down
	return res
}

// logRun logs a run that panicked or took more than half its timeout.
func (c *Checker) logRun(l *leaf, snap *snapshot, panicked bool, d time.Duration) {
	if panicked {
		c.logger.LogAttrs(context.Background(), slog.LevelError, "health: check panicked",
			slog.String("check", l.name), slog.String("error", snap.detailMap()["error"].(string)))
	}
	if d > l.timeout/2 && d <= l.timeout {
		c.logger.LogAttrs(context.Background(), slog.LevelWarn, "health: slow check",
			slog.String("check", l.name), slog.Duration("duration", d), slog.Duration("timeout", l.timeout))
	}
}

// runInline runs an inline check in the caller's goroutine. While it keeps
// answering the same plain status, the last snapshot is served again, so a
// steady probe allocates nothing.
func (c *Checker) runInline(ctx context.Context, l *leaf) *snapshot {
	res, panicked := call(ctx, l.fn)
	status := normalize(res)
	if res.Err == nil && len(res.Details) == 0 {
		l.mu.Lock()
		last, stable := l.last, l.stable
		// Reusing the last result skips decide, which is only right when
		// this result would not move the threshold counters that matter:
		// a DOWN must not interrupt a success streak, nor a result that is
		// not DOWN a failure streak.
		settled := (status == Down && l.succs == 0) || (status != Down && l.fails == 0)
		l.mu.Unlock()
		if settled && last != nil && last.err == nil && last.details == nil && last.info.status == status && stable == status {
			return last
		}
	}
	snap, perr := c.safeSnapshot(status, res, untimed, c.now(), nil)
	if perr != nil {
		res = Result{Status: Down, Err: perr}
		panicked = true
		snap = c.newSnapshot(Down, perr, nil, untimed, c.now())
	}
	if panicked && c.logger != nil {
		c.logger.LogAttrs(context.Background(), slog.LevelError, "health: check panicked",
			slog.String("check", l.name), slog.String("error", snap.detailMap()["error"].(string)))
	}
	f := &flight{}
	c.finish(l, f, res, snap, false, false)
	return f.snap
}

// timeoutError is the error of a check that did not finish in time.
type timeoutError struct {
	timeout time.Duration
	err     error // what the check returned at its deadline, if anything else
}

func (e *timeoutError) Error() string {
	if e.err != nil {
		return fmt.Sprintf("timed out after %v: %v", e.timeout, e.err)
	}
	return fmt.Sprintf("timed out after %v", e.timeout)
}

func (e *timeoutError) Unwrap() []error {
	if e.err != nil {
		return []error{context.DeadlineExceeded, e.err}
	}
	return []error{context.DeadlineExceeded}
}

// call runs fn, turning a panic into a DOWN result.
func call(ctx context.Context, fn StatusFunc) (res Result, panicked bool) {
	defer func() {
		if p := recover(); p != nil {
			res, panicked = Result{Status: Down, Err: fmt.Errorf("panic: %v", p)}, true
		}
	}()
	return fn(ctx), false
}

// safeSnapshot builds the snapshot of a check's result (see snapshotInto
// for dst), recovering from panics in the user's Error or MarshalJSON
// methods.
func (c *Checker) safeSnapshot(s Status, res Result, d time.Duration, at time.Time, dst *snapshot) (snap *snapshot, err error) {
	defer func() {
		if p := recover(); p != nil {
			snap, err = nil, fmt.Errorf("panic while encoding the result: %v", p)
		}
	}()
	return c.snapshotInto(dst, s, res.Err, res.Details, d, at), nil
}

// finish publishes the result of flight f, once: the first of the function
// and the timer wins. fromExec marks the function's own return; a nil snap
// ends the flight without a new result.
func (c *Checker) finish(l *leaf, f *flight, res Result, snap *snapshot, fromExec, timedOut bool) {
	l.mu.Lock()
	if fromExec {
		l.running = false
	}
	if f.snap != nil {
		l.mu.Unlock()
		return
	}
	if fromExec && f.timer != nil {
		f.timer.Stop()
	}
	if snap == nil { // discarded run (only background runs are)
		snap = l.last
		if snap == nil {
			snap = l.pending
		}
		f.snap = snap
		if f.done != nil {
			close(f.done)
		}
		if l.cur == f {
			l.cur = nil
		}
		l.mu.Unlock()
		return
	}
	snap, tr := c.publishLocked(l, snap, res.Err)
	f.snap = snap
	if f.done != nil {
		close(f.done)
	}
	if l.cur == f {
		l.cur = nil
	}
	l.mu.Unlock()
	if f.run != nil {
		f.run.settle()
	}

	if timedOut && c.logger != nil {
		c.logger.LogAttrs(context.Background(), slog.LevelWarn, "health: check timed out",
			slog.String("check", l.name), slog.Duration("timeout", l.timeout))
	}
	c.reportTransition(l, tr)
}

// note is a change of a check's reported status, queued to be told to the
// logger and listener without holding l.mu.
type note struct {
	from, to Status
	err      error
}

// transition tells a caller of publishLocked whether it must drain the
// leaf's notes (after unlocking l.mu).
type transition struct{ drain bool }

// publishLocked applies the thresholds to a new result, makes it the last
// one and queues its transition, if it is one; l.mu must be held. err is
// the result's error, for the log.
func (c *Checker) publishLocked(l *leaf, snap *snapshot, err error) (*snapshot, transition) {
	from := l.stable
	to := l.decide(snap.info.status)
	if to != snap.info.status {
		snap = snap.withStatus(c.statusInfo(to))
	}
	l.last = snap
	if from == to {
		return snap, transition{}
	}
	if from == "" {
		from = Unknown
	}
	// Transitions are queued in the order they are decided and told one at
	// a time by whichever goroutine finds nobody telling them. Nobody waits
	// for another's turn, so a listener may call back into the Checker
	// (even from the request goroutine of an inline check) without a
	// deadlock, and a slow listener delays only the goroutine telling.
	l.notes = append(l.notes, note{from: from, to: to, err: err})
	if l.notifying {
		return snap, transition{}
	}
	l.notifying = true
	return snap, transition{drain: true}
}

// reportTransition tells the logger and listener about the queued
// transitions when tr says this goroutine must.
func (c *Checker) reportTransition(l *leaf, tr transition) {
	if tr.drain {
		c.drainNotes(l)
	}
}

// drainNotes tells the queued transitions of l, in order, until none is left.
func (c *Checker) drainNotes(l *leaf) {
	for {
		l.mu.Lock()
		if len(l.notes) == 0 {
			l.notes = nil
			l.notifying = false
			l.mu.Unlock()
			return
		}
		n := l.notes[0]
		l.notes[0] = note{}
		l.notes = l.notes[1:]
		l.mu.Unlock()
		c.notify(l.name, n.from, n.to, n.err)
	}
}

// hungLocked records that a run of l was due while the previous one, timed
// out, is still running: one more timeout as far as thresholds go, so a
// check that hangs reaches its failure threshold. Like a real run, such an
// attempt counts once per timeout: requests within the timeout of the last
// result share it. l.mu must be held; the caller reports the transition
// after unlocking.
func (c *Checker) hungLocked(l *leaf, now time.Time) (*snapshot, transition) {
	if l.last != nil && now.Sub(l.last.at) < l.timeout {
		return l.last, transition{}
	}
	err := &timeoutError{timeout: l.timeout}
	return c.publishLocked(l, c.newSnapshot(Down, err, nil, now.Sub(l.started), now), err)
}

// decide applies the thresholds to a new raw status and returns the status
// to report; l.mu must be held.
func (l *leaf) decide(raw Status) Status {
	if l.stable == "" {
		l.stable = raw
		if raw == Down {
			l.fails = 1
		} else {
			l.succs = 1
		}
		return raw
	}
	if raw == Down {
		l.fails++
		l.succs = 0
	} else {
		l.succs++
		l.fails = 0
	}
	switch {
	case raw == l.stable:
	case raw == Down:
		if l.fails >= l.failN {
			l.stable = Down
		}
	case l.stable == Down:
		if l.succs >= l.succN {
			l.stable = raw
		}
	default: // between statuses that are not DOWN, e.g. UP -> OUT_OF_SERVICE
		l.stable = raw
	}
	return l.stable
}

func (c *Checker) notify(name string, from, to Status, err error) {
	if c.logger != nil {
		level := slog.LevelWarn
		if to == Up {
			level = slog.LevelInfo
		}
		attrs := []slog.Attr{slog.String("check", name), slog.String("from", string(from)), slog.String("to", string(to))}
		if err != nil {
			attrs = append(attrs, slog.Any("error", err))
		}
		c.logger.LogAttrs(context.Background(), level, "health: status changed", attrs...)
	}
	if c.listener != nil {
		defer func() {
			if p := recover(); p != nil && c.logger != nil {
				c.logger.LogAttrs(context.Background(), slog.LevelError, "health: listener panicked",
					slog.String("check", name), slog.Any("panic", p))
			}
		}()
		c.listener(name, from, to)
	}
}

// runBackground runs l every interval until Close.
func (c *Checker) runBackground(l *leaf) {
	defer c.wg.Done()
	t := time.NewTimer(l.delay)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
		}
		var f *flight
		var tr transition
		l.mu.Lock()
		if !l.running {
			f = c.startLocked(c.bgCtx, l)
		} else {
			// The last run timed out and has not returned: no second
			// goroutine, but another timeout for the thresholds.
			_, tr = c.hungLocked(l, c.now())
		}
		l.mu.Unlock()
		if tr.drain {
			// Not from this goroutine: a listener may call Close, which
			// waits for this loop to end.
			go c.drainNotes(l)
		}
		if f != nil {
			select {
			case <-f.done:
			case <-c.stop:
				return
			}
		}
		t.Reset(l.interval)
	}
}

// evalState is the per-request scratch space, pooled.
type evalState struct {
	snaps    []*snapshot
	flights  []*flight
	batch    *batch    // the runs this request starts, until launched
	mayStart int       // how many runs it may start: its leaves that are not inline
	authz    int8      // 0 not asked yet, 1 authorized, -1 not
	now      time.Time // the request's time, read once: time.Now is not free
}

func (st *evalState) clock(c *Checker) time.Time {
	if st.now.IsZero() {
		st.now = c.now()
	}
	return st.now
}

func (c *Checker) getState() *evalState { return c.states.Get().(*evalState) }

func (c *Checker) putState(st *evalState) {
	clear(st.snaps)
	clear(st.flights)
	st.batch = nil
	st.authz = 0
	st.now = time.Time{}
	c.states.Put(st)
}

// evaluate fills st.snaps for leaves: cached results at once, the others
// run concurrently (or joined) and awaited until done or ctx ends. The
// first evaluation starts the background checks.
func (c *Checker) evaluate(ctx context.Context, leaves []*leaf, st *evalState) {
	if !c.begun.Load() {
		c.Start()
	}
	st.mayStart = 0
	for _, l := range leaves {
		if !l.inline {
			st.mayStart++
		}
	}
	waiting := false
	for _, l := range leaves {
		if !l.inline {
			st.snaps[l.idx], st.flights[l.idx] = c.acquire(ctx, l, st)
			waiting = waiting || st.flights[l.idx] != nil
		}
	}
	own := st.batch
	if own != nil {
		st.batch = nil
		own.launch()
	}
	// Inline checks run once the batch is under way: a listener they call
	// may wait for one of its runs.
	for _, l := range leaves {
		if l.inline {
			st.snaps[l.idx] = c.runInline(ctx, l)
		}
	}
	if !waiting {
		return
	}
	for _, l := range leaves {
		f := st.flights[l.idx]
		if f == nil {
			continue
		}
		// The runs this request started end together for it (one wake-up,
		// not one per run); a run it joined has its own channel, made
		// when it joined.
		var done <-chan struct{}
		if f.run != nil && f.run.b == own {
			done = own.done
		} else {
			done = f.done
		}
		select {
		case <-done:
			st.snaps[l.idx] = f.snap
		case <-ctx.Done():
			err := fmt.Errorf("request ended before the check finished: %w", ctx.Err())
			st.snaps[l.idx] = c.newSnapshot(Down, err, nil, 0, c.now())
		}
	}
}
