package metrics

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"sync/atomic"
)

// Errors returned when registering custom metrics.
var (
	// ErrInvalidName reports a metric name, tag key or unit that is empty
	// or uses characters other than ASCII letters, digits, '_', '.' and
	// '-' (a name and a tag key must start with a letter).
	ErrInvalidName = errors.New("metrics: invalid name")
	// ErrConflict reports a registration that disagrees with an earlier
	// one of the same name (another kind, unit or set of tag keys), or
	// whose name or Prometheus name is taken by a built-in metric or by
	// another custom metric.
	ErrConflict = errors.New("metrics: conflicting registration")
	// ErrDuplicate reports a gauge registered twice with the same name and
	// tags.
	ErrDuplicate = errors.New("metrics: duplicate gauge")
)

// Tag is a key and value attached to a metric series. In Prometheus text
// the key becomes a label name, with '.' and '-' replaced by '_'.
type Tag struct {
	Key   string
	Value string
}

// MetricOption describes a custom metric registered with
// [Registry.Counter] or [Registry.Gauge].
type MetricOption func(*metricConfig)

type metricConfig struct {
	description string
	unit        string
	tags        []Tag
}

// WithDescription sets the metric's description, shown in the drill-down and
// as Prometheus HELP. Default: none. The first registration of a name that
// gives one wins.
func WithDescription(text string) MetricOption {
	return func(c *metricConfig) { c.description = text }
}

// WithUnit sets the metric's base unit, such as "bytes", "seconds" or
// "requests". It is shown as Spring's baseUnit and appended to the
// Prometheus name ("queue.size" with unit "bytes" is queue_size_bytes).
// Default: none.
func WithUnit(unit string) MetricOption {
	return func(c *metricConfig) { c.unit = unit }
}

// WithTag adds a tag to the series. Every series of one name must have the
// same tag keys. Default: no tags.
func WithTag(key, value string) MetricOption {
	return func(c *metricConfig) { c.tags = append(c.tags, Tag{Key: key, Value: value}) }
}

type kind uint8

const (
	kindGauge kind = iota
	kindCounter
	kindTimer
)

func (k kind) String() string {
	switch k {
	case kindCounter:
		return "counter"
	case kindTimer:
		return "timer"
	}
	return "gauge"
}

// Counter is a monotonically increasing count registered with
// [Registry.Counter]. Its methods are safe for concurrent use and do not
// allocate.
type Counter struct {
	bits atomic.Uint64
}

// Inc adds one.
func (c *Counter) Inc() { c.Add(1) }

// Add adds v. Negative, NaN and infinite values are ignored: a counter
// never goes down.
func (c *Counter) Add(v float64) {
	if !(v > 0) || math.IsInf(v, 1) {
		return
	}
	for {
		old := c.bits.Load()
		if c.bits.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+v)) {
			return
		}
	}
}

// Value returns the current count.
func (c *Counter) Value() float64 { return math.Float64frombits(c.bits.Load()) }

// customFamily is every series registered under one name.
type customFamily struct {
	name, prom, description, unit string
	kind                          kind
	keys                          []string // sorted tag keys
	series                        []*customSeries
}

type customSeries struct {
	tags    []Tag // sorted by key
	counter *Counter
	gauge   func() float64
}

// Counter returns the counter registered under name and the tags given by
// opts, registering it on first use: calling Counter again with the same
// name and tags returns the same *Counter. Names are Spring-style
// ("orders.placed"); in Prometheus text they become orders_placed_total
// (with the unit before "_total" when one is set).
func (r *Registry) Counter(name string, opts ...MetricOption) (*Counter, error) {
	s, err := r.register(name, kindCounter, nil, opts)
	if err != nil {
		return nil, err
	}
	return s.counter, nil
}

// Gauge registers fn as the value of the gauge name with the tags given by
// opts. fn is called on every scrape that includes the gauge, without any
// lock held, so it must be safe for concurrent use and fast; a panic in fn
// is recovered and the value reported as NaN. Registering the same name and
// tags twice is ErrDuplicate.
func (r *Registry) Gauge(name string, fn func() float64, opts ...MetricOption) error {
	if fn == nil {
		return fmt.Errorf("%w: nil gauge function for %q", ErrInvalidName, name)
	}
	_, err := r.register(name, kindGauge, fn, opts)
	return err
}

