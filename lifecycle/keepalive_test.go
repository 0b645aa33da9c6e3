package lifecycle_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/actuatorgo/actuator/lifecycle"
)

// rawConn is an HTTP/1.1 client on a plain TCP connection, so that the test
// sees exactly what the server does with the connection (a Go client would
// retry or reconnect and hide it).
type rawConn struct {
	t    *testing.T
	conn net.Conn
	br   *bufio.Reader
}

func dialRaw(t *testing.T, addr string) *rawConn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(15 * time.Second))
	return &rawConn{t: t, conn: conn, br: bufio.NewReader(conn)}
}

// send writes a request: a GET, or a POST when body is not empty.
func (c *rawConn) send(path, body string) {
	c.t.Helper()
	req := "GET " + path + " HTTP/1.1\r\nHost: app\r\n\r\n"
	if body != "" {
		req = "POST " + path + " HTTP/1.1\r\nHost: app\r\nContent-Type: text/plain\r\nContent-Length: " +
			strconv.Itoa(len(body)) + "\r\n\r\n" + body
	}
	if _, err := io.WriteString(c.conn, req); err != nil {
		c.t.Fatalf("writing %s: %v", path, err)
	}
}

// read reads one response whole, past interim (1xx) answers; resp.Close
// reports "Connection: close".
func (c *rawConn) read() (*http.Response, string, error) {
	resp, err := http.ReadResponse(c.br, nil)
	for err == nil && resp.StatusCode >= 100 && resp.StatusCode < 200 && resp.StatusCode != http.StatusSwitchingProtocols {
		resp, err = http.ReadResponse(c.br, nil)
	}
	if err != nil {
		return nil, "", err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b), err
}

// closedByServer reports whether the server closed the connection (EOF or a
// reset) rather than leaving it open until the read deadline.
func (c *rawConn) closedByServer(within time.Duration) error {
	_ = c.conn.SetReadDeadline(time.Now().Add(within))
	b, err := c.br.ReadByte()
	var ne net.Error
	switch {
	case err == nil:
		return errors.New("read a byte " + string(b) + " instead of the end of the connection")
	case errors.As(err, &ne) && ne.Timeout():
		return errors.New("the connection was still open after " + within.String())
	}
	return nil
}

// waitRefused waits until the listener at addr refuses connections: the
// drain has closed it.
func waitRefused(t *testing.T, addr string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the listener still accepts 10 s after the shutdown started")
		}
	}
}

// gatedHandler serves /gated by writing its status line (flushed first
// when flushFirst), waiting for release, then writing its body; every
// other path answers at once, echoing the request body.
// Its connState, set as the server's ConnState, signals accepted
// connections.
type gatedHandler struct {
	flushFirst bool
	started    chan struct{}
	release    chan struct{}
	accepted   chan struct{}
	once       sync.Once
}

func newGated(flushFirst bool) *gatedHandler {
	return &gatedHandler{flushFirst: flushFirst, started: make(chan struct{}), release: make(chan struct{}),
		accepted: make(chan struct{}, 1)}
}

func (g *gatedHandler) connState(_ net.Conn, s http.ConnState) {
	if s == http.StateNew {
		select {
		case g.accepted <- struct{}{}:
		default:
		}
	}
}

func (g *gatedHandler) waitAccepted(t *testing.T) {
	t.Helper()
	select {
	case <-g.accepted:
	case <-time.After(10 * time.Second):
		t.Fatal("the connection was not accepted")
	}
}

func (g *gatedHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/gated" {
		b, _ := io.ReadAll(r.Body)
		io.WriteString(w, "ok "+string(b))
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	if g.flushFirst {
		w.WriteHeader(http.StatusOK)
		_ = http.NewResponseController(w).Flush()
	}
	g.once.Do(func() { close(g.started) })
	<-g.release
	io.WriteString(w, "gated done")
}

