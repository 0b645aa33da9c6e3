package lifecycle_test

import (
	"encoding/csv"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// The HAProxy test runs the net/http demo (examples/std), the example app
// a user would deploy, rather than the test app: what it proves holds for
// an application wired the documented way.

// startDemoAt starts the demo on addr and waits until its /readyz answers
// 200. It logs its output when the test failed and kills it at the end of
// the test if it still runs.
func startDemoAt(t testing.TB, addr string, args ...string) *proc {
	t.Helper()
	return startProc(t, demoBin.get(t), addr, addr, append([]string{"-addr", addr}, args...)...)
}

// logTime returns the time of the demo's first slog line with msg, from
// its time= field.
func logTime(out, msg string) (time.Time, bool) {
	for line := range strings.Lines(out) {
		if !strings.Contains(line, `msg="`+msg+`"`) {
			continue
		}
		ts, _, _ := strings.Cut(strings.TrimPrefix(line, "time="), " ")
		at, err := time.Parse(time.RFC3339Nano, ts)
		return at, err == nil
	}
	return time.Time{}, false
}

// HAProxy's health checks in the test: a check every checkInter, DOWN after
// checkFall failures, UP after checkRise successes.
const (
	checkInter = 200 * time.Millisecond
	checkFall  = 2
	checkRise  = 2
)

// balancerDelay is the shutdown delay of the demos behind HAProxy. From the
// SIGTERM, the first failing check comes within one inter and the fall-th
// one (fall-1) inters later: HAProxy stops routing at most
// fall x inter + the check's own time after the SIGTERM, 400 ms and a few
// ms here. 1 s is 2.5 times that, margin for a loaded 2-core CI runner
// building with -race; the test logs the measured time to DOWN.
const balancerDelay = 1 * time.Second

// haproxyCfg runs HAProxy in front of two demos with active checks on their
// readiness (/readyz), no retries and no redispatch, so that it cannot hide a failed
// request from the client.
const haproxyCfg = `global
    maxconn 2000
    stats socket %s level admin

defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    timeout http-keep-alive 30s
    retries 0

frontend fe
    bind %s
    default_backend be

frontend stats
    bind %s
    stats enable
    stats uri /stats

backend be
    balance roundrobin
    option httpchk GET /readyz
    http-check expect status 200
    default-server inter %dms fall %d rise %d
    server s1 %s check
    server s2 %s check
`

// haproxyPath finds haproxy: skipped when missing locally, a failure in CI.
func haproxyPath(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("haproxy")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("haproxy is not installed; CI must install it (apt-get install haproxy)")
		}
		t.Skip("haproxy is not installed")
	}
	return path
}

type balancer struct {
	t      *testing.T
	front  string
	stats  string
	socket string // the runtime API
	out    *output
	client *http.Client
}

func startHAProxy(t *testing.T, backends [2]string) *balancer {
	t.Helper()
	bin := haproxyPath(t)
	dir := t.TempDir()
	b := &balancer{t: t, front: freeAddr(t), stats: freeAddr(t), socket: filepath.Join(dir, "api.sock"), out: newOutput()}
	cfgPath := filepath.Join(dir, "haproxy.cfg")
	cfg := fmt.Sprintf(haproxyCfg, b.socket, b.front, b.stats, checkInter.Milliseconds(), checkFall, checkRise, backends[0], backends[1])
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "-c", "-f", cfgPath).CombinedOutput(); err != nil {
		t.Fatalf("haproxy -c: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "-db", "-f", cfgPath)
	cmd.Stdout = b.out
	cmd.Stderr = b.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	tr := &http.Transport{DisableKeepAlives: true}
	b.client = &http.Client{Transport: tr, Timeout: 2 * time.Second}
	t.Cleanup(func() {
		tr.CloseIdleConnections()
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("haproxy output:\n%s", b.out.String())
		}
	})
	return b
}

// status returns HAProxy's view of each server of backend be.
func (b *balancer) status() (map[string]string, error) {
	resp, err := b.client.Get("http://" + b.stats + "/stats;csv")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(body), "# ")))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil || len(rows) == 0 {
		return nil, fmt.Errorf("stats csv: %v", err)
	}
	col := -1
	for i, name := range rows[0] {
		if name == "status" {
			col = i
		}
	}
	if col < 0 {
		return nil, fmt.Errorf("no status column in %q", rows[0])
	}
	st := make(map[string]string)
	for _, row := range rows[1:] {
		if len(row) > col && row[0] == "be" {
			st[row[1]] = row[col]
		}
	}
	return st, nil
}

