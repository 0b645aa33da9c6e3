package metrics

import (
	"log/slog"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

const httpServerRequests = "http.server.requests"

// Route values the root package passes, as Spring does, when a request
// matched no route pattern.
const (
	RouteUnknown     = "UNKNOWN"
	RouteNotFound    = "NOT_FOUND"
	RouteRedirection = "REDIRECTION"
	RouteRoot        = "root"
	// RouteOther replaces the route of new series once the bound set by
	// WithMaxRequestSeries is reached.
	RouteOther = "OTHER"
)

// ObserveRequest records one served request in http.server.requests:
// the request count, total time and maximum time, tagged with method,
// status, outcome and uri. route must be the route pattern that matched
// ("/users/{id}"), never the raw path, so the number of series stays
// bounded; when no pattern matched, pass one of the Route constants as
// Spring does. Methods other than the standard ones are recorded as
// "OTHER"; negative durations as zero. ObserveRequest is safe for
// concurrent use and does not allocate once a series exists.
func (r *Registry) ObserveRequest(method, route string, status int, d time.Duration) {
	r.http.observe(method, route, status, d)
}

type requestKey struct {
	method string
	uri    string
	status int
}

func (k requestKey) less(o requestKey) bool {
	if k.uri != o.uri {
		return k.uri < o.uri
	}
	if k.method != o.method {
		return k.method < o.method
	}
	return k.status < o.status
}

// requestSeries is one series of http.server.requests; its tags are
// rendered once, when it is created.
type requestSeries struct {
	key        requestKey
	statusText string
	result     string
	labels     string // Prometheus labels, rendered once, without the closing brace
	timer      timer
}

// requestMetrics holds the series of http.server.requests.
type requestMetrics struct {
	// bounds are the histogram's upper bounds, sorted, without +Inf;
	// nil when the histogram is off.
	bounds []float64
	// leLabels are the rendered le labels of bounds, by format.
	leLabels [2][]string
	now      func() time.Time
	window   time.Duration
	limit    int
	logger   *slog.Logger
	warned   bool // the bound was reported; guarded by mu

	mu     sync.RWMutex
	series map[requestKey]*requestSeries
	// sorted holds the series sorted by uri, method and status; it is
	// replaced, never modified, so readers iterate it without a lock.
	sorted atomic.Pointer[[]*requestSeries]
}

func newRequestMetrics(cfg config) *requestMetrics {
	m := &requestMetrics{
		bounds: cfg.httpBuckets,
		now:    cfg.now,
		window: cfg.maxWindow,
		limit:  cfg.maxRoutes,
		logger: cfg.logger,
		series: make(map[requestKey]*requestSeries),
	}
	for f := range m.leLabels {
		for _, b := range m.bounds {
			m.leLabels[f] = append(m.leLabels[f], leLabel(b, f))
		}
	}
	m.sorted.Store(&[]*requestSeries{})
	return m
}

func (m *requestMetrics) len() int { return len(*m.sorted.Load()) }

// normalMethod maps method to itself when it is a standard HTTP method,
// and to "OTHER" otherwise, since clients choose the method.
func normalMethod(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace:
		return method
	}
	return "OTHER"
}

// outcome is Spring's outcome tag for an HTTP status.
func outcome(status int) string {
	switch {
	case status >= 100 && status < 200:
		return "INFORMATIONAL"
	case status >= 200 && status < 300:
		return "SUCCESS"
	case status >= 300 && status < 400:
		return "REDIRECTION"
	case status >= 400 && status < 500:
		return "CLIENT_ERROR"
	case status >= 500 && status < 600:
		return "SERVER_ERROR"
	}
	return "UNKNOWN"
}

func (m *requestMetrics) observe(method, route string, status int, d time.Duration) {
	if status < 100 || status > 999 {
		status = 0
	}
	if route == "" {
		route = RouteUnknown
	} else if !utf8.ValidString(route) {
		route = strings.ToValidUTF8(route, "\uFFFD")
	}
	key := requestKey{method: normalMethod(method), uri: route, status: status}
	m.mu.RLock()
	s := m.series[key]
	m.mu.RUnlock()
	if s == nil {
		s = m.add(key)
	}
	s.timer.record(d.Seconds(), m.now(), m.bounds)
}

