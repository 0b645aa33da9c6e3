package health

import (
	"context"
	"slices"
	"sync"
	"time"
)

// runCtx is the context of a check run that a request started: it is
// context.WithTimeout(context.WithoutCancel(the request's context), timeout)
// without a timer of its own. The flight's timer, which reports the
// timeout, ends it too, so an uncached run arms one timer, not two.
type runCtx struct {
	context.Context // the parent, for its values; it is never done
	deadline        time.Time

	mu     sync.Mutex
	done   chan struct{} // made on first use
	err    error
	afters []*func() // see AfterFunc
}

// closedChan is the Done channel of a run that ended before anyone asked.
var closedChan = func() chan struct{} {
	ch := make(chan struct{})
	close(ch)
	return ch
}()

func (r *runCtx) Deadline() (time.Time, bool) { return r.deadline, true }

func (r *runCtx) Done() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.done == nil {
		r.done = make(chan struct{})
	}
	return r.done
}

func (r *runCtx) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// AfterFunc arranges for f to run in its own goroutine once r ends. The
// context package uses it for contexts derived from r, which would
// otherwise each need a goroutine to watch r.
func (r *runCtx) AfterFunc(f func()) (stop func() bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		go f()
		return func() bool { return false }
	}
	p := &f
	r.afters = append(r.afters, p)
	return func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		i := slices.Index(r.afters, p)
		if i < 0 {
			return false
		}
		r.afters = slices.Delete(r.afters, i, i+1)
		return true
	}
}

// end ends r with err, once.
func (r *runCtx) end(err error) {
	r.mu.Lock()
	if r.err != nil {
		r.mu.Unlock()
		return
	}
	r.err = err
	if r.done == nil {
		r.done = closedChan
	} else {
		close(r.done)
	}
	afters := r.afters
	r.afters = nil
	r.mu.Unlock()
	for _, f := range afters {
		go (*f)()
	}
}

// cancel ends r when the check has returned in time.
func (r *runCtx) cancel() { r.end(context.Canceled) }
