package actuator_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/actuatorgo/actuator"
	"github.com/actuatorgo/actuator/lifecycle"
)

// Every endpoint that accepts a state-changing method refuses a browser's
// cross-origin request with the actuator's JSON 403, before the authorizer
// and the handler, whatever credentials the browser attaches; requests
// without browser headers (curl, scripts) and same-origin ones go through.
func TestWritesRefuseCrossOriginBrowserRequests(t *testing.T) {
	hits := 0
	write := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"done":true}`)
	})
	rows := []struct {
		name   string
		header []string
		ok     bool
	}{
		{"cross-site fetch", []string{"Sec-Fetch-Site", "cross-site"}, false},
		{"same-site sibling subdomain", []string{"Sec-Fetch-Site", "same-site"}, false},
		{"cross-site with a matching Origin", []string{"Sec-Fetch-Site", "cross-site", "Origin", "http://example.com"}, false},
		{"other Origin, no Sec-Fetch-Site", []string{"Origin", "https://evil.example"}, false},
		{"Origin on another port", []string{"Origin", "http://example.com:8080"}, false},
		{"null Origin", []string{"Origin", "null"}, false},
		{"same-origin fetch", []string{"Sec-Fetch-Site", "same-origin"}, true},
		{"same Origin, no Sec-Fetch-Site", []string{"Origin", "http://example.com"}, true},
		{"typed by the user", []string{"Sec-Fetch-Site", "none"}, true},
		{"no browser headers (curl)", nil, true},
	}
	type target struct {
		name, method, path string
		opts               []actuator.Option
		auth               []string
	}
	targets := []target{
		{"custom write", "POST", "/actuator/echo", []actuator.Option{actuator.WithEndpoint("echo", write, actuator.WithMethods("POST"))}, nil},
		{"sensitive custom write", "PUT", "/actuator/vault",
			[]actuator.Option{actuator.WithEndpoint("vault", write, actuator.WithMethods("GET", "PUT"), actuator.WithSensitive())},
			[]string{"Authorization", "Bearer t0k"}},
		{"shutdown", "POST", "/actuator/shutdown", []actuator.Option{actuator.WithShutdownEndpoint()}, []string{"Authorization", "Bearer t0k"}},
	}
	for _, tg := range targets {
		for _, row := range rows {
			t.Run(tg.name+"/"+row.name, func(t *testing.T) {
				opts := append([]actuator.Option{actuator.WithAuthorizer(actuator.BearerToken("t0k")), quickShutdown}, tg.opts...)
				a := newShutdownActuator(t, opts...)
				before := hits
				w := do(a, tg.method, tg.path, append(append([]string(nil), tg.auth...), row.header...)...)
				ran := hits > before || a.Lifecycle().Phase() != lifecycle.PhaseIdle
				if row.ok {
					if w.Code != http.StatusOK || !ran {
						t.Errorf("%s %s = %d %s (ran %v), want 200", tg.method, tg.path, w.Code, w.Body, ran)
					}
					return
				}
				if w.Code != http.StatusForbidden || ran {
					t.Fatalf("%s %s = %d %s (ran %v), want 403 and nothing done", tg.method, tg.path, w.Code, w.Body, ran)
				}
				if body := decode(t, w); body["status"] != float64(http.StatusForbidden) || body["path"] != tg.path {
					t.Errorf("403 body = %s, want the actuator's JSON error", w.Body)
				}
				assertSecurityHeaders(t, w)
			})
		}
	}

	// Reads stay readable from anywhere: a cross-site GET of a write
	// endpoint's read method, and of the built-in reads.
	a := newActuator(t, actuator.WithAuthorizer(actuator.BearerToken("t0k")),
		actuator.WithEndpoint("vault", write, actuator.WithMethods("GET", "PUT"), actuator.WithSensitive()))
	for _, path := range []string{"/actuator/vault", "/actuator/health", "/actuator/info", "/actuator"} {
		if w := do(a, "GET", path, "Authorization", "Bearer t0k", "Sec-Fetch-Site", "cross-site"); w.Code != http.StatusOK {
			t.Errorf("cross-site GET %s = %d, want 200", path, w.Code)
		}
	}
}

// A cross-origin request is refused even when the authorizer would let
// it through: a browser attaches cookies and cached basic credentials to
// a forged form post on its own.
func TestCrossOriginRefusedWhateverTheAuthorizer(t *testing.T) {
	a := newShutdownActuator(t, actuator.WithShutdownEndpoint(), quickShutdown,
		actuator.WithAuthorizer(func(*http.Request) bool { return true }))
	r := httptest.NewRequest("POST", "/actuator/shutdown", nil)
	r.Header.Set("Origin", "https://evil.example")
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	a.ServeHTTP(w, r)
	if w.Code != http.StatusForbidden || a.Lifecycle().Phase() != lifecycle.PhaseIdle {
		t.Errorf("forged form post = %d, phase %s; want 403 and no shutdown", w.Code, a.Lifecycle().Phase())
	}
}

// quickShutdown makes a shutdown that a test triggers without Run finish
// at once: no delay, no signal handling.
var quickShutdown = actuator.WithLifecycleOptions(lifecycle.WithoutShutdownDelay(), lifecycle.WithSignals())

// newShutdownActuator is newActuator for tests that may trigger the
// shutdown endpoint: it waits for a triggered sequence to finish, so no
// goroutine outlives the test.
func newShutdownActuator(t *testing.T, opts ...actuator.Option) *actuator.Actuator {
	t.Helper()
	a := newActuator(t, opts...)
	t.Cleanup(func() {
		if a.Lifecycle().Phase() == lifecycle.PhaseIdle {
			return
		}
		select {
		case <-a.Lifecycle().Done():
		case <-time.After(10 * time.Second):
			t.Error("the shutdown sequence did not finish")
		}
	})
	return a
}
