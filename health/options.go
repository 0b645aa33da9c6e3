package health

import (
	"fmt"
	"log/slog"
	"net/http"
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
type Option interface {
	apply(*config)
}

// CheckOption configures one check; see [Timeout], [TTL], [Background],
// [FailureThreshold], [SuccessThreshold] and [Groups].
type CheckOption func(*checkConfig)

// GroupOption configures a group; see [Include], [Exclude], [ShowDetails]
// and [ShowComponents].
type GroupOption func(*groupConfig)

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// entryOption registers a check or a composite. It is the only kind of
// Option WithComposite accepts as a member.
type entryOption struct{ e *entry }

func (o entryOption) apply(c *config) { c.entries = append(c.entries, o.e) }

type config struct {
	entries        []*entry
	groups         map[string]*groupConfig
	groupOrder     []string
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

func withEntry(name string, fn StatusFunc, opts []CheckOption) Option {
	checkName("check", name)
	e := &entry{name: name, fn: fn, check: checkConfig{failureThreshold: 1, successThreshold: 1}}
	for _, o := range opts {
		o(&e.check)
	}
	return entryOption{e}
}

// WithComposite registers a component made of members, rendered as nested
// "components" and served at /{name}/{member}. Members must be [WithCheck],
// [WithStatusCheck] or WithComposite options (New panics otherwise, and on
// duplicate member names). The composite's status aggregates its members'
// with the checker's order; a composite with no members is UP.
//
// Members cannot carry [Groups]; to put a composite in a group, name it in
// that group: WithGroup("readiness", Include(name)).
func WithComposite(name string, members ...Option) Option {
	checkName("composite", name)
	e := &entry{name: name}
	for _, m := range members {
		eo, ok := m.(entryOption)
		if !ok {
			panic(fmt.Sprintf("health: composite %q: members must be WithCheck, WithStatusCheck or WithComposite options", name))
		}
		if len(eo.e.check.groups) > 0 {
			panic(fmt.Sprintf("health: composite %q: member %q cannot carry Groups; include the composite in the group instead", name, eo.e.name))
		}
		e.members = append(e.members, eo.e)
	}
	return entryOption{e}
}

// WithGroup declares a group or adds to one (calls for the same name merge).
// The liveness and readiness groups always exist; WithGroup can add checks
// to them or change their visibility. A group's members are the checks that
// name it with [Groups], plus those named by [Include], minus those named by
// [Exclude]. A group name must differ from every top-level check name.
func WithGroup(name string, opts ...GroupOption) Option {
	checkName("group", name)
	return optionFunc(func(c *config) {
		g := c.group(name)
		for _, o := range opts {
			o(g)
		}
	})
}

// Include adds the named top-level checks or composites to a group; "*"
// means all of them. New panics on an unknown name.
func Include(names ...string) GroupOption {
	names = append([]string(nil), names...)
	return func(g *groupConfig) { g.include = append(g.include, names...) }
}

// Exclude removes the named top-level checks from a group, whichever way
// they got in. New panics on an unknown name.
func Exclude(names ...string) GroupOption {
	names = append([]string(nil), names...)
	return func(g *groupConfig) { g.exclude = append(g.exclude, names...) }
}

// ShowDetails sets the group's details visibility. Default: the probe groups
// (liveness, readiness) Never; other groups the checker's [WithShowDetails].
func ShowDetails(v Visibility) GroupOption {
	checkVisibility(v)
	return func(g *groupConfig) { g.showDetails = &v }
}

// ShowComponents sets the group's components visibility. Default: the probe
// groups (liveness, readiness) Never, so they answer a bare {"status":...};
// other groups the checker's [WithShowComponents].
func ShowComponents(v Visibility) GroupOption {
	checkVisibility(v)
	return func(g *groupConfig) { g.showComponents = &v }
}

func checkVisibility(v Visibility) {
	if v < Never || v > Always {
		panic(fmt.Sprintf("health: invalid visibility %d", int(v)))
	}
}

// WithTimeout sets the deadline of one health request; every check run gets
// at most this long. Default [DefaultTimeout] (800 ms), which fits a
// Kubernetes probe's default timeoutSeconds: 1. New panics if d <= 0.
func WithTimeout(d time.Duration) Option {
	if d <= 0 {
		panic("health: WithTimeout needs a positive duration")
	}
	return optionFunc(func(c *config) { c.timeout = d })
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
	return optionFunc(func(c *config) { c.order = order })
}

// WithStatusCode maps a status to an HTTP status code, 200 to 599 (a 1xx
// code is interim: the answer would then go out as 200). Defaults: DOWN and
// OUT_OF_SERVICE 503, every other status 200.
func WithStatusCode(s Status, code int) Option {
	if s == "" || code < 200 || code > 599 {
		panic(fmt.Sprintf("health: invalid status code mapping %q -> %d", s, code))
	}
	return optionFunc(func(c *config) { c.codes[s] = code })
}

// WithShowDetails sets who sees component details (durations, error texts,
// check-specific details). Default WhenAuthorized: without an authorizer,
// nobody, so error texts never reach an unauthorised caller.
func WithShowDetails(v Visibility) Option {
	checkVisibility(v)
	return optionFunc(func(c *config) { c.showDetails = v })
}

// WithShowComponents sets who sees the list of components and their
// statuses, and who may fetch a component's path. Default Always.
func WithShowComponents(v Visibility) Option {
	checkVisibility(v)
	return optionFunc(func(c *config) { c.showComponents = v })
}

// WithAuthorizer sets the function that decides WhenAuthorized visibility.
// Default none: WhenAuthorized then shows nothing.
func WithAuthorizer(fn func(*http.Request) bool) Option {
	return optionFunc(func(c *config) { c.authorizer = fn })
}

// WithListener sets a function called whenever a check's reported status
// changes (after thresholds), including its first result (from UNKNOWN).
// It is called one call at a time per check, in order, from a goroutine
// that produced a result (the check's, its timeout timer's, or a request's;
// a short-lived one when a background check's loop finds its run hung); it
// may call back into the Checker, Close included. A panic in it is
// recovered. Default none.
func WithListener(fn func(name string, from, to Status)) Option {
	return optionFunc(func(c *config) { c.listener = fn })
}

// WithLogger sets the logger for status transitions (Info to UP, Warn
// otherwise), slow checks (Warn, over half their timeout), timeouts and
// panics. Default nil: silent.
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(c *config) { c.logger = l })
}

