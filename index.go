package actuator

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/actuatorgo/actuator/internal/httpx"
)

// indexEntry is one link of the discovery index, rendered once by New up
// to the base URL, which depends on the request.
type indexEntry struct {
	name      string // "health", "health-path"
	suffix    string // "/health", "/health/{*path}"
	templated bool
}

// buildIndex lists the discovery links of the exposed endpoints, in the
// order Spring Boot writes them: each endpoint, then its templated forms.
// Sensitive endpoints are listed only when sensitive is true.
func buildIndex(order []*endpoint, sensitive bool) []indexEntry {
	var out []indexEntry
	for _, e := range order {
		if e.sensitive && !sensitive {
			continue
		}
		id := jsonText(e.id) // a custom id may hold '"', '\\' or control characters
		for _, l := range e.links {
			out = append(out, indexEntry{name: jsonText(l.name), suffix: "/" + id + l.suffix, templated: true})
		}
		out = append(out, indexEntry{name: id, suffix: "/" + id})
	}
	return out
}

// serveIndex answers the discovery index: {"_links":{"self":...,...}}, with
// hrefs built from the request so they work behind any mount prefix.
func (a *Actuator) serveIndex(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodOptions {
		answerOptions(w, "GET, HEAD")
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		httpx.MethodNotAllowed(w, r, "GET, HEAD")
		return
	}
	if a.serveDashboard(w, r) {
		return // a browser asked for the page (see WithoutDashboard)
	}
	ct, ok := httpx.Negotiate(r)
	if !ok {
		httpx.NotAcceptable(w, r)
		return
	}
	baseURL, ok := a.baseURL(r)
	if !ok {
		httpx.WriteError(w, r, http.StatusBadRequest, "Host header or request path too long for discovery links")
		return
	}
	buf := httpx.GetBuffer()
	defer httpx.PutBuffer(buf)
	b := append(*buf, `{"_links":{"self":{"href":`...)
	start := len(b)
	b = httpx.AppendJSONString(b, baseURL)
	// base is the escaped URL without its quotes, read back from b: should
	// b grow while base is copied, base still holds the old array's bytes.
	base := b[start+1 : len(b)-1]
	b = append(b, `,"templated":false}`...)
	entries := a.indexAnon
	if a.hasSensitive && a.authorizer(r) {
		entries = a.indexAll // sensitive links only for callers who may use them
	}
	for _, e := range entries {
		b = append(b, `,"`...)
		b = append(b, e.name...)
		b = append(b, `":{"href":"`...)
		b = append(b, base...)
		b = append(b, e.suffix...)
		if e.templated {
			b = append(b, `","templated":true}`...)
		} else {
			b = append(b, `","templated":false}`...)
		}
	}
	b = append(b, "}}"...)
	*buf = b
	httpx.WriteBody(w, r, http.StatusOK, ct, b)
}

// Bounds on what baseURL copies into every discovery link, so that a
// megabyte of Host or path does not become a megabyte per link.
const (
	maxHost            = 255 + len(":65535") // a DNS name and a port
	maxForwardedPrefix = 1 << 10
	maxIndexPath       = 2 << 10
)

// baseURL is the absolute URL of the index the client asked for:
// scheme and host of the request (or of X-Forwarded-* when trusted), and the
// path the client used, before any prefix was stripped on the way. It
// reports false when the Host or the path is longer than any real one;
// overlong forwarded values are ignored, as malformed ones are.
func (a *Actuator) baseURL(r *http.Request) (string, bool) {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := r.Host
	prefix := ""
	if a.trustForwarded {
		switch p := firstValue(r.Header.Get("X-Forwarded-Proto")); {
		case httpx.EqualFoldASCII(p, "http"):
			scheme = "http"
		case httpx.EqualFoldASCII(p, "https"):
			scheme = "https"
		}
		if h := firstValue(r.Header.Get("X-Forwarded-Host")); h != "" && len(h) <= maxHost {
			host = h
		}
		if p := firstValue(r.Header.Get("X-Forwarded-Prefix")); strings.HasPrefix(p, "/") && len(p) <= maxForwardedPrefix {
			prefix = strings.TrimRight(p, "/")
		}
	}
	path := strings.TrimRight(requestPath(r), "/")
	if len(host) > maxHost || len(path) > maxIndexPath {
		return "", false
	}
	return scheme + "://" + host + prefix + path, true
}

// requestPath is the escaped path the client sent. RequestURI survives
// http.StripPrefix and routers that rewrite URL.Path; URL.Path is the
// fallback for requests built in code.
func requestPath(r *http.Request) string {
	if uri := r.RequestURI; uri != "" {
		if uri[0] == '/' {
			if i := strings.IndexByte(uri, '?'); i >= 0 {
				uri = uri[:i]
			}
			return uri
		}
		if u, err := url.ParseRequestURI(uri); err == nil {
			return u.EscapedPath()
		}
	}
	return r.URL.EscapedPath()
}

func firstValue(v string) string {
	if i := strings.IndexByte(v, ','); i >= 0 {
		v = v[:i]
	}
	return strings.TrimSpace(v)
}

// jsonText escapes s for use inside a JSON string.
func jsonText(s string) string {
	b := httpx.AppendJSONString(nil, s)
	return string(b[1 : len(b)-1])
}
