package health

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"
)

// DefaultTimeout is the default deadline of one health request (and of each
// check run). Kubernetes gives an HTTP probe timeoutSeconds: 1 by default;
// answering within 800 ms leaves 200 ms for the network, scheduling and
// encoding, so a slow dependency shows up as DOWN rather than as a probe
// timeout.
const DefaultTimeout = 800 * time.Millisecond

// Option configures a [Checker]; see the With... functions.
type Option func(*config)

// CheckOption configures one check; see [WithTimeout], [WithTTL],
// [WithBackground], [WithFailureThreshold], [WithSuccessThreshold] and
// [WithGroups].
type CheckOption func(*checkConfig)

// GroupOption configures a group; see [WithInclude], [WithExclude],
// [WithShowDetails] and [WithShowComponents].
type GroupOption func(*groupConfig)

type config struct {
	settings
	entries    []*entry
	groups     map[string]*groupConfig
	groupOrder []string
}

// settings are the checker-wide options, which the Checker keeps as New
// received them.
type settings struct {
	timeout        time.Duration
	order          []Status
	codes          map[Status]int
	showDetails    Visibility
	showComponents Visibility
	authorizer     func(*http.Request) bool
	listener       func(name string, from, to Status)
	logger         *slog.Logger
}

type entry struct {
	name    string
	fn      StatusFunc // nil for a composite
	check   checkConfig
	members []*entry
}

type checkConfig struct {
	timeout          time.Duration
	ttl              time.Duration
	background       bool
	interval         time.Duration
	initialDelay     time.Duration
	failureThreshold int
	successThreshold int
	groups           []string
	inline           bool
}

type groupConfig struct {
	include        []string
	exclude        []string
	showDetails    *Visibility
	showComponents *Visibility
}

func (c *config) group(name string) *groupConfig {
	if c.groups == nil {
		c.groups = make(map[string]*groupConfig)
	}
	g, ok := c.groups[name]
	if !ok {
		g = &groupConfig{}
		c.groups[name] = g
		c.groupOrder = append(c.groupOrder, name)
	}
	return g
}

func checkName(kind, name string) {
	if name == "" || strings.Contains(name, "/") {
		panic(fmt.Sprintf("health: %s name %q must be non-empty and contain no '/'", kind, name))
	}
}

// WithCheck registers a check that reports UP when fn returns nil and DOWN
// with the error's text otherwise. Names are unique among the checks at the
// same level; New panics on a duplicate. By default a check runs on every
// request (no cache), bounded by the request's deadline, and belongs to no
// group but the aggregate; see the CheckOptions.
func WithCheck(name string, fn CheckFunc, opts ...CheckOption) Option {
	if fn == nil {
		panic(fmt.Sprintf("health: nil CheckFunc for %q", name))
	}
	return withEntry(name, fromError(fn), opts)
}

// WithStatusCheck registers a check that returns its own status and
// details. It is otherwise like [WithCheck].
func WithStatusCheck(name string, fn StatusFunc, opts ...CheckOption) Option {
	if fn == nil {
		panic(fmt.Sprintf("health: nil StatusFunc for %q", name))
	}
	return withEntry(name, fn, opts)
}

// WithStateCheck registers a check that reads state the program keeps in
// memory, such as an atomic flag, and so cannot block: fn runs in the
// request's own goroutine, with no timer and no single-flight, it is not
// timed (its details have no "duration", as Spring Boot's livenessState
// shows none), and its last result is reused while nothing changes, so
// such a check costs nothing on a probe. The actuator reports the lifecycle's liveness and readiness this
// way. [WithTimeout], [WithTTL] and [WithBackground] do not apply to it;
// thresholds and groups do. Use [WithCheck] or [WithStatusCheck] for
// anything that does I/O or takes a lock another goroutine may hold.
func WithStateCheck(name string, fn func() Result, opts ...CheckOption) Option {
	if fn == nil {
		panic(fmt.Sprintf("health: nil state func for %q", name))
	}
	return withEntry(name, func(context.Context) Result { return fn() }, append(slices.Clone(opts), inline()))
}

// inline runs the check in the request's goroutine; see [WithStateCheck].
func inline() CheckOption {
	return func(c *checkConfig) { c.inline = true }
}

func withEntry(name string, fn StatusFunc, opts []CheckOption) Option {
	checkName("check", name)
	e := &entry{name: name, fn: fn, check: checkConfig{failureThreshold: 1, successThreshold: 1}}
	for _, o := range opts {
		o(&e.check)
	}
	return func(c *config) { c.entries = append(c.entries, e) }
}

