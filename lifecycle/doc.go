// Package lifecycle runs HTTP servers and shuts them down without dropping a
// request: it holds the readiness and liveness state that the probes report,
// handles SIGTERM and SIGINT, and carries out the shutdown sequence once,
// whatever triggers it (a signal, the shutdown endpoint, a failed task, a
// cancelled context, a call to [Lifecycle.Shutdown]).
//
// # Usage
//
//	lc := lifecycle.New(lifecycle.WithLogger(slog.Default()))
//	lc.OnShutdown("db", func(ctx context.Context) error { return db.Close() })
//	srv := &http.Server{Addr: ":8080", Handler: mux, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
//	err := lc.Run(context.Background(), srv)
//	os.Exit(lifecycle.ExitCode(err))
//
// # The sequence
//
//  1. The trigger: readiness turns not-ready at once ([PhaseDelaying]);
//     liveness stays up; [Lifecycle.Stopping] closes, the cue to
//     deregister from registries and admin servers. Responses whose headers are written from now on
//     (requests in flight included) get "Connection: close"; a connection
//     whose response was flushed before cannot be told, and is closed once
//     idle for the idle linger ([WithIdleLinger]).
//  2. The delay ([WithShutdownDelay]): the servers keep accepting and serving
//     while load balancers and Kubernetes endpoints notice the readiness
//     failure and stop routing here.
//  3. The drain ([PhaseDraining], [WithDrainTimeout]): the app listeners
//     close; in-flight requests finish; idle keep-alive connections close
//     once idle for the idle linger, serving with "Connection: close" a
//     request their client sends meanwhile; [Lifecycle.Draining] closes,
//     [Lifecycle.OnDrain] callbacks run (for hijacked connections), and the
//     contexts of [Lifecycle.Go] tasks and of the requests of handlers
//     wrapped by [Lifecycle.EndAtDrain] (server-sent events, long polls) are
//     cancelled.
//  4. At the drain deadline, request contexts are cancelled; the connections
//     left are counted, logged and closed.
//  5. Blocking tasks ([Lifecycle.Hold], [Lifecycle.Go]) are awaited, bounded
//     by the overall deadline ([WithShutdownTimeout]).
//  6. Cleanup hooks ([Lifecycle.OnShutdown], [PhaseCleanup]) run in reverse
//     registration order, each bounded by [WithHookTimeout]; errors joined.
//  7. The management server ([WithManagementServer]), which kept answering
//     probes all along, stops last; Run returns; [ExitCode] maps its error.
//
// A second signal exits the process at once.
//
// The signals are taken over from [New] on: one that arrives before Run (a
// slow start-up) starts the sequence at once, so the hooks run; Run then
// serves nothing and returns its result, and a program that never calls Run
// exits with its exit code when the sequence is over (see [WithSignals]).
package lifecycle
