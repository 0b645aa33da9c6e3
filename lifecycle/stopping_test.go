package lifecycle_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/actuatorgo/actuator/lifecycle"
)

func closed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// Stopping closes at the trigger, with readiness already down, and before
// the delay is over: the drain has not started yet. A registry
// deregistration selecting on it happens while the instance still serves.
func TestStoppingClosesAtTheTrigger(t *testing.T) {
	l := lifecycle.New(lifecycle.WithSignals(), lifecycle.WithShutdownDelay(time.Second))
	_, runErr := runInProcess(t, l, &http.Server{Addr: "127.0.0.1:0"})
	if closed(l.Stopping()) {
		t.Fatal("Stopping closed while serving, before any trigger")
	}
	ready := make(chan bool, 1)
	go func() {
		<-l.Stopping()
		ready <- l.Ready()
	}()
	l.Shutdown("test")
	if !closed(l.Stopping()) {
		t.Error("Stopping still open once Shutdown returned")
	}
	if await(t, ready, "Stopping to close") {
		t.Error("readiness still up when Stopping closed")
	}
	if closed(l.Draining()) || l.Phase() != lifecycle.PhaseDelaying {
		t.Errorf("at the trigger: draining %v, phase %s; want the delay still running", closed(l.Draining()), l.Phase())
	}
	if err := await(t, runErr, "Run to return"); err != nil {
		t.Errorf("Run = %v", err)
	}
}

// Every trigger closes it: a cancelled Run context, and a Shutdown without
// Run.
func TestStoppingClosesWhateverTheTrigger(t *testing.T) {
	t.Run("context", func(t *testing.T) {
		l := lifecycle.New(lifecycle.WithSignals(), lifecycle.WithoutShutdownDelay())
		ctx, cancel := context.WithCancel(context.Background())
		runErr := make(chan error, 1)
		go func() { runErr <- l.Run(ctx, &http.Server{Addr: "127.0.0.1:0"}) }()
		waitReady(t, l, runErr)
		cancel()
		await(t, l.Stopping(), "Stopping to close at the context's end")
		await(t, runErr, "Run to return")
	})
	t.Run("without Run", func(t *testing.T) {
		l := lifecycle.New(lifecycle.WithSignals(), lifecycle.WithoutShutdownDelay())
		l.Shutdown("test")
		await(t, l.Stopping(), "Stopping to close")
		await(t, l.Done(), "the sequence to end")
	})
}

// Serving closes once Run has bound its listeners, with their addresses
// known and readiness on; it never closes when Run serves nothing.
func TestServingClosesOnceBound(t *testing.T) {
	l := lifecycle.New(lifecycle.WithSignals(), lifecycle.WithoutShutdownDelay())
	if closed(l.Serving()) {
		t.Fatal("Serving closed before Run")
	}
	runErr := make(chan error, 1)
	go func() { runErr <- l.Run(context.Background(), &http.Server{Addr: "127.0.0.1:0"}) }()
	await(t, l.Serving(), "Serving to close")
	if len(l.Addrs()) != 1 || !l.Ready() || l.Phase() != lifecycle.PhaseServing {
		t.Errorf("once Serving closed: addrs %v, ready %v, phase %s", l.Addrs(), l.Ready(), l.Phase())
	}
	l.Shutdown("test")
	await(t, runErr, "Run to return")

	early := lifecycle.New(lifecycle.WithSignals(), lifecycle.WithoutShutdownDelay())
	early.Shutdown("before Run")
	if err := runBounded(t, context.Background(), early, &http.Server{Addr: "127.0.0.1:0"}); err != nil {
		t.Errorf("Run = %v", err)
	}
	if closed(early.Serving()) {
		t.Error("Serving closed although Run served nothing")
	}
}
