package env

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/actuatorgo/actuator/internal/httpx"
)

// MaxPatternLength bounds the ?pattern= regular expression, in bytes; a
// longer one gets 400. Go's regexp matches in time linear in the input,
// and this bound keeps the pattern's own part of that cost small.
const MaxPatternLength = 256

// Handler returns the handler of the env endpoint. It works on its own at
// any path of any [http.ServeMux]:
//
//	mux.Handle("GET /env", e.Handler())             // every source, ?pattern=
//	mux.Handle("GET /env/{path...}", e.Handler())   // one name
//
// The value of the "{path...}" wildcard, when the pattern has one, is the
// property's name; one slash after it is ignored. Methods other than GET
// and HEAD get 405. The response is Spring Boot's v3 JSON type, or
// application/json when the client asks for that (406 when it accepts
// neither).
func (e *Endpoint) Handler() http.Handler { return handler{e} }

// handler is the env endpoint; the actuator's router calls its
// ServeEndpoint with the sub-path and content type it has settled.
type handler struct{ e *Endpoint }

var _ httpx.Endpoint = handler{}

func (h handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	httpx.ServeStandalone(w, r, h)
}

func (h handler) ServeEndpoint(w http.ResponseWriter, r *http.Request, sub, ct string) {
	if sub == "" {
		h.serveAll(w, r, ct)
		return
	}
	h.serveOne(w, r, sub, ct)
}

// Spring's shapes, from EnvironmentEndpoint's descriptor classes.
type (
	document struct {
		ActiveProfiles  []string    `json:"activeProfiles"`
		DefaultProfiles []string    `json:"defaultProfiles"`
		PropertySources []sourceDoc `json:"propertySources"`
	}
	sourceDoc struct {
		Name       string              `json:"name"`
		Properties map[string]valueDoc `json:"properties"`
	}
	valueDoc struct {
		Value  string `json:"value"`
		Origin string `json:"origin,omitempty"`
	}
	entryDoc struct {
		Property        summaryDoc       `json:"property"`
		ActiveProfiles  []string         `json:"activeProfiles"`
		DefaultProfiles []string         `json:"defaultProfiles"`
		PropertySources []entrySourceDoc `json:"propertySources"`
	}
	summaryDoc struct {
		Source string `json:"source"`
		Value  string `json:"value"`
	}
	entrySourceDoc struct {
		Name     string    `json:"name"`
		Property *valueDoc `json:"property,omitempty"`
	}
)

func (h handler) serveAll(w http.ResponseWriter, r *http.Request, ct string) {
	match, msg := compilePattern(r)
	if msg != "" {
		httpx.WriteErrorAs(w, r, http.StatusBadRequest, ct, msg)
		return
	}
	e := h.e
	show := e.shows(r)
	doc := document{ActiveProfiles: []string{}, DefaultProfiles: []string{}, PropertySources: make([]sourceDoc, 0, len(e.sources))}
	for _, s := range e.sources {
		props := map[string]valueDoc{}
		for k, v := range s.properties() {
			if match == nil || match.MatchString(k) {
				props[k] = valueDoc{Value: e.value(show, k, v), Origin: s.origin(k)}
			}
		}
		doc.PropertySources = append(doc.PropertySources, sourceDoc{Name: s.name, Properties: props})
	}
	httpx.WriteJSONAs(w, r, http.StatusOK, ct, doc)
}

// compilePattern returns the ?pattern= expression, nil for none (absent or
// blank, as Spring's StringUtils.hasText), or the message of a 400.
func compilePattern(r *http.Request) (*regexp.Regexp, string) {
	p := r.URL.Query().Get("pattern")
	if strings.TrimSpace(p) == "" {
		return nil, ""
	}
	if len(p) > MaxPatternLength {
		return nil, "pattern is longer than " + strconv.Itoa(MaxPatternLength) + " bytes"
	}
	re, err := regexp.Compile(p)
	if err != nil {
		return nil, "Invalid regular expression"
	}
	return re, ""
}

func (h handler) serveOne(w http.ResponseWriter, r *http.Request, name, ct string) {
	e := h.e
	show := e.shows(r)
	doc := entryDoc{ActiveProfiles: []string{}, DefaultProfiles: []string{}, PropertySources: make([]entrySourceDoc, 0, len(e.sources))}
	found := false
	for _, s := range e.sources {
		es := entrySourceDoc{Name: s.name}
		if v, ok := s.properties()[name]; ok {
			vd := valueDoc{Value: e.value(show, name, v), Origin: s.origin(name)}
			es.Property = &vd
			if !found {
				doc.Property, found = summaryDoc{Source: s.name, Value: vd.Value}, true
			}
		}
		doc.PropertySources = append(doc.PropertySources, es)
	}
	if !found {
		httpx.WriteErrorAs(w, r, http.StatusNotFound, ct, "no property named "+quote(name))
		return
	}
	httpx.WriteJSONAs(w, r, http.StatusOK, ct, doc)
}

func quote(s string) string {
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	return strconv.Quote(s)
}
