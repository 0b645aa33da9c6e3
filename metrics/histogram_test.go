package metrics

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// bucketLines returns the le -> value of http_server_requests_seconds_bucket
// for the series whose labels start with series.
func bucketLines(text, series string) map[string]float64 {
	out := map[string]float64{}
	prefix := "http_server_requests_seconds_bucket{" + series + `,le="`
	for line := range strings.Lines(text) {
		rest, ok := strings.CutPrefix(line, prefix)
		if !ok {
			continue
		}
		le, val, _ := strings.Cut(rest, `"} `)
		v, _ := strconv.ParseFloat(strings.TrimSpace(val), 64)
		out[le] = v
	}
	return out
}

// TestRequestHistogram serves http_server_requests_seconds as a histogram
// with client_golang's default buckets (prometheus/histogram.go,
// DefBuckets), as Micrometer does with percentiles-histogram, so that
// histogram_quantile works. Before: a summary with no _bucket series.
func TestRequestHistogram(t *testing.T) {
	r := New()
	for _, d := range []time.Duration{time.Millisecond, 5 * time.Millisecond, 7 * time.Millisecond, 300 * time.Millisecond, 20 * time.Second} {
		r.ObserveRequest("GET", "/a", 200, d)
	}
	_, text := scrape(t, r, "", "")
	got := bucketLines(text, `method="GET",outcome="SUCCESS",status="200",uri="/a"`)
	want := map[string]float64{"0.005": 2, "0.01": 3, "0.025": 3, "0.05": 3, "0.1": 3, "0.25": 3, "0.5": 4,
		"1": 4, "2.5": 4, "5": 4, "10": 4, "+Inf": 5}
	if len(got) != len(want) {
		t.Errorf("buckets %v, want %v", got, want)
	}
	for le, n := range want {
		if got[le] != n {
			t.Errorf("le=%s: %v, want %v", le, got[le], n)
		}
	}
	if !strings.Contains(text, "# TYPE http_server_requests_seconds histogram\n") {
		t.Error("not a histogram")
	}

	// The JSON drill-down keeps Spring's shape.
	m, ok := r.Metric("http.server.requests")
	if !ok || len(m.Measurements) != 3 || m.Measurements[0].Value != 5 {
		t.Errorf("drill-down %+v", m)
	}
}

func TestRequestHistogramOptions(t *testing.T) {
	r := New(WithHTTPBuckets(1, 0.1, 0.1, 2))
	r.ObserveRequest("GET", "/a", 200, 150*time.Millisecond)
	_, text := scrape(t, r, "", "")
	got := bucketLines(text, `method="GET",outcome="SUCCESS",status="200",uri="/a"`)
	if len(got) != 4 || got["0.1"] != 0 || got["1"] != 1 || got["2"] != 1 || got["+Inf"] != 1 {
		t.Errorf("custom buckets: %v", got)
	}

	off := New(WithoutHTTPHistogram())
	off.ObserveRequest("GET", "/a", 200, time.Millisecond)
	_, text = scrape(t, off, "", "")
	if strings.Contains(text, "_bucket") || !strings.Contains(text, "# TYPE http_server_requests_seconds summary\n") {
		t.Errorf("histogram off: still buckets, or not a summary")
	}
	mOn, _ := r.Metric("http.server.requests")
	mOff, _ := off.Metric("http.server.requests")
	if len(mOn.Measurements) != len(mOff.Measurements) || len(mOn.AvailableTags) != len(mOff.AvailableTags) {
		t.Errorf("drill-down differs: %+v vs %+v", mOn, mOff)
	}
}

// TestRequestHistogramIsBounded: the bucket series exist only for the
// (method, uri, status) series WithMaxRequestSeries allows, so the bound
// covers them: at most that many combinations (plus their "OTHER"
// overflow) times the buckets plus one.
func TestRequestHistogramIsBounded(t *testing.T) {
	r := New(WithMaxRequestSeries(3))
	for i := range 50 {
		r.ObserveRequest("GET", "/raw/"+strconv.Itoa(i), http.StatusOK, time.Millisecond)
	}
	_, text := scrape(t, r, "", "")
	buckets := strings.Count(text, "\nhttp_server_requests_seconds_bucket{")
	series := strings.Count(text, "\nhttp_server_requests_seconds_count{")
	if series != 4 { // three routes and OTHER
		t.Errorf("%d request series, want 4", series)
	}
	if want := series * (len(defaultHTTPBuckets) + 1); buckets != want {
		t.Errorf("%d bucket series, want %d", buckets, want)
	}
}
