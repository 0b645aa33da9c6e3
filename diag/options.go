package diag

import (
	"strconv"
	"time"
)

// Defaults of the options.
const (
	// DefaultMaxStackBytes bounds the text of a goroutine dump, as
	// net/http/pprof's goroutine?debug=2 bounds it: 64 MiB.
	DefaultMaxStackBytes = 64 << 20
	// DefaultMaxGoroutines is how many goroutines a thread dump lists one
	// by one, with ids and wait reasons. Collecting them stops the world
	// for 4 to 8 µs per goroutine (docs/diagnostics.md: up to 84 ms for
	// 10,000 and 671 ms for 100,000 on two shared cores), so with more
	// than this the dump groups stacks, collected with pauses of a
	// millisecond or less. Spring Boot Admin polls the dump every second:
	// 1,000 keeps that pause under 10 ms.
	DefaultMaxGoroutines = 1_000
	// DefaultMaxFrames is how many frames a goroutine lists in JSON.
	DefaultMaxFrames = 100
	// DefaultMaxSeconds bounds the seconds parameter of a CPU profile or a
	// trace.
	DefaultMaxSeconds = 30
)

// Option configures a [ThreadDump], a [HeapDump] or a [Pprof]; each
// documents the options it reads and ignores the others.
type Option func(*config)

type config struct {
	maxStackBytes int
	maxGoroutines int
	maxFrames     int
	maxSeconds    int
}

func newConfig(pkgFunc string, opts []Option) config {
	c := config{
		maxStackBytes: DefaultMaxStackBytes,
		maxGoroutines: DefaultMaxGoroutines,
		maxFrames:     DefaultMaxFrames,
		maxSeconds:    DefaultMaxSeconds,
	}
	for _, o := range opts {
		if o == nil {
			panic("diag: " + pkgFunc + ": nil Option")
		}
		o(&c)
	}
	return c
}

// WithMaxStackBytes bounds the size of a thread dump's goroutine text to
// n bytes (at least 64 KiB); a dump that does not fit is cut at a
// goroutine's end and marked truncated. Default: [DefaultMaxStackBytes].
func WithMaxStackBytes(n int) Option {
	if n < 64<<10 {
		panic("diag: WithMaxStackBytes: " + strconv.Itoa(n) + " is below 65536")
	}
	return func(c *config) { c.maxStackBytes = n }
}

// WithMaxGoroutines sets how many goroutines a thread dump lists one by
// one (at least 1). Above it, the dump groups goroutines by stack, as
// net/http/pprof's goroutine?debug=1 does, because listing them one by one
// stops the world for a time proportional to their number. Default:
// [DefaultMaxGoroutines].
func WithMaxGoroutines(n int) Option {
	if n < 1 {
		panic("diag: WithMaxGoroutines: " + strconv.Itoa(n) + " is below 1")
	}
	return func(c *config) { c.maxGoroutines = n }
}

// WithMaxFrames bounds the frames each goroutine lists in a JSON thread
// dump (at least 1); a longer stack is marked framesTruncated. Default:
// [DefaultMaxFrames].
func WithMaxFrames(n int) Option {
	if n < 1 {
		panic("diag: WithMaxFrames: " + strconv.Itoa(n) + " is below 1")
	}
	return func(c *config) { c.maxFrames = n }
}

// WithMaxProfileDuration bounds the seconds parameter of the pprof
// endpoint's CPU profile and trace (at least one second, rounded down to
// whole seconds; requests above it get 400). Default: [DefaultMaxSeconds]
// seconds.
func WithMaxProfileDuration(d time.Duration) Option {
	if d < time.Second {
		panic("diag: WithMaxProfileDuration: " + d.String() + " is below 1s")
	}
	return func(c *config) { c.maxSeconds = int(d / time.Second) }
}
