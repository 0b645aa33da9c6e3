package actuator

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/actuatorgo/actuator/health"
	"github.com/actuatorgo/actuator/info"
	"github.com/actuatorgo/actuator/internal/httpx"
	"github.com/actuatorgo/actuator/lifecycle"
	"github.com/actuatorgo/actuator/metrics"
	"github.com/actuatorgo/actuator/sba"
)

// An endpoint is one management endpoint: an id that is also its path
// segment under the base path, the methods it answers, and whether the
// authorizer guards it. New builds them from the built-in handlers and
// [WithEndpoint]; nothing outside the package sees or changes one.
type endpoint struct {
	id        string       // names the endpoint and is its path under the base path
	handler   http.Handler // a custom endpoint's handler; see WithEndpoint
	methods   []string     // accepted methods, matched exactly; GET implies HEAD
	sensitive bool         // only requests the authorizer accepts reach it

	routed   httpx.Endpoint // a built-in handler, called with the sub-path and content type; nil for custom ones
	raw      bool           // the handler writes its own content type: no 406
	readBody bool           // the handler reads a write's body, bounded by the router
	subPaths bool           // requests below the endpoint reach the handler
	writes   bool           // accepts a method other than GET, HEAD, OPTIONS
	allow    string         // Allow header value, computed by New
	links    []link         // extra discovery links below the endpoint
}

// link is one templated discovery link, such as "health-path" ->
// "/health/{*path}".
type link struct {
	name   string
	suffix string
}

// Actuator serves the management endpoints. Build it with [New]; mount it
// with [Actuator.Handler] or [Actuator.Middleware], or with [Gin]; drive
// graceful shutdown with [Actuator.Run]. Its methods are safe for
// concurrent use. Two actuators share nothing.
type Actuator struct {
	basePath       string
	authorizer     Authorizer // guards sensitive endpoints; Loopback() when none was set
	logger         *slog.Logger
	trustForwarded bool
	probes         bool
	noDashboard    bool // WithoutDashboard
	separatePort   bool // MANAGEMENT_SERVER_PORT: the endpoints have a server of their own

	endpoints map[string]*endpoint // exposed endpoints only
	order     []*endpoint          // exposed endpoints sorted by id
	indexAnon []indexEntry         // discovery links, pre-rendered, sensitive ones left out
	indexAll  []indexEntry         // every discovery link; nil without sensitive endpoints

	hasSensitive bool // a sensitive endpoint is exposed; authorizer is then set

	crossOrigin *http.CrossOriginProtection // guards the writes

	health    *health.Checker
	info      *info.Collector
	metrics   *metrics.Registry
	lifecycle *lifecycle.Lifecycle
	readyz    http.Handler
	livez     http.Handler
	observe   bool

	//lint:ignore U1000 used by gin_adapter.go, which -tags nogin leaves out
	gin ginMounts // how gin serves this actuator; empty with -tags nogin

	sba        *sba.Client              // WithSpringBootAdmin; nil when off
	sbaStarted atomic.Bool              // Run started its registration
	sbaSchemes atomic.Pointer[[]string] // http or https for each of Lifecycle().Addrs(), set by Run
}

var _ http.Handler = (*Actuator)(nil)

// MaxRequestBody bounds the body an endpoint accepts: a larger declared
// Content-Length gets 413 before the endpoint runs, and a body that turns
// out larger stops being read at this size.
const MaxRequestBody = 64 << 10

