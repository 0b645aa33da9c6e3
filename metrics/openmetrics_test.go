package metrics

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// prometheusAccept is the Accept header of a Prometheus 2.x scrape
// (prometheus/prometheus scrape/scrape.go, acceptHeader, v2.42).
const prometheusAccept = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"

// TestOpenMetricsNegotiation answers OpenMetrics to a scraper that prefers
// it by q value, and the 0.0.4 text to everyone else. Before: always 0.0.4.
func TestOpenMetricsNegotiation(t *testing.T) {
	r := hostileRegistry(t, nil)
	tests := []struct{ accept, want string }{
		{"", PrometheusContentType},
		{"*/*", PrometheusContentType},
		{"text/plain", PrometheusContentType},
		{"application/json", PrometheusContentType},
		{prometheusAccept, OpenMetricsContentType},
		{"application/openmetrics-text; version=0.0.1,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
			"application/openmetrics-text; version=0.0.1; charset=utf-8"},
		{"text/plain;version=0.0.4,application/openmetrics-text;version=1.0.0;q=0.9", PrometheusContentType},
	}
	for _, tc := range tests {
		ct, body := scrape(t, r, tc.accept, "")
		if ct != tc.want {
			t.Errorf("Accept %q: Content-Type %q, want %q", tc.accept, ct, tc.want)
		}
		if rec := serveWith(t, r.PrometheusHandler(), tc.accept, ""); rec.Header().Get("Vary") != "Accept" {
			t.Errorf("Accept %q: Vary %q, want Accept", tc.accept, rec.Header().Get("Vary"))
		}
		if om := strings.HasSuffix(body, "# EOF\n"); om != strings.HasPrefix(ct, "application/openmetrics-text") {
			t.Errorf("Accept %q: body ends with # EOF: %v, Content-Type %q", tc.accept, om, ct)
		}
	}
}

// TestOpenMetricsFormat checks the OpenMetrics output with a strict parser
// of the format's rules (the OpenMetrics 1.0 specification, as
// prometheus/common expfmt/openmetrics_create.go writes it).
func TestOpenMetricsFormat(t *testing.T) {
	r := hostileRegistry(t, nil)
	r.ObserveRequest("GET", "/users/{id}", 200, 3*time.Second)
	_, body := scrape(t, r, prometheusAccept, "")
	families := checkOpenMetrics(t, body)
	for name, want := range map[string]string{
		"process_cpu_seconds": "counter", "go_gc_duration_seconds": "summary",
		"http_server_requests_seconds": "histogram", "orders_placed": "counter",
		"promhttp_metric_handler_requests": "counter", "go_goroutines": "gauge",
	} {
		if got := families[name]; got != want {
			t.Errorf("family %s: %q, want %q", name, got, want)
		}
	}
	for _, unit := range []string{"# UNIT process_cpu_seconds seconds\n", "# UNIT http_server_requests_seconds seconds\n",
		"# UNIT go_memstats_heap_alloc_bytes bytes\n", "# UNIT queue_size_bytes bytes\n"} {
		if !strings.Contains(body, unit) {
			t.Errorf("no %q", unit)
		}
	}
	if strings.Contains(body, "_created") {
		t.Error("OpenMetrics output has _created series")
	}
}

