package info

import (
	"context"
	"fmt"
	"net/http"
	"runtime/debug"
	"strings"
	"time"
)

// GitMode selects how much of the VCS metadata the git section shows, as
// Spring Boot's management.info.git.mode and express-actuator's infoGitMode.
type GitMode int

const (
	// GitSimple shows the branch and the commit's abbreviated id and time.
	GitSimple GitMode = iota
	// GitFull shows the full and abbreviated commit id, the dirty flag,
	// the VCS system and the release tag, and turns on the dependency
	// list (see [WithDependencies]).
	GitFull
)

// String returns "simple" or "full".
func (m GitMode) String() string {
	switch m {
	case GitSimple:
		return "simple"
	case GitFull:
		return "full"
	}
	return fmt.Sprintf("GitMode(%d)", int(m))
}

// ParseGitMode parses "simple" or "full" (any case), for configuration read
// from flags or the environment.
func ParseGitMode(s string) (GitMode, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "simple":
		return GitSimple, nil
	case "full":
		return GitFull, nil
	}
	return GitSimple, fmt.Errorf("info: unknown git mode %q (want simple or full)", s)
}

// DefaultContributorTimeout bounds each request's contributors unless
// [WithContributorTimeout] says otherwise.
const DefaultContributorTimeout = 2 * time.Second

// Option configures a [Collector].
type Option func(*config)

type contributor struct {
	key    string
	value  any                                    // static value, when !isFunc
	fn     func(ctx context.Context) (any, error) // dynamic value
	isFunc bool
}

type config struct {
	gitMode  GitMode
	noGo     bool
	process  bool
	hostname bool
	deps     depsMode
	timeout  time.Duration
	contribs []contributor

	authorizer func(*http.Request) bool
	env        *environment // nil: the real process; set by tests
}

// WithValue adds a static section under key. The value is encoded to JSON
// once, in [New]; it must be encodable, or New panics. A key that names a
// built-in section (build, git, go, process, dependencies) replaces it; of
// two options with the same key the later wins.
func WithValue(key string, value any) Option {
	return func(c *config) { c.contribs = append(c.contribs, contributor{key: key, value: value}) }
}

// WithContributor adds a section under key whose value fn computes on every
// request. fn gets the request's values in a context bounded by the
// contributor timeout ([WithContributorTimeout], default
// [DefaultContributorTimeout]), and should return when it is done. All
// contributors of a request run concurrently; requests that arrive while a
// call is in progress share it, so a hung contributor costs one goroutine.
// An error, a panic, a timeout or a value that cannot be encoded shows as
// {"error":"unavailable"} under key, or with the error's text to callers
// [WithAuthorizer] accepts; the rest of the response is unaffected.
// [Collector.Info] always has the text.
func WithContributor(key string, fn func(ctx context.Context) (any, error)) Option {
	return func(c *config) { c.contribs = append(c.contribs, contributor{key: key, fn: fn, isFunc: true}) }
}

// WithAuthorizer sets the function that decides who sees the text of a
// failed contributor's error (which can name hosts, users or internals) in
// the HTTP response; everyone else sees {"error":"unavailable"}. It is
// called at most once per request, and only when a contributor failed.
// Default none: nobody sees error texts over HTTP.
func WithAuthorizer(fn func(*http.Request) bool) Option {
	return func(c *config) { c.authorizer = fn }
}

// WithContributorTimeout sets how long a request waits for its
// contributors. Default [DefaultContributorTimeout]; d <= 0 restores it.
func WithContributorTimeout(d time.Duration) Option {
	return func(c *config) { c.timeout = d }
}

// WithGitMode sets the git mode. Default [GitSimple].
func WithGitMode(m GitMode) Option {
	return func(c *config) { c.gitMode = m }
}

// WithoutGo hides the go section: Go version, GOOS, GOARCH, compiler and
// GOMAXPROCS, plus the safe build settings (CGO_ENABLED, -trimpath, -tags,
// GOAMD64...) in full git mode; never -ldflags or compiler flags. Default:
// shown, since it says which toolchain built the binary, which is part of
// "what is running", and reveals nothing an attacker could not fingerprint
// anyway. Hide it if you do not want to advertise the Go release.
func WithoutGo() Option {
	return func(c *config) { c.noGo = true }
}

// WithProcess shows the process section: pid, parent pid, CPU count and
// start time. Default: hidden, as in Spring Boot: it describes the host,
// not the build.
func WithProcess() Option {
	return func(c *config) { c.process = true }
}

// WithHostname adds the host name to the process section (and shows that
// section even without [WithProcess]). Default: hidden, since host names
// reveal infrastructure naming.
func WithHostname() Option {
	return func(c *config) { c.hostname = true }
}

// WithDependencies shows the dependencies section whatever the git mode:
// every module linked into the binary, with its version and checksum (a
// small SBOM). Default: shown in [GitFull] mode, hidden in [GitSimple]
// mode. Of it and [WithoutDependencies], the later option wins.
func WithDependencies() Option {
	return func(c *config) { c.deps = depsOn }
}

// WithoutDependencies hides the dependencies section in [GitFull] mode,
// which shows it by default (see [WithDependencies]).
func WithoutDependencies() Option {
	return func(c *config) { c.deps = depsOff }
}

// depsMode records the dependency options; the zero value follows the git
// mode.
type depsMode int

const (
	depsByMode depsMode = iota
	depsOn
	depsOff
)

// environment is everything New reads from the process and the build. The
// real one comes from the runtime; tests substitute their own.
type environment struct {
	build     *debug.BuildInfo // nil when ReadBuildInfo fails
	stamps    stamps
	goVersion string
	goos      string
	goarch    string
	compiler  string
	maxProcs  func() int
	pid       int
	ppid      int
	numCPU    int
	start     time.Time
	hostname  func() (string, error)
}

// withEnvironment substitutes the process and build facts (tests only).
func withEnvironment(env *environment) Option {
	return func(c *config) { c.env = env }
}
