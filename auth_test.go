package actuator_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/actuatorgo/actuator"
	"github.com/actuatorgo/actuator/lifecycle"
)

// Loopback accepts a request only when both the peer and the Host header
// are loopback, so DNS rebinding (a remote page whose name now resolves
// to 127.0.0.1, Host still its own name) cannot pass as a local caller.
func TestLoopbackChecksTheHostHeader(t *testing.T) {
	rows := []struct {
		remote, host string
		want         bool
	}{
		{"127.0.0.1:5000", "127.0.0.1:8080", true},
		{"127.0.0.1:5000", "127.0.0.1", true},
		{"127.0.0.1:5000", "127.9.8.7:80", true},
		{"127.0.0.1:5000", "localhost:8080", true},
		{"127.0.0.1:5000", "localhost", true},
		{"127.0.0.1:5000", "LocalHost:8080", true},
		{"127.0.0.1:5000", "localhost.:8080", true},
		{"[::1]:5000", "[::1]:8080", true},
		{"[::1]:5000", "[::1]", true},
		{"[::1]:5000", "[::ffff:127.0.0.1]:8080", true},
		{"[::1]:5000", "localhost:8080", true},

		{"127.0.0.1:5000", "evil.example", false},
		{"127.0.0.1:5000", "evil.example:8080", false},
		{"127.0.0.1:5000", "127.0.0.1.evil.example", false},
		{"127.0.0.1:5000", "127.0.0.1.evil.example:8080", false},
		{"127.0.0.1:5000", "localhost.evil.example", false},
		{"127.0.0.1:5000", "evil-localhost", false},
		{"127.0.0.1:5000", "app.localhost", false},
		{"127.0.0.1:5000", "localhost..", false},
		{"127.0.0.1:5000", "2130706433", false},
		{"127.0.0.1:5000", "0x7f.0.0.1", false},
		{"127.0.0.1:5000", "10.0.0.1:8080", false},
		{"127.0.0.1:5000", "[::2]:8080", false},
		{"127.0.0.1:5000", "", false},
		{"127.0.0.1:5000", "127.0.0.1:8080:9090", false},
		{"10.0.0.1:5000", "localhost:8080", false},
		{"10.0.0.1:5000", "127.0.0.1", false},
	}
	for _, row := range rows {
		t.Run(row.remote+" Host "+row.host, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/", nil)
			r.RemoteAddr = row.remote
			r.Host = row.host
			if got := actuator.Loopback()(r); got != row.want {
				t.Errorf("Loopback() = %v, want %v", got, row.want)
			}
		})
	}
}

// A 401 challenges with the schemes the configured authorizer accepts;
// an authorizer no credential can satisfy (networks, a plain func that
// names no scheme) refuses with 403 and no challenge.
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
			w = do(a, "POST", "/actuator/shutdown", "Authorization", "Bearer wrong")
			if w.Code != http.StatusForbidden || w.Header().Get("WWW-Authenticate") != "" {
				t.Errorf("POST with wrong credentials = %d, WWW-Authenticate %q; want 403 without a challenge",
					w.Code, w.Header().Get("WWW-Authenticate"))
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
		a := newActuator(t, actuator.WithLogger(logger), actuator.WithEndpoint("vault", http.NotFoundHandler(), actuator.Sensitive()))
		if !strings.Contains(logs.String(), "vault") {
			t.Errorf("New logged %q, want a warning naming vault", logs.String())
		}
		if w := do(a, "GET", "/actuator/vault"); w.Code != http.StatusForbidden {
			t.Errorf("GET vault from a remote peer = %d, want 403", w.Code)
		}
	})
}
