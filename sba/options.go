package sba

import (
	"log/slog"
	"maps"
	"net/http"
	"time"
)

// An Option configures a [Client] built by [New].
type Option func(*config)

// Defaults, as the Spring Boot Admin client has them (ClientProperties:
// period 10 000 ms, connect and read timeouts 5 000 ms each).
const (
	DefaultPeriod  = 10 * time.Second
	DefaultTimeout = 5 * time.Second
)

type config struct {
	user, password string
	name           string
	explicit       URLs
	resolve        func() (URLs, error)
	metadata       map[string]string
	period         time.Duration
	timeout        time.Duration
	logger         *slog.Logger
	httpClient     *http.Client
	deregister     bool
}

func defaultConfig() config {
	return config{
		period:     DefaultPeriod,
		timeout:    DefaultTimeout,
		deregister: true,
		metadata:   map[string]string{},
	}
}

// WithCredentials sets the Basic credentials sent to the admin server with
// every registration and deregistration (the SBA client's
// spring.boot.admin.client.username and .password). Default: none.
func WithCredentials(user, password string) Option {
	return func(c *config) { c.user, c.password = user, password }
}

// WithName sets the application name the admin server groups instances by
// (the SBA client's spring.boot.admin.client.instance.name). Default: the
// base name of the executable (os.Args[0]).
func WithName(name string) Option {
	return func(c *config) { c.name = name }
}

// WithServiceURL sets the application's public base URL ("serviceUrl"),
// for a service behind a proxy or in a container whose own address is not
// the one the admin server reaches. It wins over what [WithURLs] returns.
// It must be absolute. Default: the one [WithURLs] returns, else none.
func WithServiceURL(u string) Option {
	return func(c *config) { c.explicit.Service = u }
}

// WithManagementURL sets the base URL of the actuator endpoints
// ("managementUrl"), the one the admin server calls for /info, /metrics and
// the others. It wins over what [WithURLs] returns, and the health URL
// becomes this URL plus "/health" unless [WithHealthURL] sets it: behind a
// proxy, this one option moves both. It must be absolute. Default: the one
// [WithURLs] returns, else none.
func WithManagementURL(u string) Option {
	return func(c *config) { c.explicit.Management = u }
}

// WithHealthURL sets the health endpoint's URL ("healthUrl"), which the
// admin server polls for the instance's status and (with its default id
// generator) hashes into the instance id: it must be absolute and unique
// among the instances. It wins over what [WithURLs] returns. Default: the
// one [WithURLs] returns, or the management URL plus "/health" (see
// [WithManagementURL]).
func WithHealthURL(u string) Option {
	return func(c *config) { c.explicit.Health = u }
}

// WithURLs sets the function that tells, at every registration, the URLs
// the admin server calls back: typically built with [BaseURL] and
// [URLsFor] from the bound listener address and the actuator's base path,
// so that the registration follows the real port (":0" included). An error
// (the listener is not bound yet, say) makes that registration attempt
// fail like an unreachable admin server. Fields set by [WithServiceURL],
// [WithManagementURL] and [WithHealthURL] win over its result. Default:
// none; then the explicit URLs alone are registered.
func WithURLs(fn func() (URLs, error)) Option {
	return func(c *config) { c.resolve = fn }
}

// WithMetadata adds entries to the metadata registered with the instance
// (the SBA client's spring.boot.admin.client.instance.metadata.*); the
// admin server shows them, and its "tags.*" entries as tags. The map is
// copied; later calls add to and override earlier ones. Default: only
// "startup", the time [New] was called in ISO 8601, as the SBA client sends.
func WithMetadata(m map[string]string) Option {
	return func(c *config) { maps.Copy(c.metadata, m) }
}

// WithCallbackCredentials puts user and password into the metadata as
// "user.name" and "user.password": the admin server sends them as Basic
// credentials when it calls the actuator endpoints. Guard the endpoints
// with a Basic authorizer checking the same pair (actuator.BasicAuth);
// SBA sends no other kind of credentials. Default: none, and the admin
// server calls without credentials (or with its own configured defaults).
func WithCallbackCredentials(user, password string) Option {
	return func(c *config) {
		c.metadata["user.name"] = user
		c.metadata["user.password"] = password
	}
}

// WithPeriod sets the interval between registrations; each one refreshes
// the instance, and re-creates it after an admin server restart. After a
// failed attempt the next one comes sooner, an eighth of the period at
// first, doubling up to the period. New panics on a period that is not
// positive. Default: 10 s (DefaultPeriod), the SBA client's.
func WithPeriod(d time.Duration) Option {
	return func(c *config) { c.period = d }
}

// WithTimeout bounds every request to the admin server, connection
// included, so an admin server that accepts and never answers costs at
// most this long. New panics on a timeout that is not positive.
// Default: 5 s (DefaultTimeout), the SBA client's connect and read timeout.
func WithTimeout(d time.Duration) Option {
	return func(c *config) { c.timeout = d }
}

// WithLogger sets the logger: one info line at the first registration, a
// warning at the first failure of an outage (the next attempts at debug
// level), an info line when registration works again, and a warning when
// the deregistration fails. Default: nil, silent.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) { c.logger = l }
}

// WithHTTPClient sets the HTTP client for the requests to the admin server
// (for TLS settings or a proxy); its own Timeout, if any, applies as well
// as [WithTimeout]. Default: a client of the Client's own, with a transport
// cloned from http.DefaultTransport, whose idle connections are closed when
// [Client.Run] returns and after [Client.Deregister].
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) { c.httpClient = hc }
}

// WithoutDeregistration leaves the instance registered when [Client.Run]
// returns (the SBA client's auto-deregistration=false): the admin server
// then shows it DOWN or OFFLINE until someone removes it, which suits a
// fixed set of instances that restart in place. Default: Run deregisters.
func WithoutDeregistration() Option {
	return func(c *config) { c.deregister = false }
}
