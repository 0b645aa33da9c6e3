package metrics

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// Indexes of the runtime/metrics samples a registry reads.
const (
	rmGoroutines = iota
	rmGomaxprocs
	rmGOGC
	rmMemLimit
	rmGCCycles
	rmHeapGoal
	rmHeapObjects
	rmAllocBytes
	rmAllocObjects
	rmFreeObjects
	rmTinyAllocs
	rmHeapFree
	rmHeapObjectsBytes
	rmHeapReleased
	rmHeapStacks
	rmHeapUnused
	rmMCacheFree
	rmMCacheInuse
	rmMSpanFree
	rmMSpanInuse
	rmMetadataOther
	rmOSStacks
	rmOther
	rmProfBuckets
	rmTotal
	rmGCPauses
	rmCount
)

var runtimeNames = [rmCount]string{
	rmGoroutines:       "/sched/goroutines:goroutines",
	rmGomaxprocs:       "/sched/gomaxprocs:threads",
	rmGOGC:             "/gc/gogc:percent",
	rmMemLimit:         "/gc/gomemlimit:bytes",
	rmGCCycles:         "/gc/cycles/total:gc-cycles",
	rmHeapGoal:         "/gc/heap/goal:bytes",
	rmHeapObjects:      "/gc/heap/objects:objects",
	rmAllocBytes:       "/gc/heap/allocs:bytes",
	rmAllocObjects:     "/gc/heap/allocs:objects",
	rmFreeObjects:      "/gc/heap/frees:objects",
	rmTinyAllocs:       "/gc/heap/tiny/allocs:objects",
	rmHeapFree:         "/memory/classes/heap/free:bytes",
	rmHeapObjectsBytes: "/memory/classes/heap/objects:bytes",
	rmHeapReleased:     "/memory/classes/heap/released:bytes",
	rmHeapStacks:       "/memory/classes/heap/stacks:bytes",
	rmHeapUnused:       "/memory/classes/heap/unused:bytes",
	rmMCacheFree:       "/memory/classes/metadata/mcache/free:bytes",
	rmMCacheInuse:      "/memory/classes/metadata/mcache/inuse:bytes",
	rmMSpanFree:        "/memory/classes/metadata/mspan/free:bytes",
	rmMSpanInuse:       "/memory/classes/metadata/mspan/inuse:bytes",
	rmMetadataOther:    "/memory/classes/metadata/other:bytes",
	rmOSStacks:         "/memory/classes/os-stacks:bytes",
	rmOther:            "/memory/classes/other:bytes",
	rmProfBuckets:      "/memory/classes/profiling/buckets:bytes",
	rmTotal:            "/memory/classes/total:bytes",
	rmGCPauses:         "/sched/pauses/total/gc:seconds",
}

// memoryClasses are the leaves of /memory/classes, whose sum is
// /memory/classes/total:bytes; go.memory.used is tagged with them.
var memoryClasses = [...]struct {
	index int
	class string
}{
	{rmHeapObjectsBytes, "heap/objects"},
	{rmHeapUnused, "heap/unused"},
	{rmHeapFree, "heap/free"},
	{rmHeapReleased, "heap/released"},
	{rmHeapStacks, "heap/stacks"},
	{rmOSStacks, "os-stacks"},
	{rmMSpanInuse, "metadata/mspan/inuse"},
	{rmMSpanFree, "metadata/mspan/free"},
	{rmMCacheInuse, "metadata/mcache/inuse"},
	{rmMCacheFree, "metadata/mcache/free"},
	{rmMetadataOther, "metadata/other"},
	{rmProfBuckets, "profiling/buckets"},
	{rmOther, "other"},
}

// pauseQuantiles are the quantiles of go_gc_duration_seconds, as
// client_golang publishes them.
var pauseQuantiles = [...]float64{0, 0.25, 0.5, 0.75, 1}

// pauseStats summarises the runtime's histogram of stop-the-world pauses
// caused by the garbage collector.
type pauseStats struct {
	count     float64
	sum       float64 // estimated from bucket midpoints
	max       float64 // upper bound of the highest non-empty bucket
	quantiles [len(pauseQuantiles)]float64
}

// runtimeReading is one read of runtime/metrics. Values the running Go
// version does not support are NaN.
type runtimeReading struct {
	v              [rmCount]float64
	threadsCreated float64
	pauses         pauseStats
	// lastGC is the end of the last GC cycle in seconds since the Unix
	// epoch, 0 before the first one (debug.GCStats.LastGC).
	lastGC float64
}

