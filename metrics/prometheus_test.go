package metrics

import (
	"bytes"
	"flag"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// requireTool returns the path of a real component the tests run. It
// skips the test when the tool is missing, unless CI=true, where a missing
// tool fails the test.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is required when CI=true: %v", name, err)
	}
	t.Skipf("%s not installed (install Debian's prometheus package): %v", name, err)
	return ""
}

// hostileRegistry has request series and custom metrics whose labels need
// escaping.
func hostileRegistry(t *testing.T, now func() time.Time) *Registry {
	t.Helper()
	opts := []Option{}
	if now != nil {
		opts = append(opts, withClock(now))
	}
	r := New(opts...)
	r.ObserveRequest("GET", "/users/{id}", 200, 25*time.Millisecond)
	r.ObserveRequest("GET", "/users/{id}", 200, 75*time.Millisecond)
	r.ObserveRequest("POST", `/q/"quoted"\back`+"\nslash", 500, time.Second)
	r.ObserveRequest("GET", "/bad-utf8/\xff\xfe", 404, time.Millisecond)
	r.ObserveRequest("BREW", RouteNotFound, 404, 2*time.Millisecond)
	c, err := r.Counter("orders.placed", WithDescription("Orders placed,\nby region \\ shop."), WithTag("region", `eu "west"`), WithTag("shop-id", "1"))
	if err != nil {
		t.Fatal(err)
	}
	c.Add(41)
	c.Inc()
	if err := r.Gauge("queue.size", func() float64 { return 3 }, WithUnit("bytes"), WithTag("queue", "mail")); err != nil {
		t.Fatal(err)
	}
	if err := r.Gauge("temperature", func() float64 { return -1.5e-3 }); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestPrometheusHandler(t *testing.T) {
	r := hostileRegistry(t, nil)
	h := r.PrometheusHandler()
	for _, path := range []string{"", "/"} {
		rec := serve(t, h, http.MethodGet, path)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %q: %d", path, rec.Code)
		}
		if got, want := rec.Header().Get("Content-Type"), "text/plain; version=0.0.4; charset=utf-8"; got != want {
			t.Errorf("Content-Type %q, want %q", got, want)
		}
		checkExposition(t, rec.Body.String())
	}
	rec := serve(t, h, http.MethodHead, "/")
	if rec.Code != http.StatusOK || rec.Body.Len() != 0 || rec.Header().Get("Content-Length") == "0" {
		t.Errorf("HEAD: %d, %d body bytes, Content-Length %q", rec.Code, rec.Body.Len(), rec.Header().Get("Content-Length"))
	}
	for _, tc := range []struct {
		method, path string
		want         int
	}{
		{http.MethodGet, "/x", http.StatusNotFound},
		{http.MethodGet, "/<script>", http.StatusNotFound},
		{http.MethodPost, "/", http.StatusMethodNotAllowed},
		{"PROPFIND", "", http.StatusMethodNotAllowed},
	} {
		if rec := serve(t, h, tc.method, tc.path); rec.Code != tc.want {
			t.Errorf("%s %q: %d, want %d", tc.method, tc.path, rec.Code, tc.want)
		}
	}
}

