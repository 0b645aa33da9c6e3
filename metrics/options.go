package metrics

import (
	"log/slog"
	"math"
	"slices"
	"time"
)

// Option configures a [Registry] built by [New].
type Option func(*config)

type config struct {
	logger    *slog.Logger
	cacheTTL  time.Duration
	maxWindow time.Duration
	maxRoutes int
	// httpBuckets are the upper bounds of http_server_requests_seconds'
	// buckets; nil turns the histogram off.
	httpBuckets []float64
	now         func() time.Time
}

// defaultHTTPBuckets are the upper bounds, in seconds, of the
// http_server_requests_seconds histogram unless WithHTTPBuckets sets
// others: client_golang's prometheus.DefBuckets (prometheus/histogram.go).
var defaultHTTPBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

func defaultConfig() config {
	return config{
		cacheTTL:    time.Second,
		maxWindow:   2 * time.Minute,
		maxRoutes:   1000,
		httpBuckets: defaultHTTPBuckets,
		now:         time.Now,
	}
}

// WithLogger sets the logger that reports failing process reads, panicking
// gauges and dropped request series. Default: nil, which logs nothing.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) { c.logger = l }
}

// WithCacheTTL sets how long process and system readings (gopsutil: CPU
// time, memory, file descriptors, threads, load average, system memory) are
// reused before they are read again, so that a burst of scrapes costs one
// read. The JSON snapshot served at the endpoint's own path is likewise
// encoded at most once per TTL, runtime metrics included, and served as
// bytes in between; registering a metric or the first observed request
// re-encodes it at once, so its "names" never lack a metric the drill-down
// serves. Its gauges may be up to the TTL old, and its process data up to
// twice that. Prometheus text, the drill-down and [Registry.Snapshot] read
// the Go runtime fresh every time: it is cheap. A value of zero or less
// reads everything on every request. Default: 1 second.
func WithCacheTTL(d time.Duration) Option {
	return func(c *config) { c.cacheTTL = d }
}

// WithMaxWindow sets the window over which the MAX statistic of
// http.server.requests is kept, as Micrometer's distribution statistic
// expiry does: a slow request is visible as the maximum for about this
// long. Values below one second are raised to one second.
// Default: 2 minutes.
func WithMaxWindow(d time.Duration) Option {
	return func(c *config) { c.maxWindow = d }
}

// WithMaxRequestSeries bounds the number of distinct (method, uri, status)
// series of http.server.requests. Once the bound is reached, requests of
// new combinations are recorded with the uri "OTHER", so memory and
// cardinality stay bounded even if a caller passes raw paths. Values below
// one are raised to one. Default: 1000.
func WithMaxRequestSeries(n int) Option {
	return func(c *config) { c.maxRoutes = n }
}

// WithHTTPBuckets sets the upper bounds, in seconds, of the buckets of
// http_server_requests_seconds in Prometheus text, so that
// histogram_quantile works on it as on Spring's percentiles-histogram.
// Bounds are sorted; NaN, infinite and repeated bounds are dropped (the
// +Inf bucket is always there). Each bound costs one series per
// (method, uri, status) combination. With no usable bound the default
// stays. Default: client_golang's default buckets, 0.005, 0.01, 0.025,
// 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5 and 10 seconds.
func WithHTTPBuckets(bounds ...float64) Option {
	b := make([]float64, 0, len(bounds))
	for _, v := range bounds {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			b = append(b, v)
		}
	}
	slices.Sort(b)
	b = slices.Compact(b)
	return func(c *config) {
		if len(b) > 0 {
			c.httpBuckets = b
		}
	}
}

// WithoutHTTPHistogram turns off the buckets of
// http_server_requests_seconds: the family is then a summary of _count and
// _sum, as Spring serves it without percentiles-histogram. The JSON
// drill-down is the same either way. Default: the histogram is on.
func WithoutHTTPHistogram() Option {
	return func(c *config) { c.httpBuckets = nil }
}