// A request in flight at the trigger that ends during the delay is told to
// close its connection: the decision is taken when the response headers are
// written, not when the request started. A response whose headers were
// flushed before the trigger cannot carry the header: its connection is
// closed once the response ended (after the idle linger), during the delay,
// rather than left to the drain.
func TestResponseSpanningTheTriggerClosesItsConnection(t *testing.T) {
	const delay = 3 * time.Second
	for _, tc := range []struct {
		name       string
		flushFirst bool
	}{
		{"headers written after the trigger get Connection: close", false},
		{"headers flushed before the trigger: the connection closes once the response ends", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
			h := newGated(tc.flushFirst)
			l := lifecycle.New(lifecycle.WithSignals(), lifecycle.WithShutdownDelay(delay))
			addrs, runErr := runInProcess(t, l, &http.Server{Addr: "127.0.0.1:0", Handler: h})
			c := dialRaw(t, addrs[0].String())
			c.send("/gated", "")
			await(t, h.started, "the gated handler to start")
			begin := time.Now()
			l.Shutdown("test")
			close(h.release)
			resp, body, err := c.read()
			if err != nil || resp.StatusCode != http.StatusOK || body != "gated done" {
				t.Fatalf("response in flight at the trigger: %v %q %v", resp, body, err)
			}
			if !tc.flushFirst && !resp.Close {
				t.Errorf("the response written during the delay lacks Connection: close (header %q)", resp.Header.Get("Connection"))
			}
			if tc.flushFirst && resp.Close {
				t.Errorf("a response flushed before the trigger claims Connection: close")
			}
			if err := c.closedByServer(delay / 2); err != nil {
				t.Errorf("after the response: %v; want the server to close the connection", err)
			}
			if p := l.Phase(); p != lifecycle.PhaseDelaying {
				t.Errorf("the connection was closed in phase %s, want during the delay", p)
			}
			if _, err := waitRun(t, runErr, begin, delay+10*time.Second); err != nil {
				t.Errorf("Run = %v", err)
			}
		})
	}
}

// With WithoutShutdownDelay (a preStop hook waited before SIGTERM), the
// drain starts at the trigger. A keep-alive connection that goes idle after
// it without having been told "Connection: close" (its response was flushed
// before the trigger, or ended just before it), or a connection accepted
// before the listener closed, lingers for the idle linger: a request that
// arrives then is served with Connection: close, not dropped. When nothing
// comes, the connection is closed at the end of the linger and does not
// hold the drain.
func TestKeepAliveConnectionLingersForOneMoreRequest(t *testing.T) {
	const drainTimeout = 20 * time.Second
	for _, tc := range []struct {
		name string
		// before runs on a fresh connection before the trigger; it
		// returns once the connection is in the state the row is about.
		before func(t *testing.T, c *rawConn, h *gatedHandler)
		// after runs once the drain has closed the listener.
		after func(t *testing.T, c *rawConn, h *gatedHandler)
		next  bool // a request follows on the connection
	}{
		{
			name: "POST on the reused connection the moment the flushed response ends",
			before: func(t *testing.T, c *rawConn, h *gatedHandler) {
				c.send("/gated", "")
				await(t, h.started, "the gated handler to start")
			},
			after: func(t *testing.T, c *rawConn, h *gatedHandler) {
				close(h.release)
				resp, body, err := c.read()
				if err != nil || body != "gated done" || resp.Close {
					t.Fatalf("request 0: %v %q %v", resp, body, err)
				}
			},
			next: true,
		},
		{
			name: "nothing after the flushed response",
			before: func(t *testing.T, c *rawConn, h *gatedHandler) {
				c.send("/gated", "")
				await(t, h.started, "the gated handler to start")
			},
			after: func(t *testing.T, c *rawConn, h *gatedHandler) {
				close(h.release)
				if _, _, err := c.read(); err != nil {
					t.Fatalf("request 0: %v", err)
				}
			},
		},
		{
			name: "POST on a connection whose response ended just before the trigger",
			before: func(t *testing.T, c *rawConn, h *gatedHandler) {
				c.send("/", "zero")
				if resp, body, err := c.read(); err != nil || body != "ok zero" || resp.Close {
					t.Fatalf("request 0: %v %q %v", resp, body, err)
				}
			},
			next: true,
		},
		{
			name:   "first request on a connection accepted before the listener closed",
			before: func(t *testing.T, c *rawConn, h *gatedHandler) { h.waitAccepted(t) },
			next:   true,
		},
		{
			name:   "nothing on a connection accepted before the listener closed",
			before: func(t *testing.T, c *rawConn, h *gatedHandler) { h.waitAccepted(t) },
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
			h := newGated(true)
			srv := &http.Server{Addr: "127.0.0.1:0", Handler: h, IdleTimeout: time.Minute, ConnState: h.connState}
			logs := newOutput()
			l := lifecycle.New(lifecycle.WithSignals(), lifecycle.WithoutShutdownDelay(),
				lifecycle.WithDrainTimeout(drainTimeout), lifecycle.WithLogger(textLogger(logs)))
			addrs, runErr := runInProcess(t, l, srv)
			c := dialRaw(t, addrs[0].String())
			tc.before(t, c, h)
			begin := time.Now()
			l.Shutdown("test")
			waitRefused(t, addrs[0].String())
			if tc.after != nil {
				tc.after(t, c, h)
			}
			if tc.next {
				c.send("/", "one")
				resp, body, err := c.read()
				if err != nil {
					t.Fatalf("a request sent on the connection once the drain started: %v; want it served", err)
				}
				if resp.StatusCode != http.StatusOK || body != "ok one" || !resp.Close {
					t.Errorf("request 1: %d %q close=%v; want 200 %q with Connection: close", resp.StatusCode, body, resp.Close, "ok one")
				}
			}
			if err := c.closedByServer(5 * time.Second); err != nil {
				t.Errorf("at the end: %v; want the server to close the connection", err)
			}
			took, err := waitRun(t, runErr, begin, drainTimeout)
			if err != nil {
				t.Errorf("Run = %v, want nil", err)
			}
			// Waiting for the lingering connection until the drain timeout
			// would take 20 s; the linger is 500 ms.
			if took > drainTimeout/4 {
				t.Errorf("the drain took %s: the lingering connection held it", took)
			}
			if !strings.Contains(logs.String(), "connections_closed_at_deadline=0") {
				t.Errorf("drain log:\n%s", logs.String())
			}
			select {
			case <-h.release:
			default:
				close(h.release)
			}
		})
	}
}

