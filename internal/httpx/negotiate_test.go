package httpx

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestNegotiatePicksByWeightAndSpecificity(t *testing.T) {
	tests := []struct {
		name   string
		accept []string
		ct     string
		ok     bool
	}{
		{"no header", nil, MediaTypeV3, true},
		{"anything", []string{"*/*"}, MediaTypeV3, true},
		{"json", []string{"application/json"}, MediaTypeJSON, true},
		{"json on the second line", []string{"text/html", "application/json"}, MediaTypeJSON, true},
		{"v3 wins a tie", []string{"application/json, " + MediaTypeV3}, MediaTypeV3, true},
		{"specific zero beats wildcard", []string{"application/json;q=0, */*;q=0.1"}, MediaTypeV3, true},
		{"malformed q", []string{"application/json;q=1.5"}, "", false},
		{"html only", []string{"text/html"}, "", false},
		{"non-ASCII fold is no match", []string{"application/jſon"}, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			if tc.accept != nil {
				r.Header["Accept"] = tc.accept
			}
			ct, ok := Negotiate(r)
			if ct != tc.ct || ok != tc.ok {
				t.Errorf("Accept %q = %q, %v; want %q, %v", tc.accept, ct, ok, tc.ct, tc.ok)
			}
		})
	}
}

func TestNegotiateAllocatesNothing(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	r.Header["Accept"] = []string{strings.Repeat("text/html;level=1;q=0.5, ", 1000) + "APPLICATION/JSON;Q=0.9", "*/*;q=0.1"}
	if n := testing.AllocsPerRun(10, func() { _, _ = Negotiate(r) }); n != 0 {
		t.Errorf("Negotiate allocates %v times, want 0", n)
	}
}

// prometheusAccept is the Accept header of a Prometheus 2.x scrape
// (prometheus/prometheus scrape/scrape.go, acceptHeader, v2.42).
const prometheusAccept = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"

func TestNegotiateOpenMetricsByWeight(t *testing.T) {
	tests := []struct {
		name   string
		accept []string
		want   string
	}{
		{"no header", nil, ""},
		{"anything", []string{"*/*"}, ""},
		{"prometheus 2.x scrape", []string{prometheusAccept}, OpenMetricsV1},
		{"older prometheus", []string{"application/openmetrics-text; version=0.0.1,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"}, OpenMetricsV0},
		{"text preferred", []string{"text/plain;version=0.0.4;q=1,application/openmetrics-text;version=1.0.0;q=0.5"}, ""},
		{"tie keeps text", []string{"text/plain, application/openmetrics-text"}, ""},
		{"openmetrics only", []string{"application/openmetrics-text"}, OpenMetricsV1},
		{"quoted version", []string{`application/openmetrics-text; version="1.0.0"`}, OpenMetricsV1},
		{"unknown version", []string{"application/openmetrics-text;version=2.0.0"}, ""},
		{"unknown text version", []string{"text/plain;version=1.0.0,application/openmetrics-text;q=0.1"}, OpenMetricsV1},
		{"browser", []string{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}, ""},
		{"split over lines", []string{"text/plain;q=0.5", "application/openmetrics-text;version=1.0.0"}, OpenMetricsV1},
		{"malformed q", []string{"application/openmetrics-text;q=2"}, ""},
		{"case", []string{"Application/OpenMetrics-Text;Version=1.0.0"}, OpenMetricsV1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			if tc.accept != nil {
				r.Header["Accept"] = tc.accept
			}
			if got := NegotiateOpenMetrics(r); got != tc.want {
				t.Errorf("NegotiateOpenMetrics(%q) = %q, want %q", tc.accept, got, tc.want)
			}
		})
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Accept", prometheusAccept)
	if n := testing.AllocsPerRun(100, func() { NegotiateOpenMetrics(r) }); n != 0 {
		t.Errorf("NegotiateOpenMetrics allocates %v times per call, want 0", n)
	}
}