func (m *requestMetrics) add(key requestKey) *requestSeries {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s := m.series[key]; s != nil {
		return s
	}
	if len(m.series) >= m.limit && key.uri != RouteOther {
		if !m.warned && m.logger != nil {
			m.warned = true
			m.logger.Warn("metrics: too many http.server.requests series; new ones are recorded with uri OTHER",
				"limit", m.limit, "uri", key.uri)
		}
		key.uri = RouteOther
		if s := m.series[key]; s != nil {
			return s
		}
	}
	s := &requestSeries{key: key, statusText: statusTag(key.status), result: outcome(key.status)}
	s.labels = requestLabels(s)
	s.timer.init(m.window, m.now(), len(m.bounds))
	m.series[key] = s
	old := *m.sorted.Load()
	i := sort.Search(len(old), func(i int) bool { return key.less(old[i].key) })
	list := make([]*requestSeries, 0, len(old)+1)
	list = append(append(append(list, old[:i]...), s), old[i:]...)
	m.sorted.Store(&list)
	return s
}

// all returns every series sorted by uri, method and status. The slice
// must not be modified.
func (m *requestMetrics) all() []*requestSeries { return *m.sorted.Load() }

// requestSample is one series of http.server.requests at read time.
type requestSample struct {
	key                requestKey
	count, total, max  float64
	statusText, result string
}

// snapshot returns every series, read now, sorted by uri, method and
// status.
func (m *requestMetrics) snapshot() []requestSample {
	now := m.now()
	list := m.all()
	out := make([]requestSample, len(list))
	for i, s := range list {
		c, tot, mx := s.timer.read(now)
		out[i] = requestSample{key: s.key, count: c, total: tot, max: mx, statusText: s.statusText, result: s.result}
	}
	return out
}

func statusTag(status int) string {
	if status == 0 {
		return "UNKNOWN"
	}
	return strconv.Itoa(status)
}

// maxSlots is the number of rotating slots of a windowed maximum.
const maxSlots = 3

// timer is one series of a Spring timer: count, total time and a maximum
// that decays over a window, as Micrometer's TimeWindowMax: every record
// raises all slots; reads return the oldest; each slot is cleared and
// becomes the newest after window/maxSlots.
type timer struct {
	mu      sync.Mutex
	count   float64
	total   float64
	slots   [maxSlots]float64
	cur     int
	step    time.Duration
	rotated time.Time
	// buckets counts the records of each histogram bucket (not
	// cumulative): buckets[i] those in (bounds[i-1], bounds[i]]; the
	// +Inf bucket is count.
	buckets []uint64
}

func (t *timer) init(window time.Duration, now time.Time, buckets int) {
	if buckets > 0 {
		t.buckets = make([]uint64, buckets)
	}
	t.step = window / maxSlots
	if t.step <= 0 {
		t.step = 1
	}
	t.rotated = now
}

func (t *timer) rotate(now time.Time) {
	elapsed := now.Sub(t.rotated)
	if elapsed < t.step {
		return
	}
	steps := int64(elapsed / t.step)
	if steps >= maxSlots {
		t.slots = [maxSlots]float64{}
	} else {
		for range steps {
			t.slots[t.cur] = 0
			t.cur = (t.cur + 1) % maxSlots
		}
	}
	t.rotated = t.rotated.Add(time.Duration(steps) * t.step)
}

func (t *timer) record(seconds float64, now time.Time, bounds []float64) {
	if !(seconds > 0) { // negative or NaN
		seconds = 0
	}
	// The first bound >= seconds: Prometheus buckets are "le".
	i := sort.SearchFloat64s(bounds, seconds)
	t.mu.Lock()
	if i < len(t.buckets) {
		t.buckets[i]++
	}
	t.rotate(now)
	t.count++
	t.total += seconds
	for i := range t.slots {
		if seconds > t.slots[i] {
			t.slots[i] = seconds
		}
	}
	t.mu.Unlock()
}

func (t *timer) read(now time.Time) (count, total, max float64) {
	t.mu.Lock()
	t.rotate(now)
	count, total, max = t.count, t.total, t.slots[t.cur]
	t.mu.Unlock()
	return count, total, max
}

// readBuckets appends the cumulative count of each histogram bucket to dst
// and returns it with the count, total and maximum, all read at once.
func (t *timer) readBuckets(dst []uint64, now time.Time) ([]uint64, float64, float64, float64) {
	t.mu.Lock()
	t.rotate(now)
	var cum uint64
	for _, c := range t.buckets {
		cum += c
		dst = append(dst, cum)
	}
	count, total, max := t.count, t.total, t.slots[t.cur]
	t.mu.Unlock()
	return dst, count, total, max
}
