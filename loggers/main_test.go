package loggers

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// newMux mounts e's handler on a plain ServeMux at /loggers, as a user
// without the actuator's root would.
func newMux(e *Endpoint) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("/loggers", e.Handler())
	mux.Handle("/loggers/{path...}", e.Handler())
	return mux
}

type response struct {
	code   int
	header http.Header
	body   string
}

// do sends one request to h; body, when not "", is sent as JSON.
func do(h http.Handler, method, path, body string, header ...string) response {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r := httptest.NewRequest(method, path, rd)
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return response{code: w.Code, header: w.Header(), body: w.Body.String()}
}

// sameJSON reports whether two JSON texts hold the same value.
func sameJSON(t *testing.T, got, want string) bool {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("body %q is not JSON: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want %q is not JSON: %v", want, err)
	}
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	return bytes.Equal(gb, wb)
}

func levelVar(l slog.Level) *slog.LevelVar {
	v := new(slog.LevelVar)
	v.Set(l)
	return v
}

// sameJSONField reports whether body is a JSON object whose field key is want.
func sameJSONField(t *testing.T, body, key string, want any) bool {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Errorf("body %q is not a JSON object: %v", body, err)
		return false
	}
	return m[key] == want
}

// newRequest builds a request with a body and a Content-Type ("" for none).
func newRequest(method, path, body, contentType string) *http.Request {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	return r
}

// serve sends r to h.
func serve(h http.Handler, r *http.Request) response {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return response{code: w.Code, header: w.Header(), body: w.Body.String()}
}
