package actuator_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/actuatorgo/actuator"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const v3 = "application/vnd.spring-boot.actuator.v3+json"

// newActuator builds an actuator that is closed when the test ends.
func newActuator(t testing.TB, opts ...actuator.Option) *actuator.Actuator {
	t.Helper()
	a := actuator.New(opts...)
	t.Cleanup(a.Close)
	return a
}

// allowAll authorizes every request, for tests about something else than
// authorization.
var allowAll = actuator.WithAuthorizer(func(*http.Request) bool { return true })

// do sends one request through h and returns the recorder.
func do(h http.Handler, method, target string, header ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// get sends a GET over the network and returns the body and the status.
func get(t *testing.T, url string, header ...string) (string, int) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b), resp.StatusCode
}

func decode(t *testing.T, w *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
		t.Fatalf("body is not JSON: %v: %q", err, w.Body.String())
	}
	return m
}

// linkNames lists the names under _links of an index body.
func linkNames(t *testing.T, w *httptest.ResponseRecorder) []string {
	t.Helper()
	links, ok := decode(t, w)["_links"].(map[string]any)
	if !ok {
		t.Fatalf("no _links in %s", w.Body)
	}
	var names []string
	for k := range links {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// selfHref is the href of the self link of an index body.
func selfHref(t *testing.T, w *httptest.ResponseRecorder) any {
	t.Helper()
	links, _ := decode(t, w)["_links"].(map[string]any)
	self, _ := links["self"].(map[string]any)
	return self["href"]
}

func mapsEqual(a, b map[string]any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// sameError reports whether two JSON error responses match apart from
// their timestamp and path.
func sameError(t *testing.T, a, b *httptest.ResponseRecorder) bool {
	t.Helper()
	strip := func(w *httptest.ResponseRecorder) map[string]any {
		m := decode(t, w)
		delete(m, "timestamp")
		delete(m, "path")
		return m
	}
	return a.Code == b.Code && mapsEqual(strip(a), strip(b))
}

func assertSecurityHeaders(t *testing.T, w *httptest.ResponseRecorder) {
	t.Helper()
	if got := w.Header().Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options = %q", got)
	}
	if got := w.Header().Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q", got)
	}
}

// appMux is an application with its own routes, to prove that the
// adapters pass its requests, and its 404s, through untouched.
func appMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-App", "1")
		io.WriteString(w, "hello")
	})
	mux.HandleFunc("GET /users/{id}", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "user "+r.PathValue("id"))
	})
	return mux
}

// receive waits for a value from ch that should come at once, for at
// most ten seconds: a bug fails the test instead of hanging it.
func receive[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("no %s within 10s", what)
		var zero T
		return zero
	}
}