// setState sets server's administrative state (maint, ready) through
// HAProxy's runtime API: what an endpoints controller removing a pod, or
// adding its replacement, does to a balancer.
func (b *balancer) setState(server, state string) {
	b.t.Helper()
	conn, err := net.DialTimeout("unix", b.socket, 2*time.Second)
	if err != nil {
		b.t.Fatalf("runtime API: %v", err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := fmt.Fprintf(conn, "set server be/%s state %s\n", server, state); err != nil {
		b.t.Fatalf("runtime API: %v", err)
	}
	answer, err := io.ReadAll(conn)
	if err != nil || strings.TrimSpace(string(answer)) != "" {
		b.t.Fatalf("set server be/%s state %s: %q %v", server, state, answer, err)
	}
}

// waitStatus waits until HAProxy reports server at status (UP, DOWN or
// MAINT, not a transition like "UP 1/2") and returns when it saw it.
func (b *balancer) waitStatus(server, status string) time.Time {
	b.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		st, err := b.status()
		if err == nil && st[server] == status {
			return time.Now()
		}
		time.Sleep(10 * time.Millisecond)
	}
	st, err := b.status()
	b.t.Fatalf("%s not %s after 20s: %v %v", server, status, st, err)
	return time.Time{}
}

// load is a steady, bounded request loop on kept-alive connections that
// never retries: POST requests are not replayable, so net/http's transport
// does not resend them, and HAProxy runs with retries 0. The demo's / is
// GET only, so every request goes to /slow, which takes any method: ms=0
// for the fast ones, slowRequestMS for one in slowEvery.
type load struct {
	ok, failed, slow atomic.Int64
	mu               sync.Mutex
	errs             []string
	stop             chan struct{}
	wg               sync.WaitGroup
}

const (
	loadWorkers   = 8
	loadPause     = 2 * time.Millisecond // per worker, between requests
	loadMax       = 200000               // requests per worker, a bound
	slowEvery     = 10                   // one request in slowEvery is slow
	slowRequestMS = 300
)

func startLoad(front string) *load {
	ld := &load{stop: make(chan struct{})}
	for w := range loadWorkers {
		ld.wg.Add(1)
		go func() {
			defer ld.wg.Done()
			tr := &http.Transport{MaxIdleConnsPerHost: 2}
			defer tr.CloseIdleConnections()
			c := &http.Client{Transport: tr, Timeout: 20 * time.Second}
			for i := range loadMax {
				select {
				case <-ld.stop:
					return
				default:
				}
				path := "/slow?ms=0"
				if (i+w)%slowEvery == 0 {
					path = fmt.Sprintf("/slow?ms=%d", slowRequestMS)
					ld.slow.Add(1)
				}
				resp, err := c.Post("http://"+front+path, "text/plain", strings.NewReader("ping"))
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					_ = resp.Body.Close()
					if err == nil && resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
				}
				if err != nil {
					ld.failed.Add(1)
					ld.mu.Lock()
					if len(ld.errs) < 20 {
						ld.errs = append(ld.errs, time.Now().Format("15:04:05.000")+" "+path+": "+err.Error())
					}
					ld.mu.Unlock()
				} else {
					ld.ok.Add(1)
				}
				time.Sleep(loadPause)
			}
		}()
	}
	return ld
}

func (ld *load) finish() {
	close(ld.stop)
	ld.wg.Wait()
}

// preStopSleep and endpointPropagation shape the preStop set-up: the
// kubelet runs the preStop sleep and, at the same time, the endpoints
// controller removes the pod, which reaches the balancer a little later;
// SIGTERM comes when the sleep is over, to a process configured with
// WithoutShutdownDelay. The sleep must outlast the propagation, as the
// in-process delay must outlast the balancer's checks.
const (
	preStopSleep        = 400 * time.Millisecond
	endpointPropagation = 200 * time.Millisecond
)

// TestRollingRestartBehindHAProxy restarts two instances of the net/http
// demo (examples/std) one after the other behind HAProxy under a steady
// load (8 keep-alive clients that never retry, one request in ten lasting
// 300 ms), each with SIGTERM and a replacement on the same port, and
// requires that the client sees no failed request and no connection error.
// It runs in the two documented set-ups:
//   - in-process delay: the demo keeps serving while readiness fails, until
//     HAProxy's checks take it out of rotation;
//   - preStop: the demo runs WithoutShutdownDelay; the test plays the
//     kubelet and the endpoints controller: it takes the server out through
//     HAProxy's runtime API (maint) endpointPropagation after the start of
//     a preStopSleep, sends SIGTERM when the sleep is over, and puts the
//     replacement back (ready) once it is ready.
func TestRollingRestartBehindHAProxy(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("the HAProxy integration test is skipped in -short mode outside CI")
	}
	t.Parallel()
	haproxyPath(t)
	for _, tc := range []struct {
		name    string
		preStop bool
		args    []string
	}{
		{"in-process delay", false, []string{"-shutdown-delay", balancerDelay.String(), "-drain-timeout", "10s"}},
		{"preStop and WithoutShutdownDelay", true, []string{"-shutdown-delay", "0", "-drain-timeout", "10s"}},
	} {
		t.Run(tc.name, func(t *testing.T) { rollingRestart(t, tc.preStop, tc.args) })
	}
}

