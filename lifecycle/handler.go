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

// ShutdownHandler returns the handler of the shutdown endpoint. It accepts
// POST on its own path ("" or "/", relative to where it is mounted), answers
// 200 {"message":"Shutting down, bye..."}, flushes the response, and only
// then calls Shutdown; the response is on the wire before the drain starts.
// A second call answers the same and starts nothing new. Other methods get a
// 405, other paths a 404. It checks no credentials: mount it behind an
// authorizer.
func (l *Lifecycle) ShutdownHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "" && r.URL.Path != "/" {
			httpx.NotFound(w, r)
			return
		}
		if r.Method != http.MethodPost {
			httpx.MethodNotAllowed(w, r, http.MethodPost)
			return
		}
		httpx.WriteJSON(w, r, http.StatusOK, shutdownBody{Message: ShutdownMessage})
		_ = http.NewResponseController(w).Flush()
		l.Shutdown("shutdown endpoint")
	})
}
