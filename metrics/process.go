package metrics

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/shirou/gopsutil/v3/cpu"
	"github.com/shirou/gopsutil/v3/load"
	"github.com/shirou/gopsutil/v3/mem"
	"github.com/shirou/gopsutil/v3/process"
)

// fallbackStart is used as the process start when the operating system
// cannot tell it; it is set when the program initialises this package.
var fallbackStart = time.Now()

// limitsTTL is how long the file descriptor limit is reused: limits
// change rarely, and reading them costs as much as a memory reading.
const limitsTTL = time.Minute

// processReading is one read of process and system data. Values the
// platform cannot provide are NaN.
type processReading struct {
	at         time.Time
	start      time.Time
	cpuSeconds float64
	cpuUsage   float64
	// sysCPUUsage is the busy share of the whole machine's CPU time (0 to
	// 1) since the previous reading, since boot for the first one.
	sysCPUUsage float64
	vmMax       float64 // soft RLIMIT_AS; MaxUint64 when unlimited, as procfs reads it
	netRecv     float64 // IpExt InOctets of the process's network namespace
	netSent     float64 // IpExt OutOctets
	rss         float64
	vms         float64
	openFDs     float64
	maxFDs      float64
	threads     float64
	cpuCount    float64
	load1       float64
	load5       float64
	load15      float64
	memTotal    float64
	memAvail    float64
}

// uptime is the process uptime at the time of the reading.
func (p *processReading) uptime() time.Duration {
	if d := p.at.Sub(p.start); d > 0 {
		return d
	}
	return 0
}

// processReader reads the current process through one reused gopsutil
// Process, and caches the reading for the configured TTL. Concurrent
// callers of a stale reading wait for one refresh instead of each reading
// /proc.
type processReader struct {
	cfg config

	mu       sync.Mutex
	proc     *process.Process
	procErr  error
	start    time.Time
	cpuCount float64
	last     processReading
	valid    bool
	prevCPU  float64   // CPU seconds at the previous refresh
	prevAt   time.Time // time of the previous refresh
	maxFDs   float64   // soft RLIMIT_NOFILE, read every limitsTTL
	vmMax    float64   // soft RLIMIT_AS, read with maxFDs
	limitsAt time.Time // when maxFDs was read
	// prevBusy and prevTotal are the machine's cumulative busy and total
	// CPU seconds at the previous refresh; prevTotal is 0 before the first.
	prevBusy, prevTotal float64
	netstatPath         string
	netstatBuf          []byte // reused by readNetstat
	logged              map[string]bool
}

func newProcessReader(cfg config) *processReader {
	return &processReader{cfg: cfg, logged: make(map[string]bool)}
}

// read returns the cached reading, refreshing it when it is older than the
// TTL.
func (r *processReader) read() processReading {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.cfg.now()
	if r.valid && r.cfg.cacheTTL > 0 && now.Sub(r.last.at) < r.cfg.cacheTTL && !now.Before(r.last.at) {
		return r.last
	}
	r.refresh(now)
	return r.last
}

// fail logs err once per source, when a logger is configured.
func (r *processReader) fail(source string, err error) {
	if r.cfg.logger == nil || r.logged[source] {
		return
	}
	r.logged[source] = true
	r.cfg.logger.Warn("metrics: cannot read process data; the metric is left out", "source", source, "err", err)
}

