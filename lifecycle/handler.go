package lifecycle

import (
	"net/http"

	"github.com/actuatorgo/actuator/internal/httpx"
)

// ShutdownMessage is the body field the shutdown endpoint answers with, as
// Spring Boot Actuator does.
const ShutdownMessage = "Shutting down, bye..."

type shutdownBody struct {
	Message string `json:"message"`
}

// ShutdownHandler returns the handler of the shutdown endpoint, which
// stands alone on any mux: mux.Handle("/shutdown", l.ShutdownHandler()).
// It accepts POST (405 otherwise), negotiates the response type from Accept
// (406 when neither JSON type is acceptable), answers 200
// {"message":"Shutting down, bye..."}, flushes the response, and only then
// calls Shutdown; the response is on the wire before the drain starts. A
// second call answers the same and starts nothing new. Mounted with a
// "{path...}" wildcard, it answers 404 below its own path. It checks no
// credentials and no origin: mount it behind an authorizer and
// [net/http.CrossOriginProtection], as the actuator does.
func (l *Lifecycle) ShutdownHandler() http.Handler { return shutdownHandler{l} }

type shutdownHandler struct{ l *Lifecycle }

var _ httpx.Endpoint = shutdownHandler{}

func (h shutdownHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		httpx.MethodNotAllowed(w, r, http.MethodPost)
		return
	}
	ct, ok := httpx.Negotiate(r)
	if !ok {
		httpx.NotAcceptable(w, r)
		return
	}
	h.ServeEndpoint(w, r, httpx.SubPath(r), ct)
}

// ServeEndpoint answers a POST the router has settled; see [httpx.Endpoint].
func (h shutdownHandler) ServeEndpoint(w http.ResponseWriter, r *http.Request, sub, ct string) {
	if sub != "" {
		httpx.NotFoundAs(w, r, ct)
		return
	}
	httpx.WriteJSONAs(w, r, http.StatusOK, ct, shutdownBody{Message: ShutdownMessage})
	_ = http.NewResponseController(w).Flush()
	h.l.Shutdown("shutdown endpoint")
}
