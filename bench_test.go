package actuator_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/actuatorgo/actuator"
)

// benchServe runs h on one request repeatedly, with a reused recorder.
func benchServe(b *testing.B, h http.Handler, target string) {
	b.Helper()
	r := httptest.NewRequest("GET", target, nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		b.Fatalf("GET %s = %d", target, w.Code)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		w.Body.Reset()
		h.ServeHTTP(w, r)
	}
}

// bareHandler writes body with the same headers as the actuator, the
// cheapest possible handler for the same bytes.
func bareHandler(body []byte, ct string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", ct)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		w.Write(body)
	})
}

// BenchmarkIndex compares the discovery index with a bare handler writing
// the same bytes.
func BenchmarkIndex(b *testing.B) {
	a := actuator.New()
	defer a.Close()
	w := httptest.NewRecorder()
	a.ServeHTTP(w, httptest.NewRequest("GET", "/actuator", nil))
	b.Run("actuator", func(b *testing.B) { benchServe(b, a, "/actuator") })
	b.Run("bare", func(b *testing.B) {
		benchServe(b, bareHandler(w.Body.Bytes(), w.Header().Get("Content-Type")), "/actuator")
	})
}

// BenchmarkHealthNoChecks compares /health with no user checks with a bare
// handler writing the same bytes.
func BenchmarkHealthNoChecks(b *testing.B) {
	a := actuator.New()
	defer a.Close()
	w := httptest.NewRecorder()
	a.ServeHTTP(w, httptest.NewRequest("GET", "/actuator/health", nil))
	b.Run("actuator", func(b *testing.B) { benchServe(b, a, "/actuator/health") })
	b.Run("bare", func(b *testing.B) {
		benchServe(b, bareHandler(w.Body.Bytes(), w.Header().Get("Content-Type")), "/actuator/health")
	})
}
