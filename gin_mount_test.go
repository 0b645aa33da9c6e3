//go:build !nogin

package actuator_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/actuatorgo/actuator"
	"github.com/actuatorgo/actuator/health"
)

// downReadiness is an actuator whose readiness group holds a DOWN check.
func downReadiness(t *testing.T, opts ...actuator.Option) *actuator.Actuator {
	t.Helper()
	down := func(context.Context) error { return errors.New("refused") }
	return newActuator(t, append([]actuator.Option{
		actuator.WithHealthCheck("db", down, health.WithGroups(health.GroupReadiness)),
	}, opts...)...)
}

func TestGinHandlerAnyCatchAllName(t *testing.T) {
	for _, name := range []string{"path", "any", "rest", "p"} {
		t.Run(name, func(t *testing.T) {
			a := downReadiness(t)
			app := gin.New()
			app.Group("/ops").Any("/*"+name, actuator.GinHandler(a))
			tests := []struct {
				path   string
				status int
				body   string
			}{
				{"/ops/health/readiness", 503, `"status":"DOWN"`},
				{"/ops/health/liveness", 200, `"status":"UP"`},
				{"/ops/health", 503, `"db"`},
				{"/ops/info", 200, `{`},
				{"/ops/", 200, `"_links"`},
				{"/ops/nope", 404, `"timestamp"`},
				{"/ops/health/nope", 404, `"timestamp"`},
			}
			for _, tc := range tests {
				w := do(app, "GET", tc.path)
				if w.Code != tc.status || !strings.Contains(w.Body.String(), tc.body) {
					t.Errorf("GET %s = %d %s, want %d containing %s", tc.path, w.Code, w.Body, tc.status, tc.body)
				}
				if w.Code == 200 && tc.path != "/ops/" && strings.Contains(w.Body.String(), `"_links"`) {
					t.Errorf("GET %s served the discovery index", tc.path)
				}
			}
		})
	}
}

func TestGinHandlerCatchAllDeeperAndWithParams(t *testing.T) {
	a := downReadiness(t)
	app := gin.New()
	app.Any("/tenants/:tenant/ops/*any", actuator.GinHandler(a))
	if w := do(app, "GET", "/tenants/t1/ops/health/readiness"); w.Code != 503 {
		t.Errorf("readiness below a route with a parameter = %d %s, want 503", w.Code, w.Body)
	}
	w := do(app, "GET", "/tenants/t1/ops/")
	if w.Code != 200 || !strings.Contains(w.Body.String(), `/tenants/t1/ops/health"`) {
		t.Errorf("index = %d %s", w.Code, w.Body)
	}
}

func TestGinHandlerRefusesRouteWithoutCatchAll(t *testing.T) {
	routes := []struct {
		name     string
		register func(app *gin.Engine, h gin.HandlerFunc)
		path     string
	}{
		{"named parameter", func(app *gin.Engine, h gin.HandlerFunc) { app.Group("/ops").GET("/:id", h) }, "/ops/health"},
		{"static route", func(app *gin.Engine, h gin.HandlerFunc) { app.GET("/ops/health", h) }, "/ops/health"},
		{"middleware", func(app *gin.Engine, h gin.HandlerFunc) { app.Use(h); app.GET("/x", func(*gin.Context) {}) }, "/x"},
		{"no route", func(app *gin.Engine, h gin.HandlerFunc) { app.NoRoute(h) }, "/ops/health"},
	}
	for _, tc := range routes {
		t.Run(tc.name, func(t *testing.T) {
			logger, logs := newLogger()
			a := downReadiness(t, actuator.WithLogger(logger))
			app := gin.New()
			tc.register(app, actuator.GinHandler(a))
			for range 2 {
				w := do(app, "GET", tc.path)
				if w.Code != http.StatusInternalServerError || !strings.Contains(w.Body.String(), "catch-all") {
					t.Errorf("GET %s = %d %s, want 500 naming the catch-all", tc.path, w.Code, w.Body)
				}
			}
			if got := logs.lines("catch-all"); len(got) != 1 || !strings.Contains(got[0], "level=ERROR") {
				t.Errorf("log lines = %q, want one error", got)
			}
		})
	}
}

// tokenGuard is a gin middleware that admits "Bearer ops" only.
func tokenGuard(c *gin.Context) {
	if c.GetHeader("Authorization") != "Bearer ops" {
		c.AbortWithStatusJSON(http.StatusForbidden, gin.H{"error": "forbidden"})
		return
	}
	c.Next()
}

