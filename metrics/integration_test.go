package metrics

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
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

// promQuery runs an instant query and returns the value of each series,
// keyed by its labels.
func promQuery(ctx context.Context, base, query string) (map[string]float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/query?query="+url.QueryEscape(query), nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	body := drain(resp.Body)
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
		return nil, fmt.Errorf("query %q: %w: %s", query, err, body)
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

// TestPrometheusScrape starts a real Prometheus server on loopback that
// scrapes a server exposing PrometheusHandler, and checks what Prometheus
// stored through its query API.
func TestPrometheusScrape(t *testing.T) {
	promBin := requireTool(t, "prometheus")
	if testing.Short() {
		t.Skip("starts a Prometheus server")
	}

	r := New()
	defer r.Close()
	mux := http.NewServeMux()
	prom := r.PrometheusHandler()
	mux.Handle("GET /actuator/prometheus", http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		start := time.Now()
		req.URL.Path = ""
		prom.ServeHTTP(w, req)
		r.ObserveRequest(req.Method, "/actuator/prometheus", http.StatusOK, time.Since(start))
	}))
	app := httptest.NewServer(mux) // listens on 127.0.0.1
	defer app.Close()

	dir := t.TempDir()
	target := strings.TrimPrefix(app.URL, "http://")
	config := fmt.Sprintf(`global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: actuator
    metrics_path: /actuator/prometheus
    static_configs:
      - targets: [%q]
`, target)
	cfgPath := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfgPath, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	var cmd *exec.Cmd
	var base string
	var logs strings.Builder
	for attempt := 0; ; attempt++ { // the free port may be taken meanwhile
		port := freePort(t)
		base = "http://127.0.0.1:" + strconv.Itoa(port)
		logs.Reset()
		cmd = exec.Command(promBin,
			"--config.file="+cfgPath,
			"--storage.tsdb.path="+filepath.Join(dir, "data"+strconv.Itoa(attempt)),
			"--web.listen-address=127.0.0.1:"+strconv.Itoa(port),
			"--log.level=warn",
		)
		cmd.Stdout, cmd.Stderr = &logs, &logs
		if err := cmd.Start(); err != nil {
			t.Fatalf("start prometheus: %v", err)
		}
		if waitReady(ctx, base) == nil {
			break
		}
		stopProcess(cmd)
		if attempt == 2 || ctx.Err() != nil {
			t.Fatalf("prometheus did not become ready:\n%s", logs.String())
		}
	}
	defer stopProcess(cmd)

	// Wait, bounded by ctx, for a successful scrape that already holds a
	// request series (from the scrapes before it).
	var up, reqs map[string]float64
	var err error
	for {
		up, err = promQuery(ctx, base, `up{job="actuator"}`)
		if err == nil && len(up) == 1 && onlyValue(up) == 1 {
			reqs, err = promQuery(ctx, base, `http_server_requests_seconds_count{job="actuator",uri="/actuator/prometheus"}`)
			if err == nil && len(reqs) == 1 {
				break
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no successful scrape in time: up=%v err=%v\nprometheus log:\n%s", up, err, logs.String())
		case <-time.After(200 * time.Millisecond):
		}
	}
	if v := onlyValue(reqs); v < 1 {
		t.Errorf("http_server_requests_seconds_count = %v, want >= 1", v)
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
		{`process_start_time_seconds{job="actuator"}`, now - 3600, now + 1},
		{`process_open_fds{job="actuator"}`, 1, 1e7},
		{`go_memstats_heap_alloc_bytes{job="actuator"}`, 1e3, 1e12},
		{`go_gc_duration_seconds_count{job="actuator"}`, 0, 1e9},
		{`go_info{job="actuator"}`, 1, 1},
		{`process_cpu_seconds_total{job="actuator"}`, 0, 1e6},
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
		if v := onlyValue(got); v < c.lo || v > c.hi {
			t.Errorf("%s = %v, want in [%v, %v]", c.query, v, c.lo, c.hi)
		}
	}
}

func onlyValue(m map[string]float64) float64 {
	for _, v := range m {
		return v
	}
	return -1
}

// waitReady polls Prometheus's readiness endpoint for up to 15 seconds.
func waitReady(ctx context.Context, base string) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/-/ready", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			drain(resp.Body)
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// stopProcess asks the process to stop, then kills it after 10 seconds.
func stopProcess(cmd *exec.Cmd) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
	http.DefaultClient.CloseIdleConnections()
}
