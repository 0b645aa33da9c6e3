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
//	GET  /actuator/prometheus            the same metrics in Prometheus text format 0.0.4
//	POST /actuator/shutdown              graceful shutdown; off until [WithShutdownEndpoint]
//
// health, info, metrics and prometheus are exposed by default; shutdown and
// custom endpoints ([WithEndpoint]) are off until their option turns them on.
// [WithExposure] includes or excludes endpoints by id. An endpoint that is not
// exposed answers exactly like one that does not exist: a JSON 404.
//
// Reads answer GET and HEAD, writes POST; other methods get 405 with an Allow
// header. Responses are typed application/vnd.spring-boot.actuator.v3+json
// when the client accepts it (or sends no Accept header, or */*),
// application/json when it asks for that, and 406 otherwise. Errors are JSON:
// {"timestamp","status","error","message","path"}. Every response carries
// X-Content-Type-Options: nosniff and Cache-Control: no-store.
//
// # Mounting
//
// An [Actuator] is an [http.Handler] serving its base path. To mount it
// under another prefix, use [Actuator.Handler]:
//
//	mux.Handle("/management/", a.Handler("/management"))
//
// [Actuator.Middleware] answers the actuator's paths and passes every other
// request to the application, recording it as http.server.requests by route.
// For gin, app.Use([Gin](a)) does the same, and [GinHandler] serves the
// actuator in a route group behind the group's own middleware.
//
// # Security
//
// Sensitive endpoints (shutdown, custom endpoints marked [Sensitive]) are
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
// /shutdown, custom writes) refuses cross-origin browser requests with 403,
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
// Two actuators in one process share nothing: no package-level state, no
// registration on [http.DefaultServeMux].
package actuator
