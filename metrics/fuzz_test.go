package metrics

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// FuzzServeHTTP drives both handlers with arbitrary relative paths and
// queries: no panic, a status from the allowed set, JSON bodies valid.
func FuzzServeHTTP(f *testing.F) {
	for _, seed := range [][2]string{
		{"", ""}, {"/", ""}, {"/go.goroutines", ""}, {"/http.server.requests", "tag=uri:/a"},
		{"/go.memory.used", "tag=class:heap/objects&tag=class:heap/objects"}, {"/x", "tag=%zz"},
		{"/<script>", "tag=:"}, {"//", "tag"}, {"/go.goroutines", "tag=a:b:c;d"},
	} {
		f.Add(seed[0], seed[1])
	}
	r := New(WithCacheTTL(time.Hour))
	r.ObserveRequest("GET", "/a", 200, time.Millisecond)
	c, _ := r.Counter("fuzz.count", WithTag("k", "v"))
	c.Inc()
	prom := r.PrometheusHandler()
	f.Fuzz(func(t *testing.T, path, query string) {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.URL.Path, req.URL.RawQuery = path, query
		req.SetPathValue("path", strings.TrimPrefix(path, "/"))
		rec := httptest.NewRecorder()
		r.Handler().ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusNotFound:
		default:
			t.Fatalf("path %q query %q: status %d", path, query, rec.Code)
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("path %q query %q: invalid JSON %q", path, query, rec.Body)
		}
		rec = httptest.NewRecorder()
		prom.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK && rec.Code != http.StatusNotFound {
			t.Fatalf("prometheus path %q: status %d", path, rec.Code)
		}
	})
}
