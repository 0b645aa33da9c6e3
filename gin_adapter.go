package actuator

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// Gin returns gin middleware that serves the actuator under its base path
// (and /livez, /readyz with [WithProbes]) and passes every other request on
// untouched, recording it as http.server.requests by its route:
//
//	app := gin.New()
//	app.Use(actuator.Gin(a))
//
// It wraps the net/http handler: gin and net/http serve the same bytes.
func Gin(a *Actuator) gin.HandlerFunc {
	return func(c *gin.Context) {
		if a.intercept(c.Writer, c.Request) {
			c.Abort()
			return
		}
		if !a.observe {
			c.Next()
			return
		}
		start := time.Now()
		defer func() {
			status := c.Writer.Status()
			p := recover()
			if p != nil {
				status = http.StatusInternalServerError // what gin.Recovery answers
			}
			a.metrics.ObserveRequest(c.Request.Method, routeTag(c.FullPath(), c.Request.URL.Path, status), status, time.Since(start))
			if p != nil {
				panic(p)
			}
		}()
		c.Next()
	}
}

// GinHandler serves the actuator below a gin route group, so the group's
// own middleware (authentication, logging) runs first. Register it on a
// catch-all route whose parameter is named path:
//
//	ops := app.Group("/ops", authMiddleware)
//	ops.Any("/*path", actuator.GinHandler(a))
//
// The group's prefix takes the place of the base path.
func GinHandler(a *Actuator) gin.HandlerFunc {
	return func(c *gin.Context) {
		a.serve(c.Writer, c.Request, c.Param("path"))
	}
}
