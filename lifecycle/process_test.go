package lifecycle_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The tests in this file start the test app (testdata/app) as a real
// process on loopback and drive it with signals and HTTP.

func TestSIGTERMLetsInFlightRequestsFinish(t *testing.T) {
	t.Parallel()
	p := startApp(t, "-shutdown-delay", "1s", "-drain-timeout", "10s")
	c := newClient(t)

	const inFlight = 3
	results := make(chan result, inFlight)
	for i := range inFlight {
		go func() { results <- get(c, p.url(fmt.Sprintf("/slow?ms=2500&id=%d", i))) }()
	}
	for i := range inFlight {
		p.waitOutput(fmt.Sprintf("slow started %d", i))
	}
	p.signal(syscall.SIGTERM)
	p.waitOutput("shutdown started")

	// The delay: readiness fails, the app still serves new connections,
	// asking them to close.
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 20 * time.Second}
	if r := get(fresh, p.url("/readyz")); r.err != nil || r.status != http.StatusServiceUnavailable || !strings.Contains(r.body, "delaying") {
		t.Errorf("readiness during the delay = %d %q %v, want 503 delaying", r.status, r.body, r.err)
	}
	if r := get(c, p.url("/")); r.err != nil || r.status != http.StatusOK || !r.close {
		t.Errorf("app request during the delay = %d close=%v %v, want 200 with Connection: close", r.status, r.close, r.err)
	}

	// After the delay: the listener is closed while requests are in flight.
	p.waitOutput("listener closed")
	if _, err := net.DialTimeout("tcp", p.addr, time.Second); !isRefused(err) {
		t.Errorf("dial after the delay: %v, want connection refused", err)
	}
	for range inFlight {
		r := awaitWithin(t, results, 30*time.Second, "an in-flight request to end")
		if r.err != nil || r.status != http.StatusOK || r.body != "slow done\n" {
			t.Errorf("in-flight request = %d %q %v, want 200 slow done", r.status, r.body, r.err)
		}
		if !r.close {
			t.Error("in-flight response finished during the drain lacks Connection: close")
		}
	}
	if got := p.exitCode(); got != 0 {
		t.Errorf("exit code = %d, want 0", got)
	}
	assertOrder(t, p.out.String(), "shutdown started", "delay over", "servers drained", "shutdown complete")
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

func isReset(err error) bool { return err != nil && strings.Contains(err.Error(), "reset") }

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

func TestHooks(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		args     []string
		order    []string
		code     int
		contains string
	}{
		{"reverse registration order", []string{"-hooks", "3"}, []string{"hook h3", "hook h2", "hook h1", "shutdown complete"}, 0, "hook=h1"},
		{"a failing hook does not stop the others", []string{"-hooks", "2", "-failing-hook"},
			[]string{"hook failing", "hook h2", "hook h1"}, 1, `hook \"failing\": cannot flush`},
		{"a hung hook is cut at its timeout", []string{"-hooks", "2", "-hung-hook", "-hook-timeout", "300ms"},
			[]string{"hook hung started", "hook failed", "hook h2", "hook h1"}, 1, "cleanup hook timed out after 300ms"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := startApp(t, append([]string{"-shutdown-delay", "0"}, tc.args...)...)
			p.signal(syscall.SIGTERM)
			if got := p.exitCode(); got != tc.code {
				t.Errorf("exit code = %d, want %d", got, tc.code)
			}
			out := p.out.String()
			assertOrder(t, out, tc.order...)
			if !strings.Contains(out, tc.contains) {
				t.Errorf("output lacks %q", tc.contains)
			}
		})
	}
}

func TestSecondSignalExitsAtOnce(t *testing.T) {
	t.Parallel()
	p := startApp(t, "-shutdown-delay", "0", "-hung-hook", "-hook-timeout", "60s", "-shutdown-timeout", "60s")
	p.signal(syscall.SIGTERM)
	p.waitOutput("hook hung started")
	p.signal(syscall.SIGTERM)
	if got, want := p.exitCode(), 128+int(syscall.SIGTERM); got != want {
		t.Errorf("exit code = %d, want %d", got, want)
	}
	if out := p.out.String(); !strings.Contains(out, "second signal, exiting now") || strings.Contains(out, "shutdown complete") {
		t.Errorf("want an immediate exit logged, without a completed sequence:\n%s", out)
	}
}