func TestGinWithGuardedGroupServesOneCopy(t *testing.T) {
	// Both orders of registration: the middleware first, or the group first.
	for _, groupFirst := range []bool{false, true} {
		name := "middleware first"
		if groupFirst {
			name = "group first"
		}
		t.Run(name, func(t *testing.T) {
			a := newActuator(t, actuator.WithProbes())
			app := gin.New()
			var group gin.HandlerFunc
			if groupFirst {
				group = actuator.GinHandler(a)
			}
			app.Use(actuator.Gin(a))
			if !groupFirst {
				group = actuator.GinHandler(a)
			}
			app.Group("/ops", tokenGuard).Any("/*any", group)
			app.GET("/users/:id", func(c *gin.Context) { c.String(200, "u") })

			for _, p := range []string{"/actuator", "/actuator/health", "/actuator/info", "/actuator/metrics"} {
				if w := do(app, "GET", p); w.Code != http.StatusNotFound || strings.Contains(w.Body.String(), `"status"`) {
					t.Errorf("unguarded GET %s = %d %s, want gin's 404", p, w.Code, w.Body)
				}
			}
			if w := do(app, "GET", "/ops/health"); w.Code != http.StatusForbidden {
				t.Errorf("guarded GET /ops/health without a token = %d, want 403", w.Code)
			}
			if w := do(app, "GET", "/ops/health", "Authorization", "Bearer ops"); w.Code != 200 {
				t.Errorf("guarded GET /ops/health with a token = %d %s", w.Code, w.Body)
			}
			// The middleware keeps what only it can do: probes and metrics.
			if w := do(app, "GET", "/readyz"); w.Code != 200 {
				t.Errorf("GET /readyz = %d, want 200", w.Code)
			}
			do(app, "GET", "/users/7")
			if got := requestTags(t, a); !slices.Contains(got, "/users/:id") {
				t.Errorf("uri tags = %v, want /users/:id recorded", got)
			}
		})
	}
}

func TestGinHandlerWarnsAboutProbesItCannotServe(t *testing.T) {
	logger, logs := newLogger()
	a := newActuator(t, actuator.WithProbes(), actuator.WithLogger(logger))
	app := gin.New()
	app.Group("/ops").Any("/*path", actuator.GinHandler(a))
	for range 3 {
		do(app, "GET", "/ops/health")
	}
	got := logs.lines("level=WARN")
	if len(got) != 1 || !strings.Contains(got[0], "/readyz") || !strings.Contains(got[0], "actuator.Gin") {
		t.Errorf("warnings = %q, want one naming /readyz and actuator.Gin", got)
	}
	if w := do(app, "GET", "/readyz"); w.Code != http.StatusNotFound {
		t.Errorf("GET /readyz = %d, want 404: nothing serves it", w.Code)
	}

	// With the middleware in place there is nothing to warn about.
	logger, logs = newLogger()
	b := newActuator(t, actuator.WithProbes(), actuator.WithLogger(logger))
	app = gin.New()
	app.Use(actuator.Gin(b))
	app.Group("/ops").Any("/*path", actuator.GinHandler(b))
	do(app, "GET", "/ops/health")
	if got := logs.lines("level=WARN"); len(got) != 0 {
		t.Errorf("warnings with Gin in place = %q", got)
	}
}

// GinHandler in a group behind the application's own guard serves the
// endpoints under the group's path, links included.
func TestGinGroupBehindAuth(t *testing.T) {
	a := newActuator(t)
	app := gin.New()
	app.Group("/ops", tokenGuard).Any("/*path", actuator.GinHandler(a))
	app.GET("/hello", func(c *gin.Context) { c.String(200, "hello") })

	srv := httptest.NewServer(app)
	defer srv.Close()
	if _, code := get(t, srv.URL+"/ops/health"); code != http.StatusForbidden {
		t.Errorf("without credentials = %d, want 403", code)
	}
	body, code := get(t, srv.URL+"/ops/health", "Authorization", "Bearer ops")
	if code != 200 || !strings.Contains(body, `"status":"UP"`) {
		t.Errorf("with credentials = %d %s", code, body)
	}
	body, code = get(t, srv.URL+"/ops/", "Authorization", "Bearer ops")
	if code != 200 || !strings.Contains(body, `"href":"`+srv.URL+`/ops/info"`) {
		t.Errorf("index in group = %d %s", code, body)
	}
	if _, code := get(t, srv.URL+"/ops/nope", "Authorization", "Bearer ops"); code != 404 {
		t.Errorf("unknown endpoint in group = %d", code)
	}
	if body, code := get(t, srv.URL+"/hello"); code != 200 || body != "hello" {
		t.Errorf("app route = %d %q", code, body)
	}
}

func init() {
	mounts = append(mounts,
		mount{"Gin", "/actuator", func(a *actuator.Actuator) http.Handler {
			app := gin.New()
			app.Use(actuator.Gin(a))
			return app
		}},
		mount{"GinHandler", "/ops", func(a *actuator.Actuator) http.Handler {
			app := gin.New()
			app.Group("/ops").Any("/*any", actuator.GinHandler(a))
			return app
		}},
	)
}
