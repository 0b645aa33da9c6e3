package actuator

import (
	"context"
	"log/slog"
	"net/http"
	"strings"

	"github.com/actuatorgo/actuator/health"
	"github.com/actuatorgo/actuator/info"
	"github.com/actuatorgo/actuator/lifecycle"
	"github.com/actuatorgo/actuator/metrics"
)

// An Option configures an [Actuator] built by [New].
type Option func(*config)

// Authorizer decides whether a request may reach a sensitive endpoint, and
// whether health details and /info contributor error texts are shown to
// it. See [BearerToken], [BasicAuth], [AllowCIDR], [Loopback] and [AnyOf];
// the WWW-Authenticate challenge of a refusal names the schemes of those
// of them the authorizer consulted, and a plain func that consults none
// names no scheme (see [WithAuthorizer]).
type Authorizer func(*http.Request) bool

// DefaultBasePath is where [Actuator.ServeHTTP] serves the endpoints unless
// [WithBasePath] says otherwise.
const DefaultBasePath = "/actuator"

// defaultExposure lists the endpoints exposed when [WithExposure] is not used.
var defaultExposure = []string{"health", "info", "metrics", "prometheus"}

type config struct {
	basePath       string
	include        []string
	exclude        []string
	authorizer     Authorizer
	logger         *slog.Logger
	trustForwarded bool
	probes         bool
	httpMetrics    bool
	shutdown       bool
	noDashboard    bool
	ops            opsConfig
	environment    *environment // FromEnv's settings, applied over the others

	custom        []*endpoint
	healthOpts    []health.Option
	infoOpts      []info.Option
	metricsOpts   []metrics.Option
	lifecycle     *lifecycle.Lifecycle
	lifecycleOpts []lifecycle.Option

	springBootAdmin *springBootAdmin // WithSpringBootAdmin; nil when off
}

func defaultConfig() *config {
	return &config{
		basePath:    DefaultBasePath,
		include:     defaultExposure,
		httpMetrics: true,
	}
}

// WithBasePath sets the path under which [Actuator.ServeHTTP] serves the
// discovery index and the endpoints. Default: "/actuator". "/" serves them
// at the root, which suits a dedicated management port or a router that
// strips its own prefix; there [Actuator.Middleware] and [Gin] answer only
// the exposed endpoints' paths ("/health", "/info/...") and pass "/" and
// every other path to the application. [Actuator.Handler] takes its own
// prefix instead. New panics on a path no request can match: one with "?",
// "#", "%", "{", "}", whitespace, or an empty, "." or ".." segment.
func WithBasePath(path string) Option {
	return func(c *config) { c.basePath = path }
}

// WithExposure chooses the exposed endpoints by id. include lists the ids to
// expose, "*" for all, nil to keep the default; exclude lists ids to hide
// and wins over include. New panics on an id that is neither built in
// (health, info, metrics, prometheus, shutdown, loggers, env, threaddump,
// heapdump, pprof, sbom) nor added by [WithEndpoint], so that a typo cannot
// hide or expose an endpoint silently.
// Default: include "health", "info", "metrics" and "prometheus"; exclude
// nothing. Endpoints turned on by their own option ([WithEndpoint],
// [WithShutdownEndpoint], [WithLoggersEndpoint], [WithEnvEndpoint],
// [WithThreadDumpEndpoint], [WithHeapDumpEndpoint], [WithPprofEndpoint],
// [WithSBOMEndpoint]) are exposed as well unless excluded; including the id
// of one whose option is not given does not turn it on (it is a sensitive
// endpoint: exposing it takes a line of code). An endpoint that is not
// exposed answers 404, exactly like one that does not exist.
func WithExposure(include, exclude []string) Option {
	return func(c *config) {
		if include != nil {
			c.include = append([]string(nil), include...)
		}
		c.exclude = append([]string(nil), exclude...)
	}
}

