package httpx

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// Every body WriteBody writes reaches the client with a Content-Length and
// without chunking, whoever computes the header, and HEAD tells the length
// the GET would have.
func TestWriteBodyContentLength(t *testing.T) {
	for _, n := range []int{0, 15, autoLength, autoLength + 1, 64 << 10} {
		body := []byte(strings.Repeat("x", n))
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			WriteBody(w, r, http.StatusOK, MediaTypeV3, body)
		}))
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			req, _ := http.NewRequest(method, srv.URL, nil)
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			wantBody := n
			if method == http.MethodHead {
				wantBody = 0
			}
			if resp.Header.Get("Content-Length") != strconv.Itoa(n) || len(resp.TransferEncoding) > 0 || len(got) != wantBody {
				t.Errorf("%s of %d bytes: Content-Length %q, Transfer-Encoding %v, %d body bytes",
					method, n, resp.Header.Get("Content-Length"), resp.TransferEncoding, len(got))
			}
		}
		srv.Close()
	}
}

// reusedWriter keeps nothing and reuses its header map, so that only
// WriteBody's own allocations are counted.
type reusedWriter struct{ h http.Header }

func (w *reusedWriter) Header() http.Header         { return w.h }
func (w *reusedWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *reusedWriter) WriteHeader(int)             {}

// A small body, the answer to every probe, costs WriteBody no allocation:
// net/http computes its Content-Length.
func TestWriteBodySmallGETAllocatesNothing(t *testing.T) {
	w := &reusedWriter{h: http.Header{}}
	r := httptest.NewRequest(http.MethodGet, "/health", nil)
	body := []byte(`{"status":"UP"}`)
	allocs := testing.AllocsPerRun(100, func() {
		clear(w.h)
		WriteBody(w, r, http.StatusOK, MediaTypeV3, body)
	})
	if allocs != 0 {
		t.Errorf("WriteBody of a small GET body: %v allocations, want 0", allocs)
	}
}
