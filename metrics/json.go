package metrics

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/actuatorgo/actuator/internal/httpx"
)

// Snapshot is the readable body of GET /metrics: how the process is doing
// at a glance, plus Spring Boot Actuator's list of metric names for the
// drill-down. Fields the platform cannot provide are omitted.
type Snapshot struct {
	// Names lists every metric served at /metrics/{name}, sorted.
	Names      []string       `json:"names"`
	Uptime     UptimeSnapshot `json:"uptime"`
	Goroutines int64          `json:"goroutines"`
	// Threads is the number of OS threads of the process.
	Threads *int64         `json:"threads,omitempty"`
	Memory  MemorySnapshot `json:"memory"`
	CPU     CPUSnapshot    `json:"cpu"`
	GC      GCSnapshot     `json:"gc"`
	Files   *FilesSnapshot `json:"files,omitempty"`
}

// UptimeSnapshot is the time since the process started.
type UptimeSnapshot struct {
	Seconds   float64   `json:"seconds"`
	Human     string    `json:"human"` // such as "3d4h5m6s"
	StartTime time.Time `json:"startTime"`
}

// MemorySnapshot is the memory of the Go runtime and of the process.
type MemorySnapshot struct {
	// HeapAllocBytes is the bytes of allocated heap objects.
	HeapAllocBytes uint64 `json:"heapAllocBytes"`
	// HeapInUseBytes is the bytes of heap spans holding objects.
	HeapInUseBytes uint64 `json:"heapInUseBytes"`
	// HeapGoalBytes is the heap size at which the next GC cycle ends.
	HeapGoalBytes uint64 `json:"heapGoalBytes"`
	// StackBytes is the memory of goroutine stacks.
	StackBytes uint64 `json:"stackBytes"`
	// RuntimeTotalBytes is all memory mapped by the Go runtime.
	RuntimeTotalBytes uint64 `json:"runtimeTotalBytes"`
	// LimitBytes is GOMEMLIMIT, omitted when there is none.
	LimitBytes *uint64 `json:"limitBytes,omitempty"`
	// ResidentBytes and VirtualBytes are the process's RSS and VMS.
	ResidentBytes *uint64 `json:"residentBytes,omitempty"`
	VirtualBytes  *uint64 `json:"virtualBytes,omitempty"`
	// SystemTotalBytes and SystemAvailableBytes describe the machine.
	SystemTotalBytes     *uint64 `json:"systemTotalBytes,omitempty"`
	SystemAvailableBytes *uint64 `json:"systemAvailableBytes,omitempty"`
}

// CPUSnapshot is the CPU use of the process and the machine's CPUs.
type CPUSnapshot struct {
	// Usage is the process's CPU usage over all CPUs (0 to 1) since the
	// previous reading.
	Usage *float64 `json:"usage,omitempty"`
	// SystemUsage is the whole machine's CPU usage (0 to 1) since the
	// previous reading.
	SystemUsage *float64 `json:"systemUsage,omitempty"`
	// Seconds is the user and system CPU time used so far.
	Seconds    *float64 `json:"seconds,omitempty"`
	GOMAXPROCS int64    `json:"gomaxprocs"`
	// Count is the number of logical CPUs of the machine.
	Count *int64 `json:"count,omitempty"`
	// LoadAverage is the system load average over 1, 5 and 15 minutes.
	LoadAverage []float64 `json:"loadAverage,omitempty"`
}

// GCSnapshot describes the garbage collector.
type GCSnapshot struct {
	Cycles      uint64 `json:"cycles"`
	GOGCPercent int64  `json:"gogcPercent"`
	// Pauses is the number of stop-the-world pauses of the collector;
	// the total and maximum are estimated from the runtime's histogram.
	Pauses            uint64  `json:"pauses"`
	PauseTotalSeconds float64 `json:"pauseTotalSeconds"`
	PauseMaxSeconds   float64 `json:"pauseMaxSeconds"`
}

// FilesSnapshot is the process's file descriptors.
type FilesSnapshot struct {
	Open *int64 `json:"open,omitempty"`
	Max  *int64 `json:"max,omitempty"`
}

