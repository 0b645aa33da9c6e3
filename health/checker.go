package health

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The probe groups, which always exist.
const (
	GroupLiveness  = "liveness"
	GroupReadiness = "readiness"
)

// Checker runs health checks and serves their results. Build it with [New];
// it is safe for concurrent use and immutable once built, apart from the
// checks' own state. Call [Checker.Close] to stop background checks.
type Checker struct {
	settings
	now func() time.Time

	root       *node
	groups     map[string]*group
	groupNames []string
	groupsJSON []byte
	leaves     []*leaf
	statuses   map[Status]*statusInfo // immutable after New
	up         *statusInfo

	stop      chan struct{}
	bgCtx     context.Context
	bgCancel  context.CancelFunc
	wg        sync.WaitGroup
	closeOnce sync.Once

	hasBackground bool        // some leaf runs in the background
	begun         atomic.Bool // Start has run (or Close made it moot)
	startMu       sync.Mutex  // orders Start against Close
	closed        bool        // Close has run; startMu guards it

	states sync.Pool // *evalState
}

// node is a component: a leaf check or a composite. The root and every group
// are nodes too, whose children are their members.
type node struct {
	name     string
	key      []byte // `"name":`, pre-encoded
	leaf     *leaf
	children []*node // sorted by name
	byName   map[string]*node
	leaves   []*leaf // every leaf under this node
}

type group struct {
	name           string
	node           *node
	showDetails    Visibility
	showComponents Visibility
}

// statusInfo is a status with its rank and its JSON encoding.
type statusInfo struct {
	status Status
	rank   int
	json   []byte
}

// New builds a Checker. It panics with a "health: " message on programmer
// errors: duplicate check names, a group named like a top-level check, a
// group named by [WithGroups] that is neither liveness, readiness nor declared
// with [WithGroup], unknown names in Include or Exclude, invalid option
// values.
//
// New calls no user code and starts no goroutine: background checks start
// with [Checker.Start] or the first [Checker.Check], [Checker.CheckGroup]
// or request, so a listener may use the variable New's result is assigned
// to. Call [Checker.Close] to stop them.
func New(opts ...Option) *Checker {
	cfg := &config{settings: settings{
		timeout:        DefaultTimeout,
		order:          []Status{Down, OutOfService, Up, Unknown},
		codes:          map[Status]int{Down: http.StatusServiceUnavailable, OutOfService: http.StatusServiceUnavailable},
		showDetails:    WhenAuthorized,
		showComponents: Always,
	}}
	cfg.group(GroupLiveness)
	cfg.group(GroupReadiness)
	for _, o := range opts {
		if o == nil {
			panic("health: nil Option")
		}
		o(cfg)
	}
	return build(cfg)
}

func build(cfg *config) *Checker {
	c := &Checker{
		settings: cfg.settings,
		now:      time.Now,
		stop:     make(chan struct{}),
		statuses: make(map[Status]*statusInfo),
	}
	for i, s := range c.order {
		if s == "" {
			panic("health: WithOrder: empty status")
		}
		if _, dup := c.statuses[s]; dup {
			panic(fmt.Sprintf("health: WithOrder: status %q listed twice", s))
		}
		c.statuses[s] = &statusInfo{status: s, rank: i, json: mustJSON(s)}
	}
	for _, s := range []Status{Up, Down, OutOfService, Unknown} {
		if _, ok := c.statuses[s]; !ok {
			c.statuses[s] = c.newStatusInfo(s)
		}
	}
	c.up = c.statuses[Up]

	// Components.
	c.root = &node{}
	c.addChildren(c.root, cfg.entries, "")
	// Groups: a check may only name a declared group, so that a typo
	// ("readyness") cannot make a new group while the real one stays UP.
	for _, e := range cfg.entries {
		for _, g := range e.check.groups {
			if _, ok := cfg.groups[g]; ok {
				continue
			}
			if _, clash := c.root.byName[g]; clash {
				panic(fmt.Sprintf("health: group %q has the name of a check", g))
			}
			declared := slices.Sorted(maps.Keys(cfg.groups))
			panic(fmt.Sprintf("health: check %q names group %q, which is not declared; declared groups: %s (declare a custom group with WithGroup)",
				e.name, g, strings.Join(declared, ", ")))
		}
	}
	c.groups = make(map[string]*group, len(cfg.groups))
	for _, name := range cfg.groupOrder {
		if _, clash := c.root.byName[name]; clash {
			panic(fmt.Sprintf("health: group %q has the name of a check", name))
		}
		c.groups[name] = c.buildGroup(name, cfg)
		c.groupNames = append(c.groupNames, name)
	}
	slices.Sort(c.groupNames)
	c.groupsJSON = mustJSON(c.groupNames)

	// Background checks start later: see Start.
	c.bgCtx, c.bgCancel = context.WithCancel(context.Background())
	for _, l := range c.leaves {
		c.hasBackground = c.hasBackground || l.background
	}
	n := len(c.leaves)
	c.states.New = func() any {
		return &evalState{snaps: make([]*snapshot, n), flights: make([]*flight, n)}
	}
	return c
}