// New builds an actuator. With no options it serves health, info, metrics
// and prometheus under /actuator, with the process's liveness and
// readiness as health groups. It panics on programmer errors, such as an
// empty endpoint id, an unknown id in [WithExposure] or a duplicate health
// check name, and logs a warning for settings that would hurt in
// production; the package documentation lists both. It calls no user code
// and starts no goroutine.
func New(opts ...Option) *Actuator {
	c := defaultConfig()
	for _, o := range opts {
		o(c)
	}
	mgmt := c.applyEnvironment()
	a := &Actuator{
		basePath:       mustBasePath("WithBasePath", c.basePath),
		authorizer:     c.authorizer,
		logger:         c.logger,
		trustForwarded: c.trustForwarded,
		probes:         c.probes,
		noDashboard:    c.noDashboard,
		endpoints:      make(map[string]*endpoint),
		crossOrigin:    http.NewCrossOriginProtection(),
		separatePort:   mgmt != nil,
	}
	if mgmt != nil {
		mgmt.Handler = a
	}

	a.lifecycle = c.lifecycle
	if a.lifecycle != nil && len(c.lifecycleOpts) > 0 {
		panic("actuator: WithLifecycleOptions has no effect next to WithLifecycle; pass those options to the lifecycle given to WithLifecycle")
	}
	if a.lifecycle == nil {
		lopts := c.lifecycleOpts
		if c.logger != nil {
			lopts = append([]lifecycle.Option{lifecycle.WithLogger(c.logger)}, lopts...)
		}
		a.lifecycle = lifecycle.New(lopts...)
	}

	hopts := []health.Option{
		health.WithStateCheck("livenessState", a.livenessState, health.WithGroups("liveness")),
		health.WithStateCheck("readinessState", a.readinessState, health.WithGroups("readiness")),
		health.WithLogger(c.logger),
	}
	if c.authorizer != nil {
		hopts = append(hopts, health.WithAuthorizer(c.authorizer))
	}
	a.health = health.New(append(hopts, c.healthOpts...)...)
	a.readyz = a.health.GroupHandler("readiness")
	a.livez = a.health.GroupHandler("liveness")
	iopts := c.infoOpts
	if c.authorizer != nil {
		iopts = append([]info.Option{info.WithAuthorizer(c.authorizer)}, iopts...)
	}
	a.info = info.New(iopts...)
	a.metrics = metrics.New(c.metricsOpts...)
	a.observe = c.httpMetrics

	builtins := []*endpoint{
		builtin("health", a.health.Handler(), &endpoint{subPaths: true, links: []link{{"health-path", "/{*path}"}}}),
		builtin("info", a.info.Handler(), &endpoint{}),
		builtin("metrics", a.metrics.Handler(), &endpoint{subPaths: true, links: []link{{"metrics-requiredMetricName", "/{requiredMetricName}"}}}),
		builtin("prometheus", a.metrics.PrometheusHandler(), &endpoint{raw: true}),
	}
	if c.shutdown {
		builtins = append(builtins, builtin("shutdown", a.lifecycle.ShutdownHandler(),
			&endpoint{methods: []string{http.MethodPost}, sensitive: true}))
	}
	builtins = append(builtins, optInEndpoints(c)...)

	all := make(map[string]*endpoint)
	optIn := make(map[string]bool)
	for _, e := range builtins {
		all[e.id] = e
		optIn[e.id] = slices.Contains(optInIDs, e.id)
	}
	seen := make(map[string]bool, len(c.custom))
	for _, e := range c.custom {
		if seen[e.id] {
			panic("actuator: duplicate endpoint id " + quote(e.id) + ": WithEndpoint was given it twice")
		}
		seen[e.id] = true
		if e.id == "" || e.id == "." || e.id == ".." || strings.ContainsAny(e.id, "/?#{} ") {
			panic("actuator: invalid endpoint id " + quote(e.id))
		}
		if e.handler == nil {
			panic("actuator: nil handler for endpoint " + quote(e.id))
		}
		checkMethods(e)
		cp := *e
		cp.methods = slices.Clone(e.methods)
		all[e.id] = &cp
		optIn[e.id] = true
	}
	c.checkEnvExposure(all)
	checkExposure(c.include, c.exclude, all)
	for id, e := range all {
		if !exposed(id, c.include, c.exclude, optIn[id]) {
			continue
		}
		if len(e.methods) == 0 {
			e.methods = []string{http.MethodGet}
		}
		e.allow = allowHeader(e.methods)
		e.writes = slices.ContainsFunc(e.methods, unsafeMethod)
		a.endpoints[id] = e
		a.order = append(a.order, e)
	}
	sort.Slice(a.order, func(i, j int) bool { return a.order[i].id < a.order[j].id })
	a.guardSensitive(c.logger)
	a.indexAnon = buildIndex(a.order, false)
	if a.hasSensitive {
		a.indexAll = buildIndex(a.order, true)
	}
	if c.springBootAdmin != nil {
		a.sba = a.newSpringBootAdmin(c)
	}
	a.warnAtStart()
	return a
}

// builtin completes e as the endpoint id served by h, a domain handler
// that the router calls through [httpx.Endpoint]: it reads nothing from the
// request that the router has not checked or passed.
func builtin(id string, h http.Handler, e *endpoint) *endpoint {
	routed, ok := h.(httpx.Endpoint)
	if !ok {
		panic("actuator: built-in endpoint " + quote(id) + " has no routed form")
	}
	e.id, e.routed = id, routed
	return e
}

