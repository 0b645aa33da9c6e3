package actuator

import (
	"fmt"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/actuatorgo/actuator/health"
	"github.com/actuatorgo/actuator/internal/httpx"
	"github.com/actuatorgo/actuator/lifecycle"
)

// The environment variables [FromEnv] reads: Spring Boot's names for its
// management.* properties, so one runbook serves Java and Go services.
const (
	EnvExposureInclude = "MANAGEMENT_ENDPOINTS_WEB_EXPOSURE_INCLUDE"
	EnvExposureExclude = "MANAGEMENT_ENDPOINTS_WEB_EXPOSURE_EXCLUDE"
	EnvBasePath        = "MANAGEMENT_ENDPOINTS_WEB_BASE_PATH"
	EnvShowDetails     = "MANAGEMENT_ENDPOINT_HEALTH_SHOW_DETAILS"
	EnvShowComponents  = "MANAGEMENT_ENDPOINT_HEALTH_SHOW_COMPONENTS"
	EnvServerPort      = "MANAGEMENT_SERVER_PORT"
	EnvServerAddress   = "MANAGEMENT_SERVER_ADDRESS"
)

// springOnlyIDs are Spring Boot's endpoint ids that have no counterpart
// here. An exposure variable may name them, as a runbook shared with Java
// services does; they expose and hide nothing.
var springOnlyIDs = []string{
	"auditevents", "beans", "caches", "conditions", "configprops", "flyway", "httpexchanges",
	"integrationgraph", "liquibase", "logfile", "mappings", "quartz", "scheduledtasks",
	"sessions", "startup",
}

// An EnvError is a bad value of one of the variables [FromEnv] reads.
type EnvError struct {
	Name  string // the variable, such as "MANAGEMENT_SERVER_PORT"
	Value string // its value
	Err   error  // what is wrong with it
}

func (e *EnvError) Error() string {
	return "actuator: " + e.Name + "=" + strconv.Quote(e.Value) + ": " + e.Err.Error()
}

func (e *EnvError) Unwrap() error { return e.Err }

// environment holds the settings FromEnv read; nil fields were not set.
type environment struct {
	include, exclude            []string
	basePath                    *string
	showDetails, showComponents *health.Visibility
	port                        int // 0: not set; -1: no endpoint over HTTP
	address                     string
}

// FromEnv reads the management settings of Spring Boot's environment
// variables through getenv (os.Getenv in a program) and returns the
// option that applies them; an empty or unset variable sets nothing.
// Nothing reads the environment unless a program passes this option.
//
//	MANAGEMENT_ENDPOINTS_WEB_EXPOSURE_INCLUDE   ids to expose, comma-separated, or "*"   ([WithExposure]'s include)
//	MANAGEMENT_ENDPOINTS_WEB_EXPOSURE_EXCLUDE   ids to hide, comma-separated, or "*"     ([WithExposure]'s exclude)
//	MANAGEMENT_ENDPOINTS_WEB_BASE_PATH          the base path, such as /manage           ([WithBasePath])
//	MANAGEMENT_ENDPOINT_HEALTH_SHOW_DETAILS     never, when-authorized or always         (health.WithDefaultShowDetails)
//	MANAGEMENT_ENDPOINT_HEALTH_SHOW_COMPONENTS  never, when-authorized or always         (health.WithDefaultShowComponents)
//	MANAGEMENT_SERVER_PORT                      a separate management port, 1..65535; -1 for no endpoint over HTTP
//	MANAGEMENT_SERVER_ADDRESS                   the management port's address, such as 127.0.0.1 (default: all)
//
// The environment wins: a variable that is set replaces what the code's
// options set for the same setting, whatever their order, since operators
// use it to change a service without a rebuild, as Spring Boot ranks
// environment variables above the application's own configuration. A
// setting no variable names keeps the code's value. The two exposure
// lists are separate settings: an INCLUDE replaces the code's include and
// keeps its exclude. As with [WithExposure], an id in INCLUDE does not
// turn on an endpoint that is off until its own option is given
// ([WithEnvEndpoint], ...): the code decides what exists, the
// environment what of it is exposed. Visibility values are case-insensitive
// and take Spring's spellings (when-authorized, WHEN_AUTHORIZED).
//
// With MANAGEMENT_SERVER_PORT, the endpoints leave the application's port:
// [Actuator.Middleware] and [Gin] answer only the probes ([WithProbes]) and
// pass the base path on to the application, and [Actuator.Run] serves the
// actuator (at the base path, as [Actuator.ServeHTTP] does) on a server of
// its own on that port, the lifecycle's management server
// ([lifecycle.WithManagementServer]): bound before readiness turns ready,
// answering during the drain, stopped last. -1 is Spring Boot's way to
// turn the endpoints off over HTTP: every endpoint is excluded, as
// exclude "*".
//
// A bad value is an operator's error, not the program's: FromEnv returns
// an [*EnvError] naming the variable and its value, for main to report
// before it exits, rather than make [New] panic. Ids are checked by New,
// which knows the custom ones: an id that is neither an endpoint of this
// actuator nor one of Spring Boot's (configprops, beans, mappings, ...,
// which name nothing here and are ignored) makes New panic naming the
// variable. New also panics when a port is set next to [WithLifecycle],
// whose lifecycle it cannot give a management server.
func FromEnv(getenv func(string) string) (Option, error) {
	var e environment
	var err error
	if e.include, err = idList(EnvExposureInclude, getenv(EnvExposureInclude)); err != nil {
		return nil, err
	}
	if e.exclude, err = idList(EnvExposureExclude, getenv(EnvExposureExclude)); err != nil {
		return nil, err
	}
	if v := strings.TrimSpace(getenv(EnvBasePath)); v != "" {
		if _, ok := checkBasePath(v); !ok {
			return nil, &EnvError{EnvBasePath, v, fmt.Errorf("not a path a request can match; use a plain path such as /manage")}
		}
		e.basePath = &v
	}
	if e.showDetails, err = visibility(EnvShowDetails, getenv(EnvShowDetails)); err != nil {
		return nil, err
	}
	if e.showComponents, err = visibility(EnvShowComponents, getenv(EnvShowComponents)); err != nil {
		return nil, err
	}
	if v := strings.TrimSpace(getenv(EnvServerPort)); v != "" {
		p, perr := strconv.Atoi(v)
		if perr != nil || (p != -1 && (p < 1 || p > 65535)) {
			return nil, &EnvError{EnvServerPort, v, fmt.Errorf("want a port from 1 to 65535, or -1 for no endpoint over HTTP")}
		}
		e.port = p
	}
	if v := strings.TrimSpace(getenv(EnvServerAddress)); v != "" {
		if strings.ContainsAny(v, "/ ") || (strings.Contains(v, ":") && net.ParseIP(strings.Trim(v, "[]")) == nil) {
			return nil, &EnvError{EnvServerAddress, v, fmt.Errorf("want a host name or IP address, without a port")}
		}
		if e.port == 0 {
			return nil, &EnvError{EnvServerAddress, v, fmt.Errorf("needs %s", EnvServerPort)}
		}
		e.address = strings.Trim(v, "[]")
	}
	return func(c *config) { c.environment = &e }, nil
}