// WithAuthorizer guards sensitive endpoints (shutdown, and custom endpoints
// marked [WithSensitive]) and decides who sees health details when their
// visibility is "when authorized" and who sees the error texts of failed
// /info contributors. Default: none, so sensitive endpoints that were
// turned on accept loopback callers only ([Loopback], and [New] logs a
// warning), "when authorized" details and info error texts stay hidden.
//
// A refused request to a sensitive endpoint's own method gets 401 with a
// WWW-Authenticate challenge when it carried no Authorization header and
// the authorizer accepts a credential scheme ("Bearer" for [BearerToken],
// "Basic" for [BasicAuth], each of them for [AnyOf]); it gets 403 when it
// carried credentials, or when no credential could help ([AllowCIDR],
// [Loopback], or a plain func that calls none of the helpers). A refused
// request with any other method gets the same 404 as an endpoint that does
// not exist, and the discovery index lists sensitive endpoints only to
// callers the authorizer accepts.
//
// The authorizer is also the health checker's and the info collector's;
// a health.WithAuthorizer given to [WithHealthOptions] or an
// info.WithAuthorizer given to [WithInfoOptions] replaces it there,
// whatever the order of the options, and the root's keeps guarding the
// sensitive endpoints.
func WithAuthorizer(auth Authorizer) Option {
	return func(c *config) { c.authorizer = auth }
}

// WithLogger sets the logger for access refusals, health transitions and
// the shutdown sequence. Default: nil, which logs nothing, except the
// warnings [New] and [Actuator.Handler] give about settings that would
// hurt, which go to [slog.Default] then.
//
// The logger is also the health checker's and the lifecycle's; a
// health.WithLogger given to [WithHealthOptions] or a lifecycle.WithLogger
// given to [WithLifecycleOptions] replaces it there, whatever the order of
// the options. It does not reach the metrics registry (pass
// metrics.WithLogger to [WithMetricsOptions]) nor a lifecycle given to
// [WithLifecycle], which keeps its own.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) { c.logger = l }
}

// WithTrustForwardedHeaders makes discovery links honour the
// X-Forwarded-Proto, X-Forwarded-Host and X-Forwarded-Prefix headers. Turn
// it on only behind a proxy that sets them, since clients can forge them.
// Default: off; links are built from the request's own host and scheme.
func WithTrustForwardedHeaders() Option {
	return func(c *config) { c.trustForwarded = true }
}

// WithProbes makes [Actuator.Middleware] and [Gin] also answer /livez and
// /readyz on the application's own port with the bare liveness and
// readiness group status, as Kubernetes' own components do. Default: off.
func WithProbes() Option {
	return func(c *config) { c.probes = true }
}

// WithoutHTTPMetrics stops the adapters' middleware from recording
// http.server.requests. Default: recorded whenever metrics are on.
func WithoutHTTPMetrics() Option {
	return func(c *config) { c.httpMetrics = false }
}

// WithEndpoint adds a custom endpoint under id, replacing a built-in one of
// the same id (so WithEndpoint("prometheus", promhttp.Handler()) swaps in
// client_golang). The handler gets the client's request with r.URL.Path
// relative to the endpoint ("" for the endpoint itself, "/x" below it,
// without a trailing slash) and writes its own content type. By default it
// accepts GET and HEAD, is not sensitive, and is exposed; see
// [WithMethods] and [WithSensitive]. New panics when two WithEndpoint
// options share an id.
func WithEndpoint(id string, h http.Handler, opts ...EndpointOption) Option {
	e := &endpoint{id: id, handler: h, methods: []string{http.MethodGet}, raw: true, subPaths: true}
	ec := endpointConfig{methods: e.methods}
	for _, o := range opts {
		o(&ec)
	}
	e.methods, e.sensitive = ec.methods, ec.sensitive
	return func(c *config) { c.custom = append(c.custom, e) }
}

// An EndpointOption configures a custom endpoint added by [WithEndpoint].
type EndpointOption func(*endpointConfig)

type endpointConfig struct {
	methods   []string
	sensitive bool
}

// WithSensitive marks a custom endpoint as sensitive: the authorizer guards
// it (loopback callers only without one) and hides it from refused
// callers. Default: not sensitive.
func WithSensitive() EndpointOption {
	return func(e *endpointConfig) { e.sensitive = true }
}

// WithMethods sets the methods a custom endpoint accepts. Default: GET
// (which implies HEAD). An endpoint with any method but GET, HEAD and
// OPTIONS refuses cross-origin browser requests with 403
// ([net/http.CrossOriginProtection]). Methods are matched exactly, as
// HTTP's methods are case-sensitive: New panics on one that is not an
// upper-case token, such as "post".
func WithMethods(methods ...string) EndpointOption {
	methods = append([]string(nil), methods...)
	return func(e *endpointConfig) { e.methods = methods }
}

