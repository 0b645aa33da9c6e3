package sba

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"
)

// URLs are the addresses the admin server calls back, as it names them in
// a registration.
type URLs struct {
	// Service is the application's public base URL ("serviceUrl"), the
	// admin UI's link to the application. Optional.
	Service string
	// Management is the base URL of the actuator endpoints
	// ("managementUrl"), e.g. "http://host:8080/actuator". Optional, but
	// without it the admin server knows only the health endpoint.
	Management string
	// Health is the health endpoint's URL ("healthUrl"), e.g.
	// "http://host:8080/actuator/health". Required by the admin server,
	// which polls it and derives the instance id from it.
	Health string
}

// BaseURL returns "scheme://host:port" for a bound listener address, the
// way the SBA client builds its URLs from the local server's port: host
// names the listener's IP when it is bound to one address; on an
// unspecified address (":8080", "0.0.0.0:8080", "[::]:8080") it is
// os.Hostname(), as the SBA client uses the local host's name by default.
// A non-empty host wins over both (an IP or a name the admin server can
// resolve: the SBA client's server.address). scheme "" means "http". A nil
// addr or port 0 (nothing bound yet) gives [ErrNotBound].
func BaseURL(scheme string, addr net.Addr, host string) (string, error) {
	if addr == nil {
		return "", ErrNotBound
	}
	h, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "", fmt.Errorf("sba: listener address: %w", err)
	}
	if port == "" || port == "0" {
		return "", fmt.Errorf("%w: address %q has no port", ErrNotBound, addr.String())
	}
	if host == "" {
		host = h
		if ip, err := netip.ParseAddr(h); h == "" || err == nil && ip.IsUnspecified() {
			if host, err = os.Hostname(); err != nil {
				return "", fmt.Errorf("sba: host name: %w", err)
			}
		} else if err == nil {
			host = ip.WithZone("").String() // a zone is meaningless to the admin server
		}
	}
	if scheme == "" {
		scheme = "http"
	}
	return scheme + "://" + net.JoinHostPort(host, port), nil
}

// URLsFor returns the URLs of an application served at service (a base
// URL, as [BaseURL] returns) whose actuator endpoints are served under
// basePath ("/actuator" by default in package actuator, "/" or "" for the
// root) at management, or at service when management is "". They follow
// the SBA client's derivation: service URL service + "/", management URL
// management + basePath, health URL the management URL + "/health".
func URLsFor(service, management, basePath string) URLs {
	service = strings.TrimRight(service, "/")
	if management == "" {
		management = service
	}
	mgmt := strings.TrimRight(management, "/") + "/" + strings.Trim(basePath, "/")
	mgmt = strings.TrimRight(mgmt, "/")
	return URLs{
		Service:    service + "/",
		Management: mgmt,
		Health:     mgmt + "/health",
	}
}
