package actuator_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/actuatorgo/actuator"
)

func TestDiscoveryIndex(t *testing.T) {
	a := newActuator(t)
	w := do(a, "GET", "http://localhost:8080/actuator")
	if got, want := w.Header().Get("Content-Type"), v3; got != want {
		t.Errorf("Content-Type = %q, want %q", got, want)
	}
	got := linkNames(t, w)
	want := []string{"health", "health-path", "info", "metrics", "metrics-requiredMetricName", "prometheus", "self"}
	if !slices.Equal(got, want) {
		t.Errorf("links = %v, want %v", got, want)
	}
	links := decode(t, w)["_links"].(map[string]any)
	cases := map[string]struct {
		href      string
		templated bool
	}{
		"self":                       {"http://localhost:8080/actuator", false},
		"health":                     {"http://localhost:8080/actuator/health", false},
		"health-path":                {"http://localhost:8080/actuator/health/{*path}", true},
		"metrics-requiredMetricName": {"http://localhost:8080/actuator/metrics/{requiredMetricName}", true},
	}
	for name, c := range cases {
		l := links[name].(map[string]any)
		if l["href"] != c.href || l["templated"] != c.templated {
			t.Errorf("%s = %v, want href %q templated %v", name, l, c.href, c.templated)
		}
	}
	if !strings.HasPrefix(w.Body.String(), `{"_links":{"self":`) {
		t.Errorf("self is not the first link: %s", w.Body)
	}
}

// TestDiscoveryForwardedHeaders: the X-Forwarded-* headers build the links
// only when trusted; the scheme is case-insensitive (RFC 3986 section
// 3.1) and the first of a list counts; an overlong value counts as absent,
// as a malformed one does.
func TestDiscoveryForwardedHeaders(t *testing.T) {
	fwd := []string{"X-Forwarded-Proto", "https", "X-Forwarded-Host", "api.example.com", "X-Forwarded-Prefix", "/svc/"}
	long := strings.Repeat("a", 4096)
	tests := []struct {
		name   string
		trust  bool
		target string
		header []string
		want   string
	}{
		{"ignored by default", false, "http://internal:8080/actuator", fwd, "http://internal:8080/actuator"},
		{"trusted", true, "http://internal:8080/actuator", fwd, "https://api.example.com/svc/actuator"},
		{"proto in upper case, first of a list", true, "http://internal/actuator", []string{"X-Forwarded-Proto", "HTTPS, http"}, "https://internal/actuator"},
		{"host and prefix", true, "http://internal/actuator", []string{"X-Forwarded-Host", "api.example.com", "X-Forwarded-Prefix", "/svc"}, "http://api.example.com/svc/actuator"},
		{"longest DNS name", true, "http://internal/actuator", []string{"X-Forwarded-Host", strings.Repeat("a", 253) + ":8443"}, "http://" + strings.Repeat("a", 253) + ":8443/actuator"},
		{"overlong host", true, "http://internal/actuator", []string{"X-Forwarded-Host", long}, "http://internal/actuator"},
		{"overlong prefix", true, "http://internal/actuator", []string{"X-Forwarded-Prefix", "/" + long}, "http://internal/actuator"},
		{"overlong proto", true, "http://internal/actuator", []string{"X-Forwarded-Proto", "https" + long}, "http://internal/actuator"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var opts []actuator.Option
			if tc.trust {
				opts = append(opts, actuator.WithTrustForwardedHeaders())
			}
			a := newActuator(t, opts...)
			w := do(a, "GET", tc.target, tc.header...)
			if w.Code != http.StatusOK {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			if self := selfHref(t, w); self != tc.want {
				t.Errorf("self = %.80v, want %.80v", self, tc.want)
			}
		})
	}
}

// TestDiscoveryHostHeader: the Host header goes into the links as JSON
// text, markup escaped; a Host longer than any DNS name gets a JSON 400.
func TestDiscoveryHostHeader(t *testing.T) {
	a := newActuator(t, actuator.WithTrustForwardedHeaders())
	tests := []struct {
		name, host string
		status     int
		self       string
	}{
		{"quote and markup", `evil"host<script>`, 200, `http://evil"host<script>/actuator`},
		{"overlong", strings.Repeat("a", 4096), 400, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/actuator", nil)
			r.Host = tc.host
			w := httptest.NewRecorder()
			a.ServeHTTP(w, r)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %.200s", w.Code, tc.status, w.Body)
			}
			if strings.Contains(w.Body.String(), "<script>") {
				t.Errorf("raw <script> in body: %s", w.Body)
			}
			if tc.status != 200 {
				decode(t, w)
				return
			}
			if self := selfHref(t, w); self != tc.self {
				t.Errorf("self = %v, want %v", self, tc.self)
			}
		})
	}
}

// A custom endpoint id is written into the index as JSON text.
func TestIndexEscapesCustomIDs(t *testing.T) {
	for _, id := range []string{`a"b`, `back\slash`, "tab\tid", "<x>"} {
		t.Run(id, func(t *testing.T) {
			a := newActuator(t, actuator.WithEndpoint(id, http.NotFoundHandler()))
			w := do(a, "GET", "/actuator")
			if !json.Valid(w.Body.Bytes()) {
				t.Fatalf("index with id %q is not JSON: %s", id, w.Body)
			}
			links := decode(t, w)["_links"].(map[string]any)
			link, ok := links[id].(map[string]any)
			if !ok || link["href"] != "http://example.com/actuator/"+id {
				t.Errorf("link of %q = %v", id, links[id])
			}
		})
	}
}

// Without sensitive endpoints the index never asks the authorizer: the
// common case stays as cheap as a pre-rendered page. With one, it does.
func TestIndexAsksTheAuthorizerOnlyForSensitiveLinks(t *testing.T) {
	tests := []struct {
		name      string
		sensitive bool
	}{{"no sensitive endpoint", false}, {"a sensitive endpoint", true}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			opts := []actuator.Option{actuator.WithAuthorizer(func(*http.Request) bool { calls++; return false })}
			if tc.sensitive {
				opts = append(opts, actuator.WithEndpoint("vault", http.NotFoundHandler(), actuator.WithSensitive()))
			}
			a := newActuator(t, opts...)
			if w := do(a, "GET", "/actuator"); w.Code != http.StatusOK {
				t.Fatalf("GET /actuator = %d", w.Code)
			}
			if asked := calls > 0; asked != tc.sensitive {
				t.Errorf("index called the authorizer %d times, want calls %v", calls, tc.sensitive)
			}
		})
	}
}

// TestDiscoveryWithHugeHostOrForwardedHeaders: the discovery index builds
// its links from the Host, the request URI and, when trusted, the
// X-Forwarded-* headers. A megabyte in any of them costs at most a few KiB
// more than a normal request: a Host longer than any DNS name gets 400,
// overlong forwarded values are ignored as malformed ones are, and an
// absolute request URI's query is never parsed.
func TestDiscoveryWithHugeHostOrForwardedHeaders(t *testing.T) {
	served := routesUnderTest(t, actuator.WithTrustForwardedHeaders())
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
		t.Run(tc.name, func(t *testing.T) {
			for _, s := range served {
				small := httptest.NewRequest("GET", "/actuator", nil)
				large := httptest.NewRequest("GET", "/actuator", nil)
				tc.edit(large)
				assertBoundedCost(t, s.h, s.name, small, large, 200, tc.status)
			}
		})
	}
}
