package actuator_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/actuatorgo/actuator"
	"github.com/actuatorgo/actuator/env"
	"github.com/actuatorgo/actuator/loggers"
)

// A POST to /loggers/{name} through the actuator reaches the handler with
// its body and changes what a real slog logger writes, through every
// adapter; {} resets the level.
func TestLoggersPostChangesASlogLoggersOutput(t *testing.T) {
	for _, ad := range adapters {
		t.Run(ad.name, func(t *testing.T) {
			level := new(slog.LevelVar) // INFO
			var out logBuffer
			log := slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: level}))
			a := newActuator(t, actuator.WithAuthorizer(actuator.BearerToken(token)),
				actuator.WithLoggersEndpoint(loggers.WithLevelVar("ROOT", level)))
			h := ad.wrap(a)

			log.Debug("before")
			w := send(h, "POST", "/actuator/loggers/ROOT", `{"configuredLevel":"debug"}`,
				append([]string{"Content-Type", "application/json"}, bearer...)...)
			if w.Code != http.StatusNoContent {
				t.Fatalf("POST = %d: %s", w.Code, w.Body)
			}
			log.Debug("after")
			if got := out.String(); strings.Contains(got, "before") || !strings.Contains(got, "after") {
				t.Errorf("log output %q: want only the record after the POST", got)
			}
			got := decode(t, send(h, "GET", "/actuator/loggers/ROOT", "", bearer...))
			if got["configuredLevel"] != "DEBUG" {
				t.Errorf("GET after POST = %v", got)
			}
			if w := send(h, "POST", "/actuator/loggers/ROOT", `{}`,
				append([]string{"Content-Type", "application/json"}, bearer...)...); w.Code != http.StatusNoContent {
				t.Fatalf("reset = %d: %s", w.Code, w.Body)
			}
			if level.Level() != slog.LevelInfo {
				t.Errorf("after reset level = %v, want INFO", level.Level())
			}
		})
	}
}

// Bad writes get the actuator's JSON error body with a 4xx status, and
// none changes the level.
func TestLoggersBadInputThroughTheActuator(t *testing.T) {
	level := new(slog.LevelVar)
	a := newActuator(t, allowAll, actuator.WithLoggersEndpoint(loggers.WithLevelVar("ROOT", level)))
	jsonCT := []string{"Content-Type", "application/json"}
	tests := []struct {
		name, method, path, body string
		header                   []string
		want                     int
	}{
		{"unknown level", "POST", "/actuator/loggers/ROOT", `{"configuredLevel":"LOUD"}`, jsonCT, 400},
		{"not an object", "POST", "/actuator/loggers/ROOT", `["DEBUG"]`, jsonCT, 400},
		{"level not a string", "POST", "/actuator/loggers/ROOT", `{"configuredLevel":3}`, jsonCT, 400},
		{"empty body", "POST", "/actuator/loggers/ROOT", ``, jsonCT, 400},
		{"not JSON", "POST", "/actuator/loggers/ROOT", `configuredLevel=DEBUG`, []string{"Content-Type", "application/x-www-form-urlencoded"}, 415},
		{"unknown logger", "POST", "/actuator/loggers/nope", `{"configuredLevel":"DEBUG"}`, jsonCT, 404},
		{"unknown logger read", "GET", "/actuator/loggers/%3Cscript%3E", ``, nil, 404},
		{"post on the list", "POST", "/actuator/loggers", `{"configuredLevel":"DEBUG"}`, jsonCT, 405},
		{"too large", "POST", "/actuator/loggers/ROOT", `{"configuredLevel":"DEBUG","x":"` + strings.Repeat("a", actuator.MaxRequestBody) + `"}`, jsonCT, 413},
		{"deeper path", "GET", "/actuator/loggers/ROOT/x", ``, nil, 404},
		{"empty segment", "GET", "/actuator/loggers//ROOT", ``, nil, 404},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := send(a, tc.method, tc.path, tc.body, tc.header...)
			if got := w.Code; got != tc.want {
				t.Errorf("%s %s = %d, want %d: %s", tc.method, tc.path, got, tc.want, w.Body)
			}
			if m := decode(t, w); m["status"] != float64(tc.want) {
				t.Errorf("error body %v", m)
			}
			if level.Level() != slog.LevelInfo {
				t.Errorf("level changed to %v", level.Level())
			}
		})
	}
}

// A loggers POST sent without a length (chunked) is cut off at
// MaxRequestBody too: 413, the level unchanged; a small one reaches the
// handler.
func TestLoggersChunkedBodyIsBounded(t *testing.T) {
	level := new(slog.LevelVar)
	a := newActuator(t, allowAll, actuator.WithLoggersEndpoint(loggers.WithLevelVar("ROOT", level)))
	for _, tc := range []struct {
		body string
		want int
	}{
		{`{"configuredLevel":"ERROR","x":"` + strings.Repeat("a", actuator.MaxRequestBody) + `"}`, 413},
		{`{"configuredLevel":"WARN"}`, 204},
	} {
		r := httptest.NewRequest("POST", "/actuator/loggers/ROOT", io.MultiReader(strings.NewReader(tc.body)))
		r.ContentLength = -1
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		a.ServeHTTP(w, r)
		if w.Code != tc.want {
			t.Errorf("chunked POST of %d bytes = %d, want %d", len(tc.body), w.Code, tc.want)
		}
	}
	if level.Level() != slog.LevelWarn {
		t.Errorf("level = %v, want WARN", level.Level())
	}
}

