package actuator_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/actuatorgo/actuator"
	"github.com/actuatorgo/actuator/health"
	"github.com/actuatorgo/actuator/lifecycle"
)

// TestAuthorizers checks each ready-made authorizer on its own. Loopback
// accepts a request only when both the peer and the Host header are
// loopback, so DNS rebinding (a remote page whose name now resolves to
// 127.0.0.1, Host still its own name) cannot pass as a local caller.
// Credentials configured longer than the header bound still match.
func TestAuthorizers(t *testing.T) {
	req := func(remote string, header ...string) *http.Request {
		r := httptest.NewRequest("GET", "http://localhost/", nil)
		r.RemoteAddr = remote
		for i := 0; i+1 < len(header); i += 2 {
			r.Header.Set(header[i], header[i+1])
		}
		return r
	}
	hostReq := func(remote, host string) *http.Request {
		r := httptest.NewRequest("POST", "/", nil)
		r.RemoteAddr = remote
		r.Host = host
		return r
	}
	basicReq := func(user, password string) *http.Request {
		r := httptest.NewRequest("GET", "/", nil)
		r.SetBasicAuth(user, password)
		return r
	}
	long := strings.Repeat("k", 10<<10)
	loopback := actuator.Loopback()
	tests := []struct {
		name string
		auth actuator.Authorizer
		r    *http.Request
		want bool
	}{
		{"bearer ok", actuator.BearerToken("t"), req("1.2.3.4:1", "Authorization", "Bearer t"), true},
		{"bearer wrong", actuator.BearerToken("t"), req("1.2.3.4:1", "Authorization", "Bearer tt"), false},
		{"bearer lowercase scheme", actuator.BearerToken("t"), req("1.2.3.4:1", "Authorization", "bearer t"), true},
		{"bearer upper case scheme", actuator.BearerToken("t"), req("1.2.3.4:1", "Authorization", "BEARER t"), true},
		{"bearer scheme only", actuator.BearerToken("t"), req("1.2.3.4:1", "Authorization", "Bearer"), false},
		{"bearer other scheme", actuator.BearerToken("t"), req("1.2.3.4:1", "Authorization", "Basic t"), false},
		{"bearer none", actuator.BearerToken("t"), req("1.2.3.4:1"), false},
		{"bearer of 10 KiB", actuator.BearerToken(long), req("1.2.3.4:1", "Authorization", "Bearer "+long), true},
		{"basic ok", actuator.BasicAuth("ops", "pw"), basicReq("ops", "pw"), true},
		{"basic wrong", actuator.BasicAuth("ops", "pw"), basicReq("ops", "px"), false},
		{"basic none", actuator.BasicAuth("ops", "pw"), req("1.2.3.4:1"), false},
		{"basic password of 10 KiB", actuator.BasicAuth("user", long), basicReq("user", long), true},
		{"loopback v4", loopback, req("127.0.0.1:5000"), true},
		{"loopback v6", loopback, req("[::1]:5000"), true},
		{"loopback mapped", loopback, req("[::ffff:127.0.0.1]:5000"), true},
		{"loopback remote", loopback, req("10.0.0.1:5000"), false},
		{"loopback ignores forwarded", loopback, req("10.0.0.1:5000", "X-Forwarded-For", "127.0.0.1"), false},
		{"loopback Host 127.0.0.1:8080", loopback, hostReq("127.0.0.1:5000", "127.0.0.1:8080"), true},
		{"loopback Host 127.0.0.1", loopback, hostReq("127.0.0.1:5000", "127.0.0.1"), true},
		{"loopback Host 127.9.8.7:80", loopback, hostReq("127.0.0.1:5000", "127.9.8.7:80"), true},
		{"loopback Host localhost:8080", loopback, hostReq("127.0.0.1:5000", "localhost:8080"), true},
		{"loopback Host localhost", loopback, hostReq("127.0.0.1:5000", "localhost"), true},
		{"loopback Host LocalHost:8080", loopback, hostReq("127.0.0.1:5000", "LocalHost:8080"), true},
		{"loopback Host localhost.:8080", loopback, hostReq("127.0.0.1:5000", "localhost.:8080"), true},
		{"loopback v6 Host [::1]:8080", loopback, hostReq("[::1]:5000", "[::1]:8080"), true},
		{"loopback v6 Host [::1]", loopback, hostReq("[::1]:5000", "[::1]"), true},
		{"loopback v6 Host mapped", loopback, hostReq("[::1]:5000", "[::ffff:127.0.0.1]:8080"), true},
		{"loopback v6 Host localhost:8080", loopback, hostReq("[::1]:5000", "localhost:8080"), true},
		{"loopback Host evil.example", loopback, hostReq("127.0.0.1:5000", "evil.example"), false},
		{"loopback Host evil.example:8080", loopback, hostReq("127.0.0.1:5000", "evil.example:8080"), false},
		{"loopback Host 127.0.0.1.evil.example", loopback, hostReq("127.0.0.1:5000", "127.0.0.1.evil.example"), false},
		{"loopback Host 127.0.0.1.evil.example:8080", loopback, hostReq("127.0.0.1:5000", "127.0.0.1.evil.example:8080"), false},
		{"loopback Host localhost.evil.example", loopback, hostReq("127.0.0.1:5000", "localhost.evil.example"), false},
		{"loopback Host evil-localhost", loopback, hostReq("127.0.0.1:5000", "evil-localhost"), false},
		{"loopback Host app.localhost", loopback, hostReq("127.0.0.1:5000", "app.localhost"), false},
		{"loopback Host localhost..", loopback, hostReq("127.0.0.1:5000", "localhost.."), false},
		{"loopback Host 2130706433", loopback, hostReq("127.0.0.1:5000", "2130706433"), false},
		{"loopback Host 0x7f.0.0.1", loopback, hostReq("127.0.0.1:5000", "0x7f.0.0.1"), false},
		{"loopback Host 10.0.0.1:8080", loopback, hostReq("127.0.0.1:5000", "10.0.0.1:8080"), false},
		{"loopback Host [::2]:8080", loopback, hostReq("127.0.0.1:5000", "[::2]:8080"), false},
		{"loopback empty Host", loopback, hostReq("127.0.0.1:5000", ""), false},
		{"loopback Host with two ports", loopback, hostReq("127.0.0.1:5000", "127.0.0.1:8080:9090"), false},
		{"loopback Host from a remote peer", loopback, hostReq("10.0.0.1:5000", "localhost:8080"), false},
		{"loopback Host 127.0.0.1 from a remote peer", loopback, hostReq("10.0.0.1:5000", "127.0.0.1"), false},
		{"cidr in", actuator.AllowCIDR("10.0.0.0/8"), req("10.9.8.7:1"), true},
		{"cidr single host", actuator.AllowCIDR("192.0.2.7"), req("192.0.2.7:1"), true},
		{"cidr out", actuator.AllowCIDR("10.0.0.0/8"), req("11.0.0.1:1"), false},
		{"cidr zoned link-local", actuator.AllowCIDR("fe80::/10"), req("[fe80::1%eth0]:1"), true},
		{"cidr garbage remote", actuator.AllowCIDR("10.0.0.0/8"), req("garbage"), false},
		{"any of", actuator.AnyOf(actuator.BearerToken("t"), actuator.Loopback()), req("127.0.0.1:1"), true},
		{"any of none", actuator.AnyOf(actuator.BearerToken("t"), actuator.Loopback()), req("10.0.0.1:1"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.auth(tc.r); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// A 401 challenges with the schemes the configured authorizer accepts;
// an authorizer no credential can satisfy (networks, a plain func that
// names no scheme) refuses with 403 and no challenge. Wrong credentials
// get 403 without a challenge.
func TestChallengeNamesTheAuthorizersSchemes(t *testing.T) {
	const basic, bearer = `Basic realm="actuator"`, `Bearer realm="actuator"`
	rows := []struct {
		name      string
		auth      actuator.Authorizer
		status    int
		challenge string
	}{
		{"bearer token", actuator.BearerToken("t0k"), 401, bearer},
		{"basic auth", actuator.BasicAuth("ops", "pw"), 401, basic},
		{"any of basic and bearer", actuator.AnyOf(actuator.BasicAuth("ops", "pw"), actuator.BearerToken("t0k")), 401, basic + ", " + bearer},
		{"any of bearer and basic", actuator.AnyOf(actuator.BearerToken("t0k"), actuator.BasicAuth("ops", "pw")), 401, bearer + ", " + basic},
		{"bearer or a network", actuator.AnyOf(actuator.AllowCIDR("10.0.0.0/8"), actuator.BearerToken("t0k")), 401, bearer},
		{"two bearer tokens", actuator.AnyOf(actuator.BearerToken("a"), actuator.BearerToken("b")), 401, bearer},
		{"a plain func calling BearerToken", wrap(actuator.BearerToken("t0k")), 401, bearer},
		{"network only", actuator.AllowCIDR("10.0.0.0/8"), 403, ""},
		{"loopback only", actuator.Loopback(), 403, ""},
		{"a plain func", func(r *http.Request) bool { return r.Header.Get("X-Api-Key") == "k" }, 403, ""},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			a := newActuator(t, actuator.WithAuthorizer(row.auth), actuator.WithShutdownEndpoint())
			w := do(a, "POST", "/actuator/shutdown")
			if w.Code != row.status || w.Header().Get("WWW-Authenticate") != row.challenge {
				t.Errorf("POST without credentials = %d, WWW-Authenticate %q; want %d, %q",
					w.Code, w.Header().Get("WWW-Authenticate"), row.status, row.challenge)
			}
			if body := decode(t, w); body["status"] != float64(row.status) {
				t.Errorf("body = %s", w.Body)
			}
			for _, wrong := range []string{"Bearer wrong", "Basic eDp5"} {
				w = do(a, "POST", "/actuator/shutdown", "Authorization", wrong)
				if w.Code != http.StatusForbidden || w.Header().Get("WWW-Authenticate") != "" {
					t.Errorf("POST with wrong credentials %q = %d, WWW-Authenticate %q; want 403 without a challenge",
						wrong, w.Code, w.Header().Get("WWW-Authenticate"))
				}
			}
			if a.Lifecycle().Phase() != lifecycle.PhaseIdle {
				t.Errorf("a refused request started the shutdown")
			}
		})
	}
}

func wrap(auth actuator.Authorizer) actuator.Authorizer {
	return func(r *http.Request) bool { return auth(r) }
}

// WithShutdownEndpoint without an authorizer accepts loopback callers
// only (peer and Host), and New says so in a warning that names the fix.
func TestShutdownWithoutAuthorizerAcceptsLoopbackOnly(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	rows := []struct {
		name, remote, host string
		status             int
	}{
		{"remote peer", "192.0.2.1:4000", "example.com", 403},
		{"remote peer naming localhost", "192.0.2.1:4000", "localhost:8080", 403},
		{"DNS rebinding", "127.0.0.1:4000", "evil.example:8080", 403},
		{"loopback", "127.0.0.1:4000", "localhost:8080", 200},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			logs.Reset()
			a := newShutdownActuator(t, actuator.WithShutdownEndpoint(), actuator.WithLogger(logger), quickShutdown)
			msg := logs.String()
			if !strings.Contains(msg, "level=WARN") || !strings.Contains(msg, "shutdown") || !strings.Contains(msg, "WithAuthorizer") {
				t.Errorf("New logged %q, want a warning about the unguarded shutdown endpoint naming WithAuthorizer", msg)
			}
			r := httptest.NewRequest("POST", "/actuator/shutdown", nil)
			r.RemoteAddr, r.Host = row.remote, row.host
			w := httptest.NewRecorder()
			a.ServeHTTP(w, r)
			if w.Code != row.status {
				t.Errorf("POST from %s Host %s = %d %s, want %d", row.remote, row.host, w.Code, w.Body, row.status)
			}
			if started := a.Lifecycle().Phase() != lifecycle.PhaseIdle; started != (row.status == 200) {
				t.Errorf("shutdown started = %v", started)
			}
		})
	}

	t.Run("no warning with an authorizer", func(t *testing.T) {
		logs.Reset()
		newActuator(t, actuator.WithShutdownEndpoint(), actuator.WithLogger(logger), actuator.WithAuthorizer(actuator.BearerToken("t0k")))
		if strings.Contains(logs.String(), "WithAuthorizer") {
			t.Errorf("New warned although an authorizer is set: %q", logs.String())
		}
	})
	t.Run("no logger set: the default logger warns", func(t *testing.T) {
		logs.Reset()
		prev := slog.Default()
		slog.SetDefault(logger)
		defer slog.SetDefault(prev)
		newActuator(t, actuator.WithShutdownEndpoint())
		if !strings.Contains(logs.String(), "WithAuthorizer") {
			t.Errorf("New without a logger warned %q, want the warning on slog.Default()", logs.String())
		}
	})
	t.Run("unguarded custom sensitive endpoint", func(t *testing.T) {
		logs.Reset()
		a := newActuator(t, actuator.WithLogger(logger), actuator.WithEndpoint("vault", http.NotFoundHandler(), actuator.WithSensitive()))
		if !strings.Contains(logs.String(), "vault") {
			t.Errorf("New logged %q, want a warning naming vault", logs.String())
		}
		if w := do(a, "GET", "/actuator/vault"); w.Code != http.StatusForbidden {
			t.Errorf("GET vault from a remote peer = %d, want 403", w.Code)
		}
	})
}

