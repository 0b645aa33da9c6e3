package actuator

import (
	"net/http"
	"net/url"

	"github.com/actuatorgo/actuator/dashboard"
	"github.com/actuatorgo/actuator/internal/httpx"
)

// WithoutDashboard turns off the dashboard page, so that a browser asking
// the base path for HTML gets the discovery index like any other client.
// Default: on. The page is served at the base path (and wherever the
// index is reachable: [Actuator.Handler], [GinHandler]) to requests that
// prefer text/html, with its two files at base?dashboard=app.js and
// base?dashboard=app.css; JSON clients, clients that send no Accept or
// "*/*" get the index unchanged. It reads the same endpoints with the
// viewer's credentials and shows nothing they would not; the server
// collects nothing for it. See package [dashboard] and docs/dashboard.md.
func WithoutDashboard() Option {
	return func(c *config) { c.noDashboard = true }
}

// serveDashboard serves the dashboard page or one of its files when r, a
// GET or HEAD of the index, asks for them and the page is on, and reports
// whether it did.
func (a *Actuator) serveDashboard(w http.ResponseWriter, r *http.Request) bool {
	if a.noDashboard || !dashboard.Wants(r) {
		return false
	}
	base, ok := a.baseURL(r)
	if !ok {
		httpx.WriteError(w, r, http.StatusBadRequest, "Host header or request path too long for the dashboard")
		return true
	}
	// The page's <base href> is the path only: a path is always of the
	// page's own origin, which the Content-Security-Policy's base-uri
	// demands, whatever host the request or a proxy named.
	u, err := url.Parse(base)
	if err != nil {
		httpx.WriteError(w, r, http.StatusBadRequest, "malformed Host header or request path")
		return true
	}
	dashboard.Serve(w, r, u.EscapedPath())
	return true
}
