// Package health runs health checks and serves them in Spring Boot
// Actuator v3's JSON shape, for load balancers and Kubernetes probes.
//
// A check is a [CheckFunc] (db.PingContext plugs in) or a [StatusFunc]
// returning a [Result] with a status and details. [New] builds a [Checker]
// from options:
//
//	c := health.New(
//		health.WithCheck("db", db.PingContext, health.WithGroups("readiness"), health.WithTTL(2*time.Second)),
//		health.WithCheck("cache", health.TCPDial("cache:6379"), health.WithBackground(10*time.Second, 0)),
//	)
//	defer c.Close()
//
// # Running
//
// The checks a request finds due run concurrently, each on a goroutine of
// its own, under one timer for the request. Every run has its own context
// under the request deadline ([WithDefaultTimeout], default 800 ms, inside a Kubernetes
// probe's default timeoutSeconds: 1) and an optional shorter per-check
// [WithTimeout]. A check that times out or panics is DOWN with the reason in its
// details. Concurrent requests share one run of a check (single-flight), and
// a check that ignores its context and never returns holds one goroutine
// and reports its timeout until it returns: a probe storm cannot pile up
// goroutines. [WithTTL] caches results; [WithBackground] checks run on an interval
// and requests read their last result. [New] starts no goroutine: background
// checks start with [Checker.Start] or the first check or request. [WithFailureThreshold] and
// [WithSuccessThreshold] damp flapping; [WithListener] and [WithLogger] report
// transitions.
//
// # Serving
//
// [Checker.Handler] serves the checker on any mux, at any path: the
// aggregate (with "groups") at its own path and, mounted under a
// "{path...}" wildcard, "{group}", "{component}", "{group}/{component}" and
// composite members below them:
//
//	mux.Handle("GET /health", c.Handler())
//	mux.Handle("GET /health/{path...}", c.Handler())
//
// The actuator's root package serves the same handler under /actuator/health. The aggregate status is the first status of
// the order ([WithOrder], default DOWN, OUT_OF_SERVICE, UP, UNKNOWN) found
// among the components; DOWN and OUT_OF_SERVICE answer 503, others 200
// ([WithStatusCode]). [WithDefaultShowComponents] and [WithDefaultShowDetails] decide who
// sees components and details; by default components are shown and details
// (error texts included) only to callers the [WithAuthorizer] function
// accepts.
//
// # Groups
//
// The liveness and readiness groups always exist and answer a bare
// {"status":...}; declare any other group with [WithGroup] ([New] panics on
// a group named by [WithGroups] but not declared). Put a check in readiness
// with WithGroups("readiness"). Keep
// external dependencies out of liveness: a failing liveness probe restarts
// the pod, and restarting every pod because a database is down turns an
// outage into a crash loop. [Checker.GroupHandler] serves a group's status
// anywhere, for example at /livez and /readyz on the application's port.
//
// # Ready-made checks
//
// [TCPDial], [HTTPGet], [DiskSpace], [PingDB] and [Goroutines].
package health
