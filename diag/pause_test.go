package diag

import (
	"fmt"
	"math"
	"net/http"
	"runtime/metrics"
	"strconv"
	"testing"
)

// pauseMetrics are the runtime's stop-the-world histograms: pauses for
// the garbage collector and for everything else (runtime.Stack, profiles).
var pauseMetrics = []string{"/sched/pauses/total/gc:seconds", "/sched/pauses/total/other:seconds"}

func readPauses() []metrics.Sample {
	s := make([]metrics.Sample, len(pauseMetrics))
	for i, n := range pauseMetrics {
		s[i].Name = n
	}
	metrics.Read(s)
	return s
}

// pauses is what a reading cost in stop-the-world pauses: for the
// garbage collector's and for the others (runtime.Stack, profiles), the
// upper bound of the highest histogram bucket that gained a pause (the
// lower bound when that bucket is open-ended), and how many there were.
type pauses struct {
	gc, other float64
	count     uint64
}

func longestPause(before, after []metrics.Sample) pauses {
	var p pauses
	for i := range before {
		a, b := before[i].Value.Float64Histogram(), after[i].Value.Float64Histogram()
		for j := range b.Counts {
			if d := b.Counts[j] - a.Counts[j]; d > 0 {
				p.count += d
				bound := b.Buckets[j+1]
				if math.IsInf(bound, 1) {
					bound = b.Buckets[j]
				}
				if i == 0 {
					p.gc = max(p.gc, bound)
				} else {
					p.other = max(p.other, bound)
				}
			}
		}
	}
	return p
}

// measure serves target once and returns the pauses during it.
func measure(tb testing.TB, h http.Handler, target string, header ...string) pauses {
	before := readPauses()
	got := do(h, http.MethodGet, target, header...)
	after := readPauses()
	if got.code != http.StatusOK {
		tb.Fatalf("%s: %d %s", target, got.code, got.body)
	}
	return longestPause(before, after)
}

// TestReadingsReportTheirPauses logs the longest stop-the-world pause of
// each reading with 1,000 goroutines; the numbers for 10,000 and 100,000
// come from BenchmarkPauses. It asserts no duration.
func TestReadingsReportTheirPauses(t *testing.T) {
	defer park(1000, parkedOnChannel)()
	for _, tc := range []struct {
		name   string
		h      http.Handler
		target string
	}{
		{"threaddump full", NewThreadDump().Handler(), ""},
		{"threaddump grouped", NewThreadDump(WithMaxGoroutines(1)).Handler(), ""},
		{"heapdump", NewHeapDump().Handler(), ""},
		{"heapdump gc", NewHeapDump().Handler(), "?gc=true"},
		{"pprof goroutine", NewPprof().Handler(), "goroutine"},
	} {
		p := measure(t, tc.h, tc.target)
		t.Logf("%s: %d pauses, longest <= %.3g s (gc), %.3g s (other)", tc.name, p.count, p.gc, p.other)
	}
}

// BenchmarkPauses measures the longest stop-the-world pauses of a reading
// with 1,000, 10,000 and 100,000 parked goroutines, reported as
// max-other-pause-s (what the reading stops the world for) and
// max-gc-pause-s (collections during it, ?gc=true's among them):
//
//	go test -run '^$' -bench Pauses -benchtime 10x ./diag/
func BenchmarkPauses(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		stop := park(n, parkedOnChannel)
		for _, tc := range []struct {
			name   string
			h      http.Handler
			target string
		}{
			{"threaddump-full", NewThreadDump(WithMaxGoroutines(1 << 20)).Handler(), ""},
			{"threaddump-grouped", NewThreadDump(WithMaxGoroutines(1)).Handler(), ""},
			{"heapdump", NewHeapDump().Handler(), ""},
			{"heapdump-gc", NewHeapDump().Handler(), "?gc=true"},
			{"pprof-goroutine", NewPprof().Handler(), "goroutine"},
			{"pprof-goroutine-debug1", NewPprof().Handler(), "goroutine?debug=1"},
		} {
			b.Run(fmt.Sprintf("%s/goroutines=%s", tc.name, strconv.Itoa(n)), func(b *testing.B) {
				var worst pauses
				for b.Loop() {
					p := measure(b, tc.h, tc.target)
					worst.gc, worst.other = max(worst.gc, p.gc), max(worst.other, p.other)
				}
				b.ReportMetric(worst.other, "max-other-pause-s")
				b.ReportMetric(worst.gc, "max-gc-pause-s")
			})
		}
		stop()
	}
}
