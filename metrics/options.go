package metrics

import (
	"log/slog"
	"time"
)

// Option configures a [Registry] built by [New].
type Option func(*config)

type config struct {
	logger    *slog.Logger
	cacheTTL  time.Duration
	maxWindow time.Duration
	maxRoutes int
	now       func() time.Time
}

func defaultConfig() config {
	return config{
		cacheTTL:  time.Second,
		maxWindow: 2 * time.Minute,
		maxRoutes: 1000,
		now:       time.Now,
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
// read. Go runtime metrics are always read fresh: they are cheap. A value
// of zero or less reads on every scrape. Default: 1 second.
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