// guardSensitive notes whether sensitive endpoints are exposed and, when
// no authorizer guards them, restricts them to loopback callers and warns
// on logger, or on slog.Default() when none was set: an open write
// endpoint is worth a line in any log.
func (a *Actuator) guardSensitive(logger *slog.Logger) {
	var open []string
	for _, e := range a.order {
		if e.sensitive {
			a.hasSensitive = true
			open = append(open, e.id)
		}
	}
	if !a.hasSensitive || a.authorizer != nil {
		return
	}
	a.authorizer = Loopback()
	if logger == nil {
		logger = slog.Default()
	}
	logger.LogAttrs(context.Background(), slog.LevelWarn,
		"actuator: sensitive endpoints have no authorizer and accept loopback callers only; "+
			"guard them with WithAuthorizer(...), e.g. actuator.WithAuthorizer(actuator.BearerToken(token))",
		slog.Any("endpoints", open))
}

// exposed applies the exposure rules: exclude wins, then include ("*" for
// all), and endpoints turned on by their own option are in.
func exposed(id string, include, exclude []string, optIn bool) bool {
	if slices.Contains(exclude, id) || slices.Contains(exclude, "*") {
		return false
	}
	return optIn || slices.Contains(include, id) || slices.Contains(include, "*")
}

// allowHeader renders the Allow header for methods, adding HEAD after GET.
func allowHeader(methods []string) string {
	var out []string
	for _, m := range methods {
		if !slices.Contains(out, m) {
			out = append(out, m)
		}
		if m == http.MethodGet && !slices.Contains(methods, http.MethodHead) && !slices.Contains(out, http.MethodHead) {
			out = append(out, http.MethodHead)
		}
	}
	return strings.Join(out, ", ")
}

// unsafeMethod reports whether a request with method may change state:
// anything but GET, HEAD and OPTIONS.
func unsafeMethod(method string) bool {
	switch strings.ToUpper(method) {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// allows reports whether e answers method, compared exactly: HTTP methods
// are case-sensitive. GET implies HEAD.
func (e *endpoint) allows(method string) bool {
	for _, m := range e.methods {
		if m == method || (method == http.MethodHead && m == http.MethodGet) {
			return true
		}
	}
	return false
}

// Health returns the health checker behind /health, for programmatic checks.
func (a *Actuator) Health() *health.Checker { return a.health }

// Metrics returns the metrics registry behind /metrics and /prometheus, for
// custom metrics.
func (a *Actuator) Metrics() *metrics.Registry { return a.metrics }

// Lifecycle returns the lifecycle that [Actuator.Run] drives and the health
// groups report: use it for SetReady, cleanup hooks and blocking tasks.
func (a *Actuator) Lifecycle() *lifecycle.Lifecycle { return a.lifecycle }

// Run starts the background health checks, serves the given servers and
// blocks until the graceful shutdown that SIGTERM, SIGINT, POST /shutdown,
// ctx's end or Lifecycle().Shutdown started has completed. Readiness turns OUT_OF_SERVICE first, a delay lets
// load balancers notice, then the servers drain and the cleanup hooks run.
// Use [lifecycle.ExitCode] on the result for the process's exit code.
// With [WithSpringBootAdmin] it also registers with the admin server once
// the servers are bound, in the background, and deregisters at the
// shutdown trigger.
func (a *Actuator) Run(ctx context.Context, servers ...*http.Server) error {
	a.health.Start()
	a.startSpringBootAdmin(servers)
	return a.lifecycle.Run(ctx, servers...)
}

// Close stops the health checks that run in the background
// ([health.WithBackground]), which [Actuator.Run] starts; it is
// [health.Checker.Close]. Nothing else of the actuator runs on its own:
// metrics are read when asked for. Close does not stop servers or the
// lifecycle; see [Actuator.Run].
func (a *Actuator) Close() {
	a.health.Close()
}

func (a *Actuator) livenessState() health.Result {
	if a.lifecycle.Live() {
		return health.Result{Status: health.Up}
	}
	return health.Result{Status: health.Down, Details: map[string]any{"phase": string(a.lifecycle.Phase())}}
}

func (a *Actuator) readinessState() health.Result {
	if a.lifecycle.Ready() {
		return health.Result{Status: health.Up}
	}
	return health.Result{Status: health.OutOfService, Details: map[string]any{"phase": string(a.lifecycle.Phase())}}
}

func quote(s string) string { return "\"" + s + "\"" }
