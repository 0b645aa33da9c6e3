package actuator

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"sync"
)

// maxCredentials bounds the Authorization header the ready-made
// authorizers read (or the configured credentials' own length, when
// longer): a longer one is refused before it is decoded or hashed, so a
// megabyte of header costs nothing. For credentials up to that size the
// bound does not depend on them, so refusing early reveals nothing.
const maxCredentials = 4 << 10

// BearerToken accepts requests that carry "Authorization: Bearer <token>"
// (the scheme name in any case, as RFC 9110 section 11.1 says). The
// comparison takes the same time whatever the candidate, so timing reveals
// nothing of the token. A request it refuses without credentials is
// challenged with "Bearer". It panics on an empty token.
func BearerToken(token string) Authorizer {
	if token == "" {
		panic("actuator: empty bearer token")
	}
	want := sha256.Sum256([]byte(token))
	limit := len("Bearer ") + max(len(token), maxCredentials)
	return func(r *http.Request) bool {
		offer(r, "Bearer")
		h := r.Header.Get("Authorization")
		const scheme = "Bearer "
		if len(h) < len(scheme) || len(h) > limit || !strings.EqualFold(h[:len(scheme)], scheme) {
			return false
		}
		got := h[len(scheme):]
		sum := sha256.Sum256([]byte(got))
		return subtle.ConstantTimeCompare(sum[:], want[:]) == 1
	}
}

// BasicAuth accepts requests with HTTP basic credentials equal to user and
// password, compared in constant time. A request it refuses without
// credentials is challenged with "Basic", so a browser prompts. It panics
// on an empty password.
func BasicAuth(user, password string) Authorizer {
	if password == "" {
		panic("actuator: empty basic auth password")
	}
	wantUser := sha256.Sum256([]byte(user))
	wantPass := sha256.Sum256([]byte(password))
	limit := len("Basic ") + max(base64.StdEncoding.EncodedLen(len(user)+1+len(password)), maxCredentials)
	return func(r *http.Request) bool {
		offer(r, "Basic")
		if len(r.Header.Get("Authorization")) > limit {
			return false
		}
		u, p, ok := r.BasicAuth()
		if !ok {
			return false
		}
		gotUser := sha256.Sum256([]byte(u))
		gotPass := sha256.Sum256([]byte(p))
		userOK := subtle.ConstantTimeCompare(gotUser[:], wantUser[:])
		passOK := subtle.ConstantTimeCompare(gotPass[:], wantPass[:])
		return userOK&passOK == 1
	}
}

// AllowCIDR accepts requests whose peer address (r.RemoteAddr, never a
// forwarded header) lies in one of the given networks, such as
// "127.0.0.0/8", "::1/128" or "10.0.0.0/8". A bare address counts as a
// single host. It panics on a malformed network.
func AllowCIDR(networks ...string) Authorizer {
	prefixes := make([]netip.Prefix, 0, len(networks))
	for _, n := range networks {
		p, err := netip.ParsePrefix(n)
		if err != nil {
			addr, aerr := netip.ParseAddr(n)
			if aerr != nil {
				panic("actuator: bad network " + quote(n) + ": " + err.Error())
			}
			p = netip.PrefixFrom(addr, addr.BitLen())
		}
		prefixes = append(prefixes, p.Masked())
	}
	return func(r *http.Request) bool {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		addr, err := netip.ParseAddr(host)
		if err != nil {
			return false
		}
		addr = addr.Unmap().WithZone("") // a zoned address is in no prefix otherwise
		for _, p := range prefixes {
			if p.Contains(addr) {
				return true
			}
		}
		return false
	}
}

// Loopback accepts requests from 127.0.0.0/8 and ::1 only, and only when
// the Host header names a loopback address too: an IP in 127.0.0.0/8, ::1
// (bracketed, an IPv4-mapped form allowed), or "localhost" in any case,
// with or without a trailing dot, each with or without a port. A browser
// sends the name it resolved as Host, so a remote page whose name an
// attacker re-points at 127.0.0.1 (DNS rebinding) is refused. A request
// without a Host (HTTP/1.0) is refused, as are subdomains of localhost
// and numeric forms such as "2130706433". Like [AllowCIDR] it names no
// challenge scheme.
func Loopback() Authorizer {
	peer := AllowCIDR("127.0.0.0/8", "::1/128")
	return func(r *http.Request) bool { return loopbackHost(r.Host) && peer(r) }
}

// loopbackHost reports whether a Host header value names a loopback
// address.
func loopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	} else if len(host) > 2 && host[0] == '[' && host[len(host)-1] == ']' {
		host = host[1 : len(host)-1]
	}
	if strings.EqualFold(host, "localhost") || strings.EqualFold(host, "localhost.") {
		return true
	}
	addr, err := netip.ParseAddr(host)
	return err == nil && addr.Unmap().IsLoopback()
}

// AnyOf accepts a request when one of the authorizers does, for example a
// token from anywhere or no token from the cluster's network. A request
// they all refuse is challenged with each of their schemes, in order.
func AnyOf(auths ...Authorizer) Authorizer {
	return func(r *http.Request) bool {
		for _, a := range auths {
			if a(r) {
				return true
			}
		}
		return false
	}
}

// challengeKey is the context key under which the actuator collects the
// schemes the authorizers evaluated for a request, to name them in the
// WWW-Authenticate challenge if the request is refused.
type challengeKey struct{}

// challenges is the set of schemes offered for one request, in the order
// they were offered. An authorizer may run its parts concurrently.
type challenges struct {
	mu      sync.Mutex
	schemes []string
}

// offer records that an authorizer evaluating r accepts credentials of
// scheme. It does nothing outside the actuator's own authorization of a
// sensitive endpoint.
func offer(r *http.Request, scheme string) {
	c, _ := r.Context().Value(challengeKey{}).(*challenges)
	if c == nil {
		return
	}
	c.mu.Lock()
	if !slices.Contains(c.schemes, scheme) {
		c.schemes = append(c.schemes, scheme)
	}
	c.mu.Unlock()
}

// authorize runs auth on r and returns whether it accepted it and, when
// not, the schemes the authorizer would accept credentials for.
func authorize(auth Authorizer, r *http.Request) (bool, []string) {
	c := &challenges{}
	if auth(r.WithContext(context.WithValue(r.Context(), challengeKey{}, c))) {
		return true, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return false, c.schemes
}
