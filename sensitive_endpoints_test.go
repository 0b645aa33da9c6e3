package actuator_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/actuatorgo/actuator"
)

// optInEndpoints are the sensitive built-in endpoints besides shutdown:
// each option that turns one on, a GET that reaches it, and the discovery
// links it adds.
var optInEndpoints = []struct {
	id    string
	opt   actuator.Option
	read  string
	links []string
}{
	{"loggers", actuator.WithLoggersEndpoint(), "/actuator/loggers", []string{"loggers", "loggers-name"}},
	{"env", actuator.WithEnvEndpoint(), "/actuator/env", []string{"env", "env-toMatch"}},
	{"threaddump", actuator.WithThreadDumpEndpoint(), "/actuator/threaddump", []string{"threaddump"}},
	{"heapdump", actuator.WithHeapDumpEndpoint(), "/actuator/heapdump", []string{"heapdump"}},
	{"pprof", actuator.WithPprofEndpoint(), "/actuator/pprof/cmdline", []string{"pprof"}},
	{"sbom", actuator.WithSBOMEndpoint(), "/actuator/sbom", []string{"sbom", "sbom-id"}},
}

// send serves one request with a body through h.
func send(h http.Handler, method, target, body string, header ...string) *httptest.ResponseRecorder {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r := httptest.NewRequest(method, target, rd)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

const token = "t0k"

var bearer = []string{"Authorization", "Bearer " + token}

// An opt-in endpoint is there only when its own option is given: neither
// WithExposure's include nor "*" turns it on, and until then it answers
// 404 like a path that does not exist.
func TestOptInEndpointsAreOffUntilTheirOption(t *testing.T) {
	var ids []string
	for _, e := range optInEndpoints {
		ids = append(ids, e.id)
	}
	for _, include := range [][]string{nil, ids, {"*"}} {
		a := newActuator(t, actuator.WithAuthorizer(actuator.BearerToken(token)), actuator.WithExposure(include, nil))
		for _, e := range optInEndpoints {
			if got := do(a, "GET", e.read, bearer...).Code; got != http.StatusNotFound {
				t.Errorf("include %v: GET %s without %s = %d, want 404", include, e.read, e.id, got)
			}
		}
		if names := linkNames(t, do(a, "GET", "/actuator", bearer...)); slices.ContainsFunc(names, func(n string) bool {
			return slices.Contains(ids, strings.SplitN(n, "-", 2)[0])
		}) {
			t.Errorf("include %v: index lists %v", include, names)
		}
	}
}

// Turned on, each is in the discovery index with Spring's templated links,
// for callers the authorizer accepts only, and answers them; a refused
// caller gets 401 with a Bearer challenge without credentials, 403 with
// wrong ones, and 404 for another method, as if it did not exist.
func TestOptInEndpointsAreSensitive(t *testing.T) {
	for _, e := range optInEndpoints {
		t.Run(e.id, func(t *testing.T) {
			a := newActuator(t, actuator.WithAuthorizer(actuator.BearerToken(token)), e.opt)

			names := linkNames(t, do(a, "GET", "/actuator", bearer...))
			for _, l := range e.links {
				if !slices.Contains(names, l) {
					t.Errorf("authorized index %v lacks %q", names, l)
				}
			}
			anon := linkNames(t, do(a, "GET", "/actuator"))
			for _, l := range e.links {
				if slices.Contains(anon, l) {
					t.Errorf("anonymous index %v lists %q", anon, l)
				}
			}

			if w := do(a, "GET", e.read, bearer...); w.Code != http.StatusOK {
				t.Errorf("authorized GET %s = %d: %s", e.read, w.Code, w.Body)
			}
			w := do(a, "GET", e.read)
			if got, want := w.Code, http.StatusUnauthorized; got != want {
				t.Errorf("GET %s without credentials = %d, want %d", e.read, got, want)
			}
			if got := w.Header().Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer ") {
				t.Errorf("challenge = %q, want Bearer", got)
			}
			decode(t, w) // a JSON error body
			if got, want := do(a, "GET", e.read, "Authorization", "Bearer wrong").Code, http.StatusForbidden; got != want {
				t.Errorf("GET %s with a wrong token = %d, want %d", e.read, got, want)
			}
			if got, want := do(a, "DELETE", e.read).Code, http.StatusNotFound; got != want {
				t.Errorf("refused DELETE %s = %d, want %d", e.read, got, want)
			}
			if got, want := do(a, "DELETE", e.read, bearer...).Code, http.StatusMethodNotAllowed; got != want {
				t.Errorf("authorized DELETE %s = %d, want %d", e.read, got, want)
			}
		})
	}
}

// Without an authorizer they accept loopback callers only, as /shutdown.
func TestOptInEndpointsWithoutAuthorizerAcceptLoopbackOnly(t *testing.T) {
	log, _ := newLogger()
	for _, e := range optInEndpoints {
		t.Run(e.id, func(t *testing.T) {
			a := newActuator(t, e.opt, actuator.WithLogger(log))
			r := httptest.NewRequest("GET", "http://localhost"+e.read, nil)
			r.RemoteAddr = "127.0.0.1:40000"
			w := httptest.NewRecorder()
			a.ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				t.Errorf("loopback GET %s = %d", e.read, w.Code)
			}
			if got := do(a, "GET", e.read).Code; got != http.StatusForbidden {
				t.Errorf("remote GET %s = %d, want 403", e.read, got)
			}
		})
	}
}

// WithExposure's exclude hides an endpoint its option turned on.
func TestOptInEndpointsCanBeExcluded(t *testing.T) {
	for _, e := range optInEndpoints {
		a := newActuator(t, allowAll, e.opt, actuator.WithExposure(nil, []string{e.id}))
		if got := do(a, "GET", e.read).Code; got != http.StatusNotFound {
			t.Errorf("excluded %s = %d, want 404", e.id, got)
		}
	}
}

// Through Middleware and Gin they answer the same, guarded the same.
func TestOptInEndpointsThroughTheAdapters(t *testing.T) {
	var opts []actuator.Option
	for _, e := range optInEndpoints {
		opts = append(opts, e.opt)
	}
	opts = append(opts, actuator.WithAuthorizer(actuator.BearerToken(token)))
	for _, ad := range routesUnderTest(t, opts...) {
		for _, e := range optInEndpoints {
			if got := do(ad.h, "GET", e.read, bearer...).Code; got != http.StatusOK {
				t.Errorf("%s: GET %s = %d", ad.name, e.read, got)
			}
			if got := do(ad.h, "GET", e.read).Code; got != http.StatusUnauthorized {
				t.Errorf("%s: GET %s without token = %d, want 401", ad.name, e.read, got)
			}
		}
	}
}
