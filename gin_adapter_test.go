//go:build !nogin

package actuator_test

import (
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/actuatorgo/actuator"
)

func init() {
	gin.SetMode(gin.TestMode)
	// The bounded-cost tests go through gin too.
	adapters = append(adapters, adapter{
		name: "gin",
		wrap: func(a *actuator.Actuator) http.Handler {
			g := gin.New()
			g.Use(actuator.Gin(a))
			g.GET("/hello", func(c *gin.Context) { c.String(http.StatusOK, "hello") })
			return g
		},
		unrouted: http.StatusNotFound,
	})
}

func TestGinUse(t *testing.T) {
	a := newActuator(t)
	app := gin.New()
	app.Use(actuator.Gin(a))
	app.GET("/hello", func(c *gin.Context) { c.String(200, "hello") })
	tests := []struct {
		path   string
		status int
		body   string
	}{
		{"/actuator", 200, `"_links"`},
		{"/actuator/", 200, `"_links"`},
		{"/actuator/health", 200, `"status":"UP"`},
		{"/actuator/nope", 404, `"timestamp"`},
		{"/hello", 200, "hello"},
		{"/missing", 404, "404 page not found"},
	}
	for _, tc := range tests {
		w := do(app, "GET", tc.path)
		if w.Code != tc.status || !strings.Contains(w.Body.String(), tc.body) {
			t.Errorf("GET %s = %d %q, want %d containing %q", tc.path, w.Code, w.Body, tc.status, tc.body)
		}
	}
	// Same bytes as the net/http handler.
	std := do(a, "GET", "/actuator", "Accept", "application/json")
	viaGin := do(app, "GET", "/actuator", "Accept", "application/json")
	if std.Body.String() != viaGin.Body.String() || std.Header().Get("Content-Type") != viaGin.Header().Get("Content-Type") {
		t.Errorf("gin and std differ:\n%s\n%s", std.Body, viaGin.Body)
	}
}

func TestGinUseCustomBasePath(t *testing.T) {
	a := newActuator(t, actuator.WithBasePath("/management"))
	app := gin.New()
	app.Use(actuator.Gin(a))
	if w := do(app, "GET", "/management/info"); w.Code != 200 {
		t.Errorf("GET /management/info = %d", w.Code)
	}
	if w := do(app, "GET", "/actuator/info"); w.Code != 404 || strings.Contains(w.Body.String(), "timestamp") {
		t.Errorf("GET /actuator/info = %d %s, want gin's own 404", w.Code, w.Body)
	}
}

// With the base path at the root, gin's middleware claims only the
// exposed endpoints, as Middleware does (TestMiddlewareAtRootLeavesTheAppAlone).
func TestGinAtRootLeavesTheAppAlone(t *testing.T) {
	a := newActuator(t, actuator.WithBasePath("/"))
	app := gin.New()
	app.Use(actuator.Gin(a))
	app.GET("/hello", func(c *gin.Context) { c.String(200, "hello") })
	app.GET("/", func(c *gin.Context) { c.String(200, "home") })
	assertAtRoot(t, app)
}

// Through gin, requests are recorded under gin's route patterns; without
// a route, as through Middleware (metricsRouteRows).
func TestGinHTTPMetricsUseRoutes(t *testing.T) {
	tests := []struct {
		name  string
		route func(app *gin.Engine)
		paths []string
		want  []string
	}{
		{"route patterns", func(app *gin.Engine) {
			app.GET("/users/:id", func(c *gin.Context) { c.String(200, "u") })
		}, []string{"/users/1", "/users/2", "/missing", "/actuator/info"}, []string{"/users/:id", "NOT_FOUND"}},
		{"no route pattern", func(app *gin.Engine) {
			app.NoRoute(func(c *gin.Context) { c.String(200, "fallback") })
		}, []string{"/", "/a/b"}, []string{"UNKNOWN", "root"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := newActuator(t)
			app := gin.New()
			app.Use(actuator.Gin(a))
			tc.route(app)
			for _, p := range tc.paths {
				do(app, "GET", p)
			}
			if got := requestTags(t, a); !slices.Equal(got, tc.want) {
				t.Errorf("uri tags = %v, want %v", got, tc.want)
			}
		})
	}
}

// A request whose handler panics is recorded as a 500 through gin too.
func TestGinHTTPMetricsCountPanicsAs500(t *testing.T) {
	a := newActuator(t)
	app := gin.New()
	app.Use(gin.CustomRecoveryWithWriter(io.Discard, func(c *gin.Context, _ any) { c.AbortWithStatus(500) }), actuator.Gin(a))
	app.GET("/boom", func(*gin.Context) { panic("boom") })
	if w := do(app, "GET", "/boom"); w.Code != 500 {
		t.Fatalf("gin recovery answered %d", w.Code)
	}
	if w := countOf500(a); w.Code != 200 || !strings.Contains(w.Body.String(), `"statistic":"COUNT","value":1`) {
		t.Errorf("panicking gin request not counted as a 500: %d %s", w.Code, w.Body)
	}
}
