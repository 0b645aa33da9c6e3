package health

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// response is what a test request got back.
type response struct {
	code   int
	body   string
	header http.Header
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.body), &m); err != nil {
		t.Fatalf("body %q is not JSON: %v", r.body, err)
	}
	return m
}

// serve sends GET path (relative to the endpoint) to h.
func serve(h any, path string, header ...string) response {
	return do(h, http.MethodGet, path, header...)
}

// do sends a request to h, a *Checker (through its Handler) or any
// handler; path is relative to the endpoint, the "{path...}" wildcard of a
// mount at /actuator/health/{path...}.
func do(h any, method, path string, header ...string) response {
	if c, ok := h.(*Checker); ok {
		h = c.Handler()
	}
	r := httptest.NewRequest(method, "/actuator/health", nil)
	r.URL.Path = path
	r.SetPathValue("path", strings.TrimPrefix(path, "/"))
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.(http.Handler).ServeHTTP(w, r)
	return response{code: w.Code, body: w.Body.String(), header: w.Header()}
}

// authHeader marks requests the test authorizer accepts.
const authHeader = "X-Test-Auth"

func testAuthorizer(r *http.Request) bool { return r.Header.Get(authHeader) == "yes" }

func up(context.Context) error { return nil }

func failing(msg string) CheckFunc {
	return func(context.Context) error { return errors.New(msg) }
}

func status(s Status, details map[string]any) StatusFunc {
	return func(context.Context) Result { return Result{Status: s, Details: details} }
}

// blockUntilDone is a well-behaved slow check: it returns when ctx ends.
func blockUntilDone(ctx context.Context) error {
	<-ctx.Done()
	return ctx.Err()
}

func withContentType(r *http.Request, ct string) *http.Request { r.Header.Set("Accept", ct); return r }
