package actuator

import (
	"context"
	"log/slog"
	"slices"
	"strings"

	"github.com/actuatorgo/actuator/health"
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

// logPath bounds a request path written to a warning, as error bodies
// bound the path they echo.
func logPath(p string) string {
	const limit = 256
	if len(p) > limit {
		return p[:limit] + "..."
	}
	return p
}

// mustBasePath normalizes a base path or mount prefix, as normalizeBasePath
// does, and panics, naming the option, on one that no request path can
// match: a query or fragment marker, a percent sign (request paths are
// matched decoded), a route-pattern brace, whitespace, or an empty, "." or
// ".." segment.
func mustBasePath(option, p string) string {
	n, ok := checkBasePath(p)
	if !ok {
		panic("actuator: " + option + ": path " + quote(p) + " cannot match a request path; use a plain path such as \"/management\"")
	}
	return n
}

// checkBasePath normalizes p and reports whether a request path can match
// it; see mustBasePath.
func checkBasePath(p string) (string, bool) {
	n := normalizeBasePath(p)
	ok := !strings.ContainsAny(n, "?#%{} \t\r\n")
	for _, seg := range strings.Split(strings.TrimPrefix(n, "/"), "/") {
		if n != "" && (seg == "" || seg == "." || seg == "..") {
			ok = false
		}
	}
	return n, ok
}

// checkExposure panics when include or exclude names an id that is neither
// a built-in endpoint nor a custom one: a typo in include silently hides an
// endpoint, one in exclude silently exposes it. all holds the endpoints
// built for this actuator; the opt-in built-in ones (shutdown, loggers,
// env, ...) are known even when they are off.
func checkExposure(include, exclude []string, all map[string]*endpoint) {
	known := knownIDs(all)
	for _, list := range []struct {
		name string
		ids  []string
	}{{"include", include}, {"exclude", exclude}} {
		for _, id := range list.ids {
			if id != "*" && !slices.Contains(known, id) {
				panic("actuator: WithExposure: unknown endpoint id " + quote(id) + " in " + list.name +
					"; known ids: " + strings.Join(known, ", ") + ` (or "*")`)
			}
		}
	}
}

// knownIDs lists, sorted, the ids of all and the opt-in built-in ones.
func knownIDs(all map[string]*endpoint) []string {
	known := slices.Clone(optInIDs)
	for id := range all {
		if !slices.Contains(known, id) {
			known = append(known, id)
		}
	}
	slices.Sort(known)
	return known
}

// warnAtStart logs, once and before New returns, what the options allow
// but will hurt in production.
func (a *Actuator) warnAtStart() {
	ctx := context.Background()
	t := a.lifecycle.Timeouts()
	if total := t.Delay + t.Drain + t.Hook; total > t.Shutdown {
		a.startupLogger().LogAttrs(ctx, slog.LevelWarn,
			"actuator: shutdown delay + drain timeout + hook timeout exceed the shutdown timeout; the drain or the cleanup hooks will be cut short",
			slog.Duration("delay", t.Delay), slog.Duration("drain", t.Drain), slog.Duration("hook", t.Hook),
			slog.Duration("total", total), slog.Duration("shutdownTimeout", t.Shutdown))
	}
	for _, name := range a.health.GroupMembers(health.GroupLiveness) {
		if name == "livenessState" {
			continue
		}
		a.startupLogger().LogAttrs(ctx, slog.LevelWarn,
			"actuator: a check joins the liveness group; liveness should report the process's own state only: a failing dependency there makes Kubernetes restart every pod during its outage",
			slog.String("check", name))
	}
}

// checkMethods panics on a custom endpoint method that no request can
// carry: empty, or with separators, as in WithMethods("GET, POST"), or in
// lower case, as in WithMethods("post"): methods are matched exactly, as
// HTTP's methods are case-sensitive.
func checkMethods(e *endpoint) {
	for _, m := range e.methods {
		if m == "" || strings.ContainsFunc(m, func(r rune) bool {
			return r <= ' ' || r >= 0x7f || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r)
		}) {
			panic("actuator: endpoint " + quote(e.id) + ": invalid method " + quote(m) + "; pass one method per argument, as in WithMethods(\"GET\", \"POST\")")
		}
		if strings.ToUpper(m) != m {
			panic("actuator: endpoint " + quote(e.id) + ": method " + quote(m) + " is not upper case; methods are case-sensitive, so no client sends it: use " + quote(strings.ToUpper(m)))
		}
	}
}