func (c *Checker) addChildren(parent *node, entries []*entry, prefix string) {
	parent.byName = make(map[string]*node, len(entries))
	for _, e := range entries {
		if _, dup := parent.byName[e.name]; dup {
			panic(fmt.Sprintf("health: duplicate check name %q", prefix+e.name))
		}
		n := &node{name: e.name, key: append(mustJSON(e.name), ':')}
		if e.fn != nil {
			n.leaf = c.newLeaf(prefix+e.name, e)
			n.leaves = []*leaf{n.leaf}
		} else {
			c.addChildren(n, e.members, prefix+e.name+"/")
		}
		parent.byName[e.name] = n
		parent.children = append(parent.children, n)
		parent.leaves = append(parent.leaves, n.leaves...)
	}
	slices.SortFunc(parent.children, func(a, b *node) int { return strings.Compare(a.name, b.name) })
}

func (c *Checker) buildGroup(name string, cfg *config) *group {
	gc := cfg.groups[name]
	g := &group{name: name, showDetails: c.showDetails, showComponents: c.showComponents}
	if name == GroupLiveness || name == GroupReadiness {
		g.showDetails, g.showComponents = Never, Never
	}
	if gc.showDetails != nil {
		g.showDetails = *gc.showDetails
	}
	if gc.showComponents != nil {
		g.showComponents = *gc.showComponents
	}
	in := make(map[string]bool)
	for _, e := range cfg.entries {
		if slices.Contains(e.check.groups, name) {
			in[e.name] = true
		}
	}
	for _, inc := range gc.include {
		if inc == "*" {
			for n := range c.root.byName {
				in[n] = true
			}
			continue
		}
		if c.root.byName[inc] == nil {
			panic(fmt.Sprintf("health: group %q includes unknown check %q", name, inc))
		}
		in[inc] = true
	}
	for _, ex := range gc.exclude {
		if c.root.byName[ex] == nil {
			panic(fmt.Sprintf("health: group %q excludes unknown check %q", name, ex))
		}
		delete(in, ex)
	}
	g.node = &node{name: name, byName: make(map[string]*node, len(in))}
	for _, ch := range c.root.children { // sorted already
		if in[ch.name] {
			g.node.children = append(g.node.children, ch)
			g.node.byName[ch.name] = ch
			g.node.leaves = append(g.node.leaves, ch.leaves...)
		}
	}
	return g
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("health: " + err.Error())
	}
	return b
}

// statusInfo returns the shared info of s, or a new one for a status the
// checker has not seen (a custom status outside the order).
func (c *Checker) statusInfo(s Status) *statusInfo {
	if si, ok := c.statuses[s]; ok {
		return si
	}
	return c.newStatusInfo(s)
}

func (c *Checker) newStatusInfo(s Status) *statusInfo {
	return &statusInfo{status: s, rank: len(c.order), json: mustJSON(s)}
}

// worse reports whether a ranks before b in the aggregation order.
func worse(a, b *statusInfo) bool {
	if a.rank != b.rank {
		return a.rank < b.rank
	}
	return a.status < b.status
}

