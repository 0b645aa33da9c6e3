package metrics

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/actuatorgo/actuator/internal/httpx"
)

// TestHandlersStandAloneOnAServeMux mounts the metrics and Prometheus
// handlers on a plain ServeMux with no actuator in front: the snapshot at
// the handler's own path, the drill-down under a "{path...}" wildcard, the
// Prometheus text whatever the client accepts.
func TestHandlersStandAloneOnAServeMux(t *testing.T) {
	reg := New()
	reg.ObserveRequest("GET", "/orders", 200, time.Millisecond)
	mux := http.NewServeMux()
	mux.Handle("/metrics", reg.Handler())
	mux.Handle("/metrics/{path...}", reg.Handler())
	mux.Handle("/prometheus", reg.PrometheusHandler())
	mux.Handle("/prometheus/{path...}", reg.PrometheusHandler())
	tests := []struct {
		method, path, accept string
		code                 int
		ct                   string
		body                 string
	}{
		{"GET", "/metrics", "", 200, httpx.MediaTypeV3, `"names":[`},
		{"GET", "/metrics", "application/json", 200, httpx.MediaTypeJSON, `"names":[`},
		{"GET", "/metrics/http.server.requests?tag=uri:/orders", "", 200, httpx.MediaTypeV3, `"name":"http.server.requests"`},
		{"GET", "/metrics/nope", "", 404, httpx.MediaTypeV3, `"path":"/metrics/nope"`},
		{"GET", "/metrics/go.goroutines?tag=nocolon", "", 400, httpx.MediaTypeV3, `"status":400`},
		{"GET", "/metrics", "text/html", 406, httpx.MediaTypeJSON, `"status":406`},
		{"PUT", "/metrics", "", 405, httpx.MediaTypeJSON, `"status":405`},
		{"GET", "/prometheus", "text/plain", 200, PrometheusContentType, "http_server_requests_seconds_count"},
		{"GET", "/prometheus/x", "", 404, httpx.MediaTypeJSON, `"status":404`},
		{"POST", "/prometheus", "", 405, httpx.MediaTypeJSON, `"status":405`},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, tc.path, nil)
			if tc.accept != "" {
				r.Header.Set("Accept", tc.accept)
			}
			w := httptest.NewRecorder()
			mux.ServeHTTP(w, r)
			if w.Code != tc.code || w.Header().Get("Content-Type") != tc.ct || !strings.Contains(w.Body.String(), tc.body) {
				t.Errorf("got %d %q %.200s, want %d %q containing %s", w.Code, w.Header().Get("Content-Type"), w.Body, tc.code, tc.ct, tc.body)
			}
		})
	}
}