// Timeout shortens the check's deadline below the request's ([WithTimeout]);
// a longer value has no effect. Default: the request's deadline.
func Timeout(d time.Duration) CheckOption {
	if d <= 0 {
		panic("health: Timeout needs a positive duration")
	}
	return func(c *checkConfig) { c.timeout = d }
}

// TTL caches the check's result for d after it completes, so requests within
// d do not run it again. Default 0: no cache (concurrent requests still share
// one run).
func TTL(d time.Duration) CheckOption {
	if d < 0 {
		panic("health: TTL needs a non-negative duration")
	}
	return func(c *checkConfig) { c.ttl = d }
}

// Background runs the check in its own goroutine every interval, first after
// initialDelay; requests serve its last result and never run it. Until the
// first run completes it reports UNKNOWN with [ErrNotChecked]. Default: not
// in the background. [Checker.Close] stops it.
func Background(interval, initialDelay time.Duration) CheckOption {
	if interval <= 0 || initialDelay < 0 {
		panic("health: Background needs a positive interval and a non-negative initial delay")
	}
	return func(c *checkConfig) {
		c.background = true
		c.interval = interval
		c.initialDelay = initialDelay
	}
}

// FailureThreshold makes a check report DOWN only after n consecutive DOWN
// results; until then it keeps its previous status (with the latest error in
// its details). The first result is always reported as it is. While a timed
// out run has not returned, requests that would have run the check count as
// further failures, at most one per timeout, as do background ticks.
// Default 1.
func FailureThreshold(n int) CheckOption {
	if n < 1 {
		panic("health: FailureThreshold needs n >= 1")
	}
	return func(c *checkConfig) { c.failureThreshold = n }
}

// SuccessThreshold makes a DOWN check report its new status only after n
// consecutive results that are not DOWN. Default 1.
func SuccessThreshold(n int) CheckOption {
	if n < 1 {
		panic("health: SuccessThreshold needs n >= 1")
	}
	return func(c *checkConfig) { c.successThreshold = n }
}

// Groups puts the check in the named groups, for example
// Groups("readiness"). Each must be liveness, readiness or a group declared
// with [WithGroup] (before or after this check): New panics on any other
// name, so that a typo such as "readyness" cannot quietly make a new group
// while readiness stays UP. Default: no group (the aggregate only).
func Groups(names ...string) CheckOption {
	for _, n := range names {
		checkName("group", n)
	}
	names = append([]string(nil), names...)
	return func(c *checkConfig) { c.groups = append(c.groups, names...) }
}

// Inline runs the check in the request's own goroutine, with no timer, no
// timeout and no single-flight, and reuses its last result while nothing
// changes. It is only for checks that cannot block, such as reading an
// atomic flag: the process's livenessState and readinessState use it, so
// they cost nothing on a probe. Timeout, TTL and Background do not apply
// to an inline check. Default: off.
func Inline() CheckOption {
	return func(c *checkConfig) { c.inline = true }
}
