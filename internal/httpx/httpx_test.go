package httpx

import (
	"encoding/json"
	"math"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestWriteJSONAs(t *testing.T) {
	tests := []struct {
		name, method, ct string
		v                any
		status           int
		wantCT, wantBody string
	}{
		{"v3", "GET", MediaTypeV3, map[string]int{"a": 1}, 200, MediaTypeV3, `{"a":1}`},
		{"negotiated json", "GET", MediaTypeJSON, []int{1}, 503, MediaTypeJSON, `[1]`},
		{"head has no body", "HEAD", MediaTypeV3, "x", 200, MediaTypeV3, ``},
		{"unencodable", "GET", MediaTypeV3, math.Inf(1), 500, MediaTypeV3, `"status":500`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, "/x", nil)
			w := httptest.NewRecorder()
			WriteJSONAs(w, r, tc.status, tc.ct, tc.v)
			if w.Code != tc.status || w.Header().Get("Content-Type") != tc.wantCT || !strings.Contains(w.Body.String(), tc.wantBody) {
				t.Errorf("got %d %q %q", w.Code, w.Header().Get("Content-Type"), w.Body)
			}
			if tc.method == "HEAD" && w.Body.Len() != 0 {
				t.Errorf("HEAD body %q", w.Body)
			}
			if w.Header().Get("X-Content-Type-Options") != "nosniff" || w.Header().Get("Cache-Control") != "no-store" {
				t.Errorf("security headers missing: %v", w.Header())
			}
		})
	}
}

func TestWriteErrorShapeAndPath(t *testing.T) {
	r := httptest.NewRequest("GET", "/actuator/health/x", nil)
	w := httptest.NewRecorder()
	MethodNotAllowed(w, r, "GET, HEAD")
	var body ErrorBody
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if body.Status != 405 || body.Error != "Method Not Allowed" || body.Path != "/actuator/health/x" || body.Timestamp == "" {
		t.Errorf("body = %+v", body)
	}
	if w.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("Allow = %q", w.Header().Get("Allow"))
	}

	long := httptest.NewRequest("GET", "/"+strings.Repeat("a", 5000), nil)
	w = httptest.NewRecorder()
	NotFound(w, long)
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if len(body.Path) > maxPathInError+3 || w.Header().Get("Content-Type") != MediaTypeJSON {
		t.Errorf("long path echoed as %d bytes, type %q", len(body.Path), w.Header().Get("Content-Type"))
	}
}

// TestBufferPool: a buffer comes out of the pool empty, and one too large
// to keep is never handed out again. sync.Pool may drop any item (the race
// detector makes it drop some on purpose), so each property is tried many
// times: a pool that broke it would show it in some round.
func TestBufferPool(t *testing.T) {
	for i := range 100 {
		b := GetBuffer()
		*b = append(*b, "hello"...)
		PutBuffer(b)
		if b2 := GetBuffer(); len(*b2) != 0 {
			t.Fatalf("round %d: pooled buffer not reset: %q", i, *b2)
		} else {
			PutBuffer(b2)
		}
	}
	for i := range 100 {
		huge := make([]byte, 0, maxPooled+1)
		PutBuffer(&huge) // dropped, not pooled
		b := GetBuffer()
		if cap(*b) > maxPooled {
			t.Fatalf("round %d: GetBuffer returned a buffer of cap %d, above maxPooled %d: a huge buffer was pooled", i, cap(*b), maxPooled)
		}
		PutBuffer(b)
	}
}