// The handler Run installs wraps the ResponseWriter to decide on
// "Connection: close" when the headers are written; the wrapper keeps what
// the server's writer offers: Flush, Hijack, ReadFrom, and
// http.ResponseController's deadlines through Unwrap. During the delay a
// response written by each of them asks the client to close.
func TestResponseWriterKeepsItsInterfaces(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	handlers := map[string]http.HandlerFunc{
		"/flush": func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "flushed")
			w.(http.Flusher).Flush()
		},
		"/controller": func(w http.ResponseWriter, r *http.Request) {
			rc := http.NewResponseController(w)
			if err := rc.SetWriteDeadline(time.Now().Add(5 * time.Second)); err != nil {
				http.Error(w, "SetWriteDeadline: "+err.Error(), http.StatusInternalServerError)
				return
			}
			if err := rc.EnableFullDuplex(); err != nil {
				http.Error(w, "EnableFullDuplex: "+err.Error(), http.StatusInternalServerError)
				return
			}
			io.WriteString(w, "controlled")
			if err := rc.Flush(); err != nil {
				t.Errorf("ResponseController.Flush: %v", err)
			}
		},
		"/readfrom": func(w http.ResponseWriter, r *http.Request) {
			if _, err := w.(io.ReaderFrom).ReadFrom(strings.NewReader("read from")); err != nil {
				t.Errorf("ReadFrom: %v", err)
			}
		},
		"/nothing": func(w http.ResponseWriter, r *http.Request) {},
		"/early-hints": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Link", "</style.css>; rel=preload")
			w.WriteHeader(http.StatusEarlyHints)
			io.WriteString(w, "after hints")
		},
		"/hijack": func(w http.ResponseWriter, r *http.Request) {
			conn, brw, err := w.(http.Hijacker).Hijack()
			if err != nil {
				t.Errorf("Hijack: %v", err)
				return
			}
			defer conn.Close()
			brw.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nhijacked")
			brw.Flush()
		},
	}
	mux := http.NewServeMux()
	for p, h := range handlers {
		mux.Handle(p, h)
	}
	l := lifecycle.New(lifecycle.WithSignals(), lifecycle.WithShutdownDelay(2*time.Second))
	addrs, runErr := runInProcess(t, l, &http.Server{Addr: "127.0.0.1:0", Handler: mux})
	want := map[string]string{"/flush": "flushed", "/controller": "controlled", "/readfrom": "read from", "/nothing": "",
		"/early-hints": "after hints", "/hijack": "hijacked"}
	for _, shutdown := range []bool{false, true} {
		if shutdown {
			l.Shutdown("test")
		}
		for _, path := range []string{"/flush", "/controller", "/readfrom", "/nothing", "/early-hints", "/hijack"} {
			c := dialRaw(t, addrs[0].String())
			c.send(path, "")
			resp, body, err := c.read()
			if err != nil || resp.StatusCode != http.StatusOK || body != want[path] {
				t.Errorf("%s (shutdown %v): %v %q %v, want 200 %q", path, shutdown, resp, body, err, want[path])
				continue
			}
			// A hijacked connection writes its own headers.
			if wantClose := shutdown && path != "/hijack"; resp.Close != wantClose {
				t.Errorf("%s (shutdown %v): Connection: close = %v, want %v", path, shutdown, resp.Close, wantClose)
			}
		}
	}
	if p := l.Phase(); p != lifecycle.PhaseDelaying {
		t.Errorf("the requests ended in phase %s, want during the delay", p)
	}
	if _, err := waitRun(t, runErr, time.Now(), 20*time.Second); err != nil {
		t.Errorf("Run = %v", err)
	}
}

