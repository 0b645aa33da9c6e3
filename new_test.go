package actuator_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/actuatorgo/actuator"
	"github.com/actuatorgo/actuator/health"
	"github.com/actuatorgo/actuator/lifecycle"
)

func okCheck(context.Context) error { return nil }

// panicOf runs f and returns its panic message, "" when it did not panic.
func panicOf(f func()) (msg string) {
	defer func() {
		if p := recover(); p != nil {
			msg = fmt.Sprint(p)
			if msg == "" {
				msg = "(empty panic)"
			}
		}
	}()
	f()
	return ""
}

func TestNewPanicsOnMisuse(t *testing.T) {
	h := http.NotFoundHandler()
	tests := []struct {
		name string
		f    func()
		want []string // in the panic message
	}{
		{"unknown id in include", func() {
			actuator.New(actuator.WithExposure([]string{"health", "helth"}, nil))
		}, []string{`"helth"`, "known ids: env, health, heapdump, info, loggers, metrics, pprof, prometheus, sbom, shutdown, threaddump"}},
		{"unknown id in exclude", func() {
			actuator.New(actuator.WithExposure(nil, []string{"prometheus", "metric"}))
		}, []string{`"metric"`, "exclude", "known ids: env, health, heapdump, info, loggers, metrics, pprof, prometheus, sbom, shutdown, threaddump"}},
		{"custom ids are known", func() {
			actuator.New(actuator.WithEndpoint("custom", h), actuator.WithExposure([]string{"nope"}, nil))
		}, []string{`"nope"`, "known ids: custom, env, health, heapdump"}},
		{"duplicate custom endpoint", func() {
			actuator.New(actuator.WithEndpoint("env", h), actuator.WithEndpoint("env", h))
		}, []string{`duplicate endpoint id "env"`}},
		{"undeclared health group", func() {
			actuator.New(actuator.WithHealthCheck("db", okCheck, health.WithGroups("readyness")))
		}, []string{`"db"`, `"readyness"`, "liveness, readiness"}},
		{"base path with a query", func() { actuator.New(actuator.WithBasePath("/ops?x=1")) }, []string{"WithBasePath", `"/ops?x=1"`}},
		{"base path with dot-dot", func() { actuator.New(actuator.WithBasePath("/a/../b")) }, []string{"WithBasePath"}},
		{"base path with a pattern", func() { actuator.New(actuator.WithBasePath("/{tenant}/ops")) }, []string{"WithBasePath"}},
		{"base path escaped", func() { actuator.New(actuator.WithBasePath("/my%20ops")) }, []string{"WithBasePath"}},
		{"base path with an empty segment", func() { actuator.New(actuator.WithBasePath("/a//b")) }, []string{"WithBasePath"}},
		{"Handler prefix with a fragment", func() { actuator.New().Handler("/ops#x") }, []string{"Handler", `"/ops#x"`}},
		{"empty method", func() { actuator.New(actuator.WithEndpoint("env", h, actuator.WithMethods(""))) }, []string{`"env"`, "method"}},
		{"methods in one string", func() { actuator.New(actuator.WithEndpoint("env", h, actuator.WithMethods("GET, POST"))) }, []string{`"GET, POST"`}},
		{"shutdown options next to a lifecycle", func() {
			actuator.New(actuator.WithLifecycle(lifecycle.New()), actuator.WithLifecycleOptions(lifecycle.WithoutShutdownDelay()))
		}, []string{"WithLifecycleOptions", "WithLifecycle"}},
		{"empty id", func() { actuator.New(actuator.WithEndpoint("", h)) }, nil},
		{"slash in id", func() { actuator.New(actuator.WithEndpoint("a/b", h)) }, nil},
		{"dot id", func() { actuator.New(actuator.WithEndpoint(".", h)) }, nil},
		{"dot-dot id", func() { actuator.New(actuator.WithEndpoint("..", h)) }, nil},
		{"nil handler", func() { actuator.New(actuator.WithEndpoint("x", nil)) }, nil},
		{"empty token", func() { actuator.BearerToken("") }, nil},
		{"bad cidr", func() { actuator.AllowCIDR("10.0.0.0/99") }, nil},
		{"duplicate check", func() {
			actuator.New(actuator.WithHealthCheck("db", okCheck), actuator.WithHealthCheck("db", okCheck))
		}, nil},
		// Methods("post") is a typo for POST that would leave the endpoint
		// unreachable: New names the endpoint.
		{"lower-case method", func() { actuator.New(actuator.WithEndpoint("jobs", h, actuator.WithMethods("post"))) }, []string{`"jobs"`}},
		{"mixed-case method", func() { actuator.New(actuator.WithEndpoint("jobs", h, actuator.WithMethods("Get"))) }, []string{`"jobs"`}},
		{"empty method of jobs", func() { actuator.New(actuator.WithEndpoint("jobs", h, actuator.WithMethods(""))) }, []string{`"jobs"`}},
		{"two methods with a space", func() { actuator.New(actuator.WithEndpoint("jobs", h, actuator.WithMethods("GET POST"))) }, []string{`"jobs"`}},
		{"method with a newline", func() { actuator.New(actuator.WithEndpoint("jobs", h, actuator.WithMethods("GET\n"))) }, []string{`"jobs"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msg := panicOf(tc.f)
			if msg == "" {
				t.Fatal("no panic")
			}
			if !strings.HasPrefix(msg, "actuator: ") && !strings.HasPrefix(msg, "health: ") {
				t.Errorf("panic %q has no package prefix", msg)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("panic %q does not contain %s", msg, w)
				}
			}
		})
	}
}

func TestNewAcceptsWhatLooksLikeMisuseButIsNot(t *testing.T) {
	h := http.NotFoundHandler()
	tests := []struct {
		name string
		opts []actuator.Option
	}{
		{"star in include and exclude", []actuator.Option{actuator.WithExposure([]string{"*"}, []string{"*"})}},
		{"shutdown listed but not turned on", []actuator.Option{actuator.WithExposure([]string{"health", "shutdown"}, nil)}},
		{"custom endpoint excluded", []actuator.Option{actuator.WithEndpoint("env", h), actuator.WithExposure(nil, []string{"env"})}},
		{"built-in replaced", []actuator.Option{actuator.WithEndpoint("prometheus", h)}},
		{"declared custom group", []actuator.Option{
			actuator.WithHealthCheck("db", okCheck, health.WithGroups("storage")),
			actuator.WithHealthOptions(health.WithGroup("storage")),
		}},
		{"root base path", []actuator.Option{actuator.WithBasePath("/")}},
		{"base path with dashes and dots", []actuator.Option{actuator.WithBasePath("/ops-v1.2/_mgmt~")}},
		{"upper-case extension methods", []actuator.Option{actuator.WithEndpoint("dav", h, actuator.WithMethods("PROPFIND", "MKCOL"))}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if msg := panicOf(func() { actuator.New(tc.opts...).Close() }); msg != "" {
				t.Errorf("panic: %s", msg)
			}
		})
	}
}

func TestNewWarnsWhenTheShutdownBudgetCannotFit(t *testing.T) {
	over := []lifecycle.Option{
		lifecycle.WithShutdownDelay(10 * time.Second),
		lifecycle.WithDrainTimeout(15 * time.Second),
		lifecycle.WithHookTimeout(5 * time.Second),
		lifecycle.WithShutdownTimeout(25 * time.Second),
	}
	tests := []struct {
		name string
		opts func() []actuator.Option
		warn bool
	}{
		{"defaults fit", func() []actuator.Option { return nil }, false},
		{"exact fit", func() []actuator.Option {
			return []actuator.Option{actuator.WithLifecycleOptions(lifecycle.WithShutdownDelay(5*time.Second), lifecycle.WithShutdownTimeout(25*time.Second))}
		}, false},
		{"own lifecycle over budget", func() []actuator.Option {
			return []actuator.Option{actuator.WithLifecycleOptions(over...)}
		}, true},
		{"shared lifecycle over budget", func() []actuator.Option {
			return []actuator.Option{actuator.WithLifecycle(lifecycle.New(over...))}
		}, true},
		{"drain alone over budget", func() []actuator.Option {
			return []actuator.Option{actuator.WithLifecycleOptions(lifecycle.WithShutdownDelay(0), lifecycle.WithDrainTimeout(time.Minute))}
		}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			logger, logs := newLogger()
			newActuator(t, append(tc.opts(), actuator.WithLogger(logger))...)
			got := logs.lines("shutdown timeout")
			if !tc.warn {
				if len(got) != 0 {
					t.Errorf("unexpected warning: %q", got)
				}
				return
			}
			if len(got) != 1 || !strings.Contains(got[0], "level=WARN") {
				t.Fatalf("warnings = %q, want one", got)
			}
			for _, w := range []string{"delay=", "drain=", "hook=", "shutdownTimeout="} {
				if !strings.Contains(got[0], w) {
					t.Errorf("warning %q does not name %s", got[0], w)
				}
			}
		})
	}
}

func TestNewWarnsAboutUserChecksInLiveness(t *testing.T) {
	tests := []struct {
		name string
		opts []actuator.Option
		want []string // check names warned about
	}{
		{"none", []actuator.Option{actuator.WithHealthCheck("db", okCheck, health.WithGroups("readiness"))}, nil},
		{"by Groups", []actuator.Option{actuator.WithHealthCheck("db", okCheck, health.WithGroups("liveness", "readiness"))}, []string{"db"}},
		{"by Include", []actuator.Option{
			actuator.WithHealthCheck("db", okCheck),
			actuator.WithHealthCheck("cache", okCheck),
			actuator.WithHealthOptions(health.WithGroup("liveness", health.WithInclude("*"))),
		}, []string{"cache", "db", "readinessState"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			logger, logs := newLogger()
			newActuator(t, append(tc.opts, actuator.WithLogger(logger))...)
			got := logs.lines("liveness")
			if len(got) != len(tc.want) {
				t.Fatalf("warnings = %q, want one for each of %q", got, tc.want)
			}
			for i, name := range tc.want {
				if !strings.Contains(got[i], "level=WARN") || !strings.Contains(got[i], "check="+name) {
					t.Errorf("warning %q does not name check %s", got[i], name)
				}
				if strings.Contains(got[i], "livenessState") {
					t.Errorf("warning %q names the built-in livenessState", got[i])
				}
			}
		})
	}
}

// A status listener may use the variable New's result is assigned to:
// New starts no background check, so nothing calls back before it returns.
func TestStatusListenerMayUseTheActuator(t *testing.T) {
	var a *actuator.Actuator
	seen := make(chan bool, 1)
	a = actuator.New(
		actuator.WithHealthCheck("bg", okCheck, health.WithBackground(time.Hour, 0)),
		actuator.WithHealthOptions(health.WithListener(func(name string, _, _ health.Status) {
			if name != "bg" {
				return
			}
			ok := a != nil && a.Lifecycle() != nil
			select {
			case seen <- ok:
			default:
			}
		})),
	)
	defer a.Close()
	do(a, "GET", "/actuator/health") // the first use starts the background check
	select {
	case ok := <-seen:
		if !ok {
			t.Error("the listener ran before New returned")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the background check never reported")
	}
}

func TestTwoActuatorsShareNothing(t *testing.T) {
	down := func(context.Context) error { return errors.New("down") }
	a := newActuator(t, actuator.WithHealthCheck("db", down), actuator.WithInfoValue("who", "a"))
	b := newActuator(t, actuator.WithBasePath("/b"), actuator.WithInfoValue("who", "b"), actuator.WithExposure([]string{"health", "info"}, nil))
	if w := do(a, "GET", "/actuator/health"); w.Code != http.StatusServiceUnavailable {
		t.Errorf("a health = %d, want 503", w.Code)
	}
	if w := do(b, "GET", "/b/health"); w.Code != http.StatusOK {
		t.Errorf("b health = %d, want 200 (a's failing check leaked?)", w.Code)
	}
	if got := decode(t, do(a, "GET", "/actuator/info"))["who"]; got != "a" {
		t.Errorf("a info who = %v", got)
	}
	if got := decode(t, do(b, "GET", "/b/info"))["who"]; got != "b" {
		t.Errorf("b info who = %v", got)
	}
	if w := do(b, "GET", "/b/metrics"); w.Code != http.StatusNotFound {
		t.Errorf("b metrics = %d, want 404", w.Code)
	}
	if w := do(a, "GET", "/actuator/metrics"); w.Code != http.StatusOK {
		t.Errorf("a metrics = %d, want 200", w.Code)
	}
	a.Lifecycle().SetReady(false)
	if w := do(b, "GET", "/b/health/readiness"); w.Code != http.StatusOK {
		t.Errorf("b readiness = %d after a went not-ready", w.Code)
	}
	if w := do(a, "GET", "/actuator/health/readiness"); w.Code != http.StatusServiceUnavailable {
		t.Errorf("a readiness = %d, want 503", w.Code)
	}
}