// WithHealthCheck registers a health check under name: it is
// WithHealthOptions(health.WithCheck(name, fn, opts...)). fn may be any
// func(context.Context) error, such as (*sql.DB).PingContext. opts set its
// timeout, caching, thresholds and groups: health.WithGroups("readiness")
// puts it in the readiness probe. Default: no checks but the lifecycle's
// livenessState and readinessState.
func WithHealthCheck(name string, fn health.CheckFunc, opts ...health.CheckOption) Option {
	return WithHealthOptions(health.WithCheck(name, fn, opts...))
}

// WithHealthOptions passes options to the health checker (groups, order,
// visibility, timeouts, listeners, richer checks). See package health for
// each default. A health option wins over the root option that sets the
// same thing for it, whatever their order: health.WithAuthorizer over
// [WithAuthorizer], health.WithLogger over [WithLogger].
func WithHealthOptions(opts ...health.Option) Option {
	return func(c *config) { c.healthOpts = append(c.healthOpts, opts...) }
}

// WithInfoValue adds a static section to /info under key: it is
// WithInfoOptions(info.WithValue(key, value)). Default: none.
func WithInfoValue(key string, value any) Option {
	return WithInfoOptions(info.WithValue(key, value))
}

// WithInfoContributor adds a section to /info computed at each request: it
// is WithInfoOptions(info.WithContributor(key, fn)). An error shows under
// its key without failing the endpoint: its text to callers the
// [WithAuthorizer] authorizer accepts, {"error":"unavailable"} to everyone
// else (everyone, without an authorizer). Default: none.
func WithInfoContributor(key string, fn func(ctx context.Context) (any, error)) Option {
	return WithInfoOptions(info.WithContributor(key, fn))
}

// WithInfoOptions passes options to the info collector (git mode,
// sections). See package info for each default. An info option wins over
// the root option that sets the same thing for it, whatever their order:
// info.WithAuthorizer over [WithAuthorizer].
func WithInfoOptions(opts ...info.Option) Option {
	return func(c *config) { c.infoOpts = append(c.infoOpts, opts...) }
}

// WithMetricsOptions passes options to the metrics registry behind the
// metrics and prometheus endpoints. See package metrics for each default.
// The root's [WithLogger] does not reach the registry: pass
// metrics.WithLogger here.
func WithMetricsOptions(opts ...metrics.Option) Option {
	return func(c *config) { c.metricsOpts = append(c.metricsOpts, opts...) }
}

// WithShutdownEndpoint turns on POST /shutdown, which answers
// {"message":"Shutting down, bye..."} and then runs the graceful shutdown
// sequence of [Actuator.Run]. It is sensitive: the authorizer guards it;
// without one it accepts loopback callers only ([Loopback]) and [New] logs
// a warning. Cross-origin browser requests are refused (403) whatever the
// authorizer, so a page on another site cannot post to it. Default: off.
func WithShutdownEndpoint() Option {
	return func(c *config) { c.shutdown = true }
}

// WithLifecycle makes the actuator report and drive l instead of a
// lifecycle of its own, so several parts of a program can share one. l
// keeps the options it was built with: [WithLogger] does not reach it, and
// New panics next to [WithLifecycleOptions]. Default: the actuator builds
// its own lifecycle.
func WithLifecycle(l *lifecycle.Lifecycle) Option {
	return func(c *config) { c.lifecycle = l }
}

// WithLifecycleOptions configures the lifecycle the actuator creates for
// [Actuator.Run]: signals, delay, drain and hook timeouts, a management
// server. See package lifecycle for each default. A lifecycle option wins
// over the root option that sets the same thing for it, whatever their
// order: lifecycle.WithLogger over [WithLogger]. New panics when it is
// used with [WithLifecycle], which it could not configure.
func WithLifecycleOptions(opts ...lifecycle.Option) Option {
	return func(c *config) { c.lifecycleOpts = append(c.lifecycleOpts, opts...) }
}

// normalizeBasePath turns a user's base path into "" (root) or "/x/y"
// without a trailing slash.
func normalizeBasePath(p string) string {
	p = strings.TrimSpace(p)
	p = strings.TrimRight(p, "/")
	if p == "" {
		return ""
	}
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return p
}
