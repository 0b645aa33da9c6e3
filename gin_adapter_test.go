//go:build !nogin

package actuator_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/actuatorgo/actuator"
)

func init() { gin.SetMode(gin.TestMode) }

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

func TestGinGroupBehindAuth(t *testing.T) {
	a := newActuator(t)
	app := gin.New()
	requireToken := func(c *gin.Context) {
		if c.GetHeader("Authorization") != "Bearer ops" {
			c.AbortWithStatusJSON(http.StatusForbidden, gin.H{"error": "forbidden"})
			return
		}
		c.Next()
	}
	ops := app.Group("/ops", requireToken)
	ops.Any("/*path", actuator.GinHandler(a))
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

func TestGinHTTPMetricsUseRoutes(t *testing.T) {
	a := newActuator(t)
	app := gin.New()
	app.Use(actuator.Gin(a))
	app.GET("/users/:id", func(c *gin.Context) { c.String(200, "u") })
	for _, p := range []string{"/users/1", "/users/2", "/missing", "/actuator/info"} {
		do(app, "GET", p)
	}
	if got, want := requestTags(t, a), []string{"/users/:id", "NOT_FOUND"}; !slices.Equal(got, want) {
		t.Errorf("uri tags = %v, want %v", got, want)
	}
}

func TestGinCountsPanicsAs500(t *testing.T) {
	g := newActuator(t)
	app := gin.New()
	app.Use(gin.CustomRecoveryWithWriter(io.Discard, func(c *gin.Context, _ any) { c.AbortWithStatus(500) }), actuator.Gin(g))
	app.GET("/boom", func(*gin.Context) { panic("boom") })
	if w := do(app, "GET", "/boom"); w.Code != 500 {
		t.Fatalf("gin recovery answered %d", w.Code)
	}
	w := do(g, "GET", "/actuator/metrics/http.server.requests?tag=status:500&tag=uri:/boom")
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"statistic":"COUNT","value":1`) {
		t.Errorf("panicking gin request not counted as a 500: %d %s", w.Code, w.Body)
	}
}

// ginAppFor is a gin application serving a through Gin, with an application route,
// for tests that run every adapter; nogin_test.go gives nil instead.
func ginAppFor(a *actuator.Actuator) http.Handler {
	g := gin.New()
	g.Use(actuator.Gin(a))
	g.GET("/hello", func(c *gin.Context) { c.String(http.StatusOK, "hello") })
	return g
}
