package lifecycle_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
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
