package actuator

import (
	"context"
	"crypto/tls"
	"net/http"
	"slices"

	"github.com/actuatorgo/actuator/lifecycle"
	"github.com/actuatorgo/actuator/sba"
)

// springBootAdmin is what [WithSpringBootAdmin] asked for.
type springBootAdmin struct {
	url  string
	opts []sba.Option
}

// WithSpringBootAdmin registers the service with the Spring Boot Admin
// server at adminURL (its root, e.g. "http://admin:8080"), as the SBA
// client does for a Spring Boot application, so that the admin UI shows
// its health, info, metrics and the other exposed endpoints. Default: off.
//
// The registration starts with [Actuator.Run], in the background: start-up
// never waits for the admin server. Its URLs follow the listeners Run has
// bound ([lifecycle.Lifecycle.Addrs]): the service URL is the first app
// server's ("http://host:port/"), the management URL the management
// server's when there is one ([lifecycle.WithManagementServer]), else the
// first app server's, plus the base path ([WithBasePath]); the health URL
// is the management URL plus "/health". A server whose TLSConfig carries
// certificates gives https. A listener on an unspecified address (":8080")
// is named by os.Hostname(); behind a proxy, or with the endpoints mounted
// elsewhere than the base path ([Actuator.Handler], [GinHandler]), set
// them with sba.WithManagementURL and sba.WithServiceURL. It logs to the
// [WithLogger] logger.
//
// At the shutdown trigger ([lifecycle.Lifecycle.Stopping]), not at the
// drain, the instance is deregistered (DELETE), so the admin server stops
// polling it while the delay runs; the sequence waits for that at most the
// sba timeout (sba.WithTimeout, 5 s by default) from the trigger, and
// sba.WithoutDeregistration leaves the instance registered.
//
// opts are passed to [sba.New] after the actuator's own (the URL resolver
// above and the logger), so they win: sba.WithName, sba.WithCredentials for
// a secured admin server, sba.WithCallbackCredentials for a guarded
// actuator (which then needs a [BasicAuth] authorizer, alone or in
// [AnyOf]: SBA sends Basic credentials only), and sba.FromEnv's options.
// New panics, as sba.New does, on an adminURL that is not an absolute
// http(s) URL.
func WithSpringBootAdmin(adminURL string, opts ...sba.Option) Option {
	opts = slices.Clone(opts)
	return func(c *config) { c.springBootAdmin = &springBootAdmin{url: adminURL, opts: opts} }
}

// newSpringBootAdmin builds the client for c.springBootAdmin; New calls
// it, and nothing is sent before Run.
func (a *Actuator) newSpringBootAdmin(c *config) *sba.Client {
	opts := []sba.Option{sba.WithURLs(a.springBootAdminURLs)}
	if c.logger != nil {
		opts = append(opts, sba.WithLogger(c.logger))
	}
	return sba.New(c.springBootAdmin.url, append(opts, c.springBootAdmin.opts...)...)
}

// startSpringBootAdmin starts the registration, once, as a task of the
// lifecycle that Run is about to run with servers. The registrations stop
// and the instance is deregistered at the shutdown trigger; the task holds
// the sequence open until then, bounded by the client's timeout.
func (a *Actuator) startSpringBootAdmin(servers []*http.Server) {
	if a.sba == nil || a.sbaStarted.Swap(true) {
		return
	}
	if a.lifecycle.Phase() != lifecycle.PhaseIdle {
		// Going away already, or run by another Run (a shared lifecycle,
		// for which this Run fails): nothing to register.
		return
	}
	// One scheme per listener, in the order of Lifecycle.Addrs. Read now:
	// once serving, net/http writes the servers' TLSConfig.
	var schemes []string
	for _, s := range append(slices.Clip(servers), a.lifecycle.ManagementServer()) {
		if s == nil {
			continue // as Run skips nil servers
		}
		if servesTLS(s.TLSConfig) {
			schemes = append(schemes, "https")
		} else {
			schemes = append(schemes, "http")
		}
	}
	a.sbaSchemes.Store(&schemes)
	a.lifecycle.Go("spring-boot-admin", func(ctx context.Context) error {
		// ctx ends at the drain; the registration ends at the trigger.
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		go func() {
			select {
			case <-a.lifecycle.Stopping():
				cancel() // Run deregisters, bounded by its timeout, and returns
			case <-ctx.Done():
			}
		}()
		select {
		case <-a.lifecycle.Serving(): // the addresses to register are known
		case <-ctx.Done():
			return nil // stopped before serving: nothing was registered
		}
		return a.sba.Run(ctx)
	})
}

// springBootAdminURLs tells the client the URLs to register, from the
// addresses Run has bound: app servers first, then the management server.
func (a *Actuator) springBootAdminURLs() (sba.URLs, error) {
	addrs := a.lifecycle.Addrs()
	schemes := a.sbaSchemes.Load()
	if len(addrs) == 0 || schemes == nil {
		return sba.URLs{}, sba.ErrNotBound
	}
	if len(*schemes) != len(addrs) {
		return sba.URLs{}, sba.ErrNotBound // another Run's servers: cannot tell which is which
	}
	base := func(i int) (string, error) { return sba.BaseURL((*schemes)[i], addrs[i], "") }
	service, err := base(0)
	if err != nil {
		return sba.URLs{}, err
	}
	management := ""
	if a.lifecycle.ManagementServer() != nil && len(addrs) > 1 {
		if management, err = base(len(addrs) - 1); err != nil {
			return sba.URLs{}, err
		}
	}
	return sba.URLsFor(service, management, a.basePath), nil
}

// servesTLS reports whether the lifecycle serves a server with this
// TLSConfig over TLS: it carries certificates.
func servesTLS(c *tls.Config) bool {
	return c != nil && (len(c.Certificates) > 0 || c.GetCertificate != nil || c.GetConfigForClient != nil)
}
