//go:build !nogin

package actuator

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gin-gonic/gin"

	"github.com/actuatorgo/actuator/internal/httpx"
)

// ginMounts records which of the gin adapters were called for an actuator.
type ginMounts struct {
	use   atomic.Bool // Gin was called: it serves the probes and records requests
	group atomic.Bool // GinHandler was called: the endpoints live in its route group
}

// Gin returns gin middleware that serves the actuator under its base path
// (and /livez, /readyz with [WithProbes]) and passes every other request on
// untouched, recording it as http.server.requests by its route:
//
//	app := gin.New()
//	app.Use(actuator.Gin(a))
//
// Once [GinHandler] has been called for the same actuator, the endpoints
// live in that handler's route group, behind the group's middleware, and
// Gin no longer serves them under the base path: it keeps answering the
// probes and recording request metrics, which a route group cannot do. So
// app.Use(actuator.Gin(a)) next to a guarded group never leaves an
// unguarded copy of the endpoints on /actuator, whichever is registered
// first.
//
// It wraps the net/http handler: gin and net/http serve the same bytes.
func Gin(a *Actuator) gin.HandlerFunc {
	a.gin.use.Store(true)
	var noted sync.Once
	return func(c *gin.Context) {
		if a.gin.group.Load() {
			noted.Do(func() {
				if a.logger != nil {
					a.logger.LogAttrs(context.Background(), slog.LevelInfo,
						"actuator: the endpoints are served by GinHandler in its route group; actuator.Gin answers only the probes and records request metrics",
						slog.String("basePath", a.basePath))
				}
			})
			if a.probe(c.Writer, c.Request) {
				c.Abort()
				return
			}
		} else if a.intercept(c.Writer, c.Request) {
			c.Abort()
			return
		}
		if !a.observe {
			c.Next()
			return
		}
		a.observeRequest(c.Request, c.Next, c.Writer.Status, c.FullPath)
	}
}

// GinHandler serves the actuator below a gin route group, so the group's
// own middleware (authentication, logging) runs first. Register it on a
// catch-all route, whatever its parameter is called:
//
//	ops := app.Group("/ops", authMiddleware)
//	ops.Any("/*path", actuator.GinHandler(a))
//
// The route's path before the catch-all ("/ops" here) takes the place of
// the base path. On a route without a catch-all (ops.GET("/:id", ...),
// a static route, app.Use or NoRoute) it cannot tell which part of the path
// is the endpoint, so it answers 500 and logs an error once, rather than
// guess.
//
// A route group only sees its own paths: GinHandler cannot answer /livez
// and /readyz ([WithProbes]) nor record the application's requests as
// http.server.requests. app.Use(actuator.Gin(a)) does both, and then leaves
// the endpoints to the group (see [Gin]). With [WithProbes] and no Gin
// middleware, the first request through GinHandler logs a warning saying so.
func GinHandler(a *Actuator) gin.HandlerFunc {
	a.gin.group.Store(true)
	var refused, noted sync.Once
	return func(c *gin.Context) {
		rel, ok := catchAll(c)
		if !ok {
			refused.Do(func() {
				a.startupLogger().LogAttrs(c.Request.Context(), slog.LevelError,
					`actuator: GinHandler needs a catch-all route such as group.Any("/*path", actuator.GinHandler(a))`,
					slog.String("route", c.FullPath()), slog.String("path", logPath(c.Request.URL.Path)))
			})
			httpx.WriteError(c.Writer, c.Request, http.StatusInternalServerError,
				"the actuator is registered on a route without a catch-all parameter")
			c.Abort()
			return
		}
		noted.Do(func() { a.noteGinHandlerLimits(c.Request.Context()) })
		a.serve(c.Writer, c.Request, rel)
	}
}

// catchAll returns the value of the route's catch-all parameter, the path
// below the route's static part, and whether the route ends in one.
func catchAll(c *gin.Context) (string, bool) {
	route := c.FullPath()
	i := strings.LastIndex(route, "/*")
	if i < 0 {
		return "", false
	}
	name := route[i+2:]
	if name == "" || strings.ContainsRune(name, '/') {
		return "", false
	}
	return c.Param(name), true
}

// noteGinHandlerLimits tells, once, what the options ask for that a route
// group cannot do when no Gin middleware serves the same actuator.
func (a *Actuator) noteGinHandlerLimits(ctx context.Context) {
	if a.gin.use.Load() {
		return
	}
	if a.probes {
		a.startupLogger().LogAttrs(ctx, slog.LevelWarn,
			"actuator: WithProbes is set, but GinHandler answers only below its route group: /livez and /readyz need app.Use(actuator.Gin(a))")
	}
	if a.observe && a.logger != nil {
		a.logger.LogAttrs(ctx, slog.LevelInfo,
			"actuator: GinHandler does not record the application's requests as http.server.requests; app.Use(actuator.Gin(a)) does")
	}
}
