package actuator

import (
	"net/http"

	"github.com/actuatorgo/actuator/diag"
	"github.com/actuatorgo/actuator/env"
	"github.com/actuatorgo/actuator/loggers"
	"github.com/actuatorgo/actuator/sbom"
)

// optInIDs are the built-in endpoints that only their own option turns on.
// [WithExposure] knows their ids even when they are off, and does not turn
// them on.
var optInIDs = []string{"env", "heapdump", "loggers", "pprof", "sbom", "shutdown", "threaddump"}

// opsConfig holds the options of the sensitive built-in endpoints besides
// shutdown: each is off until its option is given, and repeated options
// add up.
type opsConfig struct {
	loggers, env, threadDump, heapDump, pprof, sbom bool

	loggersOpts    []loggers.Option
	envOpts        []env.Option
	threadDumpOpts []diag.Option
	heapDumpOpts   []diag.Option
	pprofOpts      []diag.Option
	sbomOpts       []sbom.Option
}

// WithLoggersEndpoint turns on /loggers, which lists the *slog.LevelVar
// levels given with loggers.WithLevelVar under Spring Boot's level names,
// and POST /loggers/{name} with {"configuredLevel":"DEBUG"} (or null, to
// reset) changes one at once. opts are package loggers' options; given more
// than once, the options add up. The endpoint is sensitive: the authorizer
// guards it (loopback callers only without one, and [New] logs a warning),
// refused callers do not see it, and its POST refuses cross-origin browser
// requests (403). The body of a POST is bounded by [MaxRequestBody] (413
// above). See docs/operations.md. Default: off.
func WithLoggersEndpoint(opts ...loggers.Option) Option {
	return func(c *config) {
		c.ops.loggers = true
		c.ops.loggersOpts = append(c.ops.loggersOpts, opts...)
	}
}

// WithEnvEndpoint turns on /env and /env/{toMatch}: the process
// environment and the sources added with env.WithSource, in Spring Boot's
// shape, values masked unless env.WithShowValues says otherwise. opts are
// package env's options; given more than once, they add up. The root's
// [WithAuthorizer] authorizer is the env endpoint's env.WithAuthorizer
// (who sees values under env.WhenAuthorized); an env.WithAuthorizer in
// opts replaces it there, whatever the order. Without an authorizer,
// env.WhenAuthorized shows values to nobody. The endpoint is sensitive, as
// for [WithLoggersEndpoint]. See docs/operations.md. Default: off.
func WithEnvEndpoint(opts ...env.Option) Option {
	return func(c *config) {
		c.ops.env = true
		c.ops.envOpts = append(c.ops.envOpts, opts...)
	}
}

// WithThreadDumpEndpoint turns on /threaddump: every goroutine's stack, in
// Spring Boot's JSON shape, or the runtime's text for Accept: text/plain.
// opts are package diag's options (WithMaxGoroutines, WithMaxFrames,
// WithMaxStackBytes); given more than once, they add up. Sensitive, as for
// [WithLoggersEndpoint]. See docs/diagnostics.md for the pauses it costs
// and their bound. Default: off.
func WithThreadDumpEndpoint(opts ...diag.Option) Option {
	return func(c *config) {
		c.ops.threadDump = true
		c.ops.threadDumpOpts = append(c.ops.threadDumpOpts, opts...)
	}
}

// WithHeapDumpEndpoint turns on /heapdump: the heap profile of
// runtime/pprof, which go tool pprof reads; ?gc=true collects garbage
// first. opts are package diag's options (it reads none today). Sensitive,
// as for [WithLoggersEndpoint]. See docs/diagnostics.md. Default: off.
func WithHeapDumpEndpoint(opts ...diag.Option) Option {
	return func(c *config) {
		c.ops.heapDump = true
		c.ops.heapDumpOpts = append(c.ops.heapDumpOpts, opts...)
	}
}

// WithPprofEndpoint turns on /pprof and the profiles below it, as
// net/http/pprof serves them below /debug/pprof/ (without registering
// anything on http.DefaultServeMux). opts are package diag's options
// (WithMaxProfileDuration, WithMaxGoroutines); given more than once, they
// add up. Sensitive, as for [WithLoggersEndpoint]; POST /pprof/symbol
// refuses cross-origin browser requests and its body is bounded by
// [MaxRequestBody]. See docs/diagnostics.md. Default: off.
func WithPprofEndpoint(opts ...diag.Option) Option {
	return func(c *config) {
		c.ops.pprof = true
		c.ops.pprofOpts = append(c.ops.pprofOpts, opts...)
	}
}

// WithSBOMEndpoint turns on /sbom, which lists the ids of the software
// bills of materials ({"ids":["application"]}), and /sbom/{id}, which
// serves one: a CycloneDX 1.6 document of the running binary's modules as
// "application", and those added with sbom.WithDocument. opts are package
// sbom's options; given more than once, they add up. Sensitive, as for
// [WithLoggersEndpoint]. See docs/diagnostics.md. Default: off.
func WithSBOMEndpoint(opts ...sbom.Option) Option {
	return func(c *config) {
		c.ops.sbom = true
		c.ops.sbomOpts = append(c.ops.sbomOpts, opts...)
	}
}

// optInEndpoints builds the sensitive endpoints c turns on besides
// shutdown. Each handler that negotiates its own types (a text thread
// dump, an SBOM's media type, pprof's binary profiles) is raw; loggers
// reads the body of its POST, which the router bounds and leaves to it.
func optInEndpoints(c *config) []*endpoint {
	o := c.ops
	var out []*endpoint
	get := []string{http.MethodGet}
	if o.loggers {
		out = append(out, builtin("loggers", loggers.New(o.loggersOpts...).Handler(), &endpoint{
			methods: []string{http.MethodGet, http.MethodPost}, sensitive: true, subPaths: true, readBody: true,
			links: []link{{"loggers-name", "/{name}"}},
		}))
	}
	if o.env {
		eopts := o.envOpts
		if c.authorizer != nil {
			eopts = append([]env.Option{env.WithAuthorizer(c.authorizer)}, eopts...)
		}
		out = append(out, builtin("env", env.New(eopts...).Handler(), &endpoint{
			methods: get, sensitive: true, subPaths: true,
			links: []link{{"env-toMatch", "/{toMatch}"}},
		}))
	}
	if o.threadDump {
		out = append(out, builtin("threaddump", diag.NewThreadDump(o.threadDumpOpts...).Handler(), &endpoint{
			methods: get, sensitive: true, raw: true,
		}))
	}
	if o.heapDump {
		out = append(out, builtin("heapdump", diag.NewHeapDump(o.heapDumpOpts...).Handler(), &endpoint{
			methods: get, sensitive: true, raw: true,
		}))
	}
	if o.pprof {
		out = append(out, builtin("pprof", diag.NewPprof(o.pprofOpts...).Handler(), &endpoint{
			methods: []string{http.MethodGet, http.MethodPost}, sensitive: true, raw: true, subPaths: true,
		}))
	}
	if o.sbom {
		out = append(out, builtin("sbom", sbom.New(o.sbomOpts...).Handler(), &endpoint{
			methods: get, sensitive: true, raw: true, subPaths: true,
			links: []link{{"sbom-id", "/{id}"}},
		}))
	}
	return out
}