// idList reads a comma-separated list of endpoint ids; nil when v is blank.
func idList(name, v string) ([]string, error) {
	if strings.TrimSpace(v) == "" {
		return nil, nil
	}
	var ids []string
	for id := range strings.SplitSeq(v, ",") {
		id = strings.TrimSpace(id)
		if id == "" || strings.ContainsAny(id, "/?#{} \t") {
			return nil, &EnvError{name, v, fmt.Errorf("want endpoint ids separated by commas, such as health,info, or *")}
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// visibility reads Spring Boot's show-details and show-components values.
func visibility(name, v string) (*health.Visibility, error) {
	if strings.TrimSpace(v) == "" {
		return nil, nil
	}
	out, err := httpx.ParseVisibility(v)
	if err != nil {
		return nil, &EnvError{name, v, err}
	}
	return &out, nil
}

// applyEnvironment applies what FromEnv read over the code's options, and
// returns the management server to serve the actuator on, whose handler
// New sets; nil when no port was set.
func (c *config) applyEnvironment() *http.Server {
	e := c.environment
	if e == nil {
		return nil
	}
	if e.include != nil {
		c.include = e.include
	}
	if e.exclude != nil {
		c.exclude = e.exclude
	}
	if e.basePath != nil {
		c.basePath = *e.basePath
	}
	if e.showDetails != nil {
		c.healthOpts = append(c.healthOpts, health.WithDefaultShowDetails(*e.showDetails))
	}
	if e.showComponents != nil {
		c.healthOpts = append(c.healthOpts, health.WithDefaultShowComponents(*e.showComponents))
	}
	switch {
	case e.port == -1:
		c.exclude = []string{"*"}
	case e.port > 0:
		if c.lifecycle != nil {
			panic("actuator: " + EnvServerPort + " is set, but WithLifecycle gives a lifecycle the actuator cannot add a management server to; " +
				"pass lifecycle.WithManagementServer to that lifecycle and leave the variable unset")
		}
		srv := &http.Server{
			Addr:              net.JoinHostPort(e.address, strconv.Itoa(e.port)),
			ReadHeaderTimeout: 10 * time.Second,
			IdleTimeout:       2 * time.Minute,
		}
		c.lifecycleOpts = append(c.lifecycleOpts, lifecycle.WithManagementServer(srv))
		return srv
	}
	return nil
}

// checkEnvExposure panics, naming the variable, on an id of the exposure
// variables that is neither an endpoint in all (or an opt-in one) nor one
// of Spring Boot's; it drops Spring Boot's from c's lists first.
func (c *config) checkEnvExposure(all map[string]*endpoint) {
	e := c.environment
	if e == nil {
		return
	}
	for _, v := range []struct {
		name string
		ids  *[]string
		set  bool
	}{{EnvExposureInclude, &c.include, e.include != nil}, {EnvExposureExclude, &c.exclude, e.exclude != nil && e.port != -1}} {
		if !v.set {
			continue
		}
		*v.ids = slices.DeleteFunc(slices.Clone(*v.ids), func(id string) bool { return slices.Contains(springOnlyIDs, id) })
		for _, id := range *v.ids {
			if _, ok := all[id]; !ok && id != "*" && !slices.Contains(optInIDs, id) {
				panic("actuator: " + v.name + ": unknown endpoint id " + quote(id) +
					"; known ids: " + strings.Join(knownIDs(all), ", ") + ` (or "*")`)
			}
		}
	}
}
