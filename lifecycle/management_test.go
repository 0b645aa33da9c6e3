package lifecycle_test

import (
	"context"
	"fmt"
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

// Two app servers and a management server: both app servers are drained
// (their in-flight requests complete), the management server answers until
// the hooks are over, and it stops last.
func TestTwoAppServersDrainAndTheManagementServerStopsLast(t *testing.T) {
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
	await(t, started, "the first slow request to start")
	await(t, started, "the second slow request to start")
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
		if r := await(t, slow, "an in-flight request to end"); r.err != nil || r.status != http.StatusOK || r.body != "app" || !r.close {
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
