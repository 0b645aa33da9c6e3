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

// Error texts of health checks (which can name hosts, users and queries)
// never reach a caller the authorizer refuses, on any health path, through
// the mounted handler and the middleware (with /livez and /readyz), for
// GET and HEAD and whatever the Accept header; an authorized caller does
// see them where components are shown, so the test can tell the two apart.
func TestAdversarialHealthErrorTextsStayPrivate(t *testing.T) {
	const secret = "s3cr3t-db.internal:5432 user=admin"
	fail := func(context.Context) error { return errors.New(secret) }
	a := actuator.New(
		actuator.WithAuthorizer(actuator.BearerToken("tok")),
		actuator.WithProbes(),
		actuator.WithHealthCheck("db", fail, health.Groups("readiness", "custom")),
		actuator.WithHealthOptions(health.WithGroup("custom")),
		actuator.WithHealthCheck("liveDep", fail, health.Groups("liveness")),
		actuator.WithHealthOptions(
			health.WithComposite("comp", health.WithCheck("m", fail)),
			health.WithStatusCheck("rich", func(context.Context) health.Result {
				return health.Result{Status: health.Down, Err: errors.New(secret), Details: map[string]any{"dsn": secret}}
			}),
			health.WithGroup("custom", health.Include("comp", "rich")),
		),
	)
	defer a.Close()
	app := http.NewServeMux()
	app.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("app")) })
	handlers := map[string]http.Handler{
		"Handler":    a.Handler("/actuator"),
		"Middleware": a.Middleware(app),
		"Actuator":   a,
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
	callers := map[string]string{"anonymous": "", "wrong token": "Bearer nope", "basic": "Basic dG9rOnRvaw=="}
	accepts := []string{"", "application/json", "application/vnd.spring-boot.actuator.v3+json", "*/*", "text/html"}
	sawSecret := map[string]bool{}
	for hname, h := range handlers {
		for _, p := range paths {
			if hname != "Middleware" && (p == "/livez" || p == "/readyz") {
				continue // only the middleware serves the probes
			}
			for cname, authz := range callers {
				for _, acc := range accepts {
					for _, method := range []string{http.MethodGet, http.MethodHead} {
						r := httptest.NewRequest(method, p, nil)
						if authz != "" {
							r.Header.Set("Authorization", authz)
						}
						if acc != "" {
							r.Header.Set("Accept", acc)
						}
						w := httptest.NewRecorder()
						h.ServeHTTP(w, r)
						body := w.Body.String()
						if strings.Contains(body, "s3cr3t") || strings.Contains(body, `"details"`) {
							t.Errorf("%s %s %s (%s, Accept %q): %d leaks details: %s", hname, method, p, cname, acc, w.Code, body)
						}
						if w.Code >= 500 && w.Code != http.StatusServiceUnavailable {
							t.Errorf("%s %s %s (%s): %d %s", hname, method, p, cname, w.Code, body)
						}
					}
				}
			}
			// The authorized caller sees the error texts where details are
			// shown: the same requests can fail this test.
			r := httptest.NewRequest(http.MethodGet, p, nil)
			r.Header.Set("Authorization", "Bearer tok")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if strings.Contains(w.Body.String(), "s3cr3t") {
				sawSecret[p] = true
			}
		}
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