// The loggers POST and pprof's symbol POST refuse a browser's cross-origin
// request with 403 before anything runs, even with a valid token.
func TestOperationsWritesRefuseCrossOrigin(t *testing.T) {
	level := new(slog.LevelVar)
	a := newActuator(t, actuator.WithAuthorizer(actuator.BearerToken(token)),
		actuator.WithLoggersEndpoint(loggers.WithLevelVar("ROOT", level)), actuator.WithPprofEndpoint())
	for _, tc := range []struct{ path, ct, body string }{
		{"/actuator/loggers/ROOT", "application/json", `{"configuredLevel":"DEBUG"}`},
		{"/actuator/pprof/symbol", "text/plain", "0x1"},
	} {
		for _, cross := range [][]string{{"Sec-Fetch-Site", "cross-site"}, {"Origin", "https://evil.example"}} {
			h := append([]string{"Content-Type", tc.ct}, append(cross, bearer...)...)
			w := send(a, "POST", tc.path, tc.body, h...)
			if w.Code != http.StatusForbidden {
				t.Errorf("cross-origin POST %s (%v) = %d, want 403", tc.path, cross, w.Code)
			}
			decode(t, w)
		}
		w := send(a, "POST", tc.path, tc.body, append([]string{"Content-Type", tc.ct, "Sec-Fetch-Site", "same-origin"}, bearer...)...)
		if w.Code >= 300 {
			t.Errorf("same-origin POST %s = %d: %s", tc.path, w.Code, w.Body)
		}
	}
	if level.Level() != slog.LevelDebug {
		t.Errorf("level = %v: the same-origin POST did not reach the handler", level.Level())
	}
}

// The root's authorizer is the env endpoint's: with WhenAuthorized, the
// callers it lets in see values (secret-looking ones stay masked); an
// env.WithAuthorizer replaces it whatever the order; without an
// authorizer, nobody sees values.
func TestEnvValuesFollowTheRootAuthorizer(t *testing.T) {
	src := env.WithSource("app", map[string]string{"greeting": "hello", "db.password": "pw"})
	show := env.WithShowValues(env.WhenAuthorized)
	value := func(a *actuator.Actuator, header ...string) (string, string) {
		t.Helper()
		w := send(a, "GET", "http://localhost/actuator/env/greeting", "", header...)
		if w.Code != http.StatusOK {
			t.Fatalf("GET /env/greeting = %d: %s", w.Code, w.Body)
		}
		p := decode(t, w)["property"].(map[string]any)
		w = send(a, "GET", "http://localhost/actuator/env/db.password", "", header...)
		q := decode(t, w)["property"].(map[string]any)
		return p["value"].(string), q["value"].(string)
	}

	a := newActuator(t, actuator.WithAuthorizer(actuator.BearerToken(token)), actuator.WithEnvEndpoint(src, show))
	if v, secret := value(a, bearer...); v != "hello" || secret != env.Mask {
		t.Errorf("authorized: greeting %q, password %q", v, secret)
	}

	never := func(*http.Request) bool { return false }
	a = newActuator(t, actuator.WithEnvEndpoint(env.WithAuthorizer(never)), actuator.WithAuthorizer(actuator.BearerToken(token)),
		actuator.WithEnvEndpoint(src, show))
	if v, _ := value(a, bearer...); v != env.Mask {
		t.Errorf("env.WithAuthorizer refusing: greeting %q, want masked", v)
	}

	log, _ := newLogger()
	a = newActuator(t, actuator.WithEnvEndpoint(src, show), actuator.WithLogger(log))
	r := send(a, "GET", "http://localhost/actuator/env", "")
	if r.Code != http.StatusForbidden { // httptest's RemoteAddr is not loopback
		t.Errorf("no authorizer, remote caller: %d, want 403", r.Code)
	}
}

// Env's bad input gets JSON 4xx through the actuator.
func TestEnvBadInputThroughTheActuator(t *testing.T) {
	a := newActuator(t, allowAll, actuator.WithEnvEndpoint(env.WithoutProcessEnvironment()))
	for _, tc := range []struct {
		path string
		want int
	}{
		{"/actuator/env/NO_SUCH_NAME", 404},
		{"/actuator/env?pattern=%28", 400},
		{"/actuator/env?pattern=" + strings.Repeat("a", env.MaxPatternLength+1), 400},
		{"/actuator/env/a/b", 404},
	} {
		w := send(a, "GET", tc.path, "")
		if w.Code != tc.want {
			t.Errorf("GET %s = %d, want %d", tc.path, w.Code, tc.want)
		}
		decode(t, w)
	}
	if w := send(a, "POST", "/actuator/env", ""); w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST /env = %d, Allow %q", w.Code, w.Header().Get("Allow"))
	}
}
