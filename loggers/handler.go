package loggers

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/actuatorgo/actuator/internal/httpx"
)

// MaxRequestBody bounds the body of a POST the handler reads, as the
// actuator's root bounds every request body: 64 KiB. A longer body gets 413.
const MaxRequestBody = 64 << 10

// Handler returns the handler of the loggers endpoint. It works on its own
// at any path of any [http.ServeMux]:
//
//	mux.Handle("/loggers", e.Handler())             // the list
//	mux.Handle("/loggers/{path...}", e.Handler())   // one logger
//
// The value of the "{path...}" wildcard, when the pattern has one, is the
// logger's name; one slash after it is ignored. GET and HEAD read, POST
// on a logger sets its level and answers 204; other methods get 405.
// Unknown loggers get 404, a level that is not one of Spring's names or a
// body that is not a JSON object 400, a body over [MaxRequestBody] 413, a
// body that is not declared as JSON 415. Every error has a JSON body. The
// response is Spring Boot's v3 JSON type, or application/json when the
// client asks for that (406 for a GET that accepts neither).
func (e *Endpoint) Handler() http.Handler { return handler{e} }

// handler is the loggers endpoint; the actuator's router calls its
// ServeEndpoint with the sub-path and content type it has settled, and
// with the method among GET, HEAD and POST.
type handler struct{ e *Endpoint }

var _ httpx.Endpoint = handler{}

func (h handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ct, ok := httpx.Negotiate(r)
	if !ok {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			httpx.NotAcceptable(w, r)
			return
		}
		ct = httpx.MediaTypeJSON // a write answers 204, or an error as JSON
	}
	h.ServeEndpoint(w, r, httpx.SubPath(r), ct)
}

func (h handler) ServeEndpoint(w http.ResponseWriter, r *http.Request, sub, ct string) {
	read := r.Method == http.MethodGet || r.Method == http.MethodHead
	if sub == "" {
		if !read {
			httpx.MethodNotAllowed(w, r, "GET, HEAD")
			return
		}
		httpx.WriteJSONAs(w, r, http.StatusOK, ct, document{
			Levels:  names,
			Loggers: h.e.Loggers(),
			Groups:  struct{}{},
		})
		return
	}
	if !read && r.Method != http.MethodPost {
		httpx.MethodNotAllowed(w, r, "GET, HEAD, POST")
		return
	}
	levels, ok := h.e.Logger(sub)
	if !ok {
		httpx.WriteErrorAs(w, r, http.StatusNotFound, ct, "no logger named "+quote(sub))
		return
	}
	if read {
		httpx.WriteJSONAs(w, r, http.StatusOK, ct, levels)
		return
	}
	h.configure(w, r, sub, ct)
}

// document is the list's shape. Groups is always empty: slog has no
// logger groups, but Spring Boot Admin reads the field as an object.
type document struct {
	Levels  []string          `json:"levels"`
	Loggers map[string]Levels `json:"loggers"`
	Groups  struct{}          `json:"groups"`
}

// configure reads {"configuredLevel": "DEBUG" | null} and applies it.
func (h handler) configure(w http.ResponseWriter, r *http.Request, name, ct string) {
	if !isJSON(r.Header.Get("Content-Type")) {
		httpx.WriteErrorAs(w, r, http.StatusUnsupportedMediaType, ct,
			"the body must be JSON: Content-Type application/json")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxRequestBody))
	if err != nil {
		if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
			httpx.WriteErrorAs(w, r, http.StatusRequestEntityTooLarge, ct, "the body is longer than the limit")
			return
		}
		httpx.WriteErrorAs(w, r, http.StatusBadRequest, ct, "cannot read the body")
		return
	}
	level, err := parseBody(body)
	if err != nil {
		httpx.WriteErrorAs(w, r, http.StatusBadRequest, ct, err.Error())
		return
	}
	if err := h.e.SetLevel(name, level); err != nil {
		httpx.WriteErrorAs(w, r, http.StatusBadRequest, ct, err.Error())
		return
	}
	httpx.SetSecurityHeaders(w.Header())
	w.WriteHeader(http.StatusNoContent)
}

var errBody = errors.New(`the body must be a JSON object such as {"configuredLevel":"DEBUG"}`)

// parseBody returns the level a POST body asks for, "" for a reset: a
// null or absent configuredLevel, as Spring Boot Admin sends {} to reset.
func parseBody(body []byte) (string, error) {
	var req struct {
		ConfiguredLevel json.RawMessage `json:"configuredLevel"`
	}
	// A JSON null body would leave req untouched; it is no object.
	if err := json.Unmarshal(body, &req); err != nil || strings.TrimSpace(string(body)) == "null" {
		return "", errBody
	}
	raw := req.ConfiguredLevel
	if raw == nil || string(raw) == "null" {
		return "", nil
	}
	var level string
	if err := json.Unmarshal(raw, &level); err != nil {
		return "", errors.New("configuredLevel must be a level name or null")
	}
	if level == "" {
		return "", &UnknownLevelError{}
	}
	return level, nil
}

// isJSON reports whether a Content-Type is one Spring's endpoints accept
// for a write: application/json or the actuator's v3 type.
func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == httpx.MediaTypeJSON || mt == httpx.MediaTypeV3)
}
