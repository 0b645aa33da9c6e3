// Package metrics serves an actuator's /metrics and /prometheus endpoints:
// Go runtime metrics read from [runtime/metrics] (cheap, no stop-the-world;
// runtime.ReadMemStats is never called), process and system metrics read
// through gopsutil (cached briefly, see [WithCacheTTL]), the HTTP server's
// request metrics and the user's own gauges and counters.
//
// The same data is served three ways by a [Registry]:
//
//   - [Registry.Handler] at its own path: a readable [Snapshot]
//     (memory, goroutines, uptime, CPU, GC) together with Spring Boot
//     Actuator's "names" list;
//   - [Registry.Handler] under a "{path...}" wildcard, at "{name}": Spring
//     Boot Actuator's drill-down ([MetricResponse]), filtered with repeated
//     ?tag=key:value parameters; an unknown name is a 404, a malformed tag
//     a 400;
//   - [Registry.PrometheusHandler]: Prometheus text exposition format 0.0.4,
//     or OpenMetrics 1.0.0 when the scraper's Accept prefers it (a
//     Prometheus 2.x server's does), with the metric names of client_golang's
//     Go and process collectors and of promhttp's handler where they mean
//     the same thing, request latency as a histogram ([WithHTTPBuckets],
//     [WithoutHTTPHistogram]), and Spring's ?includedNames=a,b filter.
//
// Each handler works on its own on any mux:
//
//	mux.Handle("GET /metrics", reg.Handler())
//	mux.Handle("GET /metrics/{path...}", reg.Handler())
//	mux.Handle("GET /prometheus", reg.PrometheusHandler())
//
// The actuator's root package serves the same handlers under /actuator, and
// its adapters call [Registry.ObserveRequest] for every request with the
// matched route pattern.
//
// # Custom metrics
//
//	placed, err := reg.Counter("orders.placed", metrics.WithDescription("Orders accepted."), metrics.WithTag("region", "eu"))
//	...
//	placed.Inc()
//	err = reg.Gauge("queue.size", func() float64 { return float64(q.Len()) }, metrics.WithUnit("jobs"))
//
// In Prometheus text these are orders_placed_total{region="eu"} and
// queue_size_jobs.
package metrics
