package env

import (
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/actuatorgo/actuator/internal/httpx"
)

// Visibility says to whom values are shown, as Spring Boot's show-values:
// Never (the default: every value is [Mask]), WhenAuthorized (when the
// authorizer set with [WithAuthorizer] accepts the request; without one
// nobody is authorized) or Always. Its String is the Spring Boot spelling.
// It is the same type as health.Visibility.
type Visibility = httpx.Visibility

// The visibilities.
const (
	Never          = httpx.Never
	WhenAuthorized = httpx.WhenAuthorized
	Always         = httpx.Always
)

// ParseVisibility parses never, when-authorized or always (any case, "_"
// for "-" too, as Spring's NEVER, WHEN_AUTHORIZED, ALWAYS), for
// configuration read from flags or the environment.
func ParseVisibility(s string) (Visibility, error) {
	v, err := httpx.ParseVisibility(s)
	if err != nil {
		return v, fmt.Errorf("env: unknown visibility %q: %w", s, err)
	}
	return v, nil
}

// Mask is what a value is shown as when it is not shown: Spring's
// SanitizableData.SANITIZED_VALUE.
const Mask = "******"

// ProcessEnvironment is the name of the source that holds the process
// environment, Spring's name for it.
const ProcessEnvironment = "systemEnvironment"

// Option configures an [Endpoint].
type Option func(*config)

type source struct {
	name    string
	props   map[string]string        // a fixed source,
	fn      func() map[string]string // or one read at each request,
	process bool                     // or the process environment
}

type config struct {
	sources    []source
	noProcess  bool
	show       Visibility
	authorizer func(*http.Request) bool
	sanitizer  func(key, value string) string
}

// WithSource adds a source called name holding props, which are copied.
// Default: none. It panics if name is empty or names a source already
// added, the process environment included.
func WithSource(name string, props map[string]string) Option {
	cp := make(map[string]string, len(props))
	for k, v := range props {
		cp[k] = v
	}
	return func(c *config) { c.sources = append(c.sources, source{name: name, props: cp}) }
}

// WithSourceFunc adds a source called name whose properties fn returns at
// each request; fn must be safe for concurrent use and quick, and must
// not change the map it returns after returning it. Default: none. It
// panics if fn is nil, or as [WithSource] does.
func WithSourceFunc(name string, fn func() map[string]string) Option {
	if fn == nil {
		panic("env: nil function for source " + fmt.Sprintf("%q", name))
	}
	return func(c *config) { c.sources = append(c.sources, source{name: name, fn: fn}) }
}

// WithoutProcessEnvironment leaves the process environment out. Default:
// it is the first source, [ProcessEnvironment].
func WithoutProcessEnvironment() Option {
	return func(c *config) { c.noProcess = true }
}

// WithShowValues says to whom values are shown. Default [Never]: every
// value is [Mask]. It panics for a value that is none of the three.
func WithShowValues(v Visibility) Option {
	if v < Never || v > Always {
		panic("env: unknown visibility " + v.String())
	}
	return func(c *config) { c.show = v }
}

// WithAuthorizer sets the function that decides [WhenAuthorized]
// visibility. Default none: WhenAuthorized then shows no value.
func WithAuthorizer(fn func(*http.Request) bool) Option {
	return func(c *config) { c.authorizer = fn }
}

// WithSanitizer replaces [DefaultSanitizer]: fn returns what to show for
// the value of key, when values are shown at all. Default
// DefaultSanitizer. A nil fn restores the default.
func WithSanitizer(fn func(key, value string) string) Option {
	return func(c *config) { c.sanitizer = fn }
}

// Endpoint is the env endpoint; [Endpoint.Handler] serves it. It is
// immutable and safe for concurrent use.
type Endpoint struct {
	sources    []source
	show       Visibility
	authorizer func(*http.Request) bool
	sanitizer  func(key, value string) string
}

// New returns the endpoint its options describe.
func New(opts ...Option) *Endpoint {
	var c config
	for _, o := range opts {
		o(&c)
	}
	e := &Endpoint{show: c.show, authorizer: c.authorizer, sanitizer: c.sanitizer}
	if e.sanitizer == nil {
		e.sanitizer = DefaultSanitizer
	}
	if !c.noProcess {
		e.sources = append(e.sources, source{name: ProcessEnvironment, process: true})
	}
	seen := map[string]bool{}
	for _, s := range append(e.sources, c.sources...) {
		if s.name == "" {
			panic("env: empty source name")
		}
		if seen[s.name] {
			panic(fmt.Sprintf("env: source %q added twice", s.name))
		}
		seen[s.name] = true
	}
	e.sources = append(e.sources, c.sources...)
	return e
}

// properties returns the properties of s now.
func (s source) properties() map[string]string {
	switch {
	case s.process:
		return environ()
	case s.fn != nil:
		return s.fn()
	}
	return s.props
}

func (s source) origin(key string) string {
	if s.process {
		return `System Environment Property "` + key + `"`
	}
	return ""
}

// environ reads the process environment; a name set twice keeps its
// first value, as os.Getenv does.
func environ() map[string]string {
	kvs := os.Environ()
	m := make(map[string]string, len(kvs))
	for _, kv := range kvs {
		// A leading "=" belongs to the name (Windows' "=C:=C:\\").
		i := strings.IndexByte(kv[min(1, len(kv)):], '=') + min(1, len(kv))
		if i < 1 {
			continue
		}
		if _, dup := m[kv[:i]]; !dup {
			m[kv[:i]] = kv[i+1:]
		}
	}
	return m
}

// shows reports whether r may see values.
func (e *Endpoint) shows(r *http.Request) bool {
	switch e.show {
	case Always:
		return true
	case WhenAuthorized:
		return e.authorizer != nil && e.authorizer(r)
	}
	return false
}

// value is what is shown for the value v of key.
func (e *Endpoint) value(show bool, key, v string) string {
	if !show {
		return Mask
	}
	return e.sanitizer(key, v)
}
