package metrics

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// syncBuffer collects a child process's output; it may be read while the
// process still writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// child is a started child process whose exit is awaited in the
// background, so that tests can notice an early exit.
type child struct {
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{} // closed when the process has exited
	err  error         // cmd.Wait's result, set before done is closed
}

// startProcess starts name with args and the environment of the test plus
// env.
func startProcess(env []string, name string, args ...string) (*child, error) {
	p := &child{cmd: exec.Command(name, args...), out: &syncBuffer{}, done: make(chan struct{})}
	if env != nil {
		p.cmd.Env = append(os.Environ(), env...)
	}
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// stop sends SIGTERM, kills the process if it has not exited after 20
// seconds, and returns its exit error (nil for exit status 0).
func (p *child) stop() error {
	select {
	case <-p.done:
		return p.err
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(20 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("killed after not stopping within 20s on SIGTERM (wait: %v)", p.err)
	}
	http.DefaultClient.CloseIdleConnections()
	return p.err
}

// waitHTTP polls url, for up to 15 seconds, until it answers 200. It gives
// up early when p exits.
func waitHTTP(ctx context.Context, p *child, url string) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			drain(resp.Body)
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %w (last error: %v)", url, ctx.Err(), err)
		case <-p.done:
			return fmt.Errorf("%s: process exited: %v", url, p.err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// startOnFreePort starts a server process on a free loopback port, with
// args built for that port, and waits until readyPath answers 200. It
// retries with another port, because a free port may be taken meanwhile.
func startOnFreePort(ctx context.Context, t *testing.T, what string, env []string, bin, readyPath string, args func(attempt, port int) []string) (*child, string) {
	t.Helper()
	for attempt := 0; ; attempt++ {
		port := freePort(t)
		base := "http://127.0.0.1:" + strconv.Itoa(port)
		p, err := startProcess(env, bin, args(attempt, port)...)
		if err != nil {
			t.Fatalf("start %s: %v", what, err)
		}
		err = waitHTTP(ctx, p, base+readyPath)
		if err == nil {
			t.Cleanup(func() { _ = p.stop() }) // a no-op once stopped
			return p, base
		}
		_ = p.stop()
		if attempt == 2 || ctx.Err() != nil {
			t.Fatalf("%s did not become ready: %v\n%s log:\n%s", what, err, what, p.out.String())
		}
	}
}

// buildDemo builds the module's net/http demo app into dir.
func buildDemo(ctx context.Context, t *testing.T, dir string) string {
	t.Helper()
	wd, err := os.Getwd() // the metrics package directory
	if err != nil {
		t.Fatal(err)
	}
	goBin, err := exec.LookPath("go") // go test puts GOROOT/bin first in PATH
	if err != nil {
		t.Fatalf("go command not found: %v", err)
	}
	bin := filepath.Join(dir, "std")
	cmd := exec.CommandContext(ctx, goBin, "build", "-o", bin, "./examples/std")
	cmd.Dir = filepath.Dir(wd) // the module root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./examples/std: %v\n%s", err, out)
	}
	return bin
}

// get makes a GET request and returns the status and body.
func get(ctx context.Context, url string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	return resp.StatusCode, drain(resp.Body), nil
}

// promQuery runs an instant query and returns the value of each series,
// keyed by its labels.
func promQuery(ctx context.Context, base, query string) (map[string]float64, error) {
	status, body, err := get(ctx, base+"/api/v1/query?query="+url.QueryEscape(query))
	if err != nil {
		return nil, err
	}
	var out struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			Result []struct {
				Metric map[string]string `json:"metric"`
				Value  [2]any            `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		return nil, fmt.Errorf("query %q: HTTP %d: %w: %s", query, status, err, body)
	}
	if out.Status != "success" {
		return nil, fmt.Errorf("query %q: %s %s", query, out.Status, out.Error)
	}
	res := map[string]float64{}
	for _, r := range out.Data.Result {
		s, _ := r.Value[1].(string)
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("query %q: value %v: %w", query, r.Value[1], err)
		}
		res[fmt.Sprint(r.Metric)] = v
	}
	return res, nil
}

// TestPrometheusScrape builds and starts the net/http demo app
// (./examples/std), has a real Prometheus server on loopback scrape its
// /management/prometheus endpoint, checks what Prometheus stored through
// its query API, and then stops the demo with SIGTERM, which must exit 0.
func TestPrometheusScrape(t *testing.T) {
	promBin := requireTool(t, "prometheus")
	if testing.Short() {
		t.Skip("builds the demo app and starts a Prometheus server")
	}
	testStart := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
	defer cancel()
	dir := t.TempDir()

	// The demo app, ready, with two requests to one route.
	demoBin := buildDemo(ctx, t, dir)
	// GOGC=2 makes the demo collect often, so that GC rates are not zero.
	demo, app := startOnFreePort(ctx, t, "demo app", []string{"GOGC=2"}, demoBin, "/readyz", func(_, port int) []string {
		return []string{"-addr", "127.0.0.1:" + strconv.Itoa(port), "-shutdown-delay", "0"}
	})
	userIDs := []string{"1", "2"}
	for _, id := range userIDs {
		status, body, err := get(ctx, app+"/users/"+id)
		if err != nil || status != http.StatusOK || !strings.Contains(body, `user "`+id+`"`) {
			t.Fatalf("GET /users/%s = %d %q, %v", id, status, body, err)
		}
	}

	// Prometheus, scraping the demo every second.
	config := fmt.Sprintf(`global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: actuator
    metrics_path: /management/prometheus
    static_configs:
      - targets: [%q]
`, strings.TrimPrefix(app, "http://"))
	cfgPath := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfgPath, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	prom, base := startOnFreePort(ctx, t, "prometheus", nil, promBin, "/-/ready", func(attempt, port int) []string {
		return []string{
			"--config.file=" + cfgPath,
			"--storage.tsdb.path=" + filepath.Join(dir, "data"+strconv.Itoa(attempt)),
			"--web.listen-address=127.0.0.1:" + strconv.Itoa(port),
			"--log.level=warn",
		}
	})

	// Wait, bounded by ctx, for a successful scrape that holds the request
	// series.
	const reqQuery = `http_server_requests_seconds_count{job="actuator",uri="/users/{id}",method="GET",status="200",outcome="SUCCESS"}`
	var up, reqs map[string]float64
	var err error
	for {
		up, err = promQuery(ctx, base, `up{job="actuator"}`)
		if err == nil && len(up) == 1 && onlyValue(up) == 1 {
			reqs, err = promQuery(ctx, base, reqQuery)
			if err == nil && len(reqs) == 1 {
				break
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no successful scrape in time: up=%v err=%v\nprometheus log:\n%s", up, err, prom.out.String())
		case <-time.After(200 * time.Millisecond):
		}
	}
	if v := onlyValue(reqs); v != float64(len(userIDs)) {
		t.Errorf("%s = %v, want %d", reqQuery, v, len(userIDs))
	}

	// Prometheus scraped with its own Accept, which prefers OpenMetrics:
	// the target is healthy, with no scrape error, and the metadata it
	// parsed has OpenMetrics' units, which the 0.0.4 text cannot carry.
	checkTarget(ctx, t, base)

	// Requests of a known latency (the demo's /slow sleeps 20 ms), one
	// after another, while Prometheus scrapes, for the histogram.
	loadCtx, stopLoad := context.WithCancel(ctx)
	loadDone := make(chan struct{})
	go func() {
		defer close(loadDone)
		for loadCtx.Err() == nil {
			_, _, _ = get(loadCtx, app+"/slow?ms=20")
		}
	}()
	// The queries of Go and HTTP dashboards, once two scrapes have seen
	// the load and some GC cycles.
	const (
		gcRate     = `rate(go_gc_duration_seconds_count{job="actuator"}[1m])`
		cyclesRate = `rate(go_gc_cycles_total{job="actuator"}[1m])`
		p99        = `histogram_quantile(0.99, sum by (le) (rate(http_server_requests_seconds_bucket{job="actuator"}[1m])))`
	)
	var gc, cycles, q99 map[string]float64
	for {
		gc, err = promQuery(ctx, base, gcRate)
		if err == nil {
			q99, err = promQuery(ctx, base, p99)
		}
		if err == nil && onlyValue(gc) > 0 && len(q99) == 1 && onlyValue(q99) > 0 {
			cycles, err = promQuery(ctx, base, cyclesRate)
			if err == nil {
				break
			}
		}
		select {
		case <-ctx.Done():
			stopLoad()
			<-loadDone
			t.Fatalf("no GC or request rates in time: %s=%v %s=%v err=%v", gcRate, gc, p99, q99, err)
		case <-time.After(500 * time.Millisecond):
		}
	}
	stopLoad()
	<-loadDone
	t.Logf("%s = %v; %s = %v; %s = %v", gcRate, onlyValue(gc), cyclesRate, onlyValue(cycles), p99, onlyValue(q99))
	// _count counts GC cycles, as client_golang's does, not pauses (two
	// per cycle): its rate is that of the runtime's cycle counter.
	if g, c := onlyValue(gc), onlyValue(cycles); math.IsNaN(g) || g < 0.9*c || g > 1.1*c {
		t.Errorf("%s = %v, want the GC cycle rate %v", gcRate, g, c)
	}
	// Every /slow request takes at least 20 ms, and they are most of the
	// requests; 10 s is the largest finite bucket.
	if v := onlyValue(q99); math.IsNaN(v) || v < 0.01 || v > 10 {
		t.Errorf("%s = %v, want in [0.01, 10]", p99, v)
	}

	now := float64(time.Now().Unix())
	checks := []struct {
		query  string
		lo, hi float64
	}{
		{`go_goroutines{job="actuator"}`, 1, 1e6},
		{`go_threads{job="actuator"}`, 1, 1e5},
		{`process_resident_memory_bytes{job="actuator"}`, 1e6, 1e12},
		{`process_virtual_memory_bytes{job="actuator"}`, 1e6, 1e15},
		// The demo was started by this test (with slack for the
		// granularity of the start time).
		{`process_start_time_seconds{job="actuator"}`, float64(testStart.Unix()) - 2, now + 1},
		{`process_open_fds{job="actuator"}`, 1, 1e7},
		{`go_memstats_heap_alloc_bytes{job="actuator"}`, 1e3, 1e12},
		{`go_gc_duration_seconds_count{job="actuator"}`, 0, 1e9},
		{`go_info{job="actuator"}`, 1, 1},
		{`process_cpu_seconds_total{job="actuator"}`, 0, 1e6},
		// The demo collected since it started (GOGC=2).
		{`go_memstats_last_gc_time_seconds{job="actuator"}`, float64(testStart.Unix()) - 1, now + 1},
		// Loopback traffic (the scrapes) counts in the namespace's IpExt.
		{`process_network_receive_bytes_total{job="actuator"}`, 1, 1e15},
		{`process_network_transmit_bytes_total{job="actuator"}`, 1, 1e15},
		{`process_virtual_memory_max_bytes{job="actuator"}`, 1e6, math.MaxUint64},
		{`system_cpu_usage{job="actuator"}`, 0, 1},
		{`process_cpu_usage{job="actuator"}`, 0, 1},
		{`promhttp_metric_handler_requests_total{job="actuator",code="200"}`, 1, 1e6},
		{`promhttp_metric_handler_requests_in_flight{job="actuator"}`, 1, 1e3},
		{`http_server_requests_seconds_sum{job="actuator",uri="/users/{id}"}`, 0, 60},
		{`http_server_requests_seconds_max{job="actuator",uri="/users/{id}"}`, 0, 60},
	}
	for _, c := range checks {
		got, err := promQuery(ctx, base, c.query)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		if len(got) != 1 {
			t.Errorf("%s: %d series, want 1: %v", c.query, len(got), got)
			continue
		}
		v := onlyValue(got)
		t.Logf("%s = %v", c.query, v)
		if v < c.lo || v > c.hi {
			t.Errorf("%s = %v, want in [%v, %v]", c.query, v, c.lo, c.hi)
		}
	}

	// Stop Prometheus first so that it does not scrape a stopping app,
	// then the demo, which must shut down gracefully and exit 0.
	_ = prom.stop()
	if err := demo.stop(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			t.Errorf("demo app exited with status %d on SIGTERM, want 0\ndemo log:\n%s", exit.ExitCode(), demo.out.String())
		} else {
			t.Errorf("demo app on SIGTERM: %v\ndemo log:\n%s", err, demo.out.String())
		}
	}
}

// checkTarget checks through Prometheus' API that its one target is up,
// with no scrape error, and that the metadata it parsed from the scrape
// is OpenMetrics' (a counter's family without _total, units), which shows
// that it negotiated OpenMetrics and its own parser accepted our output.
func checkTarget(ctx context.Context, t *testing.T, base string) {
	t.Helper()
	_, body, err := get(ctx, base+"/api/v1/targets")
	if err != nil {
		t.Fatal(err)
	}
	var targets struct {
		Data struct {
			ActiveTargets []struct {
				Health    string `json:"health"`
				LastError string `json:"lastError"`
			} `json:"activeTargets"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(body), &targets); err != nil {
		t.Fatalf("targets: %v: %s", err, body)
	}
	if a := targets.Data.ActiveTargets; len(a) != 1 || a[0].Health != "up" || a[0].LastError != "" {
		t.Errorf("targets: %+v, want one up with no error", a)
	}
	for metric, want := range map[string]string{
		"http_server_requests_seconds": "histogram seconds",
		"process_cpu_seconds":          "counter seconds",
	} {
		q := url.Values{"match_target": {`{job="actuator"}`}, "metric": {metric}}
		_, body, err := get(ctx, base+"/api/v1/targets/metadata?"+q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		var md struct {
			Data []struct {
				Type string `json:"type"`
				Unit string `json:"unit"`
			} `json:"data"`
		}
		if err := json.Unmarshal([]byte(body), &md); err != nil {
			t.Fatalf("metadata: %v: %s", err, body)
		}
		if len(md.Data) != 1 || md.Data[0].Type+" "+md.Data[0].Unit != want {
			t.Errorf("metadata of %s: %s, want %q (OpenMetrics)", metric, body, want)
		}
	}
}

func onlyValue(m map[string]float64) float64 {
	for _, v := range m {
		return v
	}
	return -1
}