// POST /shutdown starts the sequence once, however often it is called.
// Behind the actuator (the test app imports the root package when given a
// token), the library's own guard decides: no credentials get 401 with the
// Bearer challenge, a wrong token 403, a cross-site browser request 403
// even with the right token, and none of them starts the shutdown.
func TestShutdownEndpoint(t *testing.T) {
	t.Parallel()
	const bye = `{"message":"Shutting down, bye..."}`
	for _, tc := range []struct {
		name  string
		token string
	}{
		{"without an authorizer", ""},
		{"behind the actuator's bearer token authorizer", "s3cret"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			args := []string{"-shutdown-delay", "1500ms", "-hooks", "1"}
			if tc.token != "" {
				args = append(args, "-token", tc.token)
			}
			p := startApp(t, args...)
			c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 20 * time.Second}
			type answer struct {
				status    int
				challenge string
				body      string
				err       error
			}
			call := func(method, auth, fetchSite string) answer {
				req, _ := http.NewRequest(method, p.url("/shutdown"), nil)
				if auth != "" {
					req.Header.Set("Authorization", "Bearer "+auth)
				}
				if fetchSite != "" {
					req.Header.Set("Sec-Fetch-Site", fetchSite)
					req.Header.Set("Origin", "https://attacker.example")
				}
				resp, err := c.Do(req)
				if err != nil {
					return answer{err: err}
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				return answer{status: resp.StatusCode, challenge: resp.Header.Get("WWW-Authenticate"), body: string(b)}
			}
			if tc.token != "" {
				for _, rc := range []struct {
					name, auth, fetchSite string
					status                int
					challenge             string
				}{
					{"no token", "", "", http.StatusUnauthorized, `Bearer realm="actuator"`},
					{"wrong token", "wrong", "", http.StatusForbidden, ""},
					{"cross-site browser request with the right token", tc.token, "cross-site", http.StatusForbidden, ""},
				} {
					t.Run(rc.name, func(t *testing.T) {
						a := call(http.MethodPost, rc.auth, rc.fetchSite)
						if a.err != nil || a.status != rc.status || a.challenge != rc.challenge {
							t.Errorf("POST = %d, WWW-Authenticate %q, %v; want %d, %q", a.status, a.challenge, a.err, rc.status, rc.challenge)
						}
						if !strings.Contains(a.body, fmt.Sprintf(`"status":%d`, rc.status)) {
							t.Errorf("body = %s, want the actuator's JSON error", a.body)
						}
					})
				}
			}
			if a := call(http.MethodGet, tc.token, ""); a.status != http.StatusMethodNotAllowed || !strings.Contains(a.body, `"status":405`) {
				t.Errorf("GET = %d %s, want a 405 JSON error", a.status, a.body)
			}
			if strings.Contains(p.out.String(), "shutdown started") {
				t.Fatal("a refused call started the shutdown")
			}
			if r := get(c, p.url("/readyz")); r.status != http.StatusOK {
				t.Fatalf("readiness after the refused calls = %d %v, want 200", r.status, r.err)
			}
			for i := range 2 { // the second call answers the same, starts nothing new
				if a := call(http.MethodPost, tc.token, ""); a.err != nil || a.status != http.StatusOK || a.body != bye {
					t.Errorf("POST #%d = %d %q %v, want 200 %s", i+1, a.status, a.body, a.err, bye)
				}
			}
			if r := get(c, p.url("/readyz")); r.status != http.StatusServiceUnavailable {
				t.Errorf("readiness after /shutdown = %d, want 503", r.status)
			}
			if got := p.exitCode(); got != 0 {
				t.Errorf("exit code = %d, want 0", got)
			}
			out := p.out.String()
			if n := strings.Count(out, "shutdown started"); n != 1 {
				t.Errorf("the sequence started %d times, want 1", n)
			}
			assertOrder(t, out, `reason="shutdown endpoint"`, "hook h1", "shutdown complete")
		})
	}
}

