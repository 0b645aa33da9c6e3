package actuator_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/actuatorgo/actuator"
	"github.com/actuatorgo/actuator/health"
	"github.com/actuatorgo/actuator/info"
)

// A caller the authorizer refuses cannot tell a sensitive endpoint from
// one that does not exist: it is missing from the caller's discovery
// index, and any method but the endpoint's own gets the same 404 as an
// unknown id (not a 405 whose Allow header would confirm it). The
// endpoint's own method still gets 401 with a challenge, which is what a
// legitimate client that did not send its credentials needs.
func TestSensitiveEndpointsAreInvisibleToRefusedCallers(t *testing.T) {
	vault := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{}`))
	})
	a := newShutdownActuator(t, quickShutdown,
		actuator.WithAuthorizer(actuator.BearerToken("t0k")),
		actuator.WithShutdownEndpoint(),
		actuator.WithEndpoint("vault", vault, actuator.WithSensitive()),
		actuator.WithEndpoint("open", vault),
	)
	token := []string{"Authorization", "Bearer t0k"}
	callers := []struct {
		name    string
		header  []string
		allowed bool
	}{
		{"anonymous", nil, false},
		{"wrong token", []string{"Authorization", "Bearer nope"}, false},
		{"other scheme", []string{"Authorization", "Basic b3BzOnB3"}, false},
		{"authorised", token, true},
	}
	for _, c := range callers {
		t.Run(c.name, func(t *testing.T) {
			links := linkNames(t, do(a, "GET", "/actuator", c.header...))
			for _, id := range []string{"shutdown", "vault"} {
				if got := slices.Contains(links, id); got != c.allowed {
					t.Errorf("index lists %s = %v, want %v (links %v)", id, got, c.allowed, links)
				}
			}
			if !slices.Contains(links, "open") || !slices.Contains(links, "health") {
				t.Errorf("index lacks the open endpoints: %v", links)
			}

			otherMethods := []struct{ method, path string }{
				{"GET", "/actuator/shutdown"},
				{"HEAD", "/actuator/shutdown"},
				{"OPTIONS", "/actuator/shutdown"},
				{"DELETE", "/actuator/vault"},
				{"POST", "/actuator/vault"},
				{"PROPFIND", "/actuator/vault"},
			}
			for _, m := range otherMethods {
				w := do(a, m.method, m.path, c.header...)
				if c.allowed && m.method == "OPTIONS" {
					// What Spring Boot Admin's probe needs; see httpoptions_test.go.
					if w.Code != http.StatusOK || w.Header().Get("Allow") == "" {
						t.Errorf("%s %s = %d Allow %q, want 200 with Allow", m.method, m.path, w.Code, w.Header().Get("Allow"))
					}
					continue
				}
				if c.allowed {
					if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") == "" {
						t.Errorf("%s %s = %d Allow %q, want 405 with Allow", m.method, m.path, w.Code, w.Header().Get("Allow"))
					}
					continue
				}
				unknown := do(a, m.method, "/actuator/doesnotexist", c.header...)
				if w.Code != http.StatusNotFound || w.Header().Get("Allow") != "" || w.Header().Get("WWW-Authenticate") != "" {
					t.Errorf("%s %s = %d Allow %q WWW-Authenticate %q, want a bare 404", m.method, m.path,
						w.Code, w.Header().Get("Allow"), w.Header().Get("WWW-Authenticate"))
				}
				if m.method != "HEAD" && !sameError(t, w, unknown) {
					t.Errorf("%s %s: %s differs from an unknown endpoint's %s", m.method, m.path, w.Body, unknown.Body)
				}
			}

			// The own method: a challenge (or 403 with wrong
			// credentials) for the refused, the endpoint for the others.
			w := do(a, "GET", "/actuator/vault", c.header...)
			switch {
			case c.allowed && w.Code != http.StatusOK:
				t.Errorf("GET vault = %d, want 200", w.Code)
			case !c.allowed && c.header == nil && w.Code != http.StatusUnauthorized:
				t.Errorf("GET vault = %d, want 401", w.Code)
			case !c.allowed && c.header != nil && w.Code != http.StatusForbidden:
				t.Errorf("GET vault = %d, want 403", w.Code)
			}
		})
	}
}

// At the root the actuator shares the path space with the application and
// claims only its endpoints' paths: a sensitive endpoint's path on another
// method goes to the application for a refused caller, as if the endpoint
// were not exposed.
func TestSensitiveEndpointsAtTheRootLeaveRefusedCallersToTheApp(t *testing.T) {
	a := newActuator(t, actuator.WithBasePath("/"), actuator.WithShutdownEndpoint(),
		actuator.WithAuthorizer(actuator.BearerToken("t0k")))
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
	})
	h := a.Middleware(app)
	rows := []struct {
		name, method string
		header       []string
		status       int
	}{
		{"refused, other method", "GET", nil, http.StatusTeapot},
		{"wrong token, other method", "PUT", []string{"Authorization", "Bearer x"}, http.StatusTeapot},
		{"refused, own method", "POST", nil, http.StatusUnauthorized},
		{"authorised, other method", "GET", []string{"Authorization", "Bearer t0k"}, http.StatusMethodNotAllowed},
	}
	for _, row := range rows {
		if w := do(h, row.method, "/shutdown", row.header...); w.Code != row.status {
			t.Errorf("%s: %s /shutdown = %d, want %d", row.name, row.method, w.Code, row.status)
		}
	}
}

// The authorizer guards sensitive endpoints only: no credentials get 401,
// wrong ones 403, and the handler runs for the accepted caller alone.
func TestAuthorizerGuardsSensitiveEndpoints(t *testing.T) {
	hit := 0
	secret := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hit++
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"secret":true}`)
	})
	a := newActuator(t,
		actuator.WithAuthorizer(actuator.BearerToken("s3cret")),
		actuator.WithEndpoint("secret", secret, actuator.WithSensitive()),
		actuator.WithEndpoint("open", secret),
	)
	tests := []struct {
		name   string
		path   string
		header []string
		status int
	}{
		{"no credentials", "/actuator/secret", nil, 401},
		{"wrong token", "/actuator/secret", []string{"Authorization", "Bearer wrong"}, 403},
		{"other scheme", "/actuator/secret", []string{"Authorization", "Basic czNjcmV0"}, 403},
		{"right token", "/actuator/secret", []string{"Authorization", "Bearer s3cret"}, 200},
		{"open endpoint", "/actuator/open", nil, 200},
		{"health", "/actuator/health", nil, 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := hit
			w := do(a, "GET", tc.path, tc.header...)
			if w.Code != tc.status {
				t.Errorf("GET %s %v = %d, want %d", tc.path, tc.header, w.Code, tc.status)
			}
			if ran := hit > before; ran != (tc.status == 200 && tc.path != "/actuator/health") {
				t.Errorf("GET %s %v: handler ran = %v", tc.path, tc.header, ran)
			}
		})
	}
}