// checkOpenMetrics parses an OpenMetrics text exposition strictly and
// returns the type of each family.
func checkOpenMetrics(t *testing.T, text string) map[string]string {
	t.Helper()
	body, ok := strings.CutSuffix(text, "# EOF\n")
	if !ok || strings.Contains(body, "# EOF") {
		t.Fatalf("exposition does not end with exactly one # EOF line")
	}
	types := map[string]string{}
	var family, typ string
	// The OpenMetrics families of client_golang's go_memstats_alloc_bytes
	// gauge and go_memstats_alloc_bytes_total counter share a name, as
	// expfmt writes them; Prometheus accepts that.
	dupOK := map[string]bool{"go_memstats_alloc_bytes": true}
	seenSamples := map[string]bool{}
	type hist struct {
		last, inf, count float64
		hasInf           bool
	}
	hists := map[string]*hist{}
	for line := range strings.Lines(body) {
		line, ok := strings.CutSuffix(line, "\n")
		if !ok || line == "" {
			t.Fatalf("empty or unterminated line %q", line)
		}
		if rest, ok := strings.CutPrefix(line, "# "); ok {
			kind, rest, _ := strings.Cut(rest, " ")
			name, arg, _ := strings.Cut(rest, " ")
			switch kind {
			case "TYPE":
				if _, dup := types[name]; dup && !dupOK[name] {
					t.Errorf("family %s twice", name)
				}
				switch arg {
				case "counter", "gauge", "summary", "histogram", "unknown", "info", "stateset", "gaugehistogram":
				default:
					t.Errorf("family %s: bad type %q", name, arg)
				}
				if strings.HasSuffix(name, "_total") && arg == "counter" {
					t.Errorf("counter family %s ends in _total", name)
				}
				types[name], family, typ = arg, name, arg
			case "UNIT":
				if name != family || !strings.HasSuffix(name, "_"+arg) {
					t.Errorf("UNIT %s %s: not the current family %s, or not its suffix", name, arg, family)
				}
			case "HELP":
				if name != family {
					t.Errorf("HELP %s outside its family %s", name, family)
				}
				for i := 0; i < len(arg); i++ {
					if arg[i] == '\\' {
						if i+1 >= len(arg) || !strings.ContainsRune(`\"n`, rune(arg[i+1])) {
							t.Errorf("HELP %s: bad escape in %q", name, arg)
						}
						i++
					}
				}
			default:
				t.Errorf("unknown metadata %q", line)
			}
			continue
		}
		// A sample: name, optional labels, one space, value.
		sp := strings.LastIndexByte(line, ' ')
		if sp < 0 {
			t.Fatalf("malformed sample %q", line)
		}
		series, vs := line[:sp], line[sp+1:]
		v, err := strconv.ParseFloat(vs, 64)
		if err != nil {
			t.Errorf("sample %q: value: %v", line, err)
		}
		name, labels, _ := strings.Cut(series, "{")
		if labels != "" && !strings.HasSuffix(labels, "}") {
			t.Errorf("sample %q: labels", line)
		}
		if seenSamples[series] {
			t.Errorf("series %s twice", series)
		}
		seenSamples[series] = true
		var suffixes []string
		switch typ {
		case "counter":
			suffixes = []string{"_total"}
			if v < 0 || math.IsNaN(v) {
				t.Errorf("counter sample %q", line)
			}
		case "gauge":
			suffixes = []string{""}
		case "summary":
			suffixes = []string{"", "_sum", "_count"}
		case "histogram":
			suffixes = []string{"_bucket", "_sum", "_count"}
		}
		okName := false
		for _, s := range suffixes {
			if name == family+s {
				okName = true
			}
		}
		if !okName {
			t.Errorf("sample %s does not belong to family %s (%s)", name, family, typ)
		}
		if typ == "histogram" {
			key := labels
			if i := strings.Index(key, `,le="`); i >= 0 {
				key = key[:i]
			}
			key = strings.TrimSuffix(key, "}")
			h := hists[key]
			if h == nil {
				h = &hist{}
				hists[key] = h
			}
			switch name {
			case family + "_bucket":
				if v < h.last {
					t.Errorf("bucket %q below the previous one", line)
				}
				h.last = v
				if strings.Contains(labels, `le="+Inf"`) {
					h.inf, h.hasInf = v, true
				}
			case family + "_count":
				h.count = v
			}
		}
	}
	for key, h := range hists {
		if !h.hasInf || h.inf != h.count {
			t.Errorf("histogram series %s: +Inf bucket %v (present %v), count %v", key, h.inf, h.hasInf, h.count)
		}
	}
	return types
}

// TestIncludedNames filters families as Spring Boot's
// PrometheusScrapeEndpoint does with ?includedNames (comma-separated,
// repeatable): the endpoint passes the set to Micrometer's
// PrometheusMeterRegistry.scrape(OutputStream, String, Set<String>)
// (micrometer implementations/micrometer-registry-prometheus/src/main/java/
// io/micrometer/prometheusmetrics/PrometheusMeterRegistry.java), which
// scrapes registry.scrape(includedNames::contains): only families whose
// name is in the set, and nothing, with no error, when none is. Before: the
// parameter was ignored and every family was served.
func TestIncludedNames(t *testing.T) {
	r := hostileRegistry(t, nil)
	tests := []struct {
		query string
		want  []string
	}{
		{"includedNames=go_goroutines", []string{"go_goroutines"}},
		{"includedNames=go_goroutines,process_cpu_seconds_total&includedNames=http_server_requests_seconds",
			[]string{"go_goroutines", "process_cpu_seconds_total", "http_server_requests_seconds"}},
		{"includedNames=orders_placed", []string{"orders_placed_total"}}, // a counter by its OpenMetrics name
		{"includedNames=go_goroutines%2Cgo_threads", []string{"go_goroutines", "go_threads"}},
		{"includedNames=nothing_here", nil},
		{"other=go_goroutines", nil}, // not a filter: everything
	}
	for _, tc := range tests {
		_, body := scrape(t, r, "", tc.query)
		got := familySet(t, body)
		if tc.query == "other=go_goroutines" {
			if len(got) < 30 {
				t.Errorf("%s: %d families, want all", tc.query, len(got))
			}
			continue
		}
		if len(got) != len(tc.want) {
			t.Errorf("%s: families %v, want %v", tc.query, got, tc.want)
		}
		for _, n := range tc.want {
			if _, ok := got[n]; !ok {
				t.Errorf("%s: no %s in %v", tc.query, n, got)
			}
		}
		if tc.want == nil && body != "" {
			t.Errorf("%s: body %q, want empty", tc.query, body)
		}
	}
	if _, body := scrape(t, r, prometheusAccept, "includedNames=nothing_here"); body != "# EOF\n" {
		t.Errorf("OpenMetrics with nothing included: %q", body)
	}
	rec := serveWith(t, r.PrometheusHandler(), "", "includedNames=go_goroutines")
	if rec.Code != http.StatusOK {
		t.Errorf("status %d", rec.Code)
	}
	// A hostile list costs a bounded scrape: more names than the cap is a
	// 400, not a scan of every family against every name.
	long := "includedNames=" + strings.Repeat("x,", maxIncludedNames) + "go_goroutines"
	if rec := serveWith(t, r.PrometheusHandler(), "", long); rec.Code != http.StatusBadRequest {
		t.Errorf("%d names: status %d, want 400", maxIncludedNames+1, rec.Code)
	}
	atCap := "includedNames=" + strings.Repeat("x,", maxIncludedNames-1) + "go_goroutines"
	if _, body := scrape(t, r, "", atCap); !strings.Contains(body, "go_goroutines ") {
		t.Errorf("%d names: no go_goroutines", maxIncludedNames)
	}
}
