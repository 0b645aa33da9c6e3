package lifecycle_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/actuatorgo/actuator/lifecycle"
)

// runInProcess starts l.Run with servers and waits until it serves.
func runInProcess(t *testing.T, l *lifecycle.Lifecycle, servers ...*http.Server) ([]net.Addr, <-chan error) {
	t.Helper()
	runErr := make(chan error, 1)
	go func() { runErr <- l.Run(context.Background(), servers...) }()
	return waitReady(t, l, runErr), runErr
}

// waitRun waits up to limit for Run to return and reports its error and
// how long it took from since.
func waitRun(t *testing.T, runErr <-chan error, since time.Time, limit time.Duration) (time.Duration, error) {
	t.Helper()
	select {
	case err := <-runErr:
		return time.Since(since), err
	case <-time.After(limit):
		t.Fatalf("Run did not return within %s", limit)
		return 0, nil
	}
}

func textLogger(o *output) *slog.Logger { return slog.New(slog.NewTextHandler(o, nil)) }

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
	go func() { reqDone <- get(&http.Client{Transport: tr}, "http://"+addrs[0].String()+"/stuck") }()
	<-started
	begin := time.Now()
	l.Shutdown("test")
	took, err := waitRun(t, runErr, begin, drainTimeout+time.Second+5*time.Second)
	close(unblock)
	<-handlerDone
	r := <-reqDone
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

// Many keep-alive clients loop during the shutdown: every request gets a
// complete 200, each client is told to close during the delay, and once the
// drain started new connections are refused. No request is reset.
func TestManyKeepAliveClientsDuringTheShutdown(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	const clients = 200
	body := strings.Repeat("x", 16<<10)
	srv := &http.Server{Addr: "127.0.0.1:0", Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(time.Millisecond)
		io.WriteString(w, body)
	})}
	l := lifecycle.New(lifecycle.WithSignals(), lifecycle.WithShutdownDelay(500*time.Millisecond), lifecycle.WithDrainTimeout(10*time.Second))
	addrs, runErr := runInProcess(t, l, srv)
	url := "http://" + addrs[0].String() + "/"
	tr := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 20 * time.Second}
	var (
		wg        sync.WaitGroup
		ok, total atomic.Int32
		mu        sync.Mutex
		failures  []string
	)
	warm := make(chan struct{}, clients)
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < 1000; n++ {
				r := get(client, url)
				total.Add(1)
				if r.err != nil || r.status != http.StatusOK || r.body != body {
					mu.Lock()
					failures = append(failures, fmt.Sprintf("client %d request %d: %d, %d bytes, %v", i, n, r.status, len(r.body), r.err))
					mu.Unlock()
					return
				}
				ok.Add(1)
				if n == 0 {
					warm <- struct{}{}
				}
				if r.close {
					// Told to go away: a client behind a balancer now
					// goes elsewhere.
					return
				}
			}
			mu.Lock()
			failures = append(failures, fmt.Sprintf("client %d never got Connection: close", i))
			mu.Unlock()
		}()
	}
	for range clients {
		<-warm
	}
	begin := time.Now()
	l.Shutdown("test")
	wg.Wait()
	_, err := waitRun(t, runErr, begin, 20*time.Second)
	if err != nil {
		t.Errorf("Run = %v", err)
	}
	for _, f := range failures {
		t.Error(f)
	}
	t.Logf("%d of %d requests ok", ok.Load(), total.Load())
	if c, err := net.Dial("tcp", addrs[0].String()); err == nil {
		c.Close()
		t.Error("a connection was accepted after Run returned")
	} else if !isRefused(err) {
		t.Errorf("dial after the drain: %v, want refused", err)
	}
}