// TestHugeCredentialsCostAConstant: an Authorization header of a megabyte
// is refused for at most a few KiB more than a wrong short one, by each
// ready-made authorizer, on a sensitive endpoint and on health details.
func TestHugeCredentialsCostAConstant(t *testing.T) {
	const mib = 1 << 20
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	for _, tc := range []struct {
		name        string
		auth        actuator.Authorizer
		small, huge string
	}{
		{"bearer", actuator.BearerToken("t0k"), "Bearer nope", "Bearer " + strings.Repeat("x", mib)},
		{"basic", actuator.BasicAuth("u", "p"), "Basic dTpx", "Basic " + strings.Repeat("QUFB", mib/4)},
		{"any of", actuator.AnyOf(actuator.BearerToken("t0k"), actuator.BasicAuth("u", "p")), "Bearer nope", "Basic " + strings.Repeat("QUFB", mib/4)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newActuator(t,
				actuator.WithAuthorizer(tc.auth),
				actuator.WithEndpoint("secret", ok, actuator.WithSensitive()),
				actuator.WithHealthOptions(health.WithDefaultShowDetails(health.WhenAuthorized)),
			)
			for _, path := range []string{"/actuator/secret", "/actuator/health"} {
				want := http.StatusForbidden
				if path == "/actuator/health" {
					want = http.StatusOK
				}
				small := httptest.NewRequest("GET", path, nil)
				small.Header.Set("Authorization", tc.small)
				large := httptest.NewRequest("GET", path, nil)
				large.Header.Set("Authorization", tc.huge)
				assertBoundedCost(t, a, path, small, large, want, want)
			}
		})
	}
}
