package metrics

import "math"

// sample is one series of a meter at read time.
type sample struct {
	tags  []Tag
	value float64 // gauges and counters
	count float64 // timers
	total float64 // timers
	max   float64 // timers
}

// builtin is a meter of the JSON side. Scalar meters have value; the
// others build their series.
type builtin struct {
	name, description, unit string
	kind                    kind
	value                   func(*runtimeReading, *processReading) float64
	series                  func(*runtimeReading) []sample
}

func (b *builtin) available(rt *runtimeReading, pr *processReading) bool {
	if b.value == nil {
		return true
	}
	return !math.IsNaN(b.value(rt, pr))
}

func (b *builtin) samples(rt *runtimeReading, pr *processReading) []sample {
	if b.series != nil {
		return b.series(rt)
	}
	v := b.value(rt, pr)
	if math.IsNaN(v) {
		return nil
	}
	return []sample{{value: v}}
}

func rtValue(i int) func(*runtimeReading, *processReading) float64 {
	return func(rt *runtimeReading, _ *processReading) float64 { return rt.get(i) }
}

// builtins lists the Spring-side meters. Names follow Micrometer where it
// has an equivalent (process.*, system.*), and use a go.* prefix for the
// Go runtime, as Micrometer uses jvm.*.
var builtins = [...]builtin{
	{name: "go.goroutines", description: "Number of goroutines that currently exist.", unit: "goroutines", value: rtValue(rmGoroutines)},
	{name: "go.threads", description: "Number of OS threads created.", unit: "threads",
		value: func(rt *runtimeReading, _ *processReading) float64 { return rt.threadsCreated }},
	{name: "go.gomaxprocs", description: "The current runtime.GOMAXPROCS setting.", unit: "threads", value: rtValue(rmGomaxprocs)},
	{name: "go.gc.gogc", description: "Heap growth target percentage (GOGC); -1 when the collector is off.", unit: "percent", value: rtValue(rmGOGC)},
	{name: "go.memory.limit", description: "Go runtime soft memory limit (GOMEMLIMIT).", unit: "bytes", value: rtValue(rmMemLimit)},
	{name: "go.memory.used", description: "Memory mapped by the Go runtime, by class (tag class); all classes sum to the total.", unit: "bytes", series: memorySeries},
	{name: "go.memory.heap.alloc", description: "Bytes of allocated heap objects, reachable or not yet swept (MemStats.HeapAlloc).", unit: "bytes", value: rtValue(rmHeapObjectsBytes)},
	{name: "go.memory.heap.goal", description: "Heap size target for the end of the current GC cycle.", unit: "bytes", value: rtValue(rmHeapGoal)},
	{name: "go.memory.heap.objects", description: "Number of objects, live or unswept, occupying heap memory.", unit: "objects", value: rtValue(rmHeapObjects)},
	{name: "go.memory.allocated", description: "Cumulative bytes allocated on the heap.", unit: "bytes", kind: kindCounter, value: rtValue(rmAllocBytes)},
	{name: "go.gc.cycles", description: "Completed GC cycles.", unit: "cycles", kind: kindCounter, value: rtValue(rmGCCycles)},
	{name: "go.gc.pause", description: "Stop-the-world pauses of the garbage collector (total and max estimated from the runtime's histogram).", unit: "seconds", kind: kindTimer, series: pauseSeries},
	{name: "process.uptime", description: "The uptime of the process.", unit: "seconds",
		value: func(_ *runtimeReading, pr *processReading) float64 { return pr.uptime().Seconds() }},
	{name: "process.start.time", description: "Start time of the process since the Unix epoch.", unit: "seconds",
		value: func(_ *runtimeReading, pr *processReading) float64 { return float64(pr.start.UnixMilli()) / 1e3 }},
	{name: "process.cpu.time", description: "User and system CPU time used by the process.", unit: "seconds", kind: kindCounter,
		value: func(_ *runtimeReading, pr *processReading) float64 { return pr.cpuSeconds }},
	{name: "process.cpu.usage", description: "Recent CPU usage of the process, over all CPUs (0 to 1), since the previous reading.",
		value: func(_ *runtimeReading, pr *processReading) float64 { return pr.cpuUsage }},
	{name: "process.memory.rss", description: "Resident memory size of the process.", unit: "bytes",
		value: func(_ *runtimeReading, pr *processReading) float64 { return pr.rss }},
	{name: "process.memory.virtual", description: "Virtual memory size of the process.", unit: "bytes",
		value: func(_ *runtimeReading, pr *processReading) float64 { return pr.vms }},
	{name: "process.files.open", description: "Open file descriptors.", unit: "files",
		value: func(_ *runtimeReading, pr *processReading) float64 { return pr.openFDs }},
	{name: "process.files.max", description: "Maximum number of open file descriptors (soft limit).", unit: "files",
		value: func(_ *runtimeReading, pr *processReading) float64 { return pr.maxFDs }},
	{name: "process.threads", description: "OS threads of the process.", unit: "threads",
		value: func(_ *runtimeReading, pr *processReading) float64 { return pr.threads }},
	{name: "system.cpu.usage", description: "Recent CPU usage of the whole machine (0 to 1), since the previous reading.",
		value: func(_ *runtimeReading, pr *processReading) float64 { return pr.sysCPUUsage }},
	{name: "system.cpu.count", description: "Number of logical CPUs of the machine.",
		value: func(_ *runtimeReading, pr *processReading) float64 { return pr.cpuCount }},
	{name: "system.load.average.1m", description: "System load average over the last minute.",
		value: func(_ *runtimeReading, pr *processReading) float64 { return pr.load1 }},
	{name: "system.load.average.5m", description: "System load average over the last 5 minutes.",
		value: func(_ *runtimeReading, pr *processReading) float64 { return pr.load5 }},
	{name: "system.load.average.15m", description: "System load average over the last 15 minutes.",
		value: func(_ *runtimeReading, pr *processReading) float64 { return pr.load15 }},
	{name: "system.memory.total", description: "Total physical memory of the machine.", unit: "bytes",
		value: func(_ *runtimeReading, pr *processReading) float64 { return pr.memTotal }},
	{name: "system.memory.available", description: "Memory available to start new programs without swapping.", unit: "bytes",
		value: func(_ *runtimeReading, pr *processReading) float64 { return pr.memAvail }},
}

func memorySeries(rt *runtimeReading) []sample {
	out := make([]sample, 0, len(memoryClasses))
	for _, c := range memoryClasses {
		if v := rt.get(c.index); !math.IsNaN(v) {
			out = append(out, sample{tags: []Tag{{Key: "class", Value: c.class}}, value: v})
		}
	}
	return out
}

func pauseSeries(rt *runtimeReading) []sample {
	p := rt.pauses
	return []sample{{count: p.count, total: p.sum, max: p.max}}
}

func findBuiltin(name string) *builtin {
	for i := range builtins {
		if builtins[i].name == name {
			return &builtins[i]
		}
	}
	return nil
}

func isBuiltinName(name string) bool {
	return name == httpServerRequests || findBuiltin(name) != nil
}
