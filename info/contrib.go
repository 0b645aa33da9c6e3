package info

import (
	"context"
	"encoding/json"
	"fmt"
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
// answered by the deadline is reported as timed out; its goroutine ends
// when its function returns, which a context-aware function does promptly.
func (e *Endpoint) runContributors(ctx context.Context) []result {
	if e.funcs == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()
	chans := make([]chan result, 0, e.funcs)
	for _, en := range e.entries {
		if en.kind != kindFunc {
			continue
		}
		ch := make(chan result, 1) // buffered: the goroutine never blocks
		chans = append(chans, ch)
		go call(ctx, en.fn, ch)
	}
	results := make([]result, len(chans))
	for i, ch := range chans {
		select {
		case results[i] = <-ch:
		case <-ctx.Done():
			select {
			case results[i] = <-ch: // answered just in time
			default:
				results[i] = result{err: fmt.Errorf("contributor did not answer: %w", ctx.Err())}
			}
		}
	}
	return results
}

// call runs fn and encodes its value, both under recover: a panicking
// contributor or MarshalJSON method becomes an error, not a crash.
func call(ctx context.Context, fn func(context.Context) (any, error), ch chan<- result) {
	defer func() {
		if p := recover(); p != nil {
			ch <- result{err: fmt.Errorf("contributor panicked: %v", p)}
		}
	}()
	v, err := fn(ctx)
	if err != nil {
		ch <- result{err: err}
		return
	}
	raw, err := json.Marshal(v)
	if err != nil {
		ch <- result{err: fmt.Errorf("cannot encode value: %w", err)}
		return
	}
	ch <- result{value: v, raw: raw}
}
