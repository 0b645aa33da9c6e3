package health

import (
	"net/http"
	"strings"

	"github.com/actuatorgo/actuator/internal/httpx"
)

// Handler returns the handler of the health endpoint. It works on its own
// at any path of any [http.ServeMux]:
//
//	mux.Handle("GET /health", c.Handler())            // the aggregate
//	mux.Handle("GET /health/{path...}", c.Handler())  // groups and components
//
// The value of the "{path...}" wildcard, when the pattern has one, selects
// what is served:
//
//	""                          the aggregate, with "groups"
//	"{group}"                   a group; probe groups answer a bare {"status":...}
//	"{component}"               a check or composite
//	"{group}/{component}"       a component of a group
//	".../{composite}/{member}"  a member of a composite, at any depth
//
// One slash after the last segment is ignored, as the actuator ignores it.
// Unknown paths, and component paths when components are hidden from the
// caller, get 404. Methods other than GET and HEAD get 405. The response is
// Spring Boot's v3 JSON type, or application/json when the client asks for
// that (406 when it accepts neither). The HTTP status follows the status of
// what is served ([WithStatusCode]).
func (c *Checker) Handler() http.Handler { return httpx.Handler(c.serveEndpoint) }

// serveEndpoint serves the health endpoint; the actuator's router calls it
// with the sub-path and content type it has settled.
func (c *Checker) serveEndpoint(w http.ResponseWriter, r *http.Request, sub, ct string) {
	if sub == "" {
		c.serve(w, r, ct, c.root, c.showComponents, c.showDetails, true)
		return
	}
	seg, rest, more := strings.Cut(sub, "/")
	scope, comps, details := c.root, c.showComponents, c.showDetails
	if g, ok := c.groups[seg]; ok {
		if !more {
			c.serve(w, r, ct, g.node, g.showComponents, g.showDetails, false)
			return
		}
		scope, comps, details = g.node, g.showComponents, g.showDetails
		seg, rest, more = strings.Cut(rest, "/")
	}
	n := scope.byName[seg]
	for n != nil && more {
		seg, rest, more = strings.Cut(rest, "/")
		n = n.byName[seg]
	}
	if n == nil {
		httpx.NotFoundAs(w, r, ct)
		return
	}
	st := c.getState()
	defer c.putState(st)
	if !c.allowed(comps, r, st) {
		httpx.NotFoundAs(w, r, ct)
		return
	}
	c.evaluate(r.Context(), n.leaves, st)
	buf := httpx.GetBuffer()
	defer httpx.PutBuffer(buf)
	*buf = c.appendComponent(*buf, n, st, c.allowed(details, r, st))
	httpx.WriteBody(w, r, c.StatusCode(c.aggregate(n, st).status), ct, *buf)
}

// GroupHandler returns a handler answering the group's bare {"status":...}
// with the group's HTTP status code, whatever the request path: mount it at
// /livez and /readyz on the application's port as Kubernetes' own
// components do. Methods other than GET and HEAD get 405. It answers
// application/json when the client accepts only that, and Spring Boot's v3
// type otherwise, since a prober reads the status code whatever the type.
// It panics on an unknown group.
func (c *Checker) GroupHandler(name string) http.Handler {
	g, ok := c.groups[name]
	if !ok {
		panic("health: GroupHandler: unknown group " + name)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			httpx.MethodNotAllowed(w, r, "GET, HEAD")
			return
		}
		ct, ok := httpx.Negotiate(r)
		if !ok {
			ct = httpx.MediaTypeJSON
		}
		c.serve(w, r, ct, g.node, Never, Never, false)
	})
}

// serve answers the aggregate of n (the root or a group).
func (c *Checker) serve(w http.ResponseWriter, r *http.Request, ct string, n *node, comps, details Visibility, top bool) {
	st := c.getState()
	defer c.putState(st)
	c.evaluate(r.Context(), n.leaves, st)
	si := c.aggregate(n, st)
	buf := httpx.GetBuffer()
	defer httpx.PutBuffer(buf)
	b := append(*buf, `{"status":`...)
	b = append(b, si.json...)
	if len(n.children) > 0 && c.allowed(comps, r, st) {
		b = append(b, `,"components":`...)
		b = c.appendChildren(b, n, st, c.allowed(details, r, st))
	}
	if top && len(c.groupNames) > 0 {
		b = append(b, `,"groups":`...)
		b = append(b, c.groupsJSON...)
	}
	b = append(b, '}')
	*buf = b
	httpx.WriteBody(w, r, c.StatusCode(si.status), ct, b)
}

// allowed resolves a visibility for r, asking the authorizer at most once.
func (c *Checker) allowed(v Visibility, r *http.Request, st *evalState) bool {
	switch v {
	case Always:
		return true
	case WhenAuthorized:
		if st.authz == 0 {
			st.authz = -1
			if c.authorizer != nil && c.authorizer(r) {
				st.authz = 1
			}
		}
		return st.authz > 0
	}
	return false
}

// appendComponent appends n's JSON: {"status":...,"details":{...}} for a
// check, {"status":...,"components":{...}} for a composite.
func (c *Checker) appendComponent(b []byte, n *node, st *evalState, details bool) []byte {
	b = append(b, `{"status":`...)
	b = append(b, c.aggregate(n, st).json...)
	if n.leaf != nil {
		if s := st.snaps[n.leaf.idx]; details && len(s.detailMap()) > 0 {
			b = append(b, `,"details":`...)
			b = append(b, s.detailBytes()...)
		}
	} else if len(n.children) > 0 {
		b = append(b, `,"components":`...)
		b = c.appendChildren(b, n, st, details)
	}
	return append(b, '}')
}

func (c *Checker) appendChildren(b []byte, n *node, st *evalState, details bool) []byte {
	b = append(b, '{')
	for i, ch := range n.children {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, ch.key...)
		b = c.appendComponent(b, ch, st, details)
	}
	return append(b, '}')
}