func u64(v float64) uint64 {
	if math.IsNaN(v) || v < 0 {
		return 0
	}
	if v >= math.MaxUint64 {
		return math.MaxUint64
	}
	return uint64(v)
}

func optU64(v float64) *uint64 {
	if math.IsNaN(v) || v < 0 {
		return nil
	}
	u := u64(v)
	return &u
}

func optI64(v float64) *int64 {
	if math.IsNaN(v) {
		return nil
	}
	i := int64(v)
	return &i
}

func optF64(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// jsonFloat is v, or 0 when v is NaN or infinite, which JSON cannot hold.
func jsonFloat(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return v
}

// Snapshot reads the runtime and the process (the process part may come
// from the cache, see WithCacheTTL) and returns the readable summary. It
// is always read live; the endpoint serves it encoded at most once per
// cache TTL.
func (r *Registry) Snapshot() Snapshot {
	rt := r.rt.read()
	pr := r.proc.read()
	up := pr.uptime()
	s := Snapshot{
		Names: r.appendNames(make([]string, 0, len(builtins)+8), &rt, &pr),
		Uptime: UptimeSnapshot{
			Seconds:   jsonFloat(up.Seconds()),
			Human:     humanDuration(up),
			StartTime: pr.start.UTC(),
		},
		Goroutines: int64(rt.get(rmGoroutines)),
		Threads:    optI64(pr.threads),
		Memory: MemorySnapshot{
			HeapAllocBytes:       u64(rt.get(rmHeapObjectsBytes)),
			HeapInUseBytes:       u64(rt.get(rmHeapObjectsBytes) + rt.get(rmHeapUnused)),
			HeapGoalBytes:        u64(rt.get(rmHeapGoal)),
			StackBytes:           u64(rt.get(rmHeapStacks) + rt.get(rmOSStacks)),
			RuntimeTotalBytes:    u64(rt.get(rmTotal)),
			ResidentBytes:        optU64(pr.rss),
			VirtualBytes:         optU64(pr.vms),
			SystemTotalBytes:     optU64(pr.memTotal),
			SystemAvailableBytes: optU64(pr.memAvail),
		},
		CPU: CPUSnapshot{
			Usage:       optF64(pr.cpuUsage),
			SystemUsage: optF64(pr.sysCPUUsage),
			Seconds:     optF64(pr.cpuSeconds),
			GOMAXPROCS:  int64(rt.get(rmGomaxprocs)),
			Count:       optI64(pr.cpuCount),
		},
		GC: GCSnapshot{
			Cycles:            u64(rt.get(rmGCCycles)),
			GOGCPercent:       int64(rt.get(rmGOGC)),
			Pauses:            u64(rt.pauses.count),
			PauseTotalSeconds: jsonFloat(rt.pauses.sum),
			PauseMaxSeconds:   jsonFloat(rt.pauses.max),
		},
	}
	if l := rt.get(rmMemLimit); !math.IsNaN(l) && l < math.MaxInt64 {
		s.Memory.LimitBytes = optU64(l)
	}
	if !math.IsNaN(pr.load1) {
		s.CPU.LoadAverage = []float64{jsonFloat(pr.load1), jsonFloat(pr.load5), jsonFloat(pr.load15)}
	}
	if !math.IsNaN(pr.openFDs) || !math.IsNaN(pr.maxFDs) {
		s.Files = &FilesSnapshot{Open: optI64(pr.openFDs), Max: optI64(pr.maxFDs)}
	}
	return s
}

// humanDuration formats d to the second with days: "3d4h5m6s".
func humanDuration(d time.Duration) string {
	d = d.Round(time.Second)
	days := d / (24 * time.Hour)
	d -= days * 24 * time.Hour
	if days == 0 {
		return d.String()
	}
	rest := d.String()
	if d == 0 {
		rest = ""
	}
	return fmt.Sprintf("%dd%s", days, rest)
}

// Measurement is one statistic of a metric in Spring's drill-down.
type Measurement struct {
	Statistic string  `json:"statistic"` // VALUE, COUNT, TOTAL_TIME or MAX
	Value     float64 `json:"value"`
}

// AvailableTag lists the values of one tag key among the matched series.
type AvailableTag struct {
	Tag    string   `json:"tag"`
	Values []string `json:"values"`
}

// MetricResponse is Spring Boot Actuator's body of GET /metrics/{name}.
type MetricResponse struct {
	Name          string         `json:"name"`
	Description   string         `json:"description,omitempty"`
	BaseUnit      string         `json:"baseUnit,omitempty"`
	Measurements  []Measurement  `json:"measurements"`
	AvailableTags []AvailableTag `json:"availableTags"`
}

// maxEcho bounds user input echoed in error messages.
const maxEcho = 128

func echo(s string) string {
	if len(s) > maxEcho {
		s = s[:maxEcho] + "..."
	}
	return fmt.Sprintf("%q", s)
}

// MaxTagFilters is the most tag=key:value parameters a drill-down request
// may carry, identical repeats included; a request with more gets 400
// before any metric is read. Series carry a handful of tags, so the cap
// only refuses requests no client needs.
const MaxTagFilters = 32

var errMalformedQuery = errors.New("malformed query string")

// parseTags reads the tag=key:value parameters of a drill-down, by the
// rules of url.ParseQuery (a stray ';' or a bad escape anywhere makes the
// query malformed) but in one pass that unescapes only tag parameters and
// stops at the cap. Identical repeated tags count once.
func parseTags(rawQuery string) ([]Tag, error) {
	var raw [MaxTagFilters]string
	n := 0
	malformed := false
	for rest := rawQuery; rest != ""; {
		var kv string
		kv, rest, _ = strings.Cut(rest, "&")
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		if strings.IndexByte(kv, ';') >= 0 || !validEscapes(k) || !validEscapes(v) {
			malformed = true
			continue
		}
		if !isTagKey(k) {
			continue
		}
		if n == MaxTagFilters {
			return nil, fmt.Errorf("at most %d tag parameters are allowed", MaxTagFilters)
		}
		raw[n] = v
		n++
	}
	if malformed {
		return nil, errMalformedQuery
	}
	tags := make([]Tag, 0, n)
	seen := make(map[Tag]struct{}, n)
	for _, rv := range raw[:n] {
		t, err := url.QueryUnescape(rv)
		if err != nil {
			return nil, errMalformedQuery // validEscapes let it through: never
		}
		k, v, ok := strings.Cut(t, ":")
		if !ok || k == "" {
			return nil, fmt.Errorf("each tag parameter must be in the form 'key:value' but was: %s", echo(t))
		}
		tag := Tag{Key: k, Value: v}
		if _, dup := seen[tag]; !dup {
			seen[tag] = struct{}{}
			tags = append(tags, tag)
		}
	}
	return tags, nil
}

// isTagKey reports whether the query key k unescapes to "tag", without
// unescaping a key that cannot ("tag" escaped in full is 9 bytes).
func isTagKey(k string) bool {
	if k == "tag" {
		return true
	}
	if len(k) > len("%74%61%67") || strings.IndexByte(k, '%') < 0 {
		return false
	}
	u, err := url.QueryUnescape(k)
	return err == nil && u == "tag"
}

// validEscapes reports whether every '%' in s starts a two-digit hex
// escape, the only thing url.QueryUnescape refuses.
func validEscapes(s string) bool {
	for i := strings.IndexByte(s, '%'); i >= 0; i = strings.IndexByte(s, '%') {
		if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
			return false
		}
		s = s[i+3:]
	}
	return true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// serveMetric answers the drill-down of the metric name.
func (r *Registry) serveMetric(w http.ResponseWriter, req *http.Request, name, ct string) {
	if strings.Contains(name, "/") {
		httpx.NotFoundAs(w, req, ct)
		return
	}
	filter, err := parseTags(req.URL.RawQuery)
	if err != nil {
		httpx.WriteErrorAs(w, req, http.StatusBadRequest, ct, err.Error())
		return
	}
	resp, ok := r.Metric(name, filter...)
	if !ok {
		httpx.WriteErrorAs(w, req, http.StatusNotFound, ct, "no metric named "+echo(name)+" matches the given tags")
		return
	}
	httpx.WriteJSONAs(w, req, http.StatusOK, ct, resp)
}

// Metric returns Spring's drill-down of the metric name over the series
// that carry every tag of filter, and false when the name is unknown or
// no series matches, as GET /metrics/{name}?tag=key:value does.
func (r *Registry) Metric(name string, filter ...Tag) (MetricResponse, bool) {
	desc, unit, k, samples, ok := r.meter(name)
	if !ok {
		return MetricResponse{}, false
	}
	var count, total, value float64
	max := math.Inf(-1)
	matched := 0
	tagValues := map[string]map[string]bool{}
	for _, s := range samples {
		if !matches(s.tags, filter) {
			continue
		}
		matched++
		value += s.value
		count += s.count
		total += s.total
		max = math.Max(max, s.max)
		for _, t := range s.tags {
			if inFilter(t.Key, filter) {
				continue
			}
			if tagValues[t.Key] == nil {
				tagValues[t.Key] = map[string]bool{}
			}
			tagValues[t.Key][t.Value] = true
		}
	}
	if matched == 0 {
		return MetricResponse{}, false
	}
	resp := MetricResponse{Name: name, Description: desc, BaseUnit: unit, AvailableTags: []AvailableTag{}}
	switch k {
	case kindCounter:
		resp.Measurements = []Measurement{{"COUNT", value}}
	case kindTimer:
		resp.Measurements = []Measurement{{"COUNT", count}, {"TOTAL_TIME", total}, {"MAX", max}}
	default:
		resp.Measurements = []Measurement{{"VALUE", value}}
	}
	for i := range resp.Measurements {
		if v := resp.Measurements[i].Value; math.IsNaN(v) || math.IsInf(v, 0) {
			resp.Measurements[i].Value = 0 // JSON has no NaN
		}
	}
	for key, vals := range tagValues {
		at := AvailableTag{Tag: key, Values: make([]string, 0, len(vals))}
		for v := range vals {
			at.Values = append(at.Values, v)
		}
		sort.Strings(at.Values)
		resp.AvailableTags = append(resp.AvailableTags, at)
	}
	sort.Slice(resp.AvailableTags, func(i, j int) bool { return resp.AvailableTags[i].Tag < resp.AvailableTags[j].Tag })
	return resp, true
}

func matches(tags, filter []Tag) bool {
	for _, f := range filter {
		found := false
		for _, t := range tags {
			if t == f {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func inFilter(key string, filter []Tag) bool {
	for _, f := range filter {
		if f.Key == key {
			return true
		}
	}
	return false
}

// meter finds a metric by its Spring name and reads its series.
func (r *Registry) meter(name string) (desc, unit string, k kind, samples []sample, ok bool) {
	if b := findBuiltin(name); b != nil {
		rt := r.rt.read()
		pr := r.proc.read()
		return b.description, b.unit, b.kind, b.samples(&rt, &pr), true
	}
	if name == httpServerRequests {
		reqs := r.http.snapshot()
		if len(reqs) == 0 {
			return "", "", 0, nil, false
		}
		samples = make([]sample, len(reqs))
		for i, s := range reqs {
			samples[i] = sample{
				tags: []Tag{
					{Key: "method", Value: s.key.method},
					{Key: "outcome", Value: s.result},
					{Key: "status", Value: s.statusText},
					{Key: "uri", Value: s.key.uri},
				},
				count: s.count, total: s.total, max: s.max,
			}
		}
		return "Duration of HTTP server requests.", "seconds", kindTimer, samples, true
	}
	r.mu.RLock()
	f, found := r.custom[name]
	var fam customFamily
	if found {
		fam = *f
	}
	r.mu.RUnlock()
	if !found {
		return "", "", 0, nil, false
	}
	samples = make([]sample, len(fam.series))
	for i, s := range fam.series {
		samples[i].tags = s.tags
		if s.counter != nil {
			samples[i].value = s.counter.Value()
		} else {
			samples[i].value = r.callGauge(fam.name, s.gauge)
		}
	}
	return fam.description, fam.unit, fam.kind, samples, true
}
