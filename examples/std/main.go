// Command std is the net/http demo: an application with the actuator under
// /management, probes at /livez and /readyz, and a graceful shutdown on
// SIGTERM that exits 0 when clean.
//
//	go run ./examples/std                       # listens on :$PORT, else :8080
//	go run ./examples/std -addr 127.0.0.1:9090
//
// The sensitive endpoints (loggers, env, threaddump, heapdump, pprof, sbom)
// are on, guarded by a bearer token: -token or $DEMO_TOKEN, else a random
// one printed at start. Spring Boot's MANAGEMENT_* variables are read
// (actuator.FromEnv):
//
//	curl -H "Authorization: Bearer $DEMO_TOKEN" localhost:8080/management/loggers
//	MANAGEMENT_ENDPOINTS_WEB_EXPOSURE_EXCLUDE=heapdump,pprof go run ./examples/std
package main

import (
	"fmt"
	"net/http"
	"time"

	"github.com/actuatorgo/actuator"
	"github.com/actuatorgo/actuator/examples/internal/demo"
	"github.com/actuatorgo/actuator/health"
)

func main() {
	flags := demo.ParseFlags()
	logger := flags.Logger() // its level is ROOT at .../loggers

	a := actuator.New(append(flags.Options(),
		actuator.WithBasePath("/management"),
		actuator.WithLogger(logger),
		actuator.WithProbes(),
		actuator.WithHealthCheck("tempdir", demo.TempDirWritable, health.WithGroups("readiness")),
		actuator.WithInfoValue("app", map[string]any{"name": "std-demo", "description": "actuator net/http demo"}),
	)...)

	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "hello from the net/http demo")
	})
	mux.HandleFunc("/slow", demo.Slow) // any method: load tests POST, which clients never retry
	mux.HandleFunc("GET /users/{id}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "user %q\n", r.PathValue("id"))
	})

	srv := &http.Server{
		Addr:              flags.Addr,
		Handler:           a.Middleware(mux), // serves /management/*, /livez, /readyz; the rest goes to mux
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute, // long: idle connections are closed when draining, not before
	}
	demo.Run(a, srv, logger, "net/http", flags.BaseURL(), "/management")
}