func (r *Registry) register(name string, k kind, fn func() float64, opts []MetricOption) (*customSeries, error) {
	var mc metricConfig
	for _, o := range opts {
		if o != nil {
			o(&mc)
		}
	}
	if !validName(name, true) {
		return nil, fmt.Errorf("%w: metric %q", ErrInvalidName, name)
	}
	if mc.unit != "" && !validName(mc.unit, false) {
		return nil, fmt.Errorf("%w: unit %q of %q", ErrInvalidName, mc.unit, name)
	}
	tags := append([]Tag(nil), mc.tags...)
	sort.SliceStable(tags, func(i, j int) bool { return tags[i].Key < tags[j].Key })
	keys := make([]string, len(tags))
	labels := make(map[string]bool, len(tags)) // Prometheus label names
	for i, t := range tags {
		if !validName(t.Key, true) {
			return nil, fmt.Errorf("%w: tag key %q of %q", ErrInvalidName, t.Key, name)
		}
		// "a.b" and "a_b" both become the label a_b, and need not sort
		// next to each other ("a.b" < "a.c" < "a_b").
		l := promName(t.Key)
		if labels[l] {
			return nil, fmt.Errorf("%w: tag key %q given twice for %q", ErrConflict, t.Key, name)
		}
		labels[l] = true
		if t.Key == "quantile" || t.Key == "le" {
			return nil, fmt.Errorf("%w: tag key %q is reserved by Prometheus", ErrInvalidName, t.Key)
		}
		keys[i] = t.Key
	}
	prom := customPromName(name, mc.unit, k)

	r.mu.Lock()
	defer r.mu.Unlock()
	f := r.custom[name]
	if f == nil {
		if isBuiltinName(name) || isBuiltinProm(prom) {
			return nil, fmt.Errorf("%w: %q is a built-in metric", ErrConflict, name)
		}
		if other, ok := r.customProm[prom]; ok {
			return nil, fmt.Errorf("%w: %q and %q are both %s in Prometheus text", ErrConflict, name, other, prom)
		}
		f = &customFamily{name: name, prom: prom, description: mc.description, unit: mc.unit, kind: k, keys: keys}
		r.custom[name] = f
		r.customProm[prom] = name
		names := make([]string, 0, len(r.custom))
		for n := range r.custom {
			names = append(names, n)
		}
		sort.Strings(names)
		r.names.Store(&names)
	} else {
		if f.kind != k {
			return nil, fmt.Errorf("%w: %q is a %s, not a %s", ErrConflict, name, f.kind, k)
		}
		if f.unit != mc.unit {
			return nil, fmt.Errorf("%w: %q has unit %q, not %q", ErrConflict, name, f.unit, mc.unit)
		}
		if strings.Join(f.keys, "\x00") != strings.Join(keys, "\x00") {
			return nil, fmt.Errorf("%w: %q has tag keys %v, not %v", ErrConflict, name, f.keys, keys)
		}
		if f.description == "" {
			f.description = mc.description
		}
	}
	for _, s := range f.series {
		if equalTags(s.tags, tags) {
			if k == kindGauge {
				return nil, fmt.Errorf("%w: %q %v", ErrDuplicate, name, tags)
			}
			return s, nil
		}
	}
	s := &customSeries{tags: tags, gauge: fn}
	if k == kindCounter {
		s.counter = new(Counter)
	}
	// Copy on write: readers iterate a series slice without the lock.
	f.series = append(f.series[:len(f.series):len(f.series)], s)
	return s, nil
}

func equalTags(a, b []Tag) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// validName reports whether s is a usable metric name, tag key or unit.
func validName(s string, letterFirst bool) bool {
	if s == "" || len(s) > 200 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case c >= '0' && c <= '9', c == '_', c == '.', c == '-':
			if i == 0 && letterFirst {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// promName turns a valid Spring-style name into a Prometheus one.
func promName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '.' || r == '-' {
			return '_'
		}
		return r
	}, s)
}

// customPromName follows Micrometer's Prometheus naming: the unit is
// appended unless the name already ends with it, and counters end in
// "_total".
func customPromName(name, unit string, k kind) string {
	p := promName(name)
	if u := promName(unit); u != "" && !strings.HasSuffix(p, "_"+u) {
		p += "_" + u
	}
	if k == kindCounter && !strings.HasSuffix(p, "_total") {
		p += "_total"
	}
	return p
}

// callGauge calls fn, turning a panic into NaN.
func (r *Registry) callGauge(name string, fn func() float64) (v float64) {
	defer func() {
		if p := recover(); p != nil {
			v = math.NaN()
			if l := r.cfg.logger; l != nil {
				l.Error("metrics: gauge function panicked", "metric", name, "panic", fmt.Sprint(p))
			}
		}
	}()
	return fn()
}

// customFamilies returns the registered families, sorted by name, with
// their series slices as of now.
func (r *Registry) customFamilies(dst []customFamily) []customFamily {
	r.mu.RLock()
	for _, n := range *r.names.Load() {
		dst = append(dst, *r.custom[n])
	}
	r.mu.RUnlock()
	return dst
}
