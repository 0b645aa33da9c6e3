// Package diag serves the actuator's diagnostic endpoints: threaddump
// (every goroutine's stack), heapdump (a heap profile) and pprof (the
// profiles of net/http/pprof). Each reveals the program's internals and
// costs the process something to produce: the actuator keeps them off
// until exposed and guards them with its authorizer.
//
// Each is a domain object with a Handler that works on its own at any path
// of any [net/http.ServeMux]:
//
//	mux.Handle("GET /threaddump", diag.NewThreadDump().Handler())
//	mux.Handle("GET /heapdump", diag.NewHeapDump().Handler())
//	p := diag.NewPprof().Handler()
//	mux.Handle("/pprof", p)
//	mux.Handle("/pprof/{path...}", p)
//
// # threaddump
//
// JSON in the shape of Spring Boot's thread dump, so Spring Boot Admin
// shows it: {"threads":[{"threadName":"goroutine 18","threadId":18,
// "threadState":"WAITING","stackTrace":[{"className":"net/http.(*Server)",
// "methodName":"Serve","fileName":"server.go","lineNumber":3360,...}],
// "waitReason":"chan receive","waitMinutes":3,...}],"mode":"full",
// "goroutines":12,"truncated":false}. The wait reason maps onto Java's
// states: running, runnable and syscall are RUNNABLE, sleep is
// TIMED_WAITING, sync.Mutex.Lock, sync.RWMutex.* and semacquire are
// BLOCKED, every other wait is WAITING. A client that asks for text/plain
// gets the runtime's own text, as goroutine?debug=2 writes it.
//
// Listing goroutines one by one (runtime.Stack) stops the world while it
// collects, 4 to 8 µs per goroutine. Above [WithMaxGoroutines] (default
// 1,000) the dump groups goroutines by stack instead, from the goroutine
// profile, collected while the program runs, with pauses of about a
// millisecond or less whatever the count: "mode":"grouped", each entry with a "count" and threadState
// UNKNOWN. The text is bounded by [WithMaxStackBytes] (64 MiB) and cut
// after the last whole goroutine, "truncated":true; each goroutine lists at
// most [WithMaxFrames] frames (100), "framesTruncated":true.
//
// # heapdump
//
// The heap profile of runtime/pprof, gzipped protocol buffers that go tool
// pprof reads, as application/octet-stream with a file name; ?gc=true
// collects garbage first. One at a time (409).
//
// # pprof
//
// The index, profile (CPU, ?seconds bounded by [WithMaxProfileDuration],
// default 30), trace, cmdline, symbol and every named profile (goroutine,
// heap, allocs, block, mutex, threadcreate), by sub-path, one CPU profile
// and one trace at a time (409). This package does not import
// net/http/pprof, whose init publishes all of it on
// http.DefaultServeMux.
//
// docs/diagnostics.md gives the measured pauses and the security notes.
package diag
