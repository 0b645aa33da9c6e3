package info

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"
)

// result is a contributor's answer: its value and the value's JSON, or
// the error to show instead.
type result struct {
	value any
	raw   []byte
	err   error
}

// runContributors calls every contributor concurrently under one deadline
// and returns their results in entry order. A contributor that has not
// answered by the deadline is reported as timed out. Requests that arrive
// while a contributor's call is in progress share that call, so one that
// ignores its context costs one goroutine, however many requests come.
func (e *Collector) runContributors(ctx context.Context) []result {
	if e.funcs == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()
	calls := make([]*flight, 0, e.funcs)
	for _, en := range e.entries {
		if en.kind != kindFunc {
			continue
		}
		calls = append(calls, en.flights.join(ctx, e.timeout, en.fn))
	}
	results := make([]result, len(calls))
	for i, f := range calls {
		select {
		case <-f.done:
			results[i] = f.res
		case <-ctx.Done():
			select {
			case <-f.done: // answered just in time
				results[i] = f.res
			default:
				results[i] = result{err: fmt.Errorf("contributor did not answer: %w", ctx.Err())}
			}
		}
	}
	return results
}

// flights holds a contributor's call in progress.
type flights struct {
	mu  sync.Mutex
	cur *flight
}

// flight is one call of a contributor; res is set before done is closed.
type flight struct {
	done chan struct{}
	res  result
}

// join returns the call in progress, or starts one. The call runs with the
// request's values but not its cancellation, bounded by timeout, so that a
// request that goes away does not fail the others sharing the call.
func (fs *flights) join(ctx context.Context, timeout time.Duration, fn func(context.Context) (any, error)) *flight {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.cur != nil {
		return fs.cur
	}
	f := &flight{done: make(chan struct{})}
	fs.cur = f
	go func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
		defer cancel()
		f.res = call(cctx, fn)
		fs.mu.Lock()
		fs.cur = nil
		fs.mu.Unlock()
		close(f.done)
	}()
	return f
}

// call runs fn and encodes its value, both under recover: a panicking
// contributor or MarshalJSON method becomes an error, not a crash.
func call(ctx context.Context, fn func(context.Context) (any, error)) (res result) {
	defer func() {
		if p := recover(); p != nil {
			res = result{err: fmt.Errorf("contributor panicked: %v", p)}
		}
	}()
	v, err := fn(ctx)
	if err != nil {
		return result{err: err}
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return result{err: fmt.Errorf("cannot encode value: %w", err)}
	}
	return result{value: v, raw: raw}
}
