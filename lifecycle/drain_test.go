package lifecycle_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/actuatorgo/actuator/lifecycle"
	"go.uber.org/goleak"
)

// A handler that ignores its cancelled context past the drain deadline is
// cut: Run returns ErrDrainTimeout within the drain timeout plus the 1 s
// grace (and a margin for a loaded machine), and logs the count.
func TestHandlerIgnoringItsContextIsCutAtTheDeadline(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	const drainTimeout = 300 * time.Millisecond
	started := make(chan struct{})
	unblock := make(chan struct{})
	handlerDone := make(chan struct{})
	var sawCancel atomic.Bool
	srv := &http.Server{Addr: "127.0.0.1:0", Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(handlerDone)
		close(started)
		<-r.Context().Done()
		sawCancel.Store(true)
		<-unblock // ignores the cancellation
	})}
	logs := newOutput()
	l := lifecycle.New(lifecycle.WithSignals(), lifecycle.WithoutShutdownDelay(),
		lifecycle.WithDrainTimeout(drainTimeout), lifecycle.WithLogger(textLogger(logs)))
	addrs, runErr := runInProcess(t, l, srv)
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	reqDone := make(chan result, 1)
	go func() {
		reqDone <- get(&http.Client{Transport: tr, Timeout: 20 * time.Second}, "http://"+addrs[0].String()+"/stuck")
	}()
	await(t, started, "the stuck handler to start")
	begin := time.Now()
	l.Shutdown("test")
	took, err := waitRun(t, runErr, begin, drainTimeout+time.Second+5*time.Second)
	close(unblock)
	await(t, handlerDone, "the stuck handler to return once unblocked")
	r := await(t, reqDone, "the stuck request to end")
	if !errors.Is(err, lifecycle.ErrDrainTimeout) || !strings.Contains(err.Error(), "1 connections") {
		t.Errorf("Run = %v, want ErrDrainTimeout for 1 connection", err)
	}
	if took < drainTimeout+time.Second-50*time.Millisecond {
		t.Errorf("Run returned after %s, before the drain timeout plus the grace", took)
	}
	if !sawCancel.Load() {
		t.Error("the handler's context was not cancelled at the drain deadline")
	}
	if r.err == nil {
		t.Errorf("the stuck request completed (%d %q); want its connection closed", r.status, r.body)
	}
	out := logs.String()
	for _, want := range []string{"connections=1", "connections_closed_at_deadline=1"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}

// Without a delay, 200 keep-alive clients looping when the drain starts are
// turned away, but only by a refused connection before their request was
// sent, and a response that started is never cut: every 200 is complete.
func TestManyClientsWithoutDelayNoResponseIsCut(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	const clients = 200
	body := strings.Repeat("y", 64<<10)
	srv := &http.Server{Addr: "127.0.0.1:0", Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		// Half, a pause, the rest: responses straddle the drain's start.
		io.WriteString(w, body[:len(body)/2])
		_ = rc.Flush()
		time.Sleep(20 * time.Millisecond)
		io.WriteString(w, body[len(body)/2:])
	})}
	l := lifecycle.New(lifecycle.WithSignals(), lifecycle.WithoutShutdownDelay(), lifecycle.WithDrainTimeout(10*time.Second))
	addrs, runErr := runInProcess(t, l, srv)
	url := "http://" + addrs[0].String() + "/"
	tr := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 20 * time.Second}
	var (
		wg                  sync.WaitGroup
		ok, turnedAway, cut atomic.Int32
		mu                  sync.Mutex
		cuts                []string
		kinds               = map[string]int{}
	)
	warm := make(chan struct{}, clients)
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < 1000; n++ {
				r := get(client, url)
				if n == 0 {
					warm <- struct{}{}
				}
				switch {
				case r.err == nil && r.status == http.StatusOK && r.body == body:
					ok.Add(1)
					continue
				case r.status == 0 && r.err != nil:
					turnedAway.Add(1) // no response at all
					kind := "other"
					switch {
					case isRefused(r.err):
						kind = "refused"
					case errors.Is(r.err, io.EOF):
						kind = "EOF"
					case isReset(r.err):
						kind = "reset"
					}
					mu.Lock()
					kinds[kind]++
					mu.Unlock()
				default:
					cut.Add(1)
					mu.Lock()
					cuts = append(cuts, fmt.Sprintf("client %d: %d, %d of %d bytes, %v", i, r.status, len(r.body), len(body), r.err))
					mu.Unlock()
				}
				return
			}
		}()
	}
	for range clients {
		await(t, warm, "every client's first response")
	}
	begin := time.Now()
	l.Shutdown("test")
	awaitGroup(t, &wg, 30*time.Second, "the clients to be turned away by the shutdown")
	if _, err := waitRun(t, runErr, begin, 20*time.Second); err != nil {
		t.Errorf("Run = %v", err)
	}
	for _, c := range cuts {
		t.Error("response cut:", c)
	}
	// A kept-alive connection closed by the drain is retried by the
	// transport (nothing was answered on it), and the retry is refused: no
	// request is lost after it was sent on a fresh connection.
	if len(kinds) != 1 || kinds["refused"] == 0 {
		t.Errorf("requests turned away with %v, want only refused connections", kinds)
	}
	if turnedAway.Load()+cut.Load() != clients {
		t.Errorf("%d clients stopped, want all %d stopped by the shutdown", turnedAway.Load()+cut.Load(), clients)
	}
	t.Logf("%d complete responses, %d requests turned away %v, %d cut", ok.Load(), turnedAway.Load(), kinds, cut.Load())
}