func TestBlockingTasks(t *testing.T) {
	t.Parallel()
	t.Run("hold the shutdown open until released", func(t *testing.T) {
		t.Parallel()
		p := startApp(t, "-shutdown-delay", "0", "-hooks", "1", "-task-ms", "300")
		// Without keep-alive: a connection idle for less than the idle
		// linger at the drain would hold the drain that long, past the task.
		once := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 20 * time.Second}
		if r := get(once, p.url("/hold?ms=800")); r.status != http.StatusAccepted {
			t.Fatalf("/hold = %d %v", r.status, r.err)
		}
		p.signal(syscall.SIGTERM)
		if got := p.exitCode(); got != 0 {
			t.Errorf("exit code = %d, want 0", got)
		}
		out := p.out.String()
		assertOrder(t, out, "servers drained", "waiting for blocking tasks", "task batch done", "job done", "blocking tasks done", "hook h1")
	})
	t.Run("bounded by the overall deadline", func(t *testing.T) {
		t.Parallel()
		p := startApp(t, "-shutdown-delay", "0", "-hooks", "1", "-shutdown-timeout", "1s")
		if r := get(newClient(t), p.url("/hold?ms=600000")); r.status != http.StatusAccepted {
			t.Fatalf("/hold = %d %v", r.status, r.err)
		}
		p.signal(syscall.SIGTERM)
		if got := p.exitCode(); got != 1 {
			t.Errorf("exit code = %d, want 1", got)
		}
		out := p.out.String()
		// The overall deadline is a hard bound: the hook cannot start
		// before it, and is skipped and named.
		assertOrder(t, out, "blocking tasks still held at the deadline", "cleanup hooks skipped at the deadline",
			"shutdown deadline reached: blocking tasks still held: job", "1 cleanup hooks not run: h1")
		if strings.Contains(out, "hook h1\n") {
			t.Error("the hook ran past the overall deadline")
		}
		if strings.Contains(out, "job done") {
			t.Error("the job finished; the test proves nothing")
		}
	})
	t.Run("a failed task triggers the shutdown", func(t *testing.T) {
		t.Parallel()
		p := startApp(t, "-shutdown-delay", "0", "-hooks", "1", "-task-fail-ms", "300")
		if got := p.exitCode(); got != 1 {
			t.Errorf("exit code = %d, want 1", got)
		}
		assertOrder(t, p.out.String(), `reason="task failer failed"`, "hook h1", `task \"failer\": queue lost`)
	})
}

func TestManagementServerAnswersDuringTheDrain(t *testing.T) {
	t.Parallel()
	p := startAppAt(t, freeAddr(t), freeAddr(t), "-shutdown-delay", "300ms", "-hooks", "1")
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 20 * time.Second}
	slow := make(chan result, 1)
	go func() { slow <- get(c, p.url("/slow?ms=2500&id=m")) }()
	p.waitOutput("slow started m")
	p.signal(syscall.SIGTERM)
	p.waitOutput("listener closed")

	if _, err := net.DialTimeout("tcp", p.addr, time.Second); !isRefused(err) {
		t.Errorf("dial the app during the drain: %v, want connection refused", err)
	}
	if r := get(c, "http://"+p.probe+"/readyz"); r.err != nil || r.status != http.StatusServiceUnavailable || !strings.Contains(r.body, "draining") {
		t.Errorf("management readiness during the drain = %d %q %v, want 503 draining", r.status, r.body, r.err)
	}
	if r := get(c, "http://"+p.probe+"/livez"); r.err != nil || r.status != http.StatusOK {
		t.Errorf("management liveness during the drain = %d %v, want 200", r.status, r.err)
	}
	if r := awaitWithin(t, slow, 30*time.Second, "the in-flight request to end"); r.err != nil || r.status != http.StatusOK {
		t.Errorf("in-flight request = %d %v, want 200", r.status, r.err)
	}
	if got := p.exitCode(); got != 0 {
		t.Errorf("exit code = %d, want 0", got)
	}
	assertOrder(t, p.out.String(), "servers drained", "hook h1", "management server stopped", "shutdown complete")
}

func TestHijackedConnectionGetsACallback(t *testing.T) {
	t.Parallel()
	p := startApp(t, "-shutdown-delay", "0", "-hooks", "1")
	conn, err := net.Dial("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET /hijack HTTP/1.1\r\nHost: app\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("reading the hijacked response: %v", err)
		}
		if line == "hijacked\n" {
			break
		}
	}
	p.signal(syscall.SIGTERM)
	rest, err := io.ReadAll(br)
	if err != nil || string(rest) != "bye\n" {
		t.Errorf("after SIGTERM the hijacked connection read %q, %v; want bye then EOF", rest, err)
	}
	if got := p.exitCode(); got != 0 {
		t.Errorf("exit code = %d, want 0", got)
	}
	// The shutdown waited for the connection (its Hold) before the hooks.
	assertOrder(t, p.out.String(), "listener closed", "waiting for blocking tasks", "hijacked closed", "blocking tasks done", "hook h1")
}
