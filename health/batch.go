package health

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// A request that finds several checks due (no TTL, or a result older than
// it) starts their runs as one batch: the check functions run one after
// another on one goroutine, and one timer bounds them all. A check that
// returns at once, the common case, so costs the request a share of one
// goroutine and one timer rather than one of each, while every guarantee
// of a run stays: each has its own context with its own deadline, at which
// the timer reports it timed out whether or not its function returns, and
// no run waits behind the others for more than handOffAfter: then every run
// of the batch not started yet gets a goroutine of its own, so that slow
// checks run concurrently as they always did.

// handOffAfter bounds how long a run waits behind the others of its batch
// (or half the shortest timeout of the batch, if that is shorter).
const handOffAfter = time.Millisecond

// batch is the runs one request starts.
type batch struct {
	c      *Checker
	parent context.Context // the request's context without its cancellation
	start  time.Time       // by the checker's clock
	runs   []batchRun      // allocated once, for as many runs as may start
	snaps  []snapshot      // their plain results: see snapshotInto
	done   chan struct{}   // closed when every run has a result
	next   atomic.Int32    // index of the next run to start

	mu     sync.Mutex
	timer  *time.Timer // at the hand-off, then at the next deadline
	left   int         // runs without a result
	handed bool        // the hand-off is done (or not needed)
}

// batchRun is one run of a batch, with its flight and its context.
type batchRun struct {
	b    *batch
	l    *leaf
	f    flight
	ctx  runCtx
	snap *snapshot // where its result goes when plain: see snapshotInto
	over bool      // it has a result, its own or a timeout; guarded by b.mu
}

// queueLocked adds a run of l to the request's batch, making one if
// needed, and returns its flight; l.mu must be held. The run starts when
// evaluate launches the batch.
func (c *Checker) queueLocked(ctx context.Context, l *leaf, st *evalState) *flight {
	b := st.batch
	if b == nil {
		b = &batch{c: c, parent: context.WithoutCancel(ctx), start: st.clock(c), done: make(chan struct{})}
		b.runs = make([]batchRun, 0, st.mayStart)
		// Apart from the runs: the last result of a check outlives its
		// batch, and should not keep the batch alive, nor the request's
		// context values it holds.
		b.snaps = make([]snapshot, st.mayStart)
		st.batch = b
	}
	b.runs = b.runs[:len(b.runs)+1] // within the capacity: the runs never move
	r := &b.runs[len(b.runs)-1]
	r.b, r.l, r.snap = b, l, &b.snaps[len(b.runs)-1]
	r.ctx = runCtx{Context: b.parent, deadline: b.start.Add(l.timeout)}
	r.f = flight{run: r} // done is made for the first other request to join
	l.cur, l.running, l.started = &r.f, true, b.start
	return &r.f
}

// launch starts the batch's goroutine and its timer.
func (b *batch) launch() {
	shortest := b.runs[0].l.timeout
	for i := range b.runs {
		shortest = min(shortest, b.runs[i].l.timeout)
	}
	wait := shortest
	b.mu.Lock()
	b.left = len(b.runs)
	if len(b.runs) == 1 {
		b.handed = true // nothing waits behind the one run
	} else {
		wait = min(handOffAfter, shortest/2)
	}
	b.timer = time.AfterFunc(wait, b.fire)
	b.mu.Unlock()
	go b.runAll()
}

// runAll runs the batch's runs in turn until none is left to start; the
// end of one run is the start of the next.
func (b *batch) runAll() {
	start := b.start
	for {
		i := int(b.next.Add(1)) - 1
		if i >= len(b.runs) {
			return
		}
		start = b.runs[i].exec(start)
	}
}

// exec runs r's check, started at start, and returns when it ended.
func (r *batchRun) exec(start time.Time) time.Time {
	end := r.b.c.exec(&r.ctx, nil, r.l, &r.f, start)
	r.ctx.cancel()
	return end
}

// fire is the batch's timer: at the hand-off it starts every run not
// started yet on a goroutine of its own; at a deadline it reports the runs
// due as timed out. It then sets the timer to the next deadline.
func (b *batch) fire() {
	now := b.c.now()
	var due []*batchRun
	b.mu.Lock()
	if !b.handed {
		b.handed = true
		for i := int(b.next.Add(1)) - 1; i < len(b.runs); i = int(b.next.Add(1)) - 1 {
			go b.runs[i].exec(now)
		}
	}
	var next time.Time
	was := b.left
	for i := range b.runs {
		r := &b.runs[i]
		switch {
		case r.over:
		case !now.Before(r.ctx.deadline):
			r.over = true
			b.left--
			due = append(due, r)
		case next.IsZero() || r.ctx.deadline.Before(next):
			next = r.ctx.deadline
		}
	}
	if !next.IsZero() {
		b.timer.Reset(next.Sub(now))
	}
	last := was > 0 && b.left == 0
	b.mu.Unlock()
	for _, r := range due {
		b.c.expire(r.l, &r.f, &r.ctx, b.start)
	}
	if last {
		close(b.done) // after the results it waits for
	}
}

// settle records that r has a result; the last one stops the timer and
// tells the request.
func (r *batchRun) settle() {
	b := r.b
	b.mu.Lock()
	defer b.mu.Unlock()
	if r.over {
		return
	}
	r.over = true
	b.left--
	if b.left == 0 {
		b.timer.Stop()
		close(b.done)
	}
}