// A request that starts on a kept-alive connection during the delay gets
// "Connection: close", and the server closes that connection after it.
func TestKeepAliveRequestDuringTheDelayGetsConnectionClose(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	srv := &http.Server{Addr: "127.0.0.1:0", Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	})}
	l := lifecycle.New(lifecycle.WithSignals(), lifecycle.WithShutdownDelay(300*time.Millisecond))
	addrs, runErr := runInProcess(t, l, srv)
	conn, err := net.Dial("tcp", addrs[0].String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(conn)
	send := func() *http.Response {
		t.Helper()
		if _, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: app\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	if resp := send(); resp.Close {
		t.Fatal("a request before the shutdown got Connection: close")
	}
	begin := time.Now()
	l.Shutdown("test")
	if l.Phase() != lifecycle.PhaseDelaying {
		t.Fatalf("phase = %s, want delaying", l.Phase())
	}
	resp := send()
	// ReadResponse turns "Connection: close" into resp.Close.
	if resp.StatusCode != http.StatusOK || !resp.Close {
		t.Errorf("request during the delay: %d, close=%v; want 200 with Connection: close", resp.StatusCode, resp.Close)
	}
	if l.Phase() != lifecycle.PhaseDelaying {
		t.Errorf("the request was answered in phase %s, not during the delay", l.Phase())
	}
	if _, err := br.ReadByte(); err != io.EOF {
		t.Errorf("after the Connection: close response the connection read %v, want EOF", err)
	}
	if _, err := waitRun(t, runErr, begin, 10*time.Second); err != nil {
		t.Errorf("Run = %v", err)
	}
}

// A connection accepted but silent (slowloris, a pre-connecting balancer),
// or stalled in the middle of its request headers, is not serving a request
// (net/http reports it StateNew until the headers are read): it must not
// hold the drain until its deadline, nor count as cut; it is closed.
func TestSilentConnectionDoesNotHoldTheDrain(t *testing.T) {
	for _, tc := range []struct{ name, send string }{
		{"nothing sent", ""},
		{"partial headers", "GET / HTTP/1.1\r\nHo"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
			const drainTimeout = 20 * time.Second
			accepted := make(chan struct{}, 1)
			srv := &http.Server{
				Addr:    "127.0.0.1:0",
				Handler: http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}),
				ConnState: func(_ net.Conn, s http.ConnState) {
					if s == http.StateNew {
						select {
						case accepted <- struct{}{}:
						default:
						}
					}
				},
			}
			logs := newOutput()
			l := lifecycle.New(lifecycle.WithSignals(), lifecycle.WithoutShutdownDelay(),
				lifecycle.WithDrainTimeout(drainTimeout), lifecycle.WithLogger(textLogger(logs)))
			addrs, runErr := runInProcess(t, l, srv)
			conn, err := net.Dial("tcp", addrs[0].String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := io.WriteString(conn, tc.send); err != nil {
				t.Fatal(err)
			}
			await(t, accepted, "the connection to be accepted")
			begin := time.Now()
			l.Shutdown("test")
			took, err := waitRun(t, runErr, begin, drainTimeout/2)
			if err != nil {
				t.Errorf("Run = %v, want nil", err)
			}
			// A drain that waited for the silent connection would take the
			// drain timeout, or 5 s with http.Server.Shutdown's own rule
			// (a new connection counts as idle after 5 s); with nothing in
			// flight it takes milliseconds. 2.5 s leaves a loaded machine a
			// wide margin and still tells the two apart.
			if took > 2500*time.Millisecond {
				t.Errorf("the drain took %s: it waited for the silent connection", took)
			}
			_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			n, err := conn.Read(make([]byte, 1))
			var ne net.Error
			if n != 0 || err == nil || (errors.As(err, &ne) && ne.Timeout()) {
				t.Errorf("the silent connection read %d bytes, %v; want it closed by the server", n, err)
			}
			if !strings.Contains(logs.String(), "connections_closed_at_deadline=0") {
				t.Errorf("drain log:\n%s", logs.String())
			}
		})
	}
}

