package actuator_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/actuatorgo/actuator"
	"github.com/actuatorgo/actuator/health"
)

// TestHealthChecksWired: WithHealthCheck passes its options on. A failing
// check put in readiness by Groups turns readiness DOWN, at
// /actuator/health/readiness and at /readyz through Middleware, while
// liveness stays UP; the same check without Groups fails the overall
// status only, and one in a custom group fails that group.
func TestHealthChecksWired(t *testing.T) {
	fail := func(context.Context) error { return errors.New("refused") }
	pass := func(context.Context) error { return nil }
	tests := []struct {
		name string
		opts []actuator.Option
		want map[string]int // path: status
	}{
		{"failing check in readiness", []actuator.Option{actuator.WithHealthCheck("db", fail, health.WithGroups("readiness"))},
			map[string]int{"/actuator/health": 503, "/actuator/health/readiness": 503, "/readyz": 503, "/actuator/health/liveness": 200, "/livez": 200}},
		{"failing check in no group", []actuator.Option{actuator.WithHealthCheck("db", fail)},
			map[string]int{"/actuator/health": 503, "/actuator/health/readiness": 200, "/readyz": 200, "/actuator/health/liveness": 200, "/livez": 200}},
		{"failing check in a custom group", []actuator.Option{
			actuator.WithHealthCheck("db", fail, health.WithGroups("storage")),
			actuator.WithHealthOptions(health.WithGroup("storage")),
		}, map[string]int{"/actuator/health": 503, "/actuator/health/storage": 503, "/actuator/health/readiness": 200, "/readyz": 200, "/livez": 200}},
		{"passing check in readiness", []actuator.Option{actuator.WithHealthCheck("db", pass, health.WithGroups("readiness"))},
			map[string]int{"/actuator/health": 200, "/actuator/health/readiness": 200, "/readyz": 200, "/actuator/health/liveness": 200, "/livez": 200}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := newActuator(t, append(tc.opts, actuator.WithProbes())...)
			h := a.Middleware(appMux())
			for path, status := range tc.want {
				w := do(h, "GET", path)
				want := "UP"
				if status != 200 {
					want = "DOWN"
				}
				if w.Code != status || decode(t, w)["status"] != want {
					t.Errorf("GET %s = %d %s, want %d %s", path, w.Code, w.Body, status, want)
				}
			}
			groups, _ := decode(t, do(a, "GET", "/actuator/health"))["groups"].([]any)
			if len(groups) < 2 || groups[0] != "liveness" || groups[1] != "readiness" {
				t.Errorf("groups = %v, want liveness and readiness first", groups)
			}
		})
	}
}

// TestMiddlewareProbes: with WithProbes, Middleware serves /livez and /readyz; not
// ready turns /readyz 503 while /livez stays 200; without it the paths
// are the application's.
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

// Error texts of health checks (which can name hosts, users and queries)
// never reach a caller the authorizer refuses, on any health path, through
// the mounted handler and the middleware (with /livez and /readyz), for
// GET and HEAD and whatever the Accept header; an authorized caller does
// see them where components are shown, so the test can tell the two apart.
func TestHealthErrorTextsStayPrivate(t *testing.T) {
	const secret = "s3cr3t-db.internal:5432 user=admin"
	fail := func(context.Context) error { return errors.New(secret) }
	a := newActuator(t,
		actuator.WithAuthorizer(actuator.BearerToken("tok")),
		actuator.WithProbes(),
		actuator.WithHealthCheck("db", fail, health.WithGroups("readiness", "custom")),
		actuator.WithHealthOptions(health.WithGroup("custom")),
		actuator.WithHealthCheck("liveDep", fail, health.WithGroups("liveness")),
		actuator.WithHealthOptions(
			health.WithComposite("comp", health.WithCheck("m", fail)),
			health.WithStatusCheck("rich", func(context.Context) health.Result {
				return health.Result{Status: health.Down, Err: errors.New(secret), Details: map[string]any{"dsn": secret}}
			}),
			health.WithGroup("custom", health.WithInclude("comp", "rich")),
		),
	)
	app := http.NewServeMux()
	app.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("app")) })
	handlers := []struct {
		name string
		h    http.Handler
	}{
		{"Handler", a.Handler("/actuator")},
		{"Middleware", a.Middleware(app)},
		{"Actuator", a},
	}
	paths := []string{
		"/actuator/health", "/actuator/health/",
		"/actuator/health/db", "/actuator/health/rich",
		"/actuator/health/comp", "/actuator/health/comp/m",
		"/actuator/health/custom", "/actuator/health/custom/db", "/actuator/health/custom/comp/m", "/actuator/health/custom/rich",
		"/actuator/health/readiness", "/actuator/health/readiness/db",
		"/actuator/health/liveness", "/actuator/health/liveness/liveDep",
		"/livez", "/readyz",
	}
	callers := []struct{ name, authz string }{{"anonymous", ""}, {"wrong token", "Bearer nope"}, {"basic", "Basic dG9rOnRvaw=="}}
	accepts := []string{"", "application/json", "application/vnd.spring-boot.actuator.v3+json", "*/*", "text/html"}
	sawSecret := map[string]bool{}
	for _, h := range handlers {
		t.Run(h.name, func(t *testing.T) {
			for _, p := range paths {
				if h.name != "Middleware" && (p == "/livez" || p == "/readyz") {
					continue // only the middleware serves the probes
				}
				for _, c := range callers {
					for _, acc := range accepts {
						for _, method := range []string{http.MethodGet, http.MethodHead} {
							r := httptest.NewRequest(method, p, nil)
							if c.authz != "" {
								r.Header.Set("Authorization", c.authz)
							}
							if acc != "" {
								r.Header.Set("Accept", acc)
							}
							w := httptest.NewRecorder()
							h.h.ServeHTTP(w, r)
							body := w.Body.String()
							if strings.Contains(body, "s3cr3t") || strings.Contains(body, `"details"`) {
								t.Errorf("%s %s (%s, Accept %q): %d leaks details: %s", method, p, c.name, acc, w.Code, body)
							}
							if w.Code >= 500 && w.Code != http.StatusServiceUnavailable {
								t.Errorf("%s %s (%s): %d %s", method, p, c.name, w.Code, body)
							}
						}
					}
				}
				// The authorized caller sees the error texts where details
				// are shown: the same requests can fail this test.
				w := do(h.h, http.MethodGet, p, "Authorization", "Bearer tok")
				if strings.Contains(w.Body.String(), "s3cr3t") {
					sawSecret[p] = true
				}
			}
		})
	}
	for _, p := range []string{"/actuator/health", "/actuator/health/db", "/actuator/health/comp/m", "/actuator/health/custom/rich"} {
		if !sawSecret[p] {
			t.Errorf("authorized GET %s shows no error text: the check of this test is blind", p)
		}
	}
	// The probe groups stay bare even for an authorized caller.
	for _, p := range []string{"/actuator/health/readiness", "/actuator/health/liveness", "/actuator/health/readiness/db"} {
		if sawSecret[p] {
			t.Errorf("authorized GET %s shows details; the probe groups are bare", p)
		}
	}
}
