package lifecycle_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
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
