package actuator

import (
	"log/slog"
	"strings"
)

// startupLogger is the logger for one-time warnings about how the actuator
// is configured or mounted: the [WithLogger] logger, or [slog.Default] when
// none is set, since a misconfiguration nobody hears about is the one these
// warnings exist to catch. Each fires at most once per cause.
func (a *Actuator) startupLogger() *slog.Logger {
	if a.logger != nil {
		return a.logger
	}
	return slog.Default()
}

// mustBasePath normalizes a base path or mount prefix, as normalizeBasePath
// does, and panics, naming the option, on one that no request path can
// match: a query or fragment marker, a percent sign (request paths are
// matched decoded), a route-pattern brace, whitespace, or an empty, "." or
// ".." segment.
func mustBasePath(option, p string) string {
	n := normalizeBasePath(p)
	bad := strings.ContainsAny(n, "?#%{} \t\r\n")
	for _, seg := range strings.Split(strings.TrimPrefix(n, "/"), "/") {
		if n != "" && (seg == "" || seg == "." || seg == "..") {
			bad = true
		}
	}
	if bad {
		panic("actuator: " + option + ": path " + quote(p) + " cannot match a request path; use a plain path such as \"/management\"")
	}
	return n
}
