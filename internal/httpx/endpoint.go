package httpx

import "net/http"

// Endpoint is the form of a domain handler (health, info, metrics) that
// the actuator's router calls once it has settled the request: the method
// is one the endpoint answers, sub is the path below the endpoint without
// leading or trailing slash ("" for the endpoint itself, "liveness/db"
// below it, never with empty, "." or ".." segments), and contentType is
// the negotiated response type ("" for an endpoint that writes its own).
// Everything the handler needs is in the arguments: the request's URL and
// context are the client's.
//
// The same handler serves on its own, mounted on any mux, through
// [ServeStandalone].
type Endpoint interface {
	ServeEndpoint(w http.ResponseWriter, r *http.Request, sub, contentType string)
}

// EndpointFunc is an [Endpoint] as a function.
type EndpointFunc func(w http.ResponseWriter, r *http.Request, sub, contentType string)

// ServeEndpoint calls f.
func (f EndpointFunc) ServeEndpoint(w http.ResponseWriter, r *http.Request, sub, contentType string) {
	f(w, r, sub, contentType)
}

// Handler returns f as a handler that serves on its own through
// [ServeStandalone] and is still an [Endpoint] for the root's router: what
// the health, info and metrics endpoints' Handler methods return.
func Handler(f EndpointFunc) http.Handler { return standalone{f} }

type standalone struct{ EndpointFunc }

func (s standalone) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ServeStandalone(w, r, s.EndpointFunc)
}

// SubPath is the path below a handler mounted on its own: the value of the
// "{path...}" wildcard of its route pattern, as in
// mux.Handle("GET /health/{path...}", h), with the slash after its last
// segment dropped, as the router drops it; "" when the pattern has no such
// wildcard, as in mux.Handle("/health", h).
func SubPath(r *http.Request) string {
	p := r.PathValue("path")
	if len(p) > 1 && p[len(p)-1] == '/' {
		p = p[:len(p)-1]
	}
	return p
}

// ServeStandalone serves r with e mounted on its own: GET and HEAD only
// (405 otherwise), the response type negotiated from Accept (406 when
// neither JSON type is acceptable), and the sub-path read by SubPath.
func ServeStandalone(w http.ResponseWriter, r *http.Request, e Endpoint) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		MethodNotAllowed(w, r, "GET, HEAD")
		return
	}
	ct, ok := Negotiate(r)
	if !ok {
		NotAcceptable(w, r)
		return
	}
	e.ServeEndpoint(w, r, SubPath(r), ct)
}

// RawHandler is Handler for an endpoint that writes its own content type
// (a profile, a text dump, an SBOM document): on its own it answers GET
// and HEAD only (405 otherwise) and leaves the negotiation to f, which
// gets "" as its contentType, as the root's router gives it.
func RawHandler(f EndpointFunc) http.Handler { return raw{f} }

type raw struct{ EndpointFunc }

func (h raw) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		MethodNotAllowed(w, r, "GET, HEAD")
		return
	}
	h.EndpointFunc(w, r, SubPath(r), "")
}
