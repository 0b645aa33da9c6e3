package actuator_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/actuatorgo/actuator"
	"github.com/actuatorgo/actuator/health"
	"github.com/actuatorgo/actuator/lifecycle"
)

// environ is a getenv over a fixed set of variables.
func environ(kv ...string) func(string) string {
	m := make(map[string]string)
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func mustFromEnv(t *testing.T, kv ...string) actuator.Option {
	t.Helper()
	o, err := actuator.FromEnv(environ(kv...))
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// A bad value is an *EnvError naming the variable and the value.
func TestFromEnvRefusesBadValuesNamingTheVariable(t *testing.T) {
	tests := []struct{ name, value string }{
		{actuator.EnvShowDetails, "sometimes"},
		{actuator.EnvShowComponents, "yes"},
		{actuator.EnvServerPort, "http"},
		{actuator.EnvServerPort, "0"},
		{actuator.EnvServerPort, "65536"},
		{actuator.EnvServerPort, "-2"},
		{actuator.EnvBasePath, "/a/../b"},
		{actuator.EnvBasePath, "/a?b"},
		{actuator.EnvExposureInclude, "health,,info"},
		{actuator.EnvExposureExclude, "health info"},
	}
	for _, tc := range tests {
		t.Run(tc.name+"="+tc.value, func(t *testing.T) {
			o, err := actuator.FromEnv(environ(tc.name, tc.value))
			var ee *actuator.EnvError
			if !errors.As(err, &ee) || o != nil {
				t.Fatalf("FromEnv = %v, %v; want an *EnvError", o, err)
			}
			if ee.Name != tc.name || ee.Value != tc.value {
				t.Errorf("EnvError names %s=%q", ee.Name, ee.Value)
			}
			if msg := err.Error(); !strings.Contains(msg, tc.name) || !strings.Contains(msg, strconv.Quote(tc.value)) {
				t.Errorf("message %q names neither the variable nor the value", msg)
			}
		})
	}
	if _, err := actuator.FromEnv(environ(actuator.EnvServerAddress, "127.0.0.1")); err == nil ||
		!strings.Contains(err.Error(), actuator.EnvServerAddress) {
		t.Errorf("address without port: %v", err)
	}
}

// No variable set: the option changes nothing.
func TestFromEnvWithNothingSetChangesNothing(t *testing.T) {
	a := newActuator(t, mustFromEnv(t))
	if got := linkNames(t, do(a, "GET", "/actuator")); !slices.Equal(got, []string{"health", "health-path", "info", "metrics", "metrics-requiredMetricName", "prometheus", "self"}) {
		t.Errorf("index %v", got)
	}
}

// Each variable does what its Spring Boot property does, and wins over the
// code's option for the same setting, whether it comes before or after it.
func TestFromEnvVariablesWinOverTheCodeWhateverTheOrder(t *testing.T) {
	failing := actuator.WithHealthCheck("db", func(context.Context) error { return errors.New("down: secret host") })
	tests := []struct {
		name string
		env  []string
		code []actuator.Option
		path string
		want int
		has  string
		not  string
	}{
		{"include replaces the code's include", []string{actuator.EnvExposureInclude, "health"},
			[]actuator.Option{actuator.WithExposure([]string{"*"}, nil)}, "/actuator/info", 404, "", ""},
		{"include keeps the code's exclude", []string{actuator.EnvExposureInclude, "*"},
			[]actuator.Option{actuator.WithExposure(nil, []string{"info"})}, "/actuator/info", 404, "", ""},
		{"include star", []string{actuator.EnvExposureInclude, " * "},
			[]actuator.Option{actuator.WithExposure([]string{"health"}, nil)}, "/actuator/metrics", 200, "", ""},
		{"exclude", []string{actuator.EnvExposureExclude, "metrics, prometheus"},
			nil, "/actuator/metrics", 404, "", ""},
		{"exclude replaces the code's exclude", []string{actuator.EnvExposureExclude, "prometheus"},
			[]actuator.Option{actuator.WithExposure(nil, []string{"metrics"})}, "/actuator/metrics", 200, "", ""},
		{"Spring-only ids are ignored", []string{actuator.EnvExposureInclude, "health,configprops,beans"},
			nil, "/actuator/health", 200, "", ""},
		{"include does not turn on an opt-in endpoint", []string{actuator.EnvExposureInclude, "health,loggers"},
			nil, "/actuator/loggers", 404, "", ""},
		{"base path", []string{actuator.EnvBasePath, "/manage"},
			[]actuator.Option{actuator.WithBasePath("/ops")}, "/manage/health", 200, "", ""},
		{"old base path is gone", []string{actuator.EnvBasePath, "/manage"},
			[]actuator.Option{actuator.WithBasePath("/ops")}, "/ops/health", 404, "", ""},
		{"show details always", []string{actuator.EnvShowDetails, "ALWAYS"},
			[]actuator.Option{failing, actuator.WithHealthOptions(health.WithDefaultShowDetails(health.Never))}, "/actuator/health", 503, "secret host", ""},
		{"show details never", []string{actuator.EnvShowDetails, "never"},
			[]actuator.Option{failing, actuator.WithHealthOptions(health.WithDefaultShowDetails(health.Always))}, "/actuator/health", 503, `"db"`, "secret host"},
		{"show components never", []string{actuator.EnvShowComponents, "Never"},
			[]actuator.Option{failing}, "/actuator/health", 503, "", `"db"`},
		{"show components when authorized (Spring's enum spelling)", []string{actuator.EnvShowComponents, "WHEN_AUTHORIZED"},
			[]actuator.Option{failing}, "/actuator/health", 503, "", `"db"`},
		{"port -1 exposes nothing", []string{actuator.EnvServerPort, "-1"},
			[]actuator.Option{actuator.WithExposure([]string{"*"}, nil)}, "/actuator/health", 404, "", ""},
	}
	for _, tc := range tests {
		for _, order := range []string{"env first", "env last"} {
			t.Run(tc.name+"/"+order, func(t *testing.T) {
				env := mustFromEnv(t, tc.env...)
				opts := append([]actuator.Option{env}, tc.code...)
				if order == "env last" {
					opts = append(slices.Clone(tc.code), env)
				}
				a := newActuator(t, opts...)
				w := do(a, "GET", tc.path)
				if w.Code != tc.want {
					t.Fatalf("GET %s = %d, want %d: %s", tc.path, w.Code, tc.want, w.Body)
				}
				if tc.has != "" && !strings.Contains(w.Body.String(), tc.has) {
					t.Errorf("body lacks %q: %s", tc.has, w.Body)
				}
				if tc.not != "" && strings.Contains(w.Body.String(), tc.not) {
					t.Errorf("body shows %q: %s", tc.not, w.Body)
				}
			})
		}
	}
}

// An id that is neither this actuator's nor Spring Boot's stops New,
// naming the variable; a custom endpoint's id is known.
func TestFromEnvUnknownIDPanicsNamingTheVariable(t *testing.T) {
	msg := panicOf(func() { actuator.New(mustFromEnv(t, actuator.EnvExposureExclude, "helth")) })
	if !strings.Contains(msg, actuator.EnvExposureExclude) || !strings.Contains(msg, `"helth"`) {
		t.Errorf("panic %q", msg)
	}
	a := newActuator(t, actuator.WithEndpoint("custom", http.NotFoundHandler()),
		mustFromEnv(t, actuator.EnvExposureInclude, "custom"))
	if got := linkNames(t, do(a, "GET", "/actuator")); !slices.Equal(got, []string{"custom", "self"}) {
		t.Errorf("index %v", got)
	}
	msg = panicOf(func() {
		actuator.New(actuator.WithLifecycle(lifecycle.New()), mustFromEnv(t, actuator.EnvServerPort, "9999"))
	})
	if !strings.Contains(msg, actuator.EnvServerPort) || !strings.Contains(msg, "WithLifecycle") {
		t.Errorf("panic %q", msg)
	}
}

// MANAGEMENT_SERVER_PORT moves the endpoints to a server of their own,
// which Run binds and serves; the application's port passes the base path
// on to the application and keeps the probes.
func TestFromEnvServerPortServesTheEndpointsOnTheirOwnPort(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	a := newActuator(t, actuator.WithProbes(), quickShutdown,
		mustFromEnv(t, actuator.EnvServerPort, port, actuator.EnvServerAddress, "127.0.0.1"))
	base, done := startRunMiddleware(t, a)
	mgmt := "http://127.0.0.1:" + port

	if _, code := get(t, mgmt+"/actuator/health"); code != http.StatusOK {
		t.Errorf("management port /actuator/health = %d", code)
	}
	if body, code := get(t, base+"/actuator/health"); code != http.StatusTeapot || body != "app" {
		t.Errorf("app port /actuator/health = %d %q, want the application's answer", code, body)
	}
	if _, code := get(t, base+"/readyz"); code != http.StatusOK {
		t.Errorf("app port /readyz = %d", code)
	}
	a.Lifecycle().Shutdown("test")
	if err := receive(t, done, "Run's result"); err != nil {
		t.Errorf("Run = %v", err)
	}
}

// startRunMiddleware runs a.Run with one loopback app server whose
// application answers 418 "app", and returns its URL once ready.
func startRunMiddleware(t *testing.T, a *actuator.Actuator) (string, <-chan error) {
	t.Helper()
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
		w.Write([]byte("app"))
	})
	serving := make(chan struct{}, 1)
	srv := &http.Server{Addr: "127.0.0.1:0", Handler: a.Middleware(app),
		BaseContext: func(net.Listener) context.Context {
			select {
			case serving <- struct{}{}:
			default:
			}
			return context.Background()
		}}
	done := make(chan error, 1)
	go func() { done <- a.Run(context.Background(), srv) }()
	receive(t, serving, "call of Serve")
	addrs := a.Lifecycle().Addrs()
	if len(addrs) != 2 {
		t.Fatalf("Run bound %v, want the app and the management server", addrs)
	}
	return "http://" + addrs[0].String(), done
}
