package sba

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Environment variables read by [FromEnv]: the SBA client's own properties
// (ClientProperties, prefix spring.boot.admin.client, and
// InstanceProperties, prefix spring.boot.admin.client.instance) in the
// form Spring Boot binds from the environment.
const (
	EnvURL                = "SPRING_BOOT_ADMIN_CLIENT_URL"
	EnvUsername           = "SPRING_BOOT_ADMIN_CLIENT_USERNAME"
	EnvPassword           = "SPRING_BOOT_ADMIN_CLIENT_PASSWORD"
	EnvEnabled            = "SPRING_BOOT_ADMIN_CLIENT_ENABLED"
	EnvPeriod             = "SPRING_BOOT_ADMIN_CLIENT_PERIOD"
	EnvReadTimeout        = "SPRING_BOOT_ADMIN_CLIENT_READ_TIMEOUT"
	EnvAutoDeregistration = "SPRING_BOOT_ADMIN_CLIENT_AUTO_DEREGISTRATION"
	EnvInstanceName       = "SPRING_BOOT_ADMIN_CLIENT_INSTANCE_NAME"
	EnvServiceURL         = "SPRING_BOOT_ADMIN_CLIENT_INSTANCE_SERVICE_URL"
	EnvManagementURL      = "SPRING_BOOT_ADMIN_CLIENT_INSTANCE_MANAGEMENT_URL"
	EnvHealthURL          = "SPRING_BOOT_ADMIN_CLIENT_INSTANCE_HEALTH_URL"
	// EnvApplicationName is the fallback for the name, as
	// spring.application.name is for the SBA client.
	EnvApplicationName = "SPRING_APPLICATION_NAME"
)

// FromEnv reads the SBA client's environment variables through getenv
// (os.Getenv, or a map's lookup in tests) and returns the admin server's
// URL and the options they ask for, to be passed to [New] after the
// caller's own (a [WithURLs] resolver, typically), so that the environment
// wins. adminURL is "" when EnvURL is unset or EnvEnabled is "false": do
// not register then. Read: EnvURL (one admin server; the SBA client's
// comma-separated list of fallbacks is refused), EnvUsername and
// EnvPassword, EnvEnabled, EnvPeriod and EnvReadTimeout (milliseconds, or a
// duration such as "10s"), EnvAutoDeregistration ("false" gives
// [WithoutDeregistration]; unset means true here, where the SBA client
// deregisters by default only on a cloud platform), EnvInstanceName (else
// EnvApplicationName), EnvServiceURL, EnvManagementURL and EnvHealthURL.
// A malformed value is an error naming the variable.
func FromEnv(getenv func(string) string) (adminURL string, opts []Option, err error) {
	adminURL = strings.TrimSpace(getenv(EnvURL))
	if adminURL == "" {
		return "", nil, nil
	}
	if on, ok, err := envBool(getenv, EnvEnabled); err != nil {
		return "", nil, err
	} else if ok && !on {
		return "", nil, nil
	}
	if strings.Contains(adminURL, ",") {
		return "", nil, fmt.Errorf("sba: %s: one admin server only, got %q", EnvURL, adminURL)
	}
	if u, err := url.Parse(adminURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", nil, fmt.Errorf("sba: %s: not an absolute http(s) URL without credentials, query or fragment", EnvURL)
	}
	if user, pass := getenv(EnvUsername), getenv(EnvPassword); user != "" || pass != "" {
		opts = append(opts, WithCredentials(user, pass))
	}
	for _, d := range []struct {
		name string
		opt  func(time.Duration) Option
	}{{EnvPeriod, WithPeriod}, {EnvReadTimeout, WithTimeout}} {
		if v := strings.TrimSpace(getenv(d.name)); v != "" {
			dur, err := envDuration(v)
			if err != nil {
				return "", nil, fmt.Errorf("sba: %s: %w", d.name, err)
			}
			opts = append(opts, d.opt(dur))
		}
	}
	if on, ok, err := envBool(getenv, EnvAutoDeregistration); err != nil {
		return "", nil, err
	} else if ok && !on {
		opts = append(opts, WithoutDeregistration())
	}
	if name := getenv(EnvInstanceName); name != "" {
		opts = append(opts, WithName(name))
	} else if name := getenv(EnvApplicationName); name != "" {
		opts = append(opts, WithName(name))
	}
	for _, u := range []struct {
		name string
		opt  func(string) Option
	}{{EnvServiceURL, WithServiceURL}, {EnvManagementURL, WithManagementURL}, {EnvHealthURL, WithHealthURL}} {
		if v := strings.TrimSpace(getenv(u.name)); v != "" {
			if !absolute(v) {
				return "", nil, fmt.Errorf("sba: %s: %q is not an absolute URL", u.name, v)
			}
			opts = append(opts, u.opt(v))
		}
	}
	return adminURL, opts, nil
}

// envDuration reads a duration as Spring binds one with a millisecond
// unit: a bare number is milliseconds, else a Go duration ("10s", "500ms").
func envDuration(v string) (time.Duration, error) {
	var d time.Duration
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		d = time.Duration(n) * time.Millisecond
	} else if d, err = time.ParseDuration(v); err != nil {
		return 0, fmt.Errorf("%q is neither milliseconds nor a duration", v)
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q is not positive", v)
	}
	return d, nil
}

func envBool(getenv func(string) string, name string) (value, set bool, err error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return false, false, nil
	}
	switch strings.ToLower(v) {
	case "true":
		return true, true, nil
	case "false":
		return false, true, nil
	}
	return false, false, fmt.Errorf("sba: %s: %q is neither true nor false", name, v)
}
