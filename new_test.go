package actuator_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
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
		}, []string{`"helth"`, "known ids: health, info, metrics, prometheus, shutdown"}},
		{"unknown id in exclude", func() {
			actuator.New(actuator.WithExposure(nil, []string{"prometheus", "metric"}))
		}, []string{`"metric"`, "exclude", "known ids: health, info, metrics, prometheus, shutdown"}},
		{"custom ids are known", func() {
			actuator.New(actuator.WithEndpoint("env", h), actuator.WithExposure([]string{"nope"}, nil))
		}, []string{`"nope"`, "known ids: env, health, info, metrics, prometheus, shutdown"}},
		{"duplicate custom endpoint", func() {
			actuator.New(actuator.WithEndpoint("env", h), actuator.WithEndpoint("env", h))
		}, []string{`duplicate endpoint id "env"`}},
		{"undeclared health group", func() {
			actuator.New(actuator.WithHealthCheck("db", okCheck, health.Groups("readyness")))
		}, []string{`"db"`, `"readyness"`, "liveness, readiness"}},
		{"base path with a query", func() { actuator.New(actuator.WithBasePath("/ops?x=1")) }, []string{"WithBasePath", `"/ops?x=1"`}},
		{"base path with dot-dot", func() { actuator.New(actuator.WithBasePath("/a/../b")) }, []string{"WithBasePath"}},
		{"base path with a pattern", func() { actuator.New(actuator.WithBasePath("/{tenant}/ops")) }, []string{"WithBasePath"}},
		{"base path escaped", func() { actuator.New(actuator.WithBasePath("/my%20ops")) }, []string{"WithBasePath"}},
		{"base path with an empty segment", func() { actuator.New(actuator.WithBasePath("/a//b")) }, []string{"WithBasePath"}},
		{"Handler prefix with a fragment", func() { actuator.New().Handler("/ops#x") }, []string{"Handler", `"/ops#x"`}},
		{"empty method", func() { actuator.New(actuator.WithEndpoint("env", h, actuator.Methods(""))) }, []string{`"env"`, "method"}},
		{"methods in one string", func() { actuator.New(actuator.WithEndpoint("env", h, actuator.Methods("GET, POST"))) }, []string{`"GET, POST"`}},
		{"shutdown options next to a lifecycle", func() {
			actuator.New(actuator.WithLifecycle(lifecycle.New()), actuator.WithShutdownOptions(lifecycle.WithoutShutdownDelay()))
		}, []string{"WithShutdownOptions", "WithLifecycle"}},
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
			actuator.WithHealthCheck("db", okCheck, health.Groups("storage")),
			actuator.WithHealthOptions(health.WithGroup("storage")),
		}},
		{"root base path", []actuator.Option{actuator.WithBasePath("/")}},
		{"base path with dashes and dots", []actuator.Option{actuator.WithBasePath("/ops-v1.2/_mgmt~")}},
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
			return []actuator.Option{actuator.WithShutdownOptions(lifecycle.WithShutdownDelay(5*time.Second), lifecycle.WithShutdownTimeout(25*time.Second))}
		}, false},
		{"own lifecycle over budget", func() []actuator.Option {
			return []actuator.Option{actuator.WithShutdownOptions(over...)}
		}, true},
		{"shared lifecycle over budget", func() []actuator.Option {
			return []actuator.Option{actuator.WithLifecycle(lifecycle.New(over...))}
		}, true},
		{"drain alone over budget", func() []actuator.Option {
			return []actuator.Option{actuator.WithShutdownOptions(lifecycle.WithShutdownDelay(0), lifecycle.WithDrainTimeout(time.Minute))}
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
		{"none", []actuator.Option{actuator.WithHealthCheck("db", okCheck, health.Groups("readiness"))}, nil},
		{"by Groups", []actuator.Option{actuator.WithHealthCheck("db", okCheck, health.Groups("liveness", "readiness"))}, []string{"db"}},
		{"by Include", []actuator.Option{
			actuator.WithHealthCheck("db", okCheck),
			actuator.WithHealthCheck("cache", okCheck),
			actuator.WithHealthOptions(health.WithGroup("liveness", health.Include("*"))),
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
		actuator.WithHealthCheck("bg", okCheck, health.Background(time.Hour, 0)),
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

func TestRunStartsBackgroundChecks(t *testing.T) {
	var calls atomic.Int32
	a := newActuator(t,
		actuator.WithHealthCheck("bg", func(context.Context) error { calls.Add(1); return nil }, health.Background(time.Hour, 0)),
		actuator.WithShutdownOptions(lifecycle.WithSignals(), lifecycle.WithoutShutdownDelay()),
	)
	if n := calls.Load(); n != 0 {
		t.Fatalf("New ran the background check %d times", n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, &http.Server{Addr: "127.0.0.1:0", Handler: http.NotFoundHandler()}) }()
	deadline := time.Now().Add(10 * time.Second)
	for calls.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v", err)
	}
	if calls.Load() == 0 {
		t.Error("Run did not start the background check before any request")
	}
}
