package lifecycle_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/actuatorgo/actuator/lifecycle"
	"go.uber.org/goleak"
)

// A hijacked connection told to close by OnDrain, and awaited through its
// Hold: the hooks run only once it is closed.
func TestHooksWaitForAHijackedConnectionsHold(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	var l *lifecycle.Lifecycle
	connClosed := make(chan struct{})
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
			defer func() { conn.Close(); close(connClosed) }()
			brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\nhello\n")
			brw.Flush()
			close(hijacked)
			<-bye
			time.Sleep(50 * time.Millisecond) // a close handshake
			io.WriteString(conn, "bye\n")
		}()
	})}
	// Whether the connection was closed when the hook ran, observed by the
	// hook itself.
	hookSawItClosed := make(chan bool, 1)
	l = lifecycle.New(lifecycle.WithSignals(), lifecycle.WithoutShutdownDelay(), lifecycle.WithDrainTimeout(5*time.Second))
	l.OnShutdown("h", func(context.Context) error {
		select {
		case <-connClosed:
			hookSawItClosed <- true
		default:
			hookSawItClosed <- false
		}
		return nil
	})
	addrs, runErr := runInProcess(t, l, srv)
	conn, err := net.Dial("tcp", addrs[0].String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(conn, "GET /ws HTTP/1.1\r\nHost: app\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\n")
	await(t, hijacked, "the connection to be hijacked")
	begin := time.Now()
	l.Shutdown("test")
	all, err := io.ReadAll(conn)
	if err != nil || !strings.HasSuffix(string(all), "hello\nbye\n") {
		t.Errorf("hijacked connection read %q, %v; want hello, bye, EOF", all, err)
	}
	if _, err := waitRun(t, runErr, begin, 10*time.Second); err != nil {
		t.Errorf("Run = %v", err)
	}
	if !await(t, hookSawItClosed, "the hook to run") {
		t.Error("the hook ran while the hijacked connection was still open: the hooks did not wait for its Hold")
	}
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
