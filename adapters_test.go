package actuator_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/actuatorgo/actuator"
)

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

func TestStdMounting(t *testing.T) {
	a := newActuator(t)
	mounts := []struct {
		name   string
		prefix string // where the index answers
		build  func() http.Handler
	}{
		{"Handle with prefix", "/management", func() http.Handler {
			mux := appMux()
			mux.Handle("/management/", a.Handler("/management"))
			return mux
		}},
		{"Go 1.22 pattern with method", "/management", func() http.Handler {
			mux := appMux()
			mux.Handle("GET /management/", a.Handler("/management/"))
			return mux
		}},
		{"StripPrefix to root", "/ops", func() http.Handler {
			mux := appMux()
			mux.Handle("/ops/", http.StripPrefix("/ops", a.Handler("/")))
			return mux
		}},
		{"nested prefix", "/internal/admin", func() http.Handler {
			mux := appMux()
			mux.Handle("/internal/admin/", a.Handler("/internal/admin"))
			return mux
		}},
		{"middleware at base path", "/actuator", func() http.Handler {
			return a.Middleware(appMux())
		}},
	}
	for _, m := range mounts {
		t.Run(m.name, func(t *testing.T) {
			srv := httptest.NewServer(m.build())
			defer srv.Close()
			body, code := get(t, srv.URL+m.prefix+"/")
			if code != 200 || !strings.Contains(body, `"href":"`+srv.URL+m.prefix+`/health"`) {
				t.Errorf("index under %s = %d %s", m.prefix, code, body)
			}
			if _, code := get(t, srv.URL+m.prefix+"/health"); code != 200 {
				t.Errorf("health under %s = %d", m.prefix, code)
			}
			if body, code := get(t, srv.URL+"/hello"); code != 200 || body != "hello" {
				t.Errorf("app route = %d %q", code, body)
			}
			if body, code := get(t, srv.URL+"/missing"); code != 404 || strings.Contains(body, `"timestamp"`) {
				t.Errorf("app 404 = %d %q; want the app's own 404", code, body)
			}
		})
	}
}

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

func TestMiddlewareProbes(t *testing.T) {
	a := newActuator(t, actuator.WithProbes())
	h := a.Middleware(appMux())
	for _, path := range []string{"/livez", "/readyz"} {
		w := do(h, "GET", path)
		if w.Code != 200 || decode(t, w)["status"] != "UP" {
			t.Errorf("GET %s = %d %s", path, w.Code, w.Body)
		}
	}
	a.Lifecycle().SetReady(false)
	if w := do(h, "GET", "/readyz"); w.Code != http.StatusServiceUnavailable {
		t.Errorf("readyz when not ready = %d", w.Code)
	}
	if w := do(h, "GET", "/livez"); w.Code != http.StatusOK {
		t.Errorf("livez when not ready = %d, liveness must stay UP", w.Code)
	}
	if w := do(newActuator(t).Middleware(appMux()), "GET", "/readyz"); w.Code != http.StatusNotFound {
		t.Errorf("readyz without WithProbes = %d, want the app's 404", w.Code)
	}
}

// requestTags reads the uri tag values of http.server.requests.
func requestTags(t *testing.T, a *actuator.Actuator) []string {
	t.Helper()
	w := do(a, "GET", "/actuator/metrics/http.server.requests")
	if w.Code != 200 {
		t.Fatalf("http.server.requests = %d %s", w.Code, w.Body)
	}
	var m struct {
		AvailableTags []struct {
			Tag    string   `json:"tag"`
			Values []string `json:"values"`
		} `json:"availableTags"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	for _, tag := range m.AvailableTags {
		if tag.Tag == "uri" {
			slices.Sort(tag.Values)
			return tag.Values
		}
	}
	return nil
}

func TestHTTPMetricsUseRoutes(t *testing.T) {
	t.Run("net/http", func(t *testing.T) {
		a := newActuator(t)
		h := a.Middleware(appMux())
		for _, p := range []string{"/users/1", "/users/2", "/hello", "/missing", "/actuator/health"} {
			do(h, "GET", p)
		}
		if got, want := requestTags(t, a), []string{"/hello", "/users/{id}", "NOT_FOUND"}; !slices.Equal(got, want) {
			t.Errorf("uri tags = %v, want %v", got, want)
		}
	})
	t.Run("off", func(t *testing.T) {
		a := newActuator(t, actuator.WithoutHTTPMetrics())
		do(a.Middleware(appMux()), "GET", "/hello")
		if w := do(a, "GET", "/actuator/metrics/http.server.requests"); w.Code != 404 {
			t.Errorf("http.server.requests without recording = %d %s", w.Code, w.Body)
		}
	})
}

func TestHTTPMetricsCountPanicsAs500(t *testing.T) {
	a := newActuator(t)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /boom", func(http.ResponseWriter, *http.Request) { panic("boom") })
	h := a.Middleware(mux)
	func() {
		defer func() {
			if p := recover(); p != "boom" {
				t.Errorf("the panic was not passed on: %v", p)
			}
		}()
		do(h, "GET", "/boom")
	}()
	w := do(a, "GET", "/actuator/metrics/http.server.requests?tag=status:500&tag=uri:/boom")
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"statistic":"COUNT","value":1`) {
		t.Errorf("panicking request not counted as a 500: %d %s", w.Code, w.Body)
	}

}

// io.Copy through Middleware still reaches the connection's ReadFrom (the
// sendfile path) and is recorded with its status.
func TestMiddlewareKeepsReadFrom(t *testing.T) {
	a := newActuator(t)
	mux := http.NewServeMux()
	var isReaderFrom bool
	mux.HandleFunc("GET /file", func(w http.ResponseWriter, r *http.Request) {
		_, isReaderFrom = w.(io.ReaderFrom)
		io.Copy(w, strings.NewReader(strings.Repeat("x", 10000)))
	})
	srv := httptest.NewServer(a.Middleware(mux))
	defer srv.Close()
	body, code := get(t, srv.URL+"/file")
	if code != 200 || len(body) != 10000 || !isReaderFrom {
		t.Errorf("GET /file = %d, %d bytes, ReaderFrom %v", code, len(body), isReaderFrom)
	}
	if got := requestTags(t, a); !slices.Equal(got, []string{"/file"}) {
		t.Errorf("uri tags = %v", got)
	}
}