// WithComposite registers a component made of members, rendered as nested
// "components" and served at /{name}/{member}. Members must be [WithCheck],
// [WithStatusCheck], [WithStateCheck] or WithComposite options (New panics
// otherwise, and on duplicate member names). The composite's status
// aggregates its members' with the checker's order; a composite with no
// members is UP.
//
// Members cannot carry [WithGroups]; to put a composite in a group, name it
// in that group: WithGroup("readiness", WithInclude(name)).
func WithComposite(name string, members ...Option) Option {
	checkName("composite", name)
	// The members register into a scratch config of their own: anything
	// there but entries came from an option that is not a check.
	scratch := &config{settings: settings{codes: map[Status]int{}}}
	for _, m := range members {
		m(scratch)
	}
	if !onlyEntries(scratch) {
		panic(fmt.Sprintf("health: composite %q: members must be WithCheck, WithStatusCheck, WithStateCheck or WithComposite options", name))
	}
	e := &entry{name: name, members: scratch.entries}
	for _, m := range e.members {
		if len(m.check.groups) > 0 {
			panic(fmt.Sprintf("health: composite %q: member %q cannot carry WithGroups; include the composite in the group instead", name, m.name))
		}
	}
	return func(c *config) { c.entries = append(c.entries, e) }
}

// onlyEntries reports whether c, a scratch config, holds entries and
// nothing else.
func onlyEntries(c *config) bool {
	return c.groups == nil && c.timeout == 0 && c.order == nil && len(c.codes) == 0 &&
		c.showDetails == 0 && c.showComponents == 0 && c.authorizer == nil &&
		c.listener == nil && c.logger == nil
}

// WithGroup declares a group or adds to one (calls for the same name merge).
// The liveness and readiness groups always exist; WithGroup can add checks
// to them or change their visibility. A group's members are the checks that
// name it with [WithGroups], plus those named by [WithInclude], minus those named by
// [WithExclude]. A group name must differ from every top-level check name.
func WithGroup(name string, opts ...GroupOption) Option {
	checkName("group", name)
	return func(c *config) {
		g := c.group(name)
		for _, o := range opts {
			o(g)
		}
	}
}

// WithInclude adds the named top-level checks or composites to a group; "*"
// means all of them. New panics on an unknown name.
func WithInclude(names ...string) GroupOption {
	names = append([]string(nil), names...)
	return func(g *groupConfig) { g.include = append(g.include, names...) }
}

// WithExclude removes the named top-level checks from a group, whichever way
// they got in. New panics on an unknown name.
func WithExclude(names ...string) GroupOption {
	names = append([]string(nil), names...)
	return func(g *groupConfig) { g.exclude = append(g.exclude, names...) }
}

// WithShowDetails sets the group's details visibility. Default: the probe groups
// (liveness, readiness) Never; other groups the checker's [WithDefaultShowDetails].
func WithShowDetails(v Visibility) GroupOption {
	checkVisibility(v)
	return func(g *groupConfig) { g.showDetails = &v }
}

// WithShowComponents sets the group's components visibility. Default: the probe
// groups (liveness, readiness) Never, so they answer a bare {"status":...};
// other groups the checker's [WithDefaultShowComponents].
func WithShowComponents(v Visibility) GroupOption {
	checkVisibility(v)
	return func(g *groupConfig) { g.showComponents = &v }
}

func checkVisibility(v Visibility) {
	if v < Never || v > Always {
		panic(fmt.Sprintf("health: invalid visibility %d", int(v)))
	}
}

// WithDefaultTimeout sets the deadline of one health request, which is
// every check run's deadline unless the check's own [WithTimeout] shortens
// it. Default [DefaultTimeout] (800 ms), which fits a Kubernetes probe's
// default timeoutSeconds: 1. New panics if d <= 0.
func WithDefaultTimeout(d time.Duration) Option {
	if d <= 0 {
		panic("health: WithDefaultTimeout needs a positive duration")
	}
	return func(c *config) { c.timeout = d }
}

// WithOrder sets the aggregation order, most severe first: the aggregate is
// the first status of order present among the members. Statuses missing
// from order rank after all listed ones (alphabetically among themselves).
// Default: DOWN, OUT_OF_SERVICE, UP, UNKNOWN.
func WithOrder(order ...Status) Option {
	if len(order) == 0 {
		panic("health: WithOrder needs at least one status")
	}
	order = append([]Status(nil), order...)
	return func(c *config) { c.order = order }
}

