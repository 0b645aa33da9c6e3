package lifecycle_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/actuatorgo/actuator/internal/httpx"
	"github.com/actuatorgo/actuator/lifecycle"
)

func TestShutdownHandler(t *testing.T) {
	for _, tc := range []struct {
		name, method, path, accept string
		status                     int
		triggers                   bool
	}{
		{"post", http.MethodPost, "/shutdown", "", http.StatusOK, true},
		{"post slash", http.MethodPost, "/shutdown/", "", http.StatusOK, true},
		{"post asking for json", http.MethodPost, "/shutdown", "application/json", http.StatusOK, true},
		{"post asking for html", http.MethodPost, "/shutdown", "text/html", http.StatusNotAcceptable, false},
		{"get", http.MethodGet, "/shutdown", "", http.StatusMethodNotAllowed, false},
		{"head", http.MethodHead, "/shutdown", "", http.StatusMethodNotAllowed, false},
		{"delete", http.MethodDelete, "/shutdown/", "", http.StatusMethodNotAllowed, false},
		{"unknown path", http.MethodPost, "/shutdown/now", "", http.StatusNotFound, false},
		{"hostile path", http.MethodPost, "/shutdown/<script>alert(1)</script>", "", http.StatusNotFound, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := lifecycle.New(lifecycle.WithoutShutdownDelay())
			// The handler stands alone on a plain mux: no router of the
			// actuator's rewrites its path or settles its content type.
			mux := http.NewServeMux()
			mux.Handle("/shutdown", l.ShutdownHandler())
			mux.Handle("/shutdown/{path...}", l.ShutdownHandler())
			req := httptest.NewRequest(tc.method, tc.path, nil)
			if tc.accept != "" {
				req.Header.Set("Accept", tc.accept)
			}
			w := httptest.NewRecorder()
			mux.ServeHTTP(w, req)
			if w.Code != tc.status {
				t.Errorf("status = %d, want %d", w.Code, tc.status)
			}
			if tc.status == http.StatusMethodNotAllowed && w.Header().Get("Allow") != http.MethodPost {
				t.Errorf("Allow = %q, want POST", w.Header().Get("Allow"))
			}
			if tc.status == http.StatusOK {
				if got, want := w.Body.String(), `{"message":"Shutting down, bye..."}`; got != want {
					t.Errorf("body = %s, want %s", got, want)
				}
				want := httpx.MediaTypeV3
				if tc.accept != "" {
					want = tc.accept
				}
				if got := w.Header().Get("Content-Type"); got != want {
					t.Errorf("Content-Type = %q, want %q", got, want)
				}
			}
			// Shutdown leaves the idle phase before it returns, and the
			// handler calls it before it returns.
			triggered := l.Phase() != lifecycle.PhaseIdle
			if triggered != tc.triggers {
				t.Errorf("the shutdown started = %v, want %v", triggered, tc.triggers)
			}
			if triggered {
				await(t, l.Done(), "the sequence the handler started to end")
			}
		})
	}
}

// POST /shutdown starts the sequence once, however often it is called.
// Behind the actuator (the test app imports the root package when given a
// token), the library's own guard decides: no credentials get 401 with the
// Bearer challenge, a wrong token 403, a cross-site browser request 403
// even with the right token, and none of them starts the shutdown.
func TestShutdownEndpoint(t *testing.T) {
	t.Parallel()
	const bye = `{"message":"Shutting down, bye..."}`
	for _, tc := range []struct {
		name  string
		token string
	}{
		{"without an authorizer", ""},
		{"behind the actuator's bearer token authorizer", "s3cret"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			args := []string{"-shutdown-delay", "1500ms", "-hooks", "1"}
			if tc.token != "" {
				args = append(args, "-token", tc.token)
			}
			p := startApp(t, args...)
			c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 20 * time.Second}
			type answer struct {
				status    int
				challenge string
				body      string
				err       error
			}
			call := func(method, auth, fetchSite string) answer {
				req, _ := http.NewRequest(method, p.url("/shutdown"), nil)
				if auth != "" {
					req.Header.Set("Authorization", "Bearer "+auth)
				}
				if fetchSite != "" {
					req.Header.Set("Sec-Fetch-Site", fetchSite)
					req.Header.Set("Origin", "https://attacker.example")
				}
				resp, err := c.Do(req)
				if err != nil {
					return answer{err: err}
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				return answer{status: resp.StatusCode, challenge: resp.Header.Get("WWW-Authenticate"), body: string(b)}
			}
			if tc.token != "" {
				for _, rc := range []struct {
					name, auth, fetchSite string
					status                int
					challenge             string
				}{
					{"no token", "", "", http.StatusUnauthorized, `Bearer realm="actuator"`},
					{"wrong token", "wrong", "", http.StatusForbidden, ""},
					{"cross-site browser request with the right token", tc.token, "cross-site", http.StatusForbidden, ""},
				} {
					t.Run(rc.name, func(t *testing.T) {
						a := call(http.MethodPost, rc.auth, rc.fetchSite)
						if a.err != nil || a.status != rc.status || a.challenge != rc.challenge {
							t.Errorf("POST = %d, WWW-Authenticate %q, %v; want %d, %q", a.status, a.challenge, a.err, rc.status, rc.challenge)
						}
						if !strings.Contains(a.body, fmt.Sprintf(`"status":%d`, rc.status)) {
							t.Errorf("body = %s, want the actuator's JSON error", a.body)
						}
					})
				}
			}
			if a := call(http.MethodGet, tc.token, ""); a.status != http.StatusMethodNotAllowed || !strings.Contains(a.body, `"status":405`) {
				t.Errorf("GET = %d %s, want a 405 JSON error", a.status, a.body)
			}
			if strings.Contains(p.out.String(), "shutdown started") {
				t.Fatal("a refused call started the shutdown")
			}
			if r := get(c, p.url("/readyz")); r.status != http.StatusOK {
				t.Fatalf("readiness after the refused calls = %d %v, want 200", r.status, r.err)
			}
			for i := range 2 { // the second call answers the same, starts nothing new
				if a := call(http.MethodPost, tc.token, ""); a.err != nil || a.status != http.StatusOK || a.body != bye {
					t.Errorf("POST #%d = %d %q %v, want 200 %s", i+1, a.status, a.body, a.err, bye)
				}
			}
			if r := get(c, p.url("/readyz")); r.status != http.StatusServiceUnavailable {
				t.Errorf("readiness after /shutdown = %d, want 503", r.status)
			}
			if got := p.exitCode(); got != 0 {
				t.Errorf("exit code = %d, want 0", got)
			}
			out := p.out.String()
			if n := strings.Count(out, "shutdown started"); n != 1 {
				t.Errorf("the sequence started %d times, want 1", n)
			}
			assertOrder(t, out, `reason="shutdown endpoint"`, "hook h1", "shutdown complete")
		})
	}
}