// A subpackage's own authorizer, given through WithHealthOptions or
// WithInfoOptions, wins over the root's WithAuthorizer there, whichever
// option comes first; the root's keeps guarding the sensitive endpoints.
func TestSubpackageAuthorizerWinsOverTheRoots(t *testing.T) {
	yes := func(*http.Request) bool { return true }
	failing := actuator.WithInfoContributor("db", func(context.Context) (any, error) { return nil, errors.New("pool exhausted") })
	sub := []actuator.Option{
		actuator.WithHealthOptions(health.WithAuthorizer(yes)),
		actuator.WithInfoOptions(info.WithAuthorizer(yes)),
	}
	root := actuator.WithAuthorizer(actuator.BearerToken("t0k"))
	for _, tc := range []struct {
		name string
		opts []actuator.Option
	}{
		{"root first", append([]actuator.Option{root, failing}, sub...)},
		{"root last", append(append([]actuator.Option{failing}, sub...), root)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newActuator(t, append(tc.opts, actuator.WithShutdownEndpoint(),
				actuator.WithHealthOptions(health.WithDefaultShowDetails(health.WhenAuthorized)),
				actuator.WithHealthCheck("db", func(context.Context) error { return errors.New("refused") }))...)
			if body := do(a, "GET", "/actuator/health/db").Body.String(); !strings.Contains(body, "refused") {
				t.Errorf("health details hidden from a caller health's authorizer accepts: %s", body)
			}
			if body := do(a, "GET", "/actuator/info").Body.String(); !strings.Contains(body, "pool exhausted") {
				t.Errorf("info error text hidden from a caller info's authorizer accepts: %s", body)
			}
			if got := do(a, "POST", "/actuator/shutdown").Code; got != http.StatusUnauthorized {
				t.Errorf("shutdown without the root's token = %d, want 401", got)
			}
		})
	}
}
