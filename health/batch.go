package health

import (
	"context"
	"sync"
	"time"
)

// A request that finds several checks due (no TTL, or a result older than
// it) starts their runs as one batch: each check still runs on a goroutine
// of its own, so they run concurrently, but one timer bounds them all, the
// request waits on one channel, and their flights, contexts and results
// are allocated once, by the request. Every run keeps its own context and
// deadline, at which the timer reports it timed out whether or not its
// function returns.
//
// (Running the checks of a batch one after another on a single goroutine
// cost less CPU, but under load it lengthened the tail: p99 of 8 to 20 ms
// in 5 of 8 runs of the ours-health-3 server, against 2-2.6 ms with a
// goroutine per check. The likely cause, a request and that goroutine
// handing the processor to each other while other connections waited, was
// not proven. See docs/benchmarks.md.)

// batch is the runs one request starts.
type batch struct {
	c      *Checker
	parent context.Context // the request's context without its cancellation
	start  time.Time       // by the checker's clock
	runs   []batchRun      // allocated once, for as many runs as may start
	snaps  []snapshot      // their plain results: see snapshotInto
	done   chan struct{}   // closed when every run has a result

	mu    sync.Mutex
	timer *time.Timer // at the next deadline
	left  int         // runs without a result
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

// launch starts the batch's runs, each on a goroutine of its own, and its
// timer, at the earliest deadline.
func (b *batch) launch() {
	first := b.runs[0].ctx.deadline
	for i := range b.runs {
		if d := b.runs[i].ctx.deadline; d.Before(first) {
			first = d
		}
	}
	b.mu.Lock()
	b.left = len(b.runs)
	b.timer = time.AfterFunc(first.Sub(b.start), b.fire)
	b.mu.Unlock()
	for i := range b.runs {
		go b.runs[i].exec(b.start)
	}
}

// exec runs r's check, then ends its context.
func (r *batchRun) exec(start time.Time) {
	r.b.c.exec(&r.ctx, nil, r.l, &r.f, start)
	r.ctx.cancel()
}

// fire is the batch's timer: it reports the runs whose deadline has come
// as timed out, then sets itself to the next deadline.
func (b *batch) fire() {
	now := b.c.now()
	var due []*batchRun
	b.mu.Lock()
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
