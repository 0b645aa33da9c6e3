package actuator

import (
	"net/http"
	"strings"

	"github.com/actuatorgo/actuator/internal/httpx"
)

// answerOptions answers an OPTIONS request to the index or to an endpoint
// that does not list OPTIONS among its own methods, as Spring MVC answers
// one for any mapped path: 200, no body, and an Allow header naming the
// endpoint's methods and OPTIONS (allow is the endpoint's Allow header, as
// a 405 sends it). Spring Boot Admin needs the 2xx: when it cannot use the
// discovery index it probes each endpoint with OPTIONS and keeps those
// that answer 2xx (see docs/spring-boot-admin.md).
//
// It is not a CORS preflight answer: it sends no Access-Control-* header,
// so a browser on another origin still may not call the endpoints.
func answerOptions(w http.ResponseWriter, allow string) {
	h := w.Header()
	h.Set("Allow", withOptions(allow))
	h.Set("Content-Length", "0")
	httpx.SetSecurityHeaders(h)
	w.WriteHeader(http.StatusOK)
}

// withOptions adds OPTIONS to an Allow header value that lacks it.
func withOptions(allow string) string {
	for _, m := range strings.Split(allow, ", ") {
		if m == http.MethodOptions {
			return allow
		}
	}
	return allow + ", " + http.MethodOptions
}
