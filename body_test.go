package actuator_test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/actuatorgo/actuator"
	"github.com/actuatorgo/actuator/lifecycle"
)

// clientWait bounds every read of the raw clients below. net/http, left
// to itself, waits for a declared body forever, so an answer within this
// generous time means the server did not wait.
const clientWait = 5 * time.Second

// sendWithoutBody writes a request that declares a body (header) and
// sends none, then reads the answer. It returns the status, or an error
// when none came within clientWait, and whether the server then closed the
// connection (it reads until EOF, within clientWait too).
func sendWithoutBody(t *testing.T, addr, method, path, header string) (int, bool, error) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(clientWait))
	if _, err := io.WriteString(conn, method+" "+path+" HTTP/1.1\r\nHost: example.com\r\n"+header+"\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, &http.Request{Method: method})
	if err != nil {
		return 0, false, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	_, err = br.ReadByte()
	return resp.StatusCode, errors.Is(err, io.EOF), nil
}

// TestUnsentBodyIsNotAwaited: a GET or HEAD that declares a body (by
// Content-Length or chunked) and never sends it is answered at once, and
// the server closes the connection rather than keep waiting for the body
// on it. The same holds for errors answered before a body is read, for
// every method.
func TestUnsentBodyIsNotAwaited(t *testing.T) {
	jobs := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	a := newActuator(t, actuator.WithProbes(), actuator.WithEndpoint("jobs", jobs, actuator.WithMethods(http.MethodPost)))
	srv := httptest.NewServer(a.Middleware(http.NotFoundHandler()))
	defer srv.Close()
	addr := srv.Listener.Addr().String()
	tests := []struct {
		method, path, header string
		status               int
	}{
		{"GET", "/actuator/health", "Content-Length: 10", 200},
		{"HEAD", "/actuator/health", "Content-Length: 10", 200},
		{"GET", "/actuator/health", "Transfer-Encoding: chunked", 200},
		{"GET", "/actuator", "Content-Length: 10", 200},
		{"GET", "/actuator/info", "Content-Length: 10", 200},
		{"GET", "/actuator/metrics", "Content-Length: 10", 200},
		{"GET", "/actuator/prometheus", "Content-Length: 10", 200},
		{"GET", "/livez", "Content-Length: 10", 200},
		{"GET", "/readyz", "Content-Length: 1000", 200},
		{"GET", "/actuator/nope", "Content-Length: 10", 404},
		{"GET", "/actuator/jobs", "Content-Length: 10", 405},
		{"POST", "/actuator/health", "Content-Length: 10", 405},
		{"PUT", "/actuator/nope", "Content-Length: 10", 404},
		{"POST", "/actuator/health", "Transfer-Encoding: chunked", 405},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path+" "+tc.header, func(t *testing.T) {
			status, closed, err := sendWithoutBody(t, addr, tc.method, tc.path, tc.header)
			if err != nil {
				t.Fatalf("no answer within %v: %v", clientWait, err)
			}
			if status != tc.status {
				t.Errorf("status %d, want %d", status, tc.status)
			}
			if !closed {
				t.Errorf("the server kept the connection open")
			}
		})
	}
	// A request without a body keeps its connection.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(clientWait))
	br := bufio.NewReader(conn)
	for range 2 {
		io.WriteString(conn, "GET /actuator/health HTTP/1.1\r\nHost: example.com\r\n\r\n")
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("keep-alive GET: %v", err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.Close || resp.StatusCode != 200 {
			t.Errorf("GET without a body = %d, close %v; want 200 on a kept connection", resp.StatusCode, resp.Close)
		}
	}
}

// TestUnsentBodyDoesNotHoldTheDrain: a client that declared a body it
// never sends does not keep the graceful shutdown waiting until the drain
// deadline, because its connection is closed once answered.
func TestUnsentBodyDoesNotHoldTheDrain(t *testing.T) {
	a := newActuator(t, actuator.WithLifecycleOptions(
		lifecycle.WithSignals(), lifecycle.WithoutShutdownDelay(), lifecycle.WithDrainTimeout(time.Second)))
	base, done := startRun(t, a)
	addr := base[len("http://"):]
	if status, closed, err := sendWithoutBody(t, addr, "GET", "/actuator/health", "Content-Length: 10"); err != nil || status != 200 || !closed {
		t.Errorf("GET with an unsent body = %d, closed %v, err %v; want 200 and closed", status, closed, err)
	}
	// And a client that keeps its side of the connection open.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "GET /actuator/info HTTP/1.1\r\nHost: example.com\r\nContent-Length: 10\r\n\r\n")
	_ = conn.SetReadDeadline(time.Now().Add(clientWait))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Errorf("no answer within %v: %v", clientWait, err)
	} else {
		resp.Body.Close()
	}
	a.Lifecycle().Shutdown("test")
	select {
	case err := <-done:
		if errors.Is(err, lifecycle.ErrDrainTimeout) {
			t.Errorf("Run = %v: the unsent body held the drain to its deadline", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Run did not return")
	}
}

// TestDeclaredBodyClosesHTTP1Only: the Connection: close that spares an
// HTTP/1 connection from waiting for a body is not sent on HTTP/2, where
// net/http would read it as a request to shut the whole connection down.
func TestDeclaredBodyClosesHTTP1Only(t *testing.T) {
	a := newActuator(t)
	for _, tc := range []struct {
		major int
		want  string
	}{{1, "close"}, {2, ""}} {
		r := httptest.NewRequest("GET", "/actuator/health", strings.NewReader("0123456789"))
		r.ProtoMajor = tc.major
		w := httptest.NewRecorder()
		a.ServeHTTP(w, r)
		if got := w.Header().Get("Connection"); w.Code != 200 || got != tc.want {
			t.Errorf("HTTP/%d GET with a body = %d, Connection %q; want 200, %q", tc.major, w.Code, got, tc.want)
		}
	}
}

// TestSentBodyEndsInACleanClose: a client that does send the body it
// declared, to an endpoint that does not want it, gets its answer and then
// an orderly close, not a reset that could destroy the answer.
func TestSentBodyEndsInACleanClose(t *testing.T) {
	jobs := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	a := newActuator(t, actuator.WithEndpoint("jobs", jobs, actuator.WithMethods(http.MethodPost)))
	srv := httptest.NewServer(a.Middleware(http.NotFoundHandler()))
	defer srv.Close()
	for _, tc := range []struct {
		method, path string
		size, status int
	}{
		{"GET", "/actuator/health", 10, 200},
		{"POST", "/actuator/health", 10, 405},
		{"POST", "/actuator/jobs", 200 << 10, 413},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			conn, err := net.Dial("tcp", srv.Listener.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			_ = conn.SetDeadline(time.Now().Add(clientWait))
			head := tc.method + " " + tc.path + " HTTP/1.1\r\nHost: example.com\r\nContent-Length: " + strconv.Itoa(tc.size) + "\r\n\r\n"
			sent := make(chan error, 1)
			go func() {
				_, err := io.WriteString(conn, head+strings.Repeat("x", tc.size))
				sent <- err
			}()
			br := bufio.NewReader(conn)
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatalf("no answer: %v", err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if err := <-sent; err != nil {
				t.Errorf("sending the body: %v", err)
			}
			if _, err := br.ReadByte(); !errors.Is(err, io.EOF) {
				t.Errorf("after the answer: %v, want an orderly close (EOF)", err)
			}
		})
	}
}

// TestOversizedBody: a body over MaxRequestBody gets a JSON 413, declared
// or streamed, and never starts a shutdown; a handler reading a streamed
// one is cut at the limit.
func TestOversizedBody(t *testing.T) {
	var read int
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		read = len(b)
		if err != nil {
			http.Error(w, `{"error":"too large"}`, http.StatusRequestEntityTooLarge)
			return
		}
		w.Write(b)
	})
	big := strings.Repeat("x", actuator.MaxRequestBody+1)
	tests := []struct {
		name, path string
		streamed   bool // no declared length
		reads      bool // the handler runs and reads the body
	}{
		{"declared, shutdown", "/actuator/shutdown", false, false},
		{"streamed, shutdown", "/actuator/shutdown", true, false},
		{"streamed, read by the handler", "/actuator/echo", true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := newActuator(t, actuator.WithShutdownEndpoint(), allowAll, actuator.WithEndpoint("echo", echo, actuator.WithMethods("POST")))
			read = 0
			var r *http.Request
			if tc.streamed {
				r = httptest.NewRequest("POST", tc.path, io.NopCloser(strings.NewReader(big)))
				r.ContentLength = -1
			} else {
				r = httptest.NewRequest("POST", tc.path, strings.NewReader(big))
			}
			w := httptest.NewRecorder()
			a.ServeHTTP(w, r)
			if w.Code != http.StatusRequestEntityTooLarge {
				t.Errorf("POST %s with %d bytes = %d %s, want 413", tc.path, len(big), w.Code, w.Body)
			}
			if tc.path == "/actuator/shutdown" && decode(t, w)["status"] != float64(413) {
				t.Errorf("413 body = %s, want the actuator's JSON error", w.Body)
			}
			if a.Lifecycle().Phase() != lifecycle.PhaseIdle {
				t.Errorf("an oversized request started a shutdown: phase %s", a.Lifecycle().Phase())
			}
			if read > actuator.MaxRequestBody || (read > 0) != tc.reads {
				t.Errorf("the handler read %d bytes, want %v and at most the limit %d", read, tc.reads, actuator.MaxRequestBody)
			}
		})
	}
}
