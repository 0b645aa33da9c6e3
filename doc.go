// Package actuator gives an HTTP service production management endpoints
// and a correct graceful shutdown, speaking Spring Boot Actuator v3's wire
// format so existing tools read it.
//
// # Endpoints
//
// Under the base path (default /actuator; see [WithBasePath]):
//
//	GET  /actuator                       discovery index: {"_links":{"self":...,"health":...}}
//	GET  /actuator/health                aggregate status of all checks, 503 when DOWN or OUT_OF_SERVICE
//	GET  /actuator/health/liveness       liveness probe group (the process's own state)
//	GET  /actuator/health/readiness      readiness probe group (turns 503 first on shutdown)
//	GET  /actuator/health/{group|check}  a custom group, or one component
//	GET  /actuator/info                  build, git, Go and contributed metadata
//	GET  /actuator/metrics               readable snapshot and the list of metric names
//	GET  /actuator/metrics/{name}        one metric, with ?tag=key:value drill-down
//	GET  /actuator/prometheus            the same metrics as Prometheus text 0.0.4, or OpenMetrics 1.0 when the scraper prefers it
//	POST /actuator/shutdown              graceful shutdown; off until [WithShutdownEndpoint]
//	GET  /actuator/loggers[/{name}]      slog levels; POST /loggers/{name} sets one ([WithLoggersEndpoint])
//	GET  /actuator/env[/{toMatch}]       environment, values masked ([WithEnvEndpoint])
//	GET  /actuator/threaddump            every goroutine's stack ([WithThreadDumpEndpoint])
//	GET  /actuator/heapdump              heap profile ([WithHeapDumpEndpoint])
//	GET  /actuator/pprof/...             net/http/pprof's profiles ([WithPprofEndpoint])
//	GET  /actuator/sbom[/{id}]           CycloneDX SBOM of the binary ([WithSBOMEndpoint])
//
// A browser that asks the base path for HTML gets a dashboard page instead
// of the index (package [dashboard]; [WithoutDashboard] turns it off).
//
// health, info, metrics and prometheus are exposed by default; shutdown,
// loggers, env, threaddump, heapdump, pprof, sbom and custom endpoints
// ([WithEndpoint]) are off until their own option turns them on, which
// [WithExposure] cannot do.
// [WithExposure] includes or excludes endpoints by id. An endpoint that is not
// exposed answers exactly like one that does not exist: a JSON 404.
//
// Reads answer GET and HEAD, writes POST; other methods get 405 with an Allow
// header, except OPTIONS, which gets 200 with an Allow header naming the
// endpoint's methods and OPTIONS, as Spring MVC answers (Spring Boot Admin
// probes endpoints with it); sensitive endpoints answer it only to callers
// the authorizer accepts. It is not a CORS preflight answer. Responses are typed application/vnd.spring-boot.actuator.v3+json
// when the client accepts it (or sends no Accept header, or */*),
// application/json when it asks for that, and 406 otherwise. Errors are JSON:
// {"timestamp","status","error","message","path"}. Every response carries
// X-Content-Type-Options: nosniff and Cache-Control: no-store.
//
// # Mounting
//
// One primary way per framework. For net/http, [Actuator.Middleware] sits in
// front of the application: it answers the actuator's paths under the base
// path, /livez and /readyz with [WithProbes], and passes every other request
// to the application, recording it as http.server.requests by route:
//
//	srv.Handler = a.Middleware(mux)
//
// [Actuator.Handler] exists for a router the program already has, or a
// separate management port: it serves the endpoints under its own prefix
// instead of the base path, and sees no application request, so it records
// none and serves no /livez or /readyz:
//
//	mux.Handle("/management/", a.Handler("/management"))
//
// A Handler that receives a path outside its prefix (it is mounted
// somewhere else) answers 404 and logs a warning once naming both. An
// [Actuator] is itself an [http.Handler] serving the base path, with the
// same limits as Handler.
//
// For gin, app.Use([Gin](a)) is what Middleware is for net/http. [GinHandler]
// exists to put the endpoints in a route group behind the group's own
// middleware, on a catch-all route of any parameter name:
//
//	app.Group("/ops", requireAdmin).Any("/*any", actuator.GinHandler(a))
//
// A route group sees only its own paths: GinHandler records no application
// request and serves no /livez or /readyz. When both are used for one
// actuator, the endpoints live in the group only: Gin keeps the probes and
// the request metrics, so no unguarded copy stays under the base path.
//
// Every way serves the same endpoints with the same bytes, the
// /health/liveness and /health/readiness groups included, and none records
// requests to the actuator itself. The prefix comes from one place per way
// (the base path, Handler's argument, the gin route); they do not add up.
//
// The built-in endpoints are handlers of their packages that also stand
// alone on any mux, with nothing from the actuator's router:
// [health.Checker.Handler], [info.Collector.Handler],
// [metrics.Registry.Handler], [metrics.Registry.PrometheusHandler] and
// [lifecycle.Lifecycle.ShutdownHandler], for instance
// mux.Handle("GET /health/{path...}", a.Health().Handler()). The actuator
// passes them the path below the endpoint and the negotiated type as
// arguments; the request stays the client's. A custom endpoint's handler
// ([WithEndpoint]) gets the client's request with the path below the
// endpoint as its URL path.
//
// A program that does not use gin can leave it out: built with -tags nogin,
// the package has no [Gin] or [GinHandler] and links no gin package, which
// halves the binary of a small net/http service (see README.md).
//
// # Start-up checks
//
// Misuse is caught when the program starts. [New] panics with an
// "actuator: " or "health: " message on:
//   - an unknown id in [WithExposure]'s include or exclude (listing the
//     known ids);
//   - a health group named by health.WithGroups that is neither liveness,
//     readiness nor declared with health.WithGroup (a typo such as
//     "readyness" would otherwise make a new group while readiness stays UP);
//   - a duplicate [WithEndpoint] id, an invalid id, a nil handler, or a
//     method no request can carry;
//   - a base path ([WithBasePath]) or [Actuator.Handler] prefix that no
//     request path can match ("?", "#", "%", braces, whitespace, empty, "."
//     or ".." segments);
//   - [WithLifecycleOptions] next to [WithLifecycle], where they would be
//     ignored;
//   - an id in a [FromEnv] exposure variable that is neither an endpoint
//     of this actuator nor one of Spring Boot's, and MANAGEMENT_SERVER_PORT
//     next to [WithLifecycle] (the message names the variable);
//   - duplicate health check names, and durations or thresholds out of
//     range;
//   - a [WithSpringBootAdmin] admin URL that is not an absolute http(s) URL
//     (an "sba: " message).
//
// It logs a warning (to the [WithLogger] logger, or [slog.Default] when none
// is set: these fire only on a misconfiguration) when the shutdown delay,
// drain timeout and hook timeout together exceed the shutdown timeout, and
// for each check in the liveness group besides the built-in livenessState:
// liveness is the process's own state, and a dependency there restarts every
// pod during that dependency's outage.
//
// New calls no user code and starts no goroutine: background health checks
// (and the Spring Boot Admin registration) start with [Actuator.Run], health
// checks also with the first health request, so a status
// listener may use the variable New's result is assigned to.
//
// # Options
//
// Every package of the module configures the same way: New takes
// options of one func type (Option here, [health.Option], [info.Option],
// [metrics.Option], [lifecycle.Option]), and sub-options have the same
// shape ([EndpointOption], [health.CheckOption], [health.GroupOption],
// [metrics.MetricOption]). Every option is named WithX: WithX() turns on
// something that is off by default, WithoutX() turns off something that is
// on by default, and no option takes a bool. Each option's documentation
// states its default. A root option that forwards to a subpackage uses the
// subpackage's word with the package's name: [WithHealthCheck] is
// health.WithCheck, [WithInfoValue] is info.WithValue,
// [WithInfoContributor] is info.WithContributor, and [WithHealthOptions],
// [WithInfoOptions], [WithMetricsOptions] and [WithLifecycleOptions] pass
// that package's options through. An option that turns on an endpoint
// that is off by default is named for it, With<Id>Endpoint, and takes that
// endpoint's package options: [WithShutdownEndpoint], [WithLoggersEndpoint]
// (loggers.Option), [WithEnvEndpoint] (env.Option),
// [WithThreadDumpEndpoint], [WithHeapDumpEndpoint], [WithPprofEndpoint]
// (diag.Option) and [WithSBOMEndpoint] (sbom.Option).
//
// Where a root option and a subpackage option set the same thing, the
// subpackage's wins for its package, whatever the order of the options:
// health.WithAuthorizer, info.WithAuthorizer and env.WithAuthorizer over
// [WithAuthorizer], which keeps guarding the sensitive endpoints; health.WithLogger and
// lifecycle.WithLogger over [WithLogger]. The root's logger does not reach
// the metrics registry (pass metrics.WithLogger) nor a lifecycle given to
// [WithLifecycle], which keeps the options it was built with.
//
// # Configuration from the environment
//
// [FromEnv](os.Getenv) reads Spring Boot's management variables
// (MANAGEMENT_ENDPOINTS_WEB_EXPOSURE_INCLUDE and _EXCLUDE,
// MANAGEMENT_ENDPOINTS_WEB_BASE_PATH, MANAGEMENT_ENDPOINT_HEALTH_SHOW_DETAILS
// and _SHOW_COMPONENTS, MANAGEMENT_SERVER_PORT and _ADDRESS), so one runbook
// serves Java and Go services. Nothing reads the environment without it.
// The environment wins over the code's options for each setting a variable
// names, whatever the order; it cannot turn on an endpoint the code left
// off. A bad value is an [*EnvError] naming the variable, returned by
// FromEnv for main to report.
//
// # Security
//
// Sensitive endpoints (shutdown, loggers, env, threaddump, heapdump, pprof,
// sbom, custom endpoints marked [WithSensitive]) are
// guarded by the [Authorizer] given to [WithAuthorizer]: [BearerToken],
// [BasicAuth], [AllowCIDR], [Loopback], [AnyOf] or any
// func(*http.Request) bool. The same authorizer decides who sees health
// details when their visibility is "when authorized" and the error texts of
// failed /info contributors. Without an authorizer, sensitive endpoints
// accept loopback callers only and [New] logs a warning. Callers the
// authorizer refuses do not see sensitive endpoints in the discovery index
// and get 404 for any method but the endpoint's own, which answers 401 with
// a challenge naming the authorizer's schemes (403 when no credential could
// help). Every endpoint that accepts a state-changing method (POST
// /shutdown, POST /loggers/{name}, POST /pprof/symbol, custom writes) refuses cross-origin browser requests with 403,
// so a page on another site cannot use it. See docs/security.md.
//
// # Graceful shutdown
//
// [Actuator.Run] serves the application's servers and, on SIGTERM or SIGINT
// (or POST /shutdown, or a call to the lifecycle's Shutdown), turns readiness
// OUT_OF_SERVICE, waits a delay so load balancers stop routing, drains
// in-flight requests, closes idle connections, runs cleanup hooks in reverse
// order and returns; [lifecycle.ExitCode] maps the result to the process's
// exit code. See package lifecycle and docs/graceful-shutdown.md.
//
// # Spring Boot Admin
//
// [WithSpringBootAdmin] registers the service with a Spring Boot Admin
// server (package sba): [Actuator.Run] registers the URLs of the listeners
// it bound under the base path once they serve, and deregisters at the
// shutdown trigger ([lifecycle.Lifecycle.Stopping]), while the delay runs.
// SBA calls back with Basic credentials only: guard the actuator with
// [BasicAuth], alone or in [AnyOf]. See docs/spring-boot-admin.md.
//
// Two actuators in one process share nothing: no package-level state, no
// registration on [http.DefaultServeMux].
package actuator
