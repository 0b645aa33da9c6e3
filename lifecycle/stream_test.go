package lifecycle_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/actuatorgo/actuator/lifecycle"
)

// sseHandler streams an event every 10 ms until its request context is
// done, then sends a last "bye" event and returns; it records the context's
// cause.
type sseHandler struct {
	streaming chan struct{}
	cause     atomic.Value // error
}

func (h *sseHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	rc := http.NewResponseController(w)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for i := 0; ; i++ {
		if _, err := fmt.Fprintf(w, "id: %d\ndata: tick %d\n\n", i, i); err != nil || rc.Flush() != nil {
			return
		}
		if i == 0 {
			close(h.streaming)
		}
		select {
		case <-r.Context().Done():
			h.cause.Store(context.Cause(r.Context()))
			fmt.Fprint(w, "event: bye\ndata: reconnect elsewhere\n\n")
			return
		case <-tick.C:
		}
	}
}

// sseEvents reads a text/event-stream body as a browser's EventSource
// does, line by line, and returns the events (their "event:" names, or
// "message") in order, with the read error (nil at a clean end).
func sseEvents(resp *http.Response, onEvent func(name string)) ([]string, error) {
	var events []string
	name := "message"
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			events = append(events, name)
			if onEvent != nil {
				onEvent(name)
			}
			name = "message"
		case strings.HasPrefix(line, "event: "):
			name = strings.TrimPrefix(line, "event: ")
		}
	}
	return events, sc.Err()
}

// A server-sent event stream served through EndAtDrain ends cleanly when
// the drain starts, not at the drain deadline: its request context is
// cancelled with the cause lifecycle.ErrDraining, the handler sends a last
// event and returns, the client sees the end of the stream (and would
// reconnect to another instance at once: this one refuses), and the drain
// does not count the stream as cut. Without EndAtDrain the same stream
// holds the drain until its deadline, where it is cancelled and counted.
func TestStreamEndsAtTheDrainStart(t *testing.T) {
	const delay = 300 * time.Millisecond
	for _, tc := range []struct {
		name       string
		endAtDrain bool
	}{
		{"EndAtDrain", true},
		{"without EndAtDrain, cut at the drain deadline", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
			drainTimeout := 20 * time.Second
			if !tc.endAtDrain {
				drainTimeout = time.Second
			}
			h := &sseHandler{streaming: make(chan struct{})}
			logs := newOutput()
			l := lifecycle.New(lifecycle.WithSignals(), lifecycle.WithShutdownDelay(delay),
				lifecycle.WithDrainTimeout(drainTimeout), lifecycle.WithLogger(textLogger(logs)))
			var handler http.Handler = h
			if tc.endAtDrain {
				handler = l.EndAtDrain(h)
			}
			mux := http.NewServeMux()
			mux.Handle("/events", handler)
			addrs, runErr := runInProcess(t, l, &http.Server{Addr: "127.0.0.1:0", Handler: mux})
			url := "http://" + addrs[0].String() + "/events"
			tr := &http.Transport{}
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr, Timeout: drainTimeout + 10*time.Second}
			req, _ := http.NewRequest(http.MethodGet, url, nil)
			req.Header.Set("Accept", "text/event-stream")
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
				t.Fatalf("Content-Type = %q", ct)
			}
			await(t, h.streaming, "the event stream to start")
			begin := time.Now()
			l.Shutdown("test")
			var duringDelay atomic.Int32
			events, err := sseEvents(resp, func(string) {
				if l.Phase() == lifecycle.PhaseDelaying {
					duringDelay.Add(1)
				}
			})
			ended := time.Since(begin)
			took, runResult := waitRun(t, runErr, begin, drainTimeout+10*time.Second)
			if !tc.endAtDrain {
				// The handler honours its context, which the drain
				// deadline cancels: the stream ends there, counted.
				if !errors.Is(runResult, lifecycle.ErrDrainTimeout) {
					t.Errorf("Run = %v, want ErrDrainTimeout: the stream held the drain (ended after %s)", runResult, ended)
				}
				return
			}
			if err != nil {
				t.Errorf("the stream was cut after %d events: %v", len(events), err)
			}
			if len(events) == 0 || events[len(events)-1] != "bye" {
				t.Errorf("the stream did not end with the bye event: %v", events)
			}
			if duringDelay.Load() == 0 {
				t.Error("no event arrived during the delay: the stream ended before the drain")
			}
			if cause, _ := h.cause.Load().(error); !errors.Is(cause, lifecycle.ErrDraining) {
				t.Errorf("the handler's context ended with cause %v, want ErrDraining", cause)
			}
			if runResult != nil {
				t.Errorf("Run = %v, want nil: the stream ended at the drain, not at its deadline", runResult)
			}
			// Ended at the drain's start: the delay, the linger, a margin;
			// nowhere near the 20 s drain timeout.
			if took > drainTimeout/4 {
				t.Errorf("Run took %s (stream ended after %s): the stream held the drain", took, ended)
			}
			if !strings.Contains(logs.String(), "connections_closed_at_deadline=0") {
				t.Errorf("drain log:\n%s", logs.String())
			}
			// An EventSource reconnects at once; here, where the listener
			// is closed, it is refused and goes to another instance.
			if _, err := client.Get(url); err == nil || !isRefused(err) {
				t.Errorf("reconnecting after the stream ended: %v, want refused", err)
			}
		})
	}
}