// Many keep-alive clients loop during the shutdown: every request gets a
// complete 200, each client is told to close during the delay, and once the
// drain started new connections are refused. No request is reset.
func TestManyKeepAliveClientsAreToldToCloseDuringTheDelay(t *testing.T) {
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
		await(t, warm, "every client's first response")
	}
	begin := time.Now()
	l.Shutdown("test")
	awaitGroup(t, &wg, 30*time.Second, "the clients to be told to close")
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

// rawRequest writes a GET on conn and reads the response.
func rawRequest(t *testing.T, conn net.Conn, br *bufio.Reader, path string) *http.Response {
	t.Helper()
	if _, err := fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: app\r\n\r\n", path); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp
}

func TestKeepAliveConnections(t *testing.T) {
	t.Parallel()
	p := startApp(t, "-shutdown-delay", "1s", "-drain-timeout", "10s")

	dial := func() (net.Conn, *bufio.Reader) {
		conn, err := net.Dial("tcp", p.addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = conn.Close() })
		return conn, bufio.NewReader(conn)
	}
	reused, reusedR := dial()
	idle, idleR := dial()
	for _, cr := range []struct {
		conn net.Conn
		r    *bufio.Reader
	}{{reused, reusedR}, {idle, idleR}} {
		if resp := rawRequest(t, cr.conn, cr.r, "/"); resp.Close || resp.Header.Get("Connection") != "" {
			t.Errorf("before the shutdown: Connection %q, close=%v; want a keep-alive response", resp.Header.Get("Connection"), resp.Close)
		}
	}

	// A request in flight keeps the process draining well past the delay.
	slow := make(chan result, 1)
	go func() { slow <- get(newClient(t), p.url("/slow?ms=3000&id=keep")) }()
	p.waitOutput("slow started keep")
	p.signal(syscall.SIGTERM)
	p.waitOutput("shutdown started")

	// A second request on a kept-alive connection during the delay gets
	// Connection: close, and the server closes the connection after it.
	if resp := rawRequest(t, reused, reusedR, "/"); resp.StatusCode != http.StatusOK || !resp.Close {
		t.Errorf("reused connection during the delay: %d close=%v, want 200 with Connection: close", resp.StatusCode, resp.Close)
	}
	_ = reused.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := reusedR.ReadByte(); err != io.EOF {
		t.Errorf("reused connection after a Connection: close response: %v, want EOF", err)
	}

	// The idle connection is closed when the drain starts, while the slow
	// request is still being served.
	_ = idle.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := idleR.ReadByte(); err != io.EOF && !isReset(err) {
		t.Errorf("idle connection at the drain: %v, want EOF", err)
	}
	p.waitOutput("delay over")
	select {
	case r := <-slow:
		t.Errorf("the slow request finished (%v) before the idle connection was closed", r)
	default:
	}
	if r := awaitWithin(t, slow, 30*time.Second, "the slow request to end"); r.err != nil || r.status != http.StatusOK {
		t.Errorf("slow request = %d %v, want 200", r.status, r.err)
	}
	if got := p.exitCode(); got != 0 {
		t.Errorf("exit code = %d, want 0", got)
	}
}
