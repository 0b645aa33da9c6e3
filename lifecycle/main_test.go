package lifecycle_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// raceEnabled is set by race_test.go; the test app is then built with -race.
var raceEnabled bool

// binDir holds the binaries the tests build; TestMain removes it.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "lifecycle-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	binDir = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// A testBinary is a program built once per test binary, into binDir,
// with -race when the tests run under the race detector.
type testBinary struct {
	name string // file name in binDir
	pkg  string // package to build, relative to this package's directory
	once sync.Once
	path string
	err  error
}

var (
	appBin  = &testBinary{name: "app", pkg: "./testdata/app"}
	demoBin = &testBinary{name: "std-demo", pkg: "../examples/std"}
)

// get builds the binary on first use and returns its path.
func (b *testBinary) get(t testing.TB) string {
	t.Helper()
	b.once.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			b.err = fmt.Errorf("no go tool to build %s: %w", b.pkg, err)
			return
		}
		out := filepath.Join(binDir, b.name)
		args := []string{"build", "-o", out}
		if raceEnabled {
			args = append(args, "-race")
		}
		if out, err := exec.Command(goTool, append(args, b.pkg)...).CombinedOutput(); err != nil {
			b.err = fmt.Errorf("go build %s: %v\n%s", b.pkg, err, out)
			return
		}
		b.path = out
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.path
}

// output collects a process's stdout and stderr (one pipe, so their order
// is kept) and wakes up waiters on each write.
type output struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{}
}

func newOutput() *output { return &output{changed: make(chan struct{})} }

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.buf.Write(p)
	close(o.changed)
	o.changed = make(chan struct{})
	return len(p), nil
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// proc is a running test app.
type proc struct {
	t        testing.TB
	cmd      *exec.Cmd
	addr     string // app server
	probe    string // where /readyz and /shutdown are: the management server if any
	out      *output
	done     chan struct{}
	waitErr  error
	exitedAt time.Time
}

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

// startApp starts the test app on a free port and waits until it is ready.
func startApp(t testing.TB, args ...string) *proc {
	t.Helper()
	return startAppAt(t, freeAddr(t), "", args...)
}

// startAppAt starts the test app on addr (and mgmt, when not empty) and
// waits until its readiness endpoint answers 200.
func startAppAt(t testing.TB, addr, mgmt string, args ...string) *proc {
	t.Helper()
	all := []string{"-addr", addr}
	probe := addr
	if mgmt != "" {
		all = append(all, "-mgmt-addr", mgmt)
		probe = mgmt
	}
	return startProc(t, appBin.get(t), addr, probe, append(all, args...)...)
}

// startProc starts bin with args, serving on addr with its readiness on
// probe, and waits until it is ready. The process is killed at cleanup if
// it is still running, and its output logged if the test failed.
func startProc(t testing.TB, bin, addr, probe string, args ...string) *proc {
	t.Helper()
	p := launchProc(t, bin, addr, probe, args...)
	p.waitReady()
	return p
}

// launchProc starts bin with args without waiting for it to be ready; the
// process is killed at cleanup if it is still running, and its output
// logged if the test failed.
func launchProc(t testing.TB, bin, addr, probe string, args ...string) *proc {
	t.Helper()
	p := &proc{t: t, addr: addr, probe: probe, out: newOutput(), done: make(chan struct{})}
	p.cmd = exec.Command(bin, args...)
	if os.Getenv("GORACE") == "" {
		// A -race binary sleeps 1 s at exit by default; the tests time exits.
		p.cmd.Env = append(os.Environ(), "GORACE=atexit_sleep_ms=0")
	}
	p.cmd.Stdout = p.out
	p.cmd.Stderr = p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.waitErr = p.cmd.Wait()
		p.exitedAt = time.Now()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("output of %s on %s:\n%s", filepath.Base(bin), addr, p.out.String())
		}
	})
	return p
}

func (p *proc) waitReady() {
	p.t.Helper()
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			p.t.Fatalf("app exited before it was ready: %v\n%s", p.waitErr, p.out.String())
		default:
		}
		resp, err := c.Get("http://" + p.probe + "/readyz")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	p.t.Fatalf("app %s not ready after 30s:\n%s", p.addr, p.out.String())
}

func (p *proc) url(path string) string { return "http://" + p.addr + path }

func (p *proc) signal(sig os.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatal(err)
	}
}

// waitOutput waits until the output contains s.
func (p *proc) waitOutput(s string) {
	p.t.Helper()
	timer := time.NewTimer(20 * time.Second)
	defer timer.Stop()
	for {
		p.out.mu.Lock()
		found := strings.Contains(p.out.buf.String(), s)
		ch := p.out.changed
		p.out.mu.Unlock()
		if found {
			return
		}
		select {
		case <-ch:
		case <-timer.C:
			p.t.Fatalf("no %q in the output after 20s", s)
		}
	}
}

// exitCode waits for the process to exit and returns its status.
func (p *proc) exitCode() int {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		p.t.Fatal("app did not exit within 30s")
	}
	var ee *exec.ExitError
	if errors.As(p.waitErr, &ee) {
		return ee.ExitCode()
	}
	if p.waitErr != nil {
		p.t.Fatal(p.waitErr)
	}
	return 0
}

// assertOrder checks that the lines appear in the output in this order.
func assertOrder(t *testing.T, out string, lines ...string) {
	t.Helper()
	pos := -1
	for _, l := range lines {
		i := strings.Index(out, l)
		if i < 0 {
			t.Errorf("output lacks %q", l)
			return
		}
		if i < pos {
			t.Errorf("%q came before the line preceding it in %q", l, lines)
		}
		pos = i
	}
}

// newClient returns a keep-alive client whose idle connections are closed
// at the end of the test.
func newClient(t *testing.T) *http.Client {
	tr := &http.Transport{MaxIdleConnsPerHost: 16}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 60 * time.Second}
}

type result struct {
	status int
	close  bool
	body   string
	err    error
}

func get(c *http.Client, url string) result {
	resp, err := c.Get(url)
	if err != nil {
		return result{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return result{status: resp.StatusCode, close: resp.Close, body: string(b), err: err}
}

func isRefused(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }

func isReset(err error) bool { return err != nil && strings.Contains(err.Error(), "reset") }