// WithStatusCode maps a status to an HTTP status code, 200 to 599 (a 1xx
// code is interim: the answer would then go out as 200). Defaults: DOWN and
// OUT_OF_SERVICE 503, every other status 200.
func WithStatusCode(s Status, code int) Option {
	if s == "" || code < 200 || code > 599 {
		panic(fmt.Sprintf("health: invalid status code mapping %q -> %d", s, code))
	}
	return func(c *config) { c.codes[s] = code }
}

// WithDefaultShowDetails sets who sees component details (durations, error
// texts, check-specific details) on /health and its components, and in
// every group but the probe groups that has no [WithShowDetails] of its
// own. Default WhenAuthorized: without an authorizer, nobody, so error
// texts never reach an unauthorised caller.
func WithDefaultShowDetails(v Visibility) Option {
	checkVisibility(v)
	return func(c *config) { c.showDetails = v }
}

// WithDefaultShowComponents sets who sees the list of components and their
// statuses, and who may fetch a component's path, on /health and in every
// group but the probe groups that has no [WithShowComponents] of its own.
// Default Always.
func WithDefaultShowComponents(v Visibility) Option {
	checkVisibility(v)
	return func(c *config) { c.showComponents = v }
}

// WithAuthorizer sets the function that decides WhenAuthorized visibility.
// Default none: WhenAuthorized then shows nothing.
func WithAuthorizer(fn func(*http.Request) bool) Option {
	return func(c *config) { c.authorizer = fn }
}

// WithListener sets a function called whenever a check's reported status
// changes (after thresholds), including its first result (from UNKNOWN).
// It is called one call at a time per check, in order, from a goroutine
// that produced a result (the check's, its timeout timer's, or a request's;
// a short-lived one when a background check's loop finds its run hung); it
// may call back into the Checker, Close included. A panic in it is
// recovered. Default none.
func WithListener(fn func(name string, from, to Status)) Option {
	return func(c *config) { c.listener = fn }
}

// WithLogger sets the logger for status transitions (Info to UP, Warn
// otherwise), slow checks (Warn, over half their timeout), timeouts and
// panics. Default nil: silent.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) { c.logger = l }
}

// WithTimeout shortens the check's deadline below the request's
// ([WithDefaultTimeout]); a longer value has no effect. Default: the request's deadline.
func WithTimeout(d time.Duration) CheckOption {
	if d <= 0 {
		panic("health: WithTimeout needs a positive duration")
	}
	return func(c *checkConfig) { c.timeout = d }
}

// WithTTL caches the check's result for d after it completes, so requests within
// d do not run it again. Default 0: no cache (concurrent requests still share
// one run).
func WithTTL(d time.Duration) CheckOption {
	if d < 0 {
		panic("health: WithTTL needs a non-negative duration")
	}
	return func(c *checkConfig) { c.ttl = d }
}

// WithBackground runs the check in its own goroutine every interval, first after
// initialDelay; requests serve its last result and never run it. Until the
// first run completes it reports UNKNOWN with [ErrNotChecked]. Default: not
// in the background. [Checker.Close] stops it.
func WithBackground(interval, initialDelay time.Duration) CheckOption {
	if interval <= 0 || initialDelay < 0 {
		panic("health: WithBackground needs a positive interval and a non-negative initial delay")
	}
	return func(c *checkConfig) {
		c.background = true
		c.interval = interval
		c.initialDelay = initialDelay
	}
}

// WithFailureThreshold makes a check report DOWN only after n consecutive DOWN
// results; until then it keeps its previous status (with the latest error in
// its details). The first result is always reported as it is. While a timed
// out run has not returned, requests that would have run the check count as
// further failures, at most one per timeout, as do background ticks.
// Default 1.
func WithFailureThreshold(n int) CheckOption {
	if n < 1 {
		panic("health: WithFailureThreshold needs n >= 1")
	}
	return func(c *checkConfig) { c.failureThreshold = n }
}

// WithSuccessThreshold makes a DOWN check report its new status only after n
// consecutive results that are not DOWN. Default 1.
func WithSuccessThreshold(n int) CheckOption {
	if n < 1 {
		panic("health: WithSuccessThreshold needs n >= 1")
	}
	return func(c *checkConfig) { c.successThreshold = n }
}

// WithGroups puts the check in the named groups, for example
// WithGroups("readiness"). Each must be liveness, readiness or a group declared
// with [WithGroup] (before or after this check): New panics on any other
// name, so that a typo such as "readyness" cannot quietly make a new group
// while readiness stays UP. Default: no group (the aggregate only).
func WithGroups(names ...string) CheckOption {
	for _, n := range names {
		checkName("group", n)
	}
	names = append([]string(nil), names...)
	return func(c *checkConfig) { c.groups = append(c.groups, names...) }
}
