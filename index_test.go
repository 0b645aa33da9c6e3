package actuator_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/actuatorgo/actuator"
)

// TestDiscoveryWithHugeHostOrForwardedHeaders: the discovery index builds
// its links from the Host, the request URI and, when trusted, the
// X-Forwarded-* headers. A megabyte in any of them costs at most a few KiB
// more than a normal request: a Host longer than any DNS name gets 400,
// overlong forwarded values are ignored as malformed ones are, and an
// absolute request URI's query is never parsed.
func TestDiscoveryWithHugeHostOrForwardedHeaders(t *testing.T) {
	mw, g := routesUnderTest(t, actuator.WithTrustForwardedHeaders())
	const mib = 1 << 20
	tests := []struct {
		name   string
		edit   func(r *http.Request)
		status int
	}{
		{"host", func(r *http.Request) { r.Host = strings.Repeat("a", mib) }, 400},
		{"host with port", func(r *http.Request) { r.Host = strings.Repeat("a", mib) + ":80" }, 400},
		{"forwarded host", func(r *http.Request) { r.Header.Set("X-Forwarded-Host", strings.Repeat("a", mib)) }, 200},
		{"forwarded host list", func(r *http.Request) { r.Header.Set("X-Forwarded-Host", strings.Repeat("a,", mib/2)) }, 200},
		{"forwarded proto", func(r *http.Request) { r.Header.Set("X-Forwarded-Proto", strings.Repeat("HTTPS", mib/5)) }, 200},
		{"forwarded prefix", func(r *http.Request) { r.Header.Set("X-Forwarded-Prefix", strings.Repeat("/a", mib/2)) }, 200},
		{"request URI rewritten by a router", func(r *http.Request) {
			r.RequestURI = strings.Repeat("/a", mib/2) + "/actuator"
		}, 400},
		{"absolute URI with a huge query", func(r *http.Request) {
			r.RequestURI = "http://example.com/actuator?" + strings.Repeat("q=1&", mib/4)
		}, 200},
	}
	for _, tc := range tests {
		for _, h := range []struct {
			name string
			h    http.Handler
		}{{"middleware", mw}, {"gin", g}} {
			small := httptest.NewRequest("GET", "/actuator", nil)
			large := httptest.NewRequest("GET", "/actuator", nil)
			tc.edit(large)
			assertBoundedCost(t, h.h, tc.name+" "+h.name, small, large, 200, tc.status)
		}
	}
}

// TestDiscoveryIgnoresOverlongForwardedValues: an overlong forwarded value
// counts as absent, as a malformed one does; a normal one still applies.
func TestDiscoveryIgnoresOverlongForwardedValues(t *testing.T) {
	a := newActuator(t, actuator.WithTrustForwardedHeaders())
	long := strings.Repeat("a", 4096)
	tests := []struct {
		name   string
		header []string
		want   string
	}{
		{"normal", []string{"X-Forwarded-Host", "api.example.com", "X-Forwarded-Prefix", "/svc"}, "http://api.example.com/svc/actuator"},
		{"longest DNS name", []string{"X-Forwarded-Host", strings.Repeat("a", 253) + ":8443"}, "http://" + strings.Repeat("a", 253) + ":8443/actuator"},
		{"overlong host", []string{"X-Forwarded-Host", long}, "http://internal/actuator"},
		{"overlong prefix", []string{"X-Forwarded-Prefix", "/" + long}, "http://internal/actuator"},
		{"overlong proto", []string{"X-Forwarded-Proto", "https" + long}, "http://internal/actuator"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := do(a, "GET", "http://internal/actuator", tc.header...)
			if w.Code != 200 {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			if self := decode(t, w)["_links"].(map[string]any)["self"].(map[string]any)["href"]; self != tc.want {
				t.Errorf("self = %.80v, want %.80v", self, tc.want)
			}
		})
	}
	r := httptest.NewRequest("GET", "/actuator", nil)
	r.Host = long
	w := httptest.NewRecorder()
	a.ServeHTTP(w, r)
	if w.Code != http.StatusBadRequest {
		t.Errorf("overlong Host = %d, want 400", w.Code)
	}
	decode(t, w)
}