// checkExposition checks the text format's structure: every sample belongs
// to a family announced by HELP and TYPE, families are announced once, and
// the series we promise are there.
func checkExposition(t *testing.T, text string) {
	t.Helper()
	if !strings.HasSuffix(text, "\n") {
		t.Error("exposition does not end with a newline")
	}
	types := map[string]string{}
	helped := map[string]bool{}
	samples := map[string]string{}
	for line := range strings.Lines(text) {
		line = strings.TrimSuffix(line, "\n")
		switch {
		case strings.HasPrefix(line, "# HELP "):
			name, _, _ := strings.Cut(strings.TrimPrefix(line, "# HELP "), " ")
			if helped[name] {
				t.Errorf("HELP for %s twice", name)
			}
			helped[name] = true
		case strings.HasPrefix(line, "# TYPE "):
			name, typ, _ := strings.Cut(strings.TrimPrefix(line, "# TYPE "), " ")
			if !helped[name] {
				t.Errorf("TYPE before HELP for %s", name)
			}
			if _, dup := types[name]; dup {
				t.Errorf("TYPE for %s twice", name)
			}
			types[name] = typ
		case line == "" || strings.HasPrefix(line, "#"):
			t.Errorf("unexpected line %q", line)
		default:
			i := strings.IndexAny(line, "{ ")
			if i < 0 {
				t.Errorf("malformed sample %q", line)
				continue
			}
			name := line[:i]
			family := name
			if _, ok := types[family]; !ok {
				for _, suffix := range []string{"_sum", "_count", "_bucket"} {
					if base, ok := strings.CutSuffix(name, suffix); ok && (types[base] == "summary" || types[base] == "histogram") {
						family = base
					}
				}
			}
			if _, ok := types[family]; !ok {
				t.Errorf("sample %s has no TYPE", name)
			}
			samples[name] = line[strings.LastIndexByte(line, ' ')+1:]
		}
	}
	for _, name := range []string{
		"go_goroutines", "go_threads", "go_gc_duration_seconds_count", "go_memstats_alloc_bytes",
		"go_memstats_heap_inuse_bytes", "go_memstats_sys_bytes", "go_memstats_next_gc_bytes",
		"process_cpu_seconds_total", "process_resident_memory_bytes", "process_virtual_memory_bytes",
		"process_start_time_seconds", "process_open_fds", "process_max_fds",
		"http_server_requests_seconds_count", "http_server_requests_seconds_sum", "http_server_requests_seconds_max",
		"http_server_requests_seconds_bucket", "go_memstats_last_gc_time_seconds", "process_virtual_memory_max_bytes",
		"process_network_receive_bytes_total", "process_network_transmit_bytes_total",
		"promhttp_metric_handler_requests_total", "promhttp_metric_handler_requests_in_flight", "system_cpu_usage",
		"orders_placed_total", "queue_size_bytes", "temperature",
	} {
		if _, ok := samples[name]; !ok {
			t.Errorf("exposition lacks %s", name)
		}
	}
	for name, want := range map[string]string{
		"go_gc_duration_seconds": "summary", "go_goroutines": "gauge", "process_cpu_seconds_total": "counter",
		"http_server_requests_seconds": "histogram", "http_server_requests_seconds_max": "gauge",
		"orders_placed_total": "counter", "queue_size_bytes": "gauge",
	} {
		if got := types[name]; got != want {
			t.Errorf("TYPE of %s is %q, want %q", name, got, want)
		}
	}
}

func TestLabelEscaping(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{`a"b`, `a\"b`},
		{`a\b`, `a\\b`},
		{"a\nb", `a\nb`},
		{"tab\tok", "tab\tok"},
		{"ünï", "ünï"},
		{"bad\xffbyte", "bad\uFFFDbyte"},
		{`\"` + "\n", `\\\"\n`},
	}
	for _, tc := range tests {
		if got := string(appendLabelValue(nil, tc.in)); got != tc.want {
			t.Errorf("label %q: got %q, want %q", tc.in, got, tc.want)
		}
	}
	if got, want := string(appendHelp(nil, "a\\b\n\"c\"")), `a\\b\n"c"`; got != want {
		t.Errorf("help: got %q, want %q", got, want)
	}
}

// TestPrometheusGolden pins the request and custom sections, which do not
// depend on the machine.
func TestPrometheusGolden(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	r := hostileRegistry(t, clock.now)
	text := string(r.AppendPrometheus(nil))
	i := strings.Index(text, "# HELP http_server_requests_seconds ")
	if i < 0 {
		t.Fatal("no http_server_requests_seconds family")
	}
	checkGolden(t, "prometheus_custom.golden", []byte(text[i:]))
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run go test -update after checking):\n got:\n%s\nwant:\n%s", path, got, want)
	}
}

// TestPromtoolCheckMetrics lints the exposition with Prometheus's own
// promtool.
func TestPromtoolCheckMetrics(t *testing.T) {
	promtool := requireTool(t, "promtool")
	r := hostileRegistry(t, nil)
	body := r.AppendPrometheus(nil)
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = bytes.NewReader(body)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("promtool check metrics: %v\n%s\nexposition:\n%s", err, out, body)
	}
}

// TestSampleLineSpacing checks that sample lines separate name (and labels)
// from the value with exactly one space, as client_golang writes them.
func TestSampleLineSpacing(t *testing.T) {
	r := New()
	r.ObserveRequest(http.MethodGet, "/x", http.StatusOK, time.Millisecond)
	body := serve(t, r.PrometheusHandler(), http.MethodGet, "/").Body.String()
	samples := 0
	for line := range strings.Lines(body) {
		line = strings.TrimSuffix(line, "\n")
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		samples++
		if strings.Contains(line, "  ") || strings.HasPrefix(line, " ") {
			t.Errorf("sample line with a double or leading space: %q", line)
		}
	}
	if samples < 10 {
		t.Fatalf("only %d sample lines:\n%s", samples, body)
	}
}
