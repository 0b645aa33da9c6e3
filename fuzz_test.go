package actuator_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/actuatorgo/actuator"
	"github.com/actuatorgo/actuator/loggers"
)

// FuzzRequest throws arbitrary paths, queries, methods and Accept headers
// at an actuator with every endpoint on but pprof (whose CPU profile and
// trace take seconds each; package diag fuzzes it): no panic, a status
// from the allowed set, JSON on every 2xx JSON response.
func FuzzRequest(f *testing.F) {
	seeds := []struct{ method, path, query, accept string }{
		{"GET", "/actuator", "", ""},
		{"GET", "/actuator/health/liveness", "", "application/json"},
		{"GET", "/actuator/health/readiness/x", "verbose", "*/*"},
		{"HEAD", "/actuator/info", "", ""},
		{"GET", "/actuator/metrics/jvm.memory.used", "tag=area:heap&tag=area:heap", ""},
		{"GET", "/actuator/metrics/go.goroutines", "tag=bad", ""},
		{"GET", "/actuator/metrics", "tag=%zz", ""},
		{"GET", "/actuator/prometheus", "", "text/plain"},
		{"POST", "/actuator/health", "", ""},
		{"GET", "/actuator/../x", "", ""},
		{"GET", "/actuator/%2e%2e/x", "", ""},
		{"GET", "/actuator/<script>", "a=<script>", ""},
		{"OPTIONS", "//actuator//", "", "application/xml"},
		{"POST", "/actuator/loggers/ROOT", "", ""},
		{"GET", "/actuator/loggers/ROOT", "", ""},
		{"GET", "/actuator/env", "pattern=(", ""},
		{"GET", "/actuator/env/PATH", "", "application/json"},
		{"GET", "/actuator/threaddump", "", "text/plain"},
		{"GET", "/actuator/heapdump", "gc=x", ""},
		{"GET", "/actuator/sbom/application", "", "image/png"},
	}
	for _, s := range seeds {
		f.Add(s.method, s.path, s.query, s.accept)
	}
	a := actuator.New(actuator.WithExposure([]string{"*"}, nil),
		actuator.WithAuthorizer(func(*http.Request) bool { return true }),
		actuator.WithLoggersEndpoint(loggers.WithLevelVar("ROOT", new(slog.LevelVar))),
		actuator.WithEnvEndpoint(), actuator.WithThreadDumpEndpoint(), actuator.WithHeapDumpEndpoint(),
		actuator.WithSBOMEndpoint())
	f.Cleanup(a.Close)
	// 204 and 415: a loggers POST (with no body, always 415 or 400).
	allowed := map[int]bool{200: true, 204: true, 400: true, 404: true, 405: true, 406: true, 415: true, 503: true}
	f.Fuzz(func(t *testing.T, method, path, query, accept string) {
		if method == "" || !validMethod(method) {
			method = "GET"
		}
		r := httptest.NewRequest("GET", "http://example.com/", nil)
		r.Method = method
		r.URL = &url.URL{Path: path, RawQuery: query}
		r.RequestURI = r.URL.RequestURI()
		r.Header.Set("Accept", accept)
		w := httptest.NewRecorder()
		a.ServeHTTP(w, r)
		if !allowed[w.Code] {
			t.Fatalf("%s %q?%q = %d %s", method, path, query, w.Code, w.Body)
		}
		ct := w.Header().Get("Content-Type")
		if w.Code < 300 && method != "HEAD" && (ct == "application/json" || ct == "application/vnd.spring-boot.actuator.v3+json") && !json.Valid(w.Body.Bytes()) {
			t.Fatalf("%s %q?%q: invalid JSON: %q", method, path, query, w.Body)
		}
		if w.Code >= 400 && !json.Valid(w.Body.Bytes()) && method != "HEAD" {
			t.Fatalf("%s %q?%q = %d with non-JSON error %q", method, path, query, w.Code, w.Body)
		}
	})
}

func validMethod(m string) bool {
	for _, c := range m {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return len(m) <= 16 && m != http.MethodPost // POST to shutdown is not exposed here anyway
}