func rollingRestart(t *testing.T, preStop bool, args []string) {
	addrs := [2]string{freeAddr(t), freeAddr(t)}
	var demos [2]*proc
	for i, a := range addrs {
		demos[i] = startDemoAt(t, a, args...)
	}
	lb := startHAProxy(t, addrs)
	lb.waitStatus("s1", "UP")
	lb.waitStatus("s2", "UP")

	ld := startLoad(lb.front)
	time.Sleep(500 * time.Millisecond) // some traffic on both before the first restart
	testStart := time.Now()
	for i := range demos {
		server := fmt.Sprintf("s%d", i+1)
		before := ld.ok.Load() + ld.failed.Load()
		var out, note string
		var code int
		var exited time.Time
		if preStop {
			start := time.Now()
			time.Sleep(endpointPropagation)
			lb.setState(server, "maint")
			maint := lb.waitStatus(server, "MAINT")
			time.Sleep(time.Until(start.Add(preStopSleep)))
			sigterm := time.Now()
			demos[i].signal(syscall.SIGTERM)
			code = demos[i].exitCode()
			exited = demos[i].exitedAt
			note = fmt.Sprintf("preStop %s: out of rotation (MAINT) after %s, SIGTERM after %s, exit %s after SIGTERM",
				preStopSleep, maint.Sub(start).Round(time.Millisecond), sigterm.Sub(start).Round(time.Millisecond),
				exited.Sub(sigterm).Round(time.Millisecond))
		} else {
			sigterm := time.Now()
			demos[i].signal(syscall.SIGTERM)
			down := lb.waitStatus(server, "DOWN")
			code = demos[i].exitCode()
			exited = demos[i].exitedAt
			closedNote := "listener closed: not logged"
			if closed, ok := logTime(demos[i].out.String(), "lifecycle: listener closed"); ok {
				closedNote = fmt.Sprintf("listener closed %s after DOWN", closed.Sub(down).Round(time.Millisecond))
			}
			note = fmt.Sprintf("SIGTERM -> HAProxy DOWN %s (delay %s), %s, -> exit %s",
				down.Sub(sigterm).Round(time.Millisecond), balancerDelay, closedNote, exited.Sub(sigterm).Round(time.Millisecond))
		}
		out = demos[i].out.String()
		if os.Getenv("LIFECYCLE_DEBUG") != "" {
			t.Logf("%s output:\n%s", server, out)
		}
		if code != 0 {
			t.Errorf("%s exited with %d, want 0", server, code)
		}
		assertOrder(t, out, `msg="lifecycle: shutdown started"`, `msg="lifecycle: listener closed"`, `msg="lifecycle: shutdown complete"`)
		demos[i] = startDemoAt(t, addrs[i], args...)
		ready := time.Now()
		if preStop {
			lb.setState(server, "ready")
		}
		up := lb.waitStatus(server, "UP")
		t.Logf("%s: %s, replacement ready %s later, HAProxy UP %s after that; %d requests meanwhile",
			server, note, ready.Sub(exited).Round(time.Millisecond), up.Sub(ready).Round(time.Millisecond),
			ld.ok.Load()+ld.failed.Load()-before)
	}
	time.Sleep(500 * time.Millisecond) // traffic on both replacements
	ld.finish()
	total := ld.ok.Load() + ld.failed.Load()
	t.Logf("rolling restart of 2 demo instances in %s: %d requests (%d slow of %d ms), %d ok, %d failed",
		time.Since(testStart).Round(time.Millisecond), total, ld.slow.Load(), slowRequestMS, ld.ok.Load(), ld.failed.Load())
	if ld.failed.Load() != 0 {
		t.Errorf("%d requests failed at the client; first ones:\n%s", ld.failed.Load(), strings.Join(ld.errs, "\n"))
	}
	if total < 100 {
		t.Errorf("only %d requests: the load did not run", total)
	}
	for _, p := range demos {
		p.signal(syscall.SIGTERM)
		if code := p.exitCode(); code != 0 {
			t.Errorf("replacement exited with %d", code)
		}
	}
}
