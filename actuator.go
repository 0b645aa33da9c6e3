package actuator

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/actuatorgo/actuator/health"
	"github.com/actuatorgo/actuator/info"
	"github.com/actuatorgo/actuator/internal/httpx"
	"github.com/actuatorgo/actuator/lifecycle"
	"github.com/actuatorgo/actuator/metrics"
)

// An Endpoint is one management endpoint: an id that is also its path
// segment under the base path, the methods it answers, and whether the
// authorizer guards it.
type Endpoint struct {
	// ID names the endpoint and is its path under the base path.
	ID string
	// Handler serves the endpoint. It sees r.URL.Path relative to the
	// endpoint: "" for the endpoint itself, "/x" below it.
	Handler http.Handler
	// Methods lists the accepted methods, matched exactly; GET implies HEAD.
	Methods []string
	// Sensitive endpoints answer only requests the authorizer accepts.
	Sensitive bool

	raw      bool   // the handler writes its own content type: no 406
	subPaths bool   // requests below the endpoint reach the handler
	writes   bool   // accepts a method other than GET, HEAD, OPTIONS
	allow    string // Allow header value, computed by New
	links    []link // extra discovery links below the endpoint
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

	endpoints map[string]*Endpoint // exposed endpoints only
	order     []*Endpoint          // exposed endpoints sorted by id
	indexAnon []indexEntry         // discovery links, pre-rendered, sensitive ones left out
	indexAll  []indexEntry         // every discovery link; nil without sensitive endpoints

	hasSensitive bool // a sensitive endpoint is exposed; authorizer is then set

	crossOrigin *http.CrossOriginProtection // guards the writes

	health    *health.Checker
	info      *info.Endpoint
	metrics   *metrics.Registry
	lifecycle *lifecycle.Lifecycle
	readyz    http.Handler
	livez     http.Handler
	observe   bool

	ginUse   atomic.Bool // Gin was called: it serves the probes and records requests
	ginGroup atomic.Bool // GinHandler was called: the endpoints live in its route group
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
	a := &Actuator{
		basePath:       mustBasePath("WithBasePath", c.basePath),
		authorizer:     c.authorizer,
		logger:         c.logger,
		trustForwarded: c.trustForwarded,
		probes:         c.probes,
		endpoints:      make(map[string]*Endpoint),
		crossOrigin:    http.NewCrossOriginProtection(),
	}

	a.lifecycle = c.lifecycle
	if a.lifecycle != nil && len(c.lifecycleOpts) > 0 {
		panic("actuator: WithShutdownOptions has no effect next to WithLifecycle; pass those options to the lifecycle given to WithLifecycle")
	}
	if a.lifecycle == nil {
		lopts := c.lifecycleOpts
		if c.logger != nil {
			lopts = append([]lifecycle.Option{lifecycle.WithLogger(c.logger)}, lopts...)
		}
		a.lifecycle = lifecycle.New(lopts...)
	}

	hopts := []health.Option{
		health.WithStatusCheck("livenessState", a.livenessState, health.Groups("liveness"), health.Inline()),
		health.WithStatusCheck("readinessState", a.readinessState, health.Groups("readiness"), health.Inline()),
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

	builtins := []*Endpoint{
		{ID: "health", Handler: a.health, subPaths: true, links: []link{{"health-path", "/{*path}"}}},
		{ID: "info", Handler: a.info},
		{ID: "metrics", Handler: a.metrics, subPaths: true, links: []link{{"metrics-requiredMetricName", "/{requiredMetricName}"}}},
		{ID: "prometheus", Handler: a.metrics.PrometheusHandler(), raw: true},
	}
	if c.shutdown {
		builtins = append(builtins, &Endpoint{
			ID: "shutdown", Handler: a.lifecycle.ShutdownHandler(),
			Methods: []string{http.MethodPost}, Sensitive: true,
		})
	}

	all := make(map[string]*Endpoint)
	optIn := make(map[string]bool)
	for _, e := range builtins {
		all[e.ID] = e
	}
	if c.shutdown {
		optIn["shutdown"] = true
	}
	seen := make(map[string]bool, len(c.custom))
	for _, e := range c.custom {
		if seen[e.ID] {
			panic("actuator: duplicate endpoint id " + quote(e.ID) + ": WithEndpoint was given it twice")
		}
		seen[e.ID] = true
		if e.ID == "" || e.ID == "." || e.ID == ".." || strings.ContainsAny(e.ID, "/?#{} ") {
			panic("actuator: invalid endpoint id " + quote(e.ID))
		}
		if e.Handler == nil {
			panic("actuator: nil handler for endpoint " + quote(e.ID))
		}
		checkMethods(e)
		cp := *e
		cp.Methods = slices.Clone(e.Methods)
		all[e.ID] = &cp
		optIn[e.ID] = true
	}
	checkExposure(c.include, c.exclude, all)
	for id, e := range all {
		if !exposed(id, c.include, c.exclude, optIn[id]) {
			continue
		}
		if len(e.Methods) == 0 {
			e.Methods = []string{http.MethodGet}
		}
		e.allow = allowHeader(e.Methods)
		e.writes = slices.ContainsFunc(e.Methods, unsafeMethod)
		a.endpoints[id] = e
		a.order = append(a.order, e)
	}
	sort.Slice(a.order, func(i, j int) bool { return a.order[i].ID < a.order[j].ID })
	a.guardSensitive(c.logger)
	a.indexAnon = buildIndex(a.order, false)
	if a.hasSensitive {
		a.indexAll = buildIndex(a.order, true)
	}
	a.warnAtStart()
	return a
}

// guardSensitive notes whether sensitive endpoints are exposed and, when
// no authorizer guards them, restricts them to loopback callers and warns
// on logger, or on slog.Default() when none was set: an open write
// endpoint is worth a line in any log.
func (a *Actuator) guardSensitive(logger *slog.Logger) {
	var open []string
	for _, e := range a.order {
		if e.Sensitive {
			a.hasSensitive = true
			open = append(open, e.ID)
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
func (e *Endpoint) allows(method string) bool {
	for _, m := range e.Methods {
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
func (a *Actuator) Run(ctx context.Context, servers ...*http.Server) error {
	a.health.Start()
	return a.lifecycle.Run(ctx, servers...)
}

// Close stops the actuator's background work (background health checks,
// metric collectors). It does not stop servers; see [Actuator.Run].
func (a *Actuator) Close() {
	a.health.Close()
	a.metrics.Close()
}

func (a *Actuator) livenessState(context.Context) health.Result {
	if a.lifecycle.Live() {
		return health.Result{Status: health.Up}
	}
	return health.Result{Status: health.Down, Details: map[string]any{"phase": string(a.lifecycle.Phase())}}
}

func (a *Actuator) readinessState(context.Context) health.Result {
	if a.lifecycle.Ready() {
		return health.Result{Status: health.Up}
	}
	return health.Result{Status: health.OutOfService, Details: map[string]any{"phase": string(a.lifecycle.Phase())}}
}

// ServeHTTP serves the endpoints under the base path set by [WithBasePath]
// and answers 404 to anything else.
func (a *Actuator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rel, ok := under(r.URL.Path, a.basePath)
	if !ok {
		httpx.NotFound(w, r)
		return
	}
	a.serve(w, r, rel)
}

// under reports whether path is base or below it, and the rest of the path.
func under(path, base string) (string, bool) {
	if base == "" {
		return path, true
	}
	if !strings.HasPrefix(path, base) {
		return "", false
	}
	rest := path[len(base):]
	if rest != "" && rest[0] != '/' {
		return "", false
	}
	return rest, true
}

// serve routes rel, the path below the base path, to the index or an
// endpoint.
func (a *Actuator) serve(w http.ResponseWriter, r *http.Request, rel string) {
	if httpx.DeclaresBody(r) && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		// A read needs no body: answer without waiting for one and close
		// the connection, rather than let a client that declares a body
		// and sends none hold it (and the drain) open. A custom endpoint
		// may still read what arrives until it returns.
		httpx.CloseConnection(w)
		defer httpx.StopReading(w)
	}
	if r.URL.RawPath != "" && strings.Contains(r.URL.RawPath, "%2") {
		// Encoded separators or dots ("%2F", "%2e") are never ours.
		httpx.NotFound(w, r)
		return
	}
	id, sub := splitID(rel)
	if id == "" {
		if sub != "" {
			httpx.NotFound(w, r)
			return
		}
		a.serveIndex(w, r)
		return
	}
	e, ok := a.endpoints[id]
	if !ok || !cleanPath(sub) || (sub != "" && sub != "/" && !e.subPaths) {
		httpx.NotFound(w, r)
		return
	}
	if !e.allows(r.Method) {
		if e.Sensitive && !a.authorizer(r) {
			// Invisible to this caller: a 405's Allow header would
			// confirm that the endpoint exists.
			httpx.NotFound(w, r)
			return
		}
		httpx.MethodNotAllowed(w, r, e.allow)
		return
	}
	if e.writes && a.crossOrigin.Check(r) != nil {
		// A browser sent it from another site (a form, a fetch): refused
		// before the authorizer, since the browser may have attached the
		// user's credentials on its own.
		httpx.WriteError(w, r, http.StatusForbidden, "cross-origin request refused")
		return
	}
	if e.Sensitive {
		if ok, schemes := authorize(a.authorizer, r); !ok {
			a.refuse(w, r, id, schemes)
			return
		}
	}
	if !limitBody(w, r, e) {
		return
	}
	ct := ""
	if e.raw {
		httpx.SetSecurityHeaders(w.Header())
	} else {
		var ok bool
		if ct, ok = negotiate(acceptOf(r)); !ok {
			notAcceptable(w, r)
			return
		}
	}
	r2 := httpx.ForEndpoint(r, ct, strings.TrimSuffix(sub, "/"))
	e.Handler.ServeHTTP(w, r2)
}

// limitBody bounds the body of a write to MaxRequestBody and reports
// whether the request may go on; when not, it has answered 413 (or 400 for
// a body that could not be read). Built-in endpoints read no body, so it is
// read here, which refuses one sent without a length before anything runs.
func limitBody(w http.ResponseWriter, r *http.Request, e *Endpoint) bool {
	tooLarge := func() {
		httpx.WriteError(w, r, http.StatusRequestEntityTooLarge, "request body larger than "+strconv.Itoa(MaxRequestBody)+" bytes")
	}
	if r.ContentLength > MaxRequestBody {
		tooLarge()
		return false
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead || r.Body == nil {
		return true
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxRequestBody)
	if e.raw {
		return true // the endpoint reads what it needs, cut off at the limit
	}
	if _, err := io.Copy(io.Discard, r.Body); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			tooLarge()
		} else {
			httpx.WriteError(w, r, http.StatusBadRequest, "cannot read the request body")
		}
		return false
	}
	return true
}

// notAcceptable answers 406 naming the types the actuator can send.
func notAcceptable(w http.ResponseWriter, r *http.Request) {
	httpx.WriteError(w, r, http.StatusNotAcceptable, "acceptable types: "+httpx.MediaTypeV3+", "+httpx.MediaTypeJSON)
}

// splitID splits "/health/db" into "health" and "/db". A lone "/" or ""
// gives an empty id: the index.
func splitID(rel string) (id, sub string) {
	rel = strings.TrimPrefix(rel, "/")
	if i := strings.IndexByte(rel, '/'); i >= 0 {
		return rel[:i], rel[i:]
	}
	return rel, ""
}

// cleanPath reports whether sub has no empty, "." or ".." segments, so
// that "//", "/./" and "/../" never reach an endpoint. One trailing slash is
// allowed. It scans sub in place: a path of a million segments allocates
// nothing.
func cleanPath(sub string) bool {
	if sub == "" || sub == "/" {
		return true
	}
	rest := strings.TrimSuffix(sub[1:], "/")
	for more := true; more; {
		var seg string
		seg, rest, more = strings.Cut(rest, "/")
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

// refuse answers a request the authorizer refused: 401 with a challenge
// naming schemes when it carried no Authorization header and the
// authorizer accepts some scheme, 403 otherwise (wrong credentials, or an
// authorizer no credential satisfies, such as [AllowCIDR]).
func (a *Actuator) refuse(w http.ResponseWriter, r *http.Request, id string, schemes []string) {
	status := http.StatusForbidden
	if r.Header.Get("Authorization") == "" && len(schemes) > 0 {
		status = http.StatusUnauthorized
		challenge := make([]string, len(schemes))
		for i, s := range schemes {
			challenge[i] = s + ` realm="actuator"`
		}
		w.Header().Set("WWW-Authenticate", strings.Join(challenge, ", "))
	}
	if a.logger != nil {
		a.logger.LogAttrs(r.Context(), slog.LevelWarn, "actuator: access refused",
			slog.String("endpoint", id), slog.String("remote", r.RemoteAddr), slog.Int("status", status))
	}
	httpx.WriteError(w, r, status, "access to this endpoint is not authorized")
}

// acceptOf is the request's Accept field lines. Several lines count as one
// comma-separated list, as RFC 9110 section 5.3 says; negotiate reads them
// in place rather than joining them.
func acceptOf(r *http.Request) []string {
	return r.Header.Values("Accept")
}

// negotiate picks the response type from the Accept field lines: Spring's
// v3 type when it is acceptable (or nothing was asked), plain JSON when only
// that is, and false when neither is. It scans the lines where they are and
// allocates nothing, so a header of a megabyte costs a pass over it.
func negotiate(lines []string) (string, bool) {
	switch len(lines) {
	case 0:
		return httpx.MediaTypeV3, true
	case 1:
		switch lines[0] {
		case "", "*/*", httpx.MediaTypeV3:
			return httpx.MediaTypeV3, true
		case httpx.MediaTypeJSON:
			return httpx.MediaTypeJSON, true
		}
	}
	// Each type takes the weight of the most specific range that matches
	// it, as RFC 9110 section 12.5.1 says.
	var qV3, qJSON float64
	var sV3, sJSON int
	for _, line := range lines {
		for more := true; more; {
			var part string
			part, line, more = strings.Cut(line, ",")
			mt, q := parseRange(part)
			if s := specificity(mt, httpx.MediaTypeV3); s > sV3 {
				qV3, sV3 = q, s
			}
			if s := specificity(mt, httpx.MediaTypeJSON); s > sJSON {
				qJSON, sJSON = q, s
			}
		}
	}
	switch {
	case qV3 > 0 && qV3 >= qJSON:
		return httpx.MediaTypeV3, true
	case qJSON > 0:
		return httpx.MediaTypeJSON, true
	}
	return "", false
}

// parseRange parses one media range of an Accept header into its type, as
// sent, and its q weight (1 when absent, 0 when malformed).
func parseRange(part string) (string, float64) {
	mt, params, more := strings.Cut(part, ";")
	q := 1.0
	for more {
		var p string
		p, params, more = strings.Cut(params, ";")
		k, v, ok := strings.Cut(p, "=")
		if ok && asciiEqualFold(strings.TrimSpace(k), "q") {
			q = parseQ(strings.TrimSpace(v))
		}
	}
	return strings.TrimSpace(mt), q
}

// parseQ parses an RFC 9110 qvalue ("0", "0.5", "1.000"); anything else
// counts as 0, so a malformed weight never makes a type acceptable.
func parseQ(s string) float64 {
	if s == "" || len(s) > 5 {
		return 0
	}
	if s[0] == '1' {
		for _, c := range s[1:] {
			if c != '.' && c != '0' {
				return 0
			}
		}
		return 1
	}
	if s[0] != '0' {
		return 0
	}
	if len(s) == 1 {
		return 0
	}
	if s[1] != '.' {
		return 0
	}
	q, scale := 0.0, 0.1
	for _, c := range s[2:] {
		if c < '0' || c > '9' {
			return 0
		}
		q += float64(c-'0') * scale
		scale /= 10
	}
	return q
}

// specificity tells how closely the media range mt matches the type
// target, ignoring ASCII case: 3 exactly, 2 as "application/*", 1 as "*/*",
// 0 not at all.
func specificity(mt, target string) int {
	switch {
	case asciiEqualFold(mt, target):
		return 3
	case asciiEqualFold(mt, "application/*"):
		return 2
	case mt == "*/*":
		return 1
	}
	return 0
}

// asciiEqualFold reports whether a and b are equal under ASCII case
// folding; unlike strings.EqualFold, no other letter folds onto an ASCII one.
func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

func quote(s string) string { return "\"" + s + "\"" }
