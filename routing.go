package actuator

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/actuatorgo/actuator/internal/httpx"
)

// ServeHTTP serves the endpoints under the base path set by [WithBasePath]
// and answers 404 to anything else. Like [Actuator.Handler], it records no
// application request and serves no /livez or /readyz; see
// [Actuator.Middleware].
func (a *Actuator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rel, ok := under(r.URL.Path, a.basePath)
	if !ok {
		httpx.NotFound(w, r)
		return
	}
	a.serve(w, r, rel)
}

// under reports whether path is base or below it, and the rest of the path.
func under(path, base string) (string, bool) {
	if base == "" {
		return path, true
	}
	if !strings.HasPrefix(path, base) {
		return "", false
	}
	rest := path[len(base):]
	if rest != "" && rest[0] != '/' {
		return "", false
	}
	return rest, true
}

// serve routes rel, the path below the base path, to the index or an
// endpoint.
func (a *Actuator) serve(w http.ResponseWriter, r *http.Request, rel string) {
	if httpx.DeclaresBody(r) && (r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodOptions) {
		// A read needs no body: answer without waiting for one and close
		// the connection, rather than let a client that declares a body
		// and sends none hold it (and the drain) open. A custom endpoint
		// may still read what arrives until it returns.
		httpx.CloseConnection(w)
		defer httpx.StopReading(w)
	}
	if r.URL.RawPath != "" && strings.Contains(r.URL.RawPath, "%2") {
		// Encoded separators or dots ("%2F", "%2e") are never ours.
		httpx.NotFound(w, r)
		return
	}
	id, sub := splitID(rel)
	if id == "" {
		if sub != "" {
			httpx.NotFound(w, r)
			return
		}
		a.serveIndex(w, r)
		return
	}
	e, ok := a.endpoints[id]
	if !ok || !cleanPath(sub) || (sub != "" && sub != "/" && !e.subPaths) {
		httpx.NotFound(w, r)
		return
	}
	if !e.allows(r.Method) {
		if e.sensitive && !a.authorizer(r) {
			// Invisible to this caller: a 405's Allow header would
			// confirm that the endpoint exists.
			httpx.NotFound(w, r)
			return
		}
		if r.Method == http.MethodOptions {
			// A safe method: answered before the cross-origin check.
			answerOptions(w, e.allow)
			return
		}
		httpx.MethodNotAllowed(w, r, e.allow)
		return
	}
	if e.writes && a.crossOrigin.Check(r) != nil {
		// A browser sent it from another site (a form, a fetch): refused
		// before the authorizer, since the browser may have attached the
		// user's credentials on its own.
		httpx.WriteError(w, r, http.StatusForbidden, "cross-origin request refused")
		return
	}
	if e.sensitive {
		if ok, schemes := authorize(a.authorizer, r); !ok {
			a.refuse(w, r, id, schemes)
			return
		}
	}
	if !limitBody(w, r, e) {
		return
	}
	ct := ""
	if e.raw {
		httpx.SetSecurityHeaders(w.Header())
	} else {
		var ok bool
		if ct, ok = httpx.Negotiate(r); !ok {
			httpx.NotAcceptable(w, r)
			return
		}
	}
	if e.routed != nil {
		// A built-in endpoint gets what was settled here as arguments and
		// the client's request as it came.
		e.routed.ServeEndpoint(w, r, strings.Trim(sub, "/"), ct)
		return
	}
	e.handler.ServeHTTP(w, relative(r, strings.TrimSuffix(sub, "/")))
}

// relative returns a shallow copy of r whose URL path is sub, the path
// below a custom endpoint, as [WithEndpoint] documents; everything else is
// the client's request.
func relative(r *http.Request, sub string) *http.Request {
	u := *r.URL
	u.Path, u.RawPath = sub, ""
	r2 := r.WithContext(r.Context())
	r2.URL = &u
	return r2
}

// limitBody bounds the body of a write to MaxRequestBody and reports
// whether the request may go on; when not, it has answered 413 (or 400 for
// a body that could not be read). Built-in endpoints other than loggers
// read no body, so it is read here, which refuses one sent without a length
// before anything runs.
func limitBody(w http.ResponseWriter, r *http.Request, e *endpoint) bool {
	tooLarge := func() {
		httpx.WriteError(w, r, http.StatusRequestEntityTooLarge, "request body larger than "+strconv.Itoa(MaxRequestBody)+" bytes")
	}
	if r.ContentLength > MaxRequestBody {
		tooLarge()
		return false
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead || r.Body == nil {
		return true
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxRequestBody)
	if e.raw || e.readBody {
		return true // the endpoint reads what it needs, cut off at the limit
	}
	if _, err := io.Copy(io.Discard, r.Body); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			tooLarge()
		} else {
			httpx.WriteError(w, r, http.StatusBadRequest, "cannot read the request body")
		}
		return false
	}
	return true
}

// splitID splits "/health/db" into "health" and "/db". A lone "/" or ""
// gives an empty id: the index.
func splitID(rel string) (id, sub string) {
	rel = strings.TrimPrefix(rel, "/")
	if i := strings.IndexByte(rel, '/'); i >= 0 {
		return rel[:i], rel[i:]
	}
	return rel, ""
}

// cleanPath reports whether sub has no empty, "." or ".." segments, so
// that "//", "/./" and "/../" never reach an endpoint. One trailing slash is
// allowed. It scans sub in place: a path of a million segments allocates
// nothing.
func cleanPath(sub string) bool {
	if sub == "" || sub == "/" {
		return true
	}
	rest := strings.TrimSuffix(sub[1:], "/")
	for more := true; more; {
		var seg string
		seg, rest, more = strings.Cut(rest, "/")
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

// refuse answers a request the authorizer refused: 401 with a challenge
// naming schemes when it carried no Authorization header and the
// authorizer accepts some scheme, 403 otherwise (wrong credentials, or an
// authorizer no credential satisfies, such as [AllowCIDR]).
func (a *Actuator) refuse(w http.ResponseWriter, r *http.Request, id string, schemes []string) {
	status := http.StatusForbidden
	if r.Header.Get("Authorization") == "" && len(schemes) > 0 {
		status = http.StatusUnauthorized
		challenge := make([]string, len(schemes))
		for i, s := range schemes {
			challenge[i] = s + ` realm="actuator"`
		}
		w.Header().Set("WWW-Authenticate", strings.Join(challenge, ", "))
	}
	if a.logger != nil {
		a.logger.LogAttrs(r.Context(), slog.LevelWarn, "actuator: access refused",
			slog.String("endpoint", id), slog.String("remote", r.RemoteAddr), slog.Int("status", status))
	}
	httpx.WriteError(w, r, status, "access to this endpoint is not authorized")
}
