package info

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// discardWriter is the cheapest http.ResponseWriter, so the benchmark
// measures the endpoint and not the recorder.
type discardWriter struct {
	h    http.Header
	n    int
	code int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) WriteHeader(code int)        { w.code = code }
func (w *discardWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }

func benchServe(b *testing.B, e *Collector) {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		e.Handler().ServeHTTP(w, r)
	}
	if w.code != http.StatusOK || w.n == 0 {
		b.Fatalf("status %d, %d bytes", w.code, w.n)
	}
	b.SetBytes(int64(w.n / b.N))
}

// BenchmarkServeHTTP measures one GET /info.
func BenchmarkServeHTTP(b *testing.B) {
	b.Run("simple", func(b *testing.B) {
		benchServe(b, New(withEnvironment(fakeEnv(vcsBuild("v1.2.3", false), stamps{}))))
	})
	b.Run("full", func(b *testing.B) {
		benchServe(b, New(withEnvironment(fakeEnv(vcsBuild("v1.2.3", false), stamps{})), WithGitMode(GitFull), WithProcess()))
	})
	b.Run("contributor", func(b *testing.B) {
		benchServe(b, New(withEnvironment(fakeEnv(vcsBuild("v1.2.3", false), stamps{})),
			WithContributor("app", func(context.Context) (any, error) { return map[string]any{"users": 42}, nil })))
	})
}

// BenchmarkInfo measures the programmatic call.
func BenchmarkInfo(b *testing.B) {
	e := New(withEnvironment(fakeEnv(vcsBuild("v1.2.3", false), stamps{})))
	b.ReportAllocs()
	for b.Loop() {
		_ = e.Info(context.Background())
	}
}

// BenchmarkLoopback measures a whole GET /info over a keep-alive loopback
// connection, net/http client and server included, for scale.
func BenchmarkLoopback(b *testing.B) {
	e := New(withEnvironment(fakeEnv(vcsBuild("v1.2.3", false), stamps{})))
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	client := srv.Client()
	defer client.CloseIdleConnections()
	b.ReportAllocs()
	for b.Loop() {
		resp, err := client.Get(srv.URL + "/")
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}