func (r *processReader) refresh(now time.Time) {
	nan := math.NaN()
	out := processReading{
		at: now, cpuSeconds: nan, cpuUsage: nan, sysCPUUsage: nan, vmMax: nan, netRecv: nan, netSent: nan, rss: nan, vms: nan, openFDs: nan,
		maxFDs: nan, threads: nan, cpuCount: nan, load1: nan, load5: nan, load15: nan,
		memTotal: nan, memAvail: nan,
	}
	if r.proc == nil && r.procErr == nil {
		r.initProcess()
	}
	out.start = r.start
	out.cpuCount = r.cpuCount

	if p := r.proc; p != nil {
		if t, err := p.Times(); err == nil {
			out.cpuSeconds = t.User + t.System
		} else {
			r.fail("cpu times", err)
		}
		if m, err := p.MemoryInfo(); err == nil {
			out.rss, out.vms = float64(m.RSS), float64(m.VMS)
		} else {
			r.fail("memory", err)
		}
		if n, err := p.NumFDs(); err == nil {
			out.openFDs = float64(n)
		} else {
			r.fail("open files", err)
		}
		if n, err := p.NumThreads(); err == nil {
			out.threads = float64(n)
		} else {
			r.fail("threads", err)
		}
		if r.limitsAt.IsZero() || now.Sub(r.limitsAt) >= limitsTTL || now.Before(r.limitsAt) {
			r.maxFDs, r.vmMax, r.limitsAt = nan, nan, now
			if limits, err := p.Rlimit(); err == nil {
				for _, l := range limits {
					if l.Resource == process.RLIMIT_NOFILE && l.Soft < math.MaxInt64 {
						r.maxFDs = float64(l.Soft)
					}
					if l.Resource == process.RLIMIT_AS {
						// "unlimited" is MaxUint64 here, as in procfs,
						// which client_golang reports as is.
						r.vmMax = float64(l.Soft)
					}
				}
			} else {
				r.fail("limits", err)
			}
		}
		out.maxFDs, out.vmMax = r.maxFDs, r.vmMax
		if r.netstatPath == "" {
			r.netstatPath = "/proc/" + strconv.Itoa(int(p.Pid)) + "/net/netstat"
		}
		out.netRecv, out.netSent = readNetstat(r.netstatPath, &r.netstatBuf)
	}
	if t, err := cpu.Times(false); err == nil && len(t) > 0 {
		// Busy and total as the kernel counts them in /proc/stat; guest
		// time is already part of user time there.
		c := t[0]
		busy := c.User + c.Nice + c.System + c.Irq + c.Softirq + c.Steal
		total := busy + c.Idle + c.Iowait
		if total > r.prevTotal && busy >= r.prevBusy {
			out.sysCPUUsage = math.Min(1, (busy-r.prevBusy)/(total-r.prevTotal))
		} else if r.valid {
			out.sysCPUUsage = r.last.sysCPUUsage
		}
		r.prevBusy, r.prevTotal = busy, total
	} else if err != nil {
		r.fail("system cpu times", err)
	}
	if a, err := load.Avg(); err == nil {
		out.load1, out.load5, out.load15 = a.Load1, a.Load5, a.Load15
	} else {
		r.fail("load average", err)
	}
	if v, err := mem.VirtualMemory(); err == nil {
		out.memTotal, out.memAvail = float64(v.Total), float64(v.Available)
	} else {
		r.fail("system memory", err)
	}

	// CPU usage since the previous refresh (since the process start for the
	// first one), over all CPUs, as Micrometer's process.cpu.usage.
	if !math.IsNaN(out.cpuSeconds) {
		prevCPU, prevAt := r.prevCPU, r.prevAt
		if prevAt.IsZero() {
			prevCPU, prevAt = 0, out.start
		}
		wall := now.Sub(prevAt).Seconds()
		cpus := out.cpuCount
		if math.IsNaN(cpus) || cpus < 1 {
			cpus = 1
		}
		if wall > 0 && out.cpuSeconds >= prevCPU {
			out.cpuUsage = math.Min(1, (out.cpuSeconds-prevCPU)/(wall*cpus))
		} else if r.valid {
			out.cpuUsage = r.last.cpuUsage
		}
		r.prevCPU, r.prevAt = out.cpuSeconds, now
	}
	r.last, r.valid = out, true
}

// initProcess opens the gopsutil Process and reads what never changes.
func (r *processReader) initProcess() {
	r.start = fallbackStart
	r.cpuCount = math.NaN()
	// Without this, gopsutil reads /proc/stat for the boot time on every
	// CPU-time read, half of that read's cost. The boot time never changes,
	// so caching it (a gopsutil-wide setting) is safe for every caller.
	process.EnableBootTimeCache(true)
	pid := os.Getpid()
	if pid > math.MaxInt32 {
		r.procErr = fmt.Errorf("pid %d out of range", pid)
		r.fail("process", r.procErr)
	} else if p, err := process.NewProcess(int32(pid)); err == nil {
		r.proc = p
		if ms, err := p.CreateTime(); err == nil && ms > 0 {
			r.start = time.UnixMilli(ms)
		} else if err != nil {
			r.fail("start time", err)
		}
	} else {
		r.procErr = err
		r.fail("process", err)
	}
	if n, err := cpu.Counts(true); err == nil && n > 0 {
		r.cpuCount = float64(n)
	} else if err != nil {
		r.fail("cpu count", err)
	}
}

// readNetstat returns the IpExt InOctets and OutOctets counters of
// /proc/<pid>/net/netstat (the bytes received and sent in the process's
// network namespace), as client_golang's process collector reads them
// (prometheus/process_collector_procfsenabled.go, through procfs Netstat).
// Both are NaN where the file does not exist. buf is reused between reads.
func readNetstat(path string, buf *[]byte) (in, out float64) {
	in, out = math.NaN(), math.NaN()
	f, err := os.Open(path)
	if err != nil {
		return in, out
	}
	b := (*buf)[:0]
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := f.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil || n == 0 {
			break
		}
	}
	f.Close()
	*buf = b
	// The file holds pairs of lines: "IpExt: name name ..." then
	// "IpExt: value value ...".
	const prefix = "IpExt: "
	i := bytes.Index(b, []byte(prefix))
	if i < 0 {
		return in, out
	}
	names, rest, _ := bytes.Cut(b[i+len(prefix):], []byte("\n"))
	j := bytes.Index(rest, []byte(prefix))
	if j < 0 {
		return in, out
	}
	values, _, _ := bytes.Cut(rest[j+len(prefix):], []byte("\n"))
	for len(names) > 0 && len(values) > 0 {
		var name, value []byte
		name, names, _ = bytes.Cut(names, []byte(" "))
		value, values, _ = bytes.Cut(values, []byte(" "))
		switch string(name) {
		case "InOctets":
			in = parseUint(value)
		case "OutOctets":
			out = parseUint(value)
		}
	}
	return in, out
}

// parseUint parses decimal digits; anything else is NaN.
func parseUint(b []byte) float64 {
	if len(b) == 0 {
		return math.NaN()
	}
	var v float64
	for _, c := range b {
		if c < '0' || c > '9' {
			return math.NaN()
		}
		v = v*10 + float64(c-'0')
	}
	return v
}