// Aggregate returns the status the checker's order picks among statuses:
// the first of the order present; statuses outside the order rank after
// it. No statuses give UP.
func (c *Checker) Aggregate(statuses ...Status) Status {
	if len(statuses) == 0 {
		return Up
	}
	best := c.statusInfo(statuses[0])
	for _, s := range statuses[1:] {
		if si := c.statusInfo(s); worse(si, best) {
			best = si
		}
	}
	return best.status
}

// StatusCode returns the HTTP status code the checker answers for s.
func (c *Checker) StatusCode(s Status) int {
	if code, ok := c.codes[s]; ok {
		return code
	}
	return http.StatusOK
}

// Groups returns the group names, sorted.
func (c *Checker) Groups() []string { return slices.Clone(c.groupNames) }

// GroupMembers returns the names of the top-level checks and composites in
// the named group, sorted, without running anything; nil for an unknown
// group.
func (c *Checker) GroupMembers(name string) []string {
	g, ok := c.groups[name]
	if !ok {
		return nil
	}
	out := make([]string, 0, len(g.node.children))
	for _, ch := range g.node.children {
		out = append(out, ch.name)
	}
	return out
}

// Start starts the background checks ([WithBackground]), each first after its
// initial delay. The first [Checker.Check], [Checker.CheckGroup] or request
// starts them too, so calling Start is only needed to have results before
// the first request; [New] never starts them. Start is idempotent and does
// nothing after [Checker.Close].
func (c *Checker) Start() {
	if c.begun.Load() {
		return
	}
	c.startMu.Lock()
	defer c.startMu.Unlock()
	if c.begun.Load() {
		return
	}
	c.begun.Store(true)
	if c.closed || !c.hasBackground {
		return
	}
	for _, l := range c.leaves {
		if l.background {
			c.wg.Add(1)
			go c.runBackground(l)
		}
	}
}

// Close stops the background checks and waits for their loops to end. A
// check function that ignores its context keeps its one goroutine until it
// returns. Requests keep working after Close; background checks then serve
// their last result (UNKNOWN if they never ran), and are not started again.
// Close is idempotent.
func (c *Checker) Close() {
	c.closeOnce.Do(func() {
		c.startMu.Lock()
		c.closed = true
		c.begun.Store(true)
		c.startMu.Unlock()
		close(c.stop)
		c.bgCancel()
		c.wg.Wait()
	})
}

// Check runs the checks (or reads their cached results) and returns the
// aggregate with every component and its details, whatever the visibility
// settings, which only apply to HTTP. ctx bounds the wait next to the
// checker's timeout.
func (c *Checker) Check(ctx context.Context) Report {
	r := c.report(ctx, c.root)
	r.Groups = c.Groups()
	return r
}

// CheckGroup is [Checker.Check] for one group; ok is false for an unknown group.
func (c *Checker) CheckGroup(ctx context.Context, name string) (r Report, ok bool) {
	g, ok := c.groups[name]
	if !ok {
		return Report{}, false
	}
	return c.report(ctx, g.node), true
}

func (c *Checker) report(ctx context.Context, n *node) Report {
	st := c.getState()
	defer c.putState(st)
	c.evaluate(ctx, n.leaves, st)
	return c.buildReport(n, st)
}

func (c *Checker) buildReport(n *node, st *evalState) Report {
	r := Report{Status: c.aggregate(n, st).status}
	if n.leaf != nil {
		s := st.snaps[n.leaf.idx]
		if m := s.detailMap(); len(m) > 0 {
			r.Details = make(map[string]any, len(m))
			for k, v := range m {
				r.Details[k] = v
			}
		}
		return r
	}
	if len(n.children) > 0 {
		r.Components = make(map[string]Report, len(n.children))
		for _, ch := range n.children {
			r.Components[ch.name] = c.buildReport(ch, st)
		}
	}
	return r
}

// aggregate returns the status of n for the results in st.
func (c *Checker) aggregate(n *node, st *evalState) *statusInfo {
	if n.leaf != nil {
		return st.snaps[n.leaf.idx].info
	}
	if len(n.children) == 0 {
		return c.up
	}
	best := c.aggregate(n.children[0], st)
	for _, ch := range n.children[1:] {
		if si := c.aggregate(ch, st); worse(si, best) {
			best = si
		}
	}
	return best
}
