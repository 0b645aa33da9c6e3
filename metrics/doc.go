// Package metrics serves an actuator's /metrics and /prometheus endpoints:
// Go runtime metrics read from [runtime/metrics] (cheap, no stop-the-world),
// process and system metrics read through gopsutil (cached briefly), the
// HTTP server's request metrics and the user's own gauges and counters.
//
// The same data is served three ways by a [Registry]:
//
//   - [Registry.ServeHTTP] at the endpoint itself: a readable snapshot
//     (memory, goroutines, uptime, CPU, GC) together with Spring Boot
//     Actuator's "names" list;
//   - [Registry.ServeHTTP] at "/{name}": Spring Boot Actuator's drill-down,
//     filtered with repeated ?tag=key:value parameters;
//   - [Registry.PrometheusHandler]: Prometheus text exposition format 0.0.4,
//     with the metric names of client_golang's Go and process collectors
//     where they mean the same thing.
//
// Handlers receive paths relative to their endpoint ("" or "/" for the
// endpoint itself); the actuator's root package strips its base path and
// endpoint id before calling them.
package metrics
