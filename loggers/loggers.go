package loggers

import (
	"log/slog"
	"maps"
	"math"
	"slices"
	"strings"
)

// LevelOff is the slog level OFF maps to: higher than any record's level,
// so a handler with this minimum level drops everything.
const LevelOff = slog.Level(math.MaxInt32)

// LevelTrace is the slog level TRACE maps to, below slog.LevelDebug.
const LevelTrace = slog.LevelDebug - 4

// names lists the levels from most to least severe, as Spring's "levels"
// field does.
var names = []string{"OFF", "ERROR", "WARN", "INFO", "DEBUG", "TRACE"}

var levelOf = map[string]slog.Level{
	"OFF":   LevelOff,
	"ERROR": slog.LevelError,
	"WARN":  slog.LevelWarn,
	"INFO":  slog.LevelInfo,
	"DEBUG": slog.LevelDebug,
	"TRACE": LevelTrace,
	"FATAL": slog.LevelError, // not listed; accepted as Logback does
}

// ParseLevel returns the slog level for one of Spring's level names (TRACE,
// DEBUG, INFO, WARN, ERROR, OFF, and FATAL, taken as ERROR), in any case,
// and false for anything else.
func ParseLevel(name string) (slog.Level, bool) {
	if l, ok := levelOf[name]; ok {
		return l, true
	}
	l, ok := levelOf[strings.ToUpper(name)]
	return l, ok
}

// LevelName returns Spring's name for a slog level: the least severe named
// level that is at least l, so that the records the name lets through are
// the records l lets through; OFF above ERROR.
func LevelName(l slog.Level) string {
	switch {
	case l <= LevelTrace:
		return "TRACE"
	case l <= slog.LevelDebug:
		return "DEBUG"
	case l <= slog.LevelInfo:
		return "INFO"
	case l <= slog.LevelWarn:
		return "WARN"
	case l <= slog.LevelError:
		return "ERROR"
	}
	return "OFF"
}

// Endpoint is the loggers endpoint: a fixed set of named LevelVars, each
// with the level it held at [New]. [Endpoint.Handler] serves it. It is safe
// for concurrent use; the LevelVars themselves are atomic.
type Endpoint struct {
	loggers map[string]*logger
	names   []string // sorted
}

type logger struct {
	v       *slog.LevelVar
	initial slog.Level
}

// Option configures an [Endpoint].
type Option func(*config)

type config struct {
	loggers map[string]*logger
	order   []string
}

// WithLevelVar adds the logger name, whose level is v (the *slog.LevelVar
// of the handlers that log under it). The level v holds
// when [New] runs is the one a reset restores. Use "ROOT" for the
// program's main LevelVar, as Spring names its root logger. Default: no
// loggers. It panics if v is nil, if name is empty or holds a slash, or if
// name was already added.
func WithLevelVar(name string, v *slog.LevelVar) Option {
	if v == nil {
		panic("loggers: nil LevelVar for logger " + quote(name))
	}
	if name == "" || strings.Contains(name, "/") {
		panic("loggers: logger name " + quote(name) + " is empty or holds a slash")
	}
	return func(c *config) {
		if _, dup := c.loggers[name]; dup {
			panic("loggers: logger " + quote(name) + " added twice")
		}
		c.loggers[name] = &logger{v: v}
		c.order = append(c.order, name)
	}
}

func quote(s string) string {
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	return `"` + s + `"`
}

// New returns the endpoint for the loggers its options add, recording each
// one's current level as the level a reset restores.
func New(opts ...Option) *Endpoint {
	c := config{loggers: map[string]*logger{}}
	for _, o := range opts {
		o(&c)
	}
	for _, l := range c.loggers {
		l.initial = l.v.Level()
	}
	return &Endpoint{loggers: c.loggers, names: slices.Sorted(maps.Keys(c.loggers))}
}

// Levels is what the endpoint reports for one logger, in Spring's shape.
type Levels struct {
	// ConfiguredLevel is the level set directly on the logger; for a
	// LevelVar always its current level.
	ConfiguredLevel string `json:"configuredLevel"`
	// EffectiveLevel is the level the logger logs at: its current level.
	EffectiveLevel string `json:"effectiveLevel"`
}

// Logger returns the levels of the logger name, and false when there is
// no such logger.
func (e *Endpoint) Logger(name string) (Levels, bool) {
	l, ok := e.loggers[name]
	if !ok {
		return Levels{}, false
	}
	n := LevelName(l.v.Level())
	return Levels{ConfiguredLevel: n, EffectiveLevel: n}, true
}

// Loggers returns the levels of every logger, by name.
func (e *Endpoint) Loggers() map[string]Levels {
	m := make(map[string]Levels, len(e.loggers))
	for _, name := range e.names {
		m[name], _ = e.Logger(name)
	}
	return m
}

// SetLevel sets the logger name to the level Spring calls level (see
// [ParseLevel]); an empty level resets it to its level at [New]. It
// returns [ErrUnknownLogger] or an [*UnknownLevelError].
func (e *Endpoint) SetLevel(name, level string) error {
	l, ok := e.loggers[name]
	if !ok {
		return ErrUnknownLogger
	}
	if level == "" {
		l.v.Set(l.initial)
		return nil
	}
	sl, ok := ParseLevel(level)
	if !ok {
		return &UnknownLevelError{Level: level}
	}
	l.v.Set(sl)
	return nil
}
