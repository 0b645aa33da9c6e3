//go:build !nogin

package actuator_test

import (
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/actuatorgo/actuator"
)

func TestDashboardThroughGin(t *testing.T) {
	a := newActuator(t, actuator.WithTrustForwardedHeaders())
	use := gin.New()
	use.Use(actuator.Gin(a))
	b := newActuator(t)
	group := gin.New()
	group.Group("/ops").Any("/*any", actuator.GinHandler(b))
	tests := []struct {
		name   string
		h      *gin.Engine
		target string
		header []string
		base   string
	}{
		{"Gin", use, "/actuator", nil, "/actuator/"},
		{"Gin X-Forwarded-Prefix", use, "/actuator/", []string{"X-Forwarded-Prefix", "/p"}, "/p/actuator/"},
		{"GinHandler", group, "/ops/", nil, "/ops/"}, // gin redirects "/ops" here
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := do(tc.h, "GET", tc.target, append([]string{"Accept", browserAccept}, tc.header...)...)
			page, href := isPage(t, w)
			if !page || href != tc.base {
				t.Fatalf("GET %s: page %v, base href %q, want %q (%d %.100s)", tc.target, page, href, tc.base, w.Code, w.Body)
			}
			if js := do(tc.h, "GET", strings.TrimSuffix(tc.target, "/")+"/?dashboard=app.css", tc.header...); js.Code != 200 || js.Header().Get("Content-Type") != "text/css; charset=utf-8" {
				t.Errorf("app.css = %d %q", js.Code, js.Header().Get("Content-Type"))
			}
			if w := do(tc.h, "GET", tc.target, append([]string{"Accept", "application/json"}, tc.header...)...); w.Header().Get("Content-Type") != "application/json" {
				t.Errorf("JSON client got %d %q", w.Code, w.Header().Get("Content-Type"))
			}
		})
	}
}
