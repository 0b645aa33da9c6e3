// Package dashboard is a single web page that shows what an actuator
// serves: health as a tree, the probes and the shutdown phase, info, live
// charts of the metrics, and links to every endpoint. The page is plain
// HTML, CSS and JavaScript embedded in the binary; it makes no request
// outside the service, as its Content-Security-Policy enforces.
//
// The page reads the actuator's own endpoints from the browser, with the
// browser's credentials (and a bearer token the viewer may paste, kept in
// the tab's memory only), so it shows exactly what those endpoints show
// that viewer. The server collects nothing for it: when nobody looks, it
// costs nothing.
//
// The root package serves the page at the base path to browsers that ask
// for HTML; [Serve] is what it calls.
package dashboard

import (
	_ "embed" // the page and its files
	"html"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/actuatorgo/actuator/internal/httpx"
)

// The page and its files, embedded as strings: serving them copies
// nothing, so a page view costs a few header values and the escaped base.
var (
	//go:embed page.html
	page string
	//go:embed app.js
	appJS string
	//go:embed app.css
	appCSS string

	pageBefore, pageAfter, _ = strings.Cut(page, "{{base}}")
)

// ContentSecurityPolicy is the policy the page is served with: scripts,
// styles and requests from the service's own origin only, no frames, no
// forms, no base URL elsewhere.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; base-uri 'self'; form-action 'none'; frame-ancestors 'none'"

// AssetParam is the query parameter that asks the base path for one of the
// page's files instead of the page: base?dashboard=app.js, base?dashboard=app.css.
// A query parameter cannot collide with an endpoint id, whatever ids the
// program adds.
const AssetParam = "dashboard"

// assets maps the values of AssetParam to the embedded file and its type.
var assets = map[string]struct{ body, contentType string }{
	"app.js":  {appJS, "text/javascript; charset=utf-8"},
	"app.css": {appCSS, "text/css; charset=utf-8"},
}

// Wants reports whether r asks for the page or one of its files: a query
// naming a file (see [AssetParam]), or an Accept header that prefers
// text/html to JSON. A browser's navigation does ("text/html,...,*/*;q=0.8");
// no Accept, "*/*", JSON types, and an Accept that weighs JSON as much as
// HTML do not.
func Wants(r *http.Request) bool {
	if asset(r) != "" {
		return true
	}
	return prefersHTML(r.Header.Values("Accept"))
}

// asset is the file r's query names, or "".
func asset(r *http.Request) string {
	q := r.URL.RawQuery
	if !strings.Contains(q, AssetParam+"=") {
		return "" // the common case: no parsing, no allocation
	}
	name := r.URL.Query().Get(AssetParam)
	if _, ok := assets[name]; !ok {
		return ""
	}
	return name
}

// prefersHTML reports whether the Accept field lines weigh text/html (or
// application/xhtml+xml) above every JSON range they name explicitly
// (application/json, Spring's v3 type, application/*). Wildcards "*/*" and
// "text/*" are not an explicit wish for HTML. It allocates nothing.
func prefersHTML(lines []string) bool {
	var qHTML, qJSON float64
	for _, line := range lines {
		for more := true; more; {
			var part string
			part, line, more = strings.Cut(line, ",")
			mt, q := parseRange(part)
			switch {
			case strings.EqualFold(mt, "text/html"), strings.EqualFold(mt, "application/xhtml+xml"):
				qHTML = max(qHTML, q)
			case strings.EqualFold(mt, httpx.MediaTypeJSON), strings.EqualFold(mt, httpx.MediaTypeV3),
				strings.EqualFold(mt, "application/*"):
				qJSON = max(qJSON, q)
			}
		}
	}
	return qHTML > 0 && qHTML > qJSON
}

// parseRange splits one media range into its type and its q weight: 1
// when absent, 0 when malformed.
func parseRange(part string) (string, float64) {
	mt, params, _ := strings.Cut(part, ";")
	q := 1.0
	for params != "" {
		var p string
		p, params, _ = strings.Cut(params, ";")
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		q = parseQ(strings.TrimSpace(v))
	}
	return strings.TrimSpace(mt), q
}

// parseQ parses a qvalue ("1", "0.8", "1.000"): RFC 9110 allows up to three
// decimals; anything else is 0.
func parseQ(s string) float64 {
	if s == "" || len(s) > 5 || (s[0] != '0' && s[0] != '1') {
		return 0
	}
	q := float64(s[0] - '0')
	if len(s) == 1 {
		return q
	}
	if s[1] != '.' {
		return 0
	}
	scale := 0.1
	for _, c := range s[2:] {
		if c < '0' || c > '9' {
			return 0
		}
		if q == 1 && c != '0' {
			return 0 // above 1
		}
		q += float64(c-'0') * scale
		scale /= 10
	}
	return q
}

// Serve answers a request [Wants] accepted: the file its query names, or
// the page for the endpoints under base, the escaped absolute path of the
// discovery index as the browser reaches it (prefixes added by proxies
// included). The page finds every endpoint relative to base. Only GET and
// HEAD come here; the caller answers other methods.
func Serve(w http.ResponseWriter, r *http.Request, base string) {
	h := w.Header()
	httpx.SetSecurityHeaders(h)
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	if name := asset(r); name != "" {
		f := assets[name]
		h.Set("Content-Type", f.contentType)
		write(w, r, f.body)
		return
	}
	h.Set("Vary", "Accept")
	h.Set("Content-Type", "text/html; charset=utf-8")
	write(w, r, pageBefore, html.EscapeString(strings.TrimRight(base, "/")+"/"), pageAfter)
}

// write answers 200 with the concatenation of parts, or only its headers
// to HEAD.
func write(w http.ResponseWriter, r *http.Request, parts ...string) {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	w.Header().Set("Content-Length", strconv.Itoa(n))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	for _, p := range parts {
		if _, err := io.WriteString(w, p); err != nil {
			return // the client is gone: nothing to tell it
		}
	}
}
