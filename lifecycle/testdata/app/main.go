// Command app is the test binary of package lifecycle: a small server run
// by the lifecycle, whose behaviour the flags shape. It prints what the tests
// observe on stdout, one line per event; the lifecycle logs on stderr.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/actuatorgo/actuator"
	"github.com/actuatorgo/actuator/lifecycle"
)

func main() {
	var (
		addr            = flag.String("addr", "127.0.0.1:0", "app listen address")
		mgmtAddr        = flag.String("mgmt-addr", "", "management listen address (probes, /shutdown); empty: on the app server")
		delay           = flag.Duration("shutdown-delay", 0, "shutdown delay")
		drainTimeout    = flag.Duration("drain-timeout", 5*time.Second, "drain timeout")
		shutdownTimeout = flag.Duration("shutdown-timeout", 20*time.Second, "overall shutdown deadline")
		hookTimeout     = flag.Duration("hook-timeout", 2*time.Second, "timeout of each hook")
		hooks           = flag.Int("hooks", 0, "register hooks h1..hN, each prints its name")
		hungHook        = flag.Bool("hung-hook", false, "register a last hook that ignores its context and never returns")
		failingHook     = flag.Bool("failing-hook", false, "register a last hook that returns an error")
		token           = flag.String("token", "", "serve /shutdown through the actuator, with actuator.BearerToken(token) as its authorizer; empty: the bare lifecycle.ShutdownHandler")
		taskMS          = flag.Int("task-ms", -1, "run a task that, once cancelled, needs this many ms to finish its unit of work")
		taskFailMS      = flag.Int("task-fail-ms", -1, "run a task that fails after this many ms")
		startUp         = flag.Duration("start-up", 0, "a slow start-up (migrations, cache warm-up) between lifecycle.New and Run")
	)
	flag.Parse()

	var lc *lifecycle.Lifecycle // the handlers below run only once Run serves
	var served atomic.Int64
	app := http.NewServeMux()
	app.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		served.Add(1)
		_, _ = io.WriteString(w, "ok\n")
	})
	app.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		ms, _ := strconv.Atoi(r.URL.Query().Get("ms"))
		id := r.URL.Query().Get("id")
		say("slow started " + id)
		if r.URL.Query().Get("ignore") != "" { // ignores cancellation
			time.Sleep(time.Duration(ms) * time.Millisecond)
			_, _ = io.WriteString(w, "slow done\n")
			return
		}
		t := time.NewTimer(time.Duration(ms) * time.Millisecond)
		defer t.Stop()
		select {
		case <-t.C:
			_, _ = io.WriteString(w, "slow done\n")
		case <-r.Context().Done():
			say("slow cancelled " + id)
			http.Error(w, "cancelled", http.StatusServiceUnavailable)
		}
	})
	app.HandleFunc("/hold", func(w http.ResponseWriter, r *http.Request) {
		ms, _ := strconv.Atoi(r.URL.Query().Get("ms"))
		release := lc.Hold("job")
		go func() {
			defer release()
			time.Sleep(time.Duration(ms) * time.Millisecond)
			say("job done")
		}()
		w.WriteHeader(http.StatusAccepted)
	})

	app.HandleFunc("/hijack", func(w http.ResponseWriter, r *http.Request) {
		// A hijacked connection, as a WebSocket would be: the server no
		// longer tracks it; OnDrain tells it to close, a Hold makes the
		// shutdown wait for it.
		release := lc.Hold("hijacked")
		defer release()
		conn, rw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			release()
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer conn.Close()
		drain := make(chan struct{})
		stop := lc.OnDrain(func() { close(drain) })
		defer stop()
		_, _ = rw.WriteString("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nhijacked\n")
		_ = rw.Flush()
		<-drain
		time.Sleep(200 * time.Millisecond) // a close handshake
		_, _ = rw.WriteString("bye\n")
		_ = rw.Flush()
		say("hijacked closed")
	})

	probes := app
	servers := []*http.Server{{Addr: *addr, Handler: app, IdleTimeout: 2 * time.Minute, ReadHeaderTimeout: 10 * time.Second}}
	var opts []lifecycle.Option
	if *mgmtAddr != "" {
		probes = http.NewServeMux()
		opts = append(opts, lifecycle.WithManagementServer(&http.Server{Addr: *mgmtAddr, Handler: probes, ReadHeaderTimeout: 10 * time.Second}))
	}
	probes.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) {
		if !lc.Ready() {
			http.Error(w, string(lc.Phase()), http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, string(lc.Phase())+"\n")
	})
	probes.HandleFunc("/livez", func(w http.ResponseWriter, r *http.Request) {
		if !lc.Live() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, "up\n")
	})
	opts = append(opts,
		lifecycle.WithShutdownDelay(*delay),
		lifecycle.WithDrainTimeout(*drainTimeout),
		lifecycle.WithShutdownTimeout(*shutdownTimeout),
		lifecycle.WithHookTimeout(*hookTimeout),
		lifecycle.WithLogger(slog.New(slog.NewTextHandler(os.Stderr, nil))),
	)
	lc = lifecycle.New(opts...)
	if *token != "" {
		// The library's guard: its authorizer (401 with a challenge, 403),
		// its cross-origin check, its shutdown endpoint on this lifecycle.
		a := actuator.New(
			actuator.WithShutdownEndpoint(),
			actuator.WithAuthorizer(actuator.BearerToken(*token)),
			actuator.WithLifecycle(lc),
		)
		probes.Handle("/shutdown", a.Handler("/"))
	} else {
		probes.Handle("/shutdown", lc.ShutdownHandler())
	}
	for i := 1; i <= *hooks; i++ {
		name := "h" + strconv.Itoa(i)
		lc.OnShutdown(name, func(context.Context) error {
			say("hook " + name)
			return nil
		})
	}
	if *failingHook {
		lc.OnShutdown("failing", func(context.Context) error {
			say("hook failing")
			return errors.New("cannot flush")
		})
	}
	if *hungHook {
		lc.OnShutdown("hung", func(context.Context) error {
			say("hook hung started")
			select {} // ignores its context
		})
	}
	if *taskMS >= 0 {
		lc.Go("batch", func(ctx context.Context) error {
			<-ctx.Done()
			time.Sleep(time.Duration(*taskMS) * time.Millisecond) // finish the current unit
			say("task batch done")
			return nil
		})
	}
	if *taskFailMS >= 0 {
		lc.Go("failer", func(ctx context.Context) error {
			time.Sleep(time.Duration(*taskFailMS) * time.Millisecond)
			return errors.New("queue lost")
		})
	}

	if *startUp > 0 {
		say("starting up")
		time.Sleep(*startUp)
		say("start-up done")
	}
	err := lc.Run(context.Background(), servers...)
	say(fmt.Sprintf("exit served=%d err=%v", served.Load(), err))
	os.Exit(lifecycle.ExitCode(err))
}

func say(s string) { fmt.Fprintln(os.Stdout, s) }
