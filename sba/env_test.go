package sba_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/actuatorgo/actuator/sba"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestFromEnvOffWithoutTheURL(t *testing.T) {
	for _, env := range []map[string]string{
		{},
		{sba.EnvUsername: "u"},
		{sba.EnvURL: "http://admin:8080", sba.EnvEnabled: "false"},
	} {
		admin, opts, err := sba.FromEnv(envOf(env))
		if admin != "" || opts != nil || err != nil {
			t.Errorf("FromEnv(%v) = %q, %d options, %v; want off", env, admin, len(opts), err)
		}
	}
}

func TestFromEnvConfiguresTheClient(t *testing.T) {
	admin := newFakeAdmin(t)
	admin.user, admin.password = "admin", "pw"
	url, opts, err := sba.FromEnv(envOf(map[string]string{
		sba.EnvURL:                admin.URL,
		sba.EnvUsername:           "admin",
		sba.EnvPassword:           "pw",
		sba.EnvPeriod:             "5",
		sba.EnvReadTimeout:        "2s",
		sba.EnvAutoDeregistration: "false",
		sba.EnvApplicationName:    "fallback",
		sba.EnvInstanceName:       "orders",
		sba.EnvServiceURL:         "https://orders.example.com/",
		sba.EnvManagementURL:      "https://orders.example.com/actuator",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if url != admin.URL {
		t.Errorf("admin URL = %q, want %q", url, admin.URL)
	}
	// The caller's resolver first, the environment after it.
	c := sba.New(url, append([]sba.Option{fixedURLs(appURLs)}, opts...)...)
	stop := runClient(t, c)
	waitFor(t, "two registrations (period 5 ms)", func() bool { return len(admin.requestsOf(http.MethodPost)) >= 2 })
	stop()
	id := sbaID("https://orders.example.com/actuator/health")
	inst, ok := admin.instance(id)
	if !ok {
		t.Fatalf("instance %s not registered", id)
	}
	if got, want := inst.registration.Name, "orders"; got != want {
		t.Errorf("name = %q, want %q", got, want)
	}
	if got, want := inst.registration.ServiceURL, "https://orders.example.com/"; got != want {
		t.Errorf("serviceUrl = %q, want %q", got, want)
	}
	if !inst.registered || len(admin.requestsOf(http.MethodDelete)) != 0 {
		t.Error("deregistered despite auto-deregistration=false")
	}
}

func TestFromEnvApplicationNameIsTheFallback(t *testing.T) {
	admin := newFakeAdmin(t)
	url, opts, err := sba.FromEnv(envOf(map[string]string{sba.EnvURL: admin.URL, sba.EnvApplicationName: "billing"}))
	if err != nil {
		t.Fatal(err)
	}
	id, err := sba.New(url, append([]sba.Option{fixedURLs(appURLs)}, opts...)...).Register(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if inst, _ := admin.instance(id); inst.registration.Name != "billing" {
		t.Errorf("name = %q, want billing", inst.registration.Name)
	}
}

func TestFromEnvRejectsMalformedValues(t *testing.T) {
	base := map[string]string{sba.EnvURL: "http://admin:8080"}
	for _, tc := range []struct{ key, value string }{
		{sba.EnvURL, "http://a:8080,http://b:8080"},
		{sba.EnvURL, "admin:8080"},
		{sba.EnvURL, "http://user:pw@admin:8080"},
		{sba.EnvEnabled, "yes"},
		{sba.EnvAutoDeregistration, "0"},
		{sba.EnvPeriod, "soon"},
		{sba.EnvPeriod, "0"},
		{sba.EnvReadTimeout, "-5s"},
		{sba.EnvHealthURL, "/actuator/health"},
	} {
		t.Run(tc.key+"="+tc.value, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range base {
				env[k] = v
			}
			env[tc.key] = tc.value
			_, _, err := sba.FromEnv(envOf(env))
			if err == nil || !strings.Contains(err.Error(), tc.key) {
				t.Errorf("err = %v, want an error naming %s", err, tc.key)
			}
		})
	}
}

func TestFromEnvDurations(t *testing.T) {
	// Spring binds these with a millisecond unit: "10000" is 10 s.
	admin := newFakeAdmin(t)
	for _, v := range []string{"10000", "10s", "1m"} {
		url, opts, err := sba.FromEnv(envOf(map[string]string{sba.EnvURL: admin.URL, sba.EnvPeriod: v, sba.EnvReadTimeout: v}))
		if err != nil || url == "" || len(opts) != 2 {
			t.Errorf("%s: %q, %d options, %v", v, url, len(opts), err)
		}
	}
}
