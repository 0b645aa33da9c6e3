//go:build !nogin

// Command gin is the gin demo: app.Use(actuator.Gin(a)) serves the actuator
// under /actuator and passes every other request to the app's routes; a
// graceful shutdown on SIGTERM exits 0 when clean.
//
//	go run ./examples/gin                       # listens on :$PORT, else :8080
//	go run ./examples/gin -addr 127.0.0.1:9090
//
// The sensitive endpoints (loggers, env, threaddump, heapdump, pprof, sbom)
// are on, guarded by a bearer token: -token or $DEMO_TOKEN, else a random
// one printed at start. Spring Boot's MANAGEMENT_* variables are read
// (actuator.FromEnv):
//
//	curl -H "Authorization: Bearer $DEMO_TOKEN" localhost:8080/actuator/loggers
//	MANAGEMENT_ENDPOINTS_WEB_EXPOSURE_EXCLUDE=heapdump,pprof go run ./examples/gin
package main

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/actuatorgo/actuator"
	"github.com/actuatorgo/actuator/examples/internal/demo"
	"github.com/actuatorgo/actuator/health"
)

func main() {
	flags := demo.ParseFlags()
	logger := flags.Logger() // its level is ROOT at .../loggers
	gin.SetMode(gin.ReleaseMode)

	a := actuator.New(append(flags.Options(),
		actuator.WithLogger(logger),
		actuator.WithProbes(),
		actuator.WithHealthCheck("tempdir", demo.TempDirWritable, health.WithGroups("readiness")),
		actuator.WithInfoValue("app", map[string]any{"name": "gin-demo", "description": "actuator gin demo"}),
	)...)

	app := gin.New()
	app.Use(gin.Recovery(), actuator.Gin(a))
	app.GET("/", func(c *gin.Context) { c.String(http.StatusOK, "hello from the gin demo\n") })
	app.Any("/slow", gin.WrapF(demo.Slow))
	app.GET("/users/:id", func(c *gin.Context) { c.String(http.StatusOK, "user %q\n", c.Param("id")) })

	srv := &http.Server{
		Addr:              flags.Addr,
		Handler:           app,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	demo.Run(a, srv, logger, "gin", flags.BaseURL(), "/actuator")
}