// Two app servers and a management server: both app servers are drained
// (their in-flight requests complete), the management server answers until
// the hooks are over, and it stops last.
func TestTwoAppServersAndManagementStopsLast(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	var l *lifecycle.Lifecycle
	release := make(chan struct{})
	started := make(chan struct{}, 2)
	app := func() *http.Server {
		return &http.Server{Addr: "127.0.0.1:0", Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/slow" {
				started <- struct{}{}
				<-release
			}
			io.WriteString(w, "app")
		})}
	}
	mgmt := &http.Server{Addr: "127.0.0.1:0", Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !l.Ready() {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		io.WriteString(w, string(l.Phase()))
	})}
	logs := newOutput()
	l = lifecycle.New(lifecycle.WithSignals(), lifecycle.WithoutShutdownDelay(), lifecycle.WithDrainTimeout(10*time.Second),
		lifecycle.WithManagementServer(mgmt), lifecycle.WithLogger(textLogger(logs)))
	probe := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	var hookSaw []string
	l.OnShutdown("check", func(context.Context) error {
		for _, a := range l.Addrs()[:2] {
			c, err := net.Dial("tcp", a.String())
			if err == nil {
				c.Close()
				hookSaw = append(hookSaw, "app "+a.String()+" still accepts")
			}
		}
		r := get(probe, "http://"+l.Addrs()[2].String()+"/readyz")
		hookSaw = append(hookSaw, fmt.Sprintf("mgmt %d %s %v", r.status, r.body, r.err))
		return nil
	})
	addrs, runErr := runInProcess(t, l, app(), app())
	if len(addrs) != 3 {
		t.Fatalf("Addrs = %v, want 2 app servers and the management server", addrs)
	}
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 15 * time.Second}
	slow := make(chan result, 2)
	for _, a := range addrs[:2] {
		go func() { slow <- get(client, "http://"+a.String()+"/slow") }()
	}
	<-started
	<-started
	begin := time.Now()
	l.Shutdown("test")
	// Both app listeners close while their requests run; the management
	// server answers 503 meanwhile.
	for _, a := range addrs[:2] {
		deadline := time.Now().Add(10 * time.Second)
		for {
			c, err := net.Dial("tcp", a.String())
			if err != nil {
				break
			}
			c.Close()
			if time.Now().After(deadline) {
				t.Fatalf("app listener %s still accepts during the drain", a)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	if r := get(probe, "http://"+addrs[2].String()+"/readyz"); r.err != nil || r.status != http.StatusServiceUnavailable || r.body != "draining" {
		t.Errorf("management during the drain: %d %q %v, want 503 draining", r.status, r.body, r.err)
	}
	close(release)
	for range 2 {
		if r := <-slow; r.err != nil || r.status != http.StatusOK || r.body != "app" || !r.close {
			t.Errorf("in-flight request: %d %q close=%v %v, want 200 app with Connection: close", r.status, r.body, r.close, r.err)
		}
	}
	if _, err := waitRun(t, runErr, begin, 15*time.Second); err != nil {
		t.Errorf("Run = %v", err)
	}
	if got, want := strings.Join(hookSaw, "; "), "mgmt 503 cleanup <nil>"; got != want {
		t.Errorf("during the hooks: %s; want %s", got, want)
	}
	if c, err := net.Dial("tcp", addrs[2].String()); err == nil {
		c.Close()
		t.Error("the management server still accepts after Run returned")
	}
	out := logs.String()
	if n := strings.Count(out, "listener closed"); n != 2 {
		t.Errorf("%d listeners closed, want 2:\n%s", n, out)
	}
	assertOrder(t, out, "listener closed", "servers drained", "hook done", "management server stopped", "shutdown complete")
}

// A hijacked connection told to close by OnDrain, and awaited through its
// Hold: the hooks run only once it is closed.
func TestHijackedConnectionWithOnDrainAndHold(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	var l *lifecycle.Lifecycle
	var closedAt atomic.Int64
	hijacked := make(chan struct{})
	srv := &http.Server{Addr: "127.0.0.1:0", Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		release := l.Hold("ws")
		bye := make(chan struct{})
		stop := l.OnDrain(func() { close(bye) })
		go func() {
			defer release()
			defer stop()
			defer func() { closedAt.Store(time.Now().UnixNano()); conn.Close() }()
			brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\nhello\n")
			brw.Flush()
			close(hijacked)
			<-bye
			time.Sleep(50 * time.Millisecond) // a close handshake
			io.WriteString(conn, "bye\n")
		}()
	})}
	var hookAt atomic.Int64
	l = lifecycle.New(lifecycle.WithSignals(), lifecycle.WithoutShutdownDelay(), lifecycle.WithDrainTimeout(5*time.Second))
	l.OnShutdown("h", func(context.Context) error { hookAt.Store(time.Now().UnixNano()); return nil })
	addrs, runErr := runInProcess(t, l, srv)
	conn, err := net.Dial("tcp", addrs[0].String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(conn, "GET /ws HTTP/1.1\r\nHost: app\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\n")
	<-hijacked
	begin := time.Now()
	l.Shutdown("test")
	all, err := io.ReadAll(conn)
	if err != nil || !strings.HasSuffix(string(all), "hello\nbye\n") {
		t.Errorf("hijacked connection read %q, %v; want hello, bye, EOF", all, err)
	}
	if _, err := waitRun(t, runErr, begin, 10*time.Second); err != nil {
		t.Errorf("Run = %v", err)
	}
	if c, h := closedAt.Load(), hookAt.Load(); c == 0 || h == 0 || h < c {
		t.Errorf("hook ran at %d, connection closed at %d: the hooks did not wait for the Hold", h, c)
	}
}

// Shutdown called from many goroutines at once, and a signal at the same
// time, run the sequence once, and the signal does not count as a second
// one (no exit).
func TestConcurrentShutdownAndSignal(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	// Keep SIGUSR2 from killing the test binary should it arrive after Run
	// stopped listening for it.
	guard := make(chan os.Signal, 1)
	signal.Notify(guard, syscall.SIGUSR2)
	defer signal.Stop(guard)
	logs := newOutput()
	exited := make(chan int, 1)
	l := lifecycle.New(lifecycle.WithSignals(syscall.SIGUSR2), lifecycle.WithShutdownDelay(200*time.Millisecond),
		lifecycle.WithLogger(textLogger(logs)), lifecycle.WithExitFunc(func(code int) { exited <- code }))
	var hooks atomic.Int32
	l.OnShutdown("h", func(context.Context) error { hooks.Add(1); return nil })
	_, runErr := runInProcess(t, l, &http.Server{Addr: "127.0.0.1:0"})
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			l.Shutdown(fmt.Sprintf("caller %d", i))
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		<-gate
		_ = syscall.Kill(os.Getpid(), syscall.SIGUSR2)
	}()
	begin := time.Now()
	close(gate)
	wg.Wait()
	if _, err := waitRun(t, runErr, begin, 10*time.Second); err != nil {
		t.Errorf("Run = %v", err)
	}
	select {
	case code := <-exited:
		t.Errorf("exit(%d) called: the signal was taken for a second one", code)
	default:
	}
	out := logs.String()
	if n := strings.Count(out, "shutdown started"); n != 1 {
		t.Errorf("%d sequences started, want 1:\n%s", n, out)
	}
	if n := hooks.Load(); n != 1 {
		t.Errorf("the hook ran %d times, want 1", n)
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
		<-warm
	}
	begin := time.Now()
	l.Shutdown("test")
	wg.Wait()
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