func TestDrainingAndOnDrain(t *testing.T) {
	l := lifecycle.New(lifecycle.WithoutShutdownDelay())
	called := make(chan struct{})
	l.OnDrain(func() { close(called) })
	select {
	case <-l.Draining():
		t.Fatal("Draining closed before the shutdown")
	default:
	}
	l.Shutdown("test")
	await(t, l.Draining(), "Draining to close after Shutdown")
	await(t, called, "the OnDrain callback")
	late := make(chan struct{})
	l.OnDrain(func() { close(late) }) // registered after the drain started: called at once
	await(t, late, "the OnDrain callback registered after the drain started")
	await(t, l.Done(), "the sequence to end")
}

// An OnDrain registration for a connection that ended before the shutdown
// must be removable: without stop, every WebSocket ever served stays in
// memory until the drain.
func TestOnDrainStop(t *testing.T) {
	l := lifecycle.New(lifecycle.WithoutShutdownDelay())
	var stale atomic.Int32
	for range 100 {
		stop := l.OnDrain(func() { stale.Add(1) })
		if !stop() {
			t.Fatal("stop before the drain reported false")
		}
		if stop() {
			t.Fatal("a second stop reported true")
		}
	}
	called := make(chan struct{})
	stop := l.OnDrain(func() { close(called) })
	l.Shutdown("test")
	await(t, called, "the OnDrain callback")
	await(t, l.Done(), "the sequence to end")
	if stop() {
		t.Error("stop after the callback ran reported true")
	}
	if n := stale.Load(); n != 0 {
		t.Errorf("%d stopped callbacks ran at the drain", n)
	}
	if l.OnDrain(func() {})() {
		t.Error("stop of a callback registered after the drain (called at once) reported true")
	}
}

// A panicking drain callback must not crash the process mid-drain.
func TestOnDrainPanicIsRecovered(t *testing.T) {
	logs := newOutput()
	l := lifecycle.New(lifecycle.WithoutShutdownDelay(), lifecycle.WithLogger(textLogger(logs)))
	ran := make(chan struct{})
	l.OnDrain(func() { defer close(ran); panic("drain boom") })
	l.Shutdown("test")
	await(t, ran, "the panicking OnDrain callback")
	await(t, l.Done(), "the sequence to end after a drain callback panicked")
	waitUntil(t, 5*time.Second, "the drain callback's panic to be logged", func() bool {
		return strings.Contains(logs.String(), "drain callback panicked")
	})
	if !strings.Contains(logs.String(), "drain boom") {
		t.Errorf("the panic was not logged:\n%s", logs.String())
	}
	after := make(chan struct{})
	l.OnDrain(func() { defer close(after); panic("late boom") }) // after the drain: called at once
	await(t, after, "the panicking OnDrain callback registered after the drain")
}

func TestDrainDeadlineCancelsAndCounts(t *testing.T) {
	t.Parallel()
	p := startApp(t, "-shutdown-delay", "0", "-drain-timeout", "500ms")
	c := newClient(t)
	cancellable := make(chan result, 1)
	stubborn := make(chan result, 1)
	go func() { cancellable <- get(c, p.url("/slow?ms=60000&id=a")) }()
	go func() { stubborn <- get(c, p.url("/slow?ms=60000&id=b&ignore=1")) }()
	p.waitOutput("slow started a")
	p.waitOutput("slow started b")
	p.signal(syscall.SIGTERM)

	if got := p.exitCode(); got != 1 {
		t.Errorf("exit code = %d, want 1", got)
	}
	out := p.out.String()
	for _, want := range []string{
		"drain deadline reached, cancelling requests",
		"connections=2",
		"slow cancelled a", // the handler saw its context cancelled
		"connections_closed_at_deadline=2",
		"lifecycle: drain deadline reached: 2 connections",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if strings.Contains(out, "slow cancelled b") {
		t.Error("the request ignoring its context reported a cancellation")
	}
	if r := awaitWithin(t, cancellable, 30*time.Second, "the cancelled request to end"); r.err == nil && r.status == http.StatusOK {
		t.Error("the cancelled request got a 200")
	}
	if r := awaitWithin(t, stubborn, 30*time.Second, "the request ignoring its context to end"); r.err == nil {
		t.Errorf("the request that ignored its context got %d, want its connection closed", r.status)
	}
}