func (rt *runtimeReading) get(i int) float64 { return rt.v[i] }

// runtimeReader reads runtime/metrics into a reused sample buffer.
type runtimeReader struct {
	mu      sync.Mutex
	samples [rmCount]metrics.Sample
	// gc is reused so that debug.ReadGCStats allocates only on the first
	// read. runtime/metrics has no time of the last GC; ReadGCStats takes
	// the heap lock briefly but does not stop the world.
	gc debug.GCStats
	// gcCycles is the cycle count when lastGC was read.
	gcCycles, lastGC float64
}

func (r *runtimeReader) init() {
	for i := range r.samples {
		r.samples[i].Name = runtimeNames[i]
	}
}

func (r *runtimeReader) read() runtimeReading {
	var out runtimeReading
	r.mu.Lock()
	metrics.Read(r.samples[:])
	for i := range r.samples {
		v := r.samples[i].Value
		switch v.Kind() {
		case metrics.KindUint64:
			out.v[i] = float64(v.Uint64())
		case metrics.KindFloat64:
			out.v[i] = v.Float64()
		case metrics.KindFloat64Histogram:
			out.v[i] = 0
			out.pauses = summarise(v.Float64Histogram())
		default:
			out.v[i] = math.NaN()
		}
	}
	// The time of the last GC changes only with the cycle count, so the
	// pause history is copied only when a cycle has ended since.
	if c := out.v[rmGCCycles]; c != r.gcCycles {
		debug.ReadGCStats(&r.gc)
		if ns := r.gc.LastGC.UnixNano(); r.gc.NumGC > 0 && ns > 0 {
			r.lastGC = float64(ns) / 1e9
		}
		r.gcCycles = c
	}
	out.lastGC = r.lastGC
	r.mu.Unlock()
	if n, _ := runtime.ThreadCreateProfile(nil); n > 0 {
		out.threadsCreated = float64(n)
	} else {
		out.threadsCreated = math.NaN()
	}
	return out
}

// finite returns the bucket boundary b, replacing an infinite one by the
// other boundary of the same bucket.
func finite(b, other float64) float64 {
	if math.IsInf(b, 0) {
		return other
	}
	return b
}

// summarise estimates count, sum, maximum and quantiles from a runtime
// histogram. Quantiles are the upper bound of the bucket holding the rank
// (the lower bound for quantile 0), so they overestimate by at most one
// bucket width; the runtime's buckets are a few percent wide.
func summarise(h *metrics.Float64Histogram) pauseStats {
	var s pauseStats
	var total uint64
	for i, c := range h.Counts {
		if c == 0 {
			continue
		}
		lo, hi := bounds(h, i)
		total += c
		s.sum += float64(c) * (lo + hi) / 2
		s.max = hi
	}
	s.count = float64(total)
	if total == 0 {
		// Quantiles stay 0, as client_golang reports them before the first
		// GC (debug.GCStats.PauseQuantiles are zero then).
		return s
	}
	qi := 0
	var seen uint64
	for i, c := range h.Counts {
		if c == 0 {
			continue
		}
		lo, hi := bounds(h, i)
		for qi < len(pauseQuantiles) && pauseQuantiles[qi] == 0 {
			s.quantiles[qi] = lo
			qi++
		}
		seen += c
		for qi < len(pauseQuantiles) && float64(seen) >= pauseQuantiles[qi]*float64(total) {
			s.quantiles[qi] = hi
			qi++
		}
	}
	for ; qi < len(pauseQuantiles); qi++ {
		s.quantiles[qi] = s.max
	}
	return s
}

// bounds returns the bounds of h's bucket i, an infinite one replaced by
// its finite neighbour (see finite).
func bounds(h *metrics.Float64Histogram, i int) (lo, hi float64) {
	lo, hi = h.Buckets[i], h.Buckets[i+1]
	return finite(lo, hi), finite(hi, lo)
}

// pauseQuantileLabels are the sample names and labels of the quantiles of
// go_gc_duration_seconds.
var pauseQuantileLabels = [len(pauseQuantiles)]string{
	`go_gc_duration_seconds{quantile="0"}`,
	`go_gc_duration_seconds{quantile="0.25"}`,
	`go_gc_duration_seconds{quantile="0.5"}`,
	`go_gc_duration_seconds{quantile="0.75"}`,
	`go_gc_duration_seconds{quantile="1"}`,
}
