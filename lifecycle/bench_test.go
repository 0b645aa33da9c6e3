package lifecycle_test

import (
	"fmt"
	"net/http"
	"syscall"
	"testing"
	"time"
)

// BenchmarkShutdownOverhead measures what the shutdown sequence costs on top
// of the waits it is asked for: the time from SIGTERM to the process's exit
// minus (the shutdown delay + what the longest in-flight request still
// needed). Each iteration starts the test app (not timed), sends SIGTERM and
// waits for the exit; ns/op is SIGTERM to exit, overhead-ms/op the cost.
//
//	go test -run '^$' -bench ShutdownOverhead -benchtime 10x ./lifecycle/
func BenchmarkShutdownOverhead(b *testing.B) {
	const delay = 200 * time.Millisecond
	b.Run("idle", func(b *testing.B) {
		var overhead time.Duration
		for b.Loop() {
			b.StopTimer()
			p := startBenchApp(b, delay)
			b.StartTimer()
			sigterm := time.Now()
			p.signal(syscall.SIGTERM)
			if code := p.exitCode(); code != 0 {
				b.Fatalf("exit code %d", code)
			}
			overhead += p.exitedAt.Sub(sigterm) - delay
		}
		b.ReportMetric(float64(overhead.Microseconds())/1000/float64(b.N), "overhead-ms/op")
	})
	b.Run("in-flight", func(b *testing.B) {
		// A request that outlasts the delay by 300 ms: the exit can come no
		// sooner than its response; the overhead is what follows it.
		const slow = delay + 300*time.Millisecond
		var overhead time.Duration
		for b.Loop() {
			b.StopTimer()
			p := startBenchApp(b, delay)
			c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
			answered := make(chan time.Time, 1)
			go func() {
				r := get(c, p.url(fmt.Sprintf("/slow?ms=%d&id=bench", slow.Milliseconds())))
				if r.err != nil || r.status != http.StatusOK {
					b.Errorf("in-flight request: %d %v", r.status, r.err)
				}
				answered <- time.Now()
			}()
			p.waitOutput("slow started bench")
			b.StartTimer()
			p.signal(syscall.SIGTERM)
			if code := p.exitCode(); code != 0 {
				b.Fatalf("exit code %d", code)
			}
			overhead += p.exitedAt.Sub(<-answered)
		}
		b.ReportMetric(float64(overhead.Microseconds())/1000/float64(b.N), "overhead-ms/op")
	})
}

func startBenchApp(b *testing.B, delay time.Duration) *proc {
	b.Helper()
	return startApp(b, "-shutdown-delay", delay.String(), "-drain-timeout", "10s")
}
