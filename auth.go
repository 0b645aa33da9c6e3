package actuator

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net"
	"net/http"
	"net/netip"
	"strings"
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
// nothing of the token. It panics on an empty token.
func BearerToken(token string) Authorizer {
	if token == "" {
		panic("actuator: empty bearer token")
	}
	want := sha256.Sum256([]byte(token))
	limit := len("Bearer ") + max(len(token), maxCredentials)
	return func(r *http.Request) bool {
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
// password, compared in constant time. It panics on an empty password.
func BasicAuth(user, password string) Authorizer {
	if password == "" {
		panic("actuator: empty basic auth password")
	}
	wantUser := sha256.Sum256([]byte(user))
	wantPass := sha256.Sum256([]byte(password))
	limit := len("Basic ") + max(base64.StdEncoding.EncodedLen(len(user)+1+len(password)), maxCredentials)
	return func(r *http.Request) bool {
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

// Loopback accepts requests from 127.0.0.0/8 and ::1 only.
func Loopback() Authorizer { return AllowCIDR("127.0.0.0/8", "::1/128") }

// AnyOf accepts a request when one of the authorizers does, for example a
// token from anywhere or no token from the cluster's network.
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