// A streaming response in flight at the drain keeps streaming until its
// handler returns: it is not cut when the listener closes, and its end is
// what ends the drain.
func TestStreamingResponseOutlivesTheDrainStart(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	const afterDrain = 20
	var l *lifecycle.Lifecycle
	streaming := make(chan struct{})
	handlerDone := make(chan struct{})
	srv := &http.Server{Addr: "127.0.0.1:0", Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(handlerDone)
		w.Header().Set("Content-Type", "text/event-stream")
		rc := http.NewResponseController(w)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		write := func(s string) bool {
			_, err := io.WriteString(w, s)
			return err == nil && rc.Flush() == nil
		}
		for i := 0; ; i++ {
			if !write(fmt.Sprintf("data: before %d\n\n", i)) {
				return
			}
			if i == 0 {
				close(streaming)
			}
			select {
			case <-l.Draining():
				// Keep streaming for a while into the drain, as a stream
				// finishing its current unit of work does.
				for j := range afterDrain {
					<-tick.C
					if !write(fmt.Sprintf("data: drain %d\n\n", j)) {
						return
					}
				}
				write("event: end\ndata: bye\n\n")
				return
			case <-tick.C:
			}
		}
	})}
	l = lifecycle.New(lifecycle.WithSignals(), lifecycle.WithoutShutdownDelay(), lifecycle.WithDrainTimeout(20*time.Second))
	// Whether the handler had returned when Run did, observed in Run's
	// goroutine the moment Run returns.
	handlerEndedFirst := make(chan bool, 1)
	runErr := make(chan error, 1)
	go func() {
		err := l.Run(context.Background(), srv)
		select {
		case <-handlerDone:
			handlerEndedFirst <- true
		default:
			handlerEndedFirst <- false
		}
		runErr <- err
	}()
	addrs := waitReady(t, l, runErr)
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: 30 * time.Second}).Get("http://" + addrs[0].String() + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	await(t, streaming, "the stream to start")
	begin := time.Now()
	l.Shutdown("test")
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Errorf("reading the stream: %v (cut after %d bytes)", err, len(body))
	}
	drained := strings.Count(string(body), "data: drain ")
	if drained != afterDrain || !strings.HasSuffix(string(body), "event: end\ndata: bye\n\n") {
		t.Errorf("the stream got %d of %d events written during the drain, end=%v:\n%s",
			drained, afterDrain, strings.HasSuffix(string(body), "data: bye\n\n"), body)
	}
	_, err = waitRun(t, runErr, begin, 25*time.Second)
	if err != nil {
		t.Errorf("Run = %v, want nil: the stream ended before the drain deadline", err)
	}
	// The drain waited for the stream: Run cannot return before the handler.
	if !await(t, handlerEndedFirst, "Run's goroutine to report the handler's state") {
		t.Error("Run returned while the streaming handler was still running: the drain did not wait for it")
	}
}
