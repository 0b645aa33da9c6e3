package sbom

import (
	"net/http"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/actuatorgo/actuator/internal/httpx"
)

// ApplicationID is the id of the application's own SBOM, as in Spring Boot.
const ApplicationID = "application"

// MediaTypeCycloneDX is the type of a CycloneDX JSON document.
const MediaTypeCycloneDX = "application/vnd.cyclonedx+json"

// SBOM serves software bills of materials: the application's own, built
// from the build info Go records in every binary, and any added with
// [WithDocument]. Build it with [New]; it is immutable and safe for
// concurrent use.
type SBOM struct {
	docs    map[string]document
	idsJSON []byte // {"ids":[...]}
}

type document struct {
	mediaType string
	body      []byte
}

// Option configures an [SBOM].
type Option func(*config)

type config struct {
	bi       *debug.BuildInfo
	biSet    bool
	extra    map[string]document
	extraIDs []string
}

// WithBuildInfo describes bi instead of the running binary's build info
// ([debug.ReadBuildInfo]), as [debug.ParseBuildInfo] or
// debug/buildinfo.ReadFile give it for another binary; nil means none,
// and the application's SBOM is then not served. Default: the running
// binary's.
func WithBuildInfo(bi *debug.BuildInfo) Option {
	return func(c *config) { c.bi, c.biSet = bi, true }
}

// WithDocument adds an SBOM under id, served as it is with mediaType
// (such as a container image's SBOM made at build time and embedded with a
// //go:embed directive; [MediaTypeCycloneDX] for CycloneDX JSON,
// "application/spdx+json" for SPDX). New copies body; it panics on an
// empty id, an id with a slash, the id [ApplicationID], an empty media
// type, or an id given twice. Default: none.
func WithDocument(id, mediaType string, body []byte) Option {
	return func(c *config) {
		switch {
		case id == "" || strings.Contains(id, "/"):
			panic("sbom: WithDocument: invalid id " + `"` + id + `"`)
		case id == ApplicationID:
			panic("sbom: WithDocument: the id " + ApplicationID + " is the application's own")
		case mediaType == "":
			panic("sbom: WithDocument: empty media type for " + id)
		}
		if _, dup := c.extra[id]; dup {
			panic("sbom: WithDocument: id " + id + " given twice")
		}
		if c.extra == nil {
			c.extra = map[string]document{}
		}
		c.extra[id] = document{mediaType: mediaType, body: slices.Clone(body)}
		c.extraIDs = append(c.extraIDs, id)
	}
}

// New builds the SBOMs. With no options it serves one, [ApplicationID]:
// a CycloneDX 1.6 JSON document of the running binary, built once, here,
// from [debug.ReadBuildInfo] (none when the binary has no build info).
// It panics on a nil option or one given bad values.
func New(opts ...Option) *SBOM {
	var c config
	for _, o := range opts {
		if o == nil {
			panic("sbom: New: nil Option")
		}
		o(&c)
	}
	if !c.biSet {
		if bi, ok := debug.ReadBuildInfo(); ok {
			c.bi = bi
		}
	}
	s := &SBOM{docs: map[string]document{}}
	if c.bi != nil {
		body, err := build(c.bi)
		if err != nil { // cannot happen: the document holds only strings
			panic("sbom: New: " + err.Error())
		}
		s.docs[ApplicationID] = document{mediaType: MediaTypeCycloneDX, body: body}
	}
	for id, d := range c.extra {
		s.docs[id] = d
	}
	ids := s.IDs()
	b := []byte(`{"ids":[`)
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = httpx.AppendJSONString(b, id)
	}
	s.idsJSON = append(b, "]}"...)
	return s
}

// IDs returns the ids of the SBOMs served, sorted.
func (s *SBOM) IDs() []string {
	ids := make([]string, 0, len(s.docs))
	for id := range s.docs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// Document returns a copy of the SBOM with the given id and its media
// type; ok is false when there is none.
func (s *SBOM) Document(id string) (body []byte, mediaType string, ok bool) {
	d, ok := s.docs[id]
	return slices.Clone(d.body), d.mediaType, ok
}

// Handler returns the handler of the sbom endpoint. It works on its own at
// any path of any [http.ServeMux]:
//
//	mux.Handle("GET /sbom", s.Handler())             // the ids
//	mux.Handle("GET /sbom/{path...}", s.Handler())   // one SBOM
//
// As in Spring Boot, the endpoint itself answers {"ids":["application"]}
// (Spring Boot's v3 JSON type, or application/json when asked; 406 when
// neither is acceptable), and "{id}" below it the SBOM, with its own
// media type whatever the Accept header. Unknown ids get 404; methods
// other than GET and HEAD 405.
func (s *SBOM) Handler() http.Handler { return httpx.RawHandler(handler{s}.ServeEndpoint) }

type handler struct{ s *SBOM }

var _ httpx.Endpoint = handler{}

// ServeEndpoint serves sub: "" the ids, "{id}" a document. A contentType
// of "" makes it negotiate the type of the ids itself (the root should
// wire it that way, since documents have their own type).
func (h handler) ServeEndpoint(w http.ResponseWriter, r *http.Request, sub, ct string) {
	if sub == "" {
		if ct == "" {
			var ok bool
			if ct, ok = httpx.Negotiate(r); !ok {
				httpx.NotAcceptable(w, r)
				return
			}
		}
		httpx.WriteBody(w, r, http.StatusOK, ct, h.s.idsJSON)
		return
	}
	d, ok := h.s.docs[sub]
	if !ok {
		if ct == "" {
			ct = httpx.MediaTypeJSON
		}
		httpx.NotFoundAs(w, r, ct)
		return
	}
	httpx.WriteBody(w, r, http.StatusOK, d.mediaType, d.body)
}
