// Package demo holds what the two demo apps share: flags, the demo's
// health check and its slow route.
package demo

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/actuatorgo/actuator"
	"github.com/actuatorgo/actuator/lifecycle"
)

// Flags are the demo apps' command-line settings.
type Flags struct {
	Addr          string
	ShutdownDelay time.Duration
	DrainTimeout  time.Duration
	ShutdownToken string
	Token         string

	level *slog.LevelVar // ROOT of the loggers endpoint; see Logger
}

// ParseFlags reads the flags both demos take.
func ParseFlags() Flags {
	var f Flags
	flag.StringVar(&f.Addr, "addr", defaultAddr(), "listen address (default :$PORT, else :8080)")
	flag.DurationVar(&f.ShutdownDelay, "shutdown-delay", -1, "readiness-fails-first delay before draining (-1: the library default)")
	flag.DurationVar(&f.DrainTimeout, "drain-timeout", -1, "longest wait for in-flight requests (-1: the library default)")
	flag.StringVar(&f.ShutdownToken, "shutdown-token", os.Getenv("SHUTDOWN_TOKEN"), "turn on POST .../shutdown, guarded by this bearer token")
	flag.StringVar(&f.Token, "token", defaultToken(), tokenFlagDoc)
	flag.Parse()
	f.level = new(slog.LevelVar)
	return f
}

// Options turns the flags into actuator options, with the Spring Boot
// Admin registration when SPRING_BOOT_ADMIN_CLIENT_URL is set (see
// [SpringBootAdmin]).
func (f Flags) Options() []actuator.Option {
	var lo []lifecycle.Option
	if f.ShutdownDelay >= 0 {
		lo = append(lo, lifecycle.WithShutdownDelay(f.ShutdownDelay))
	}
	if f.DrainTimeout >= 0 {
		lo = append(lo, lifecycle.WithDrainTimeout(f.DrainTimeout))
	}
	opts := append([]actuator.Option{actuator.WithLifecycleOptions(lo...)}, SpringBootAdmin()...)
	if f.ShutdownToken != "" {
		opts = append(opts, actuator.WithShutdownEndpoint())
	}
	return append(opts, f.operations()...)
}

// BaseURL is a URL a person can paste into a browser for the listen address.
func (f Flags) BaseURL() string {
	if strings.HasPrefix(f.Addr, ":") {
		return "http://localhost" + f.Addr
	}
	return "http://" + f.Addr
}

// PrintURLs prints what there is to try.
func PrintURLs(name, base, mgmt, lock string) {
	fmt.Printf(`%s demo (lock file %[4]s, released on shutdown)
  app:       %[2]s/   %[2]s/slow?ms=500   %[2]s/users/42
  index:     %[2]s%[3]s
  health:    %[2]s%[3]s/health   %[2]s%[3]s/health/liveness   %[2]s%[3]s/health/readiness
  probes:    %[2]s/livez   %[2]s/readyz
  info:      %[2]s%[3]s/info
  metrics:   %[2]s%[3]s/metrics   %[2]s%[3]s/prometheus
Stop it with Ctrl-C or SIGTERM for a graceful shutdown.
`, name, base, mgmt, lock)
}

// Run is the end of both demos' main: it takes the lock file (released by
// a shutdown hook), prints the URLs to try, serves srv until the graceful
// shutdown ends, and exits with [lifecycle.ExitCode]. mgmt is where the
// endpoints are.
func Run(a *actuator.Actuator, srv *http.Server, logger *slog.Logger, name, base, mgmt string) {
	lock, release, err := AcquireLock()
	if err != nil {
		logger.Error("cannot take the lock file", "err", err)
		os.Exit(1)
	}
	a.Lifecycle().OnShutdown("lock file", release) // hooks run after the drain, in reverse order
	PrintURLs(name, base, mgmt, lock)
	printOperations(base, mgmt)

	err = a.Run(context.Background(), srv)
	if err != nil {
		logger.Error("shutdown was not clean", "err", err)
	}
	a.Close()
	os.Exit(lifecycle.ExitCode(err))
}

// AcquireLock takes the demo's lock file, a stand-in for the file locks
// and connection pools a real service must release on shutdown: it is
// created exclusively in the temporary directory, named after the process.
// Register release with the lifecycle's OnShutdown.
func AcquireLock() (path string, release func(context.Context) error, err error) {
	path = filepath.Join(os.TempDir(), "actuator-demo-"+strconv.Itoa(os.Getpid())+".lock")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return "", nil, err
	}
	if _, err := fmt.Fprintln(f, os.Getpid()); err != nil {
		f.Close()
		os.Remove(path)
		return "", nil, err
	}
	release = func(context.Context) error {
		return errors.Join(f.Close(), os.Remove(path))
	}
	return path, release, nil
}

// Slow answers after ?ms= milliseconds (at most 30 s), to show in-flight
// requests finishing during a graceful shutdown.
func Slow(w http.ResponseWriter, r *http.Request) {
	ms, err := strconv.Atoi(r.URL.Query().Get("ms"))
	if err != nil || ms < 0 || ms > 30000 {
		http.Error(w, "ms must be an integer between 0 and 30000", http.StatusBadRequest)
		return
	}
	t := time.NewTimer(time.Duration(ms) * time.Millisecond)
	defer t.Stop()
	select {
	case <-t.C:
		fmt.Fprintf(w, "slept %d ms\n", ms)
	case <-r.Context().Done():
	}
}

// TempDirWritable is the demos' health check: can the process write a file?
func TempDirWritable(ctx context.Context) error {
	f, err := os.CreateTemp("", "health-*")
	if err != nil {
		return err
	}
	name := f.Name()
	if err := f.Close(); err != nil {
		return err
	}
	return os.Remove(name)
}

func defaultAddr() string {
	if p := os.Getenv("PORT"); p != "" {
		return ":" + p
	}
	return ":8080"
}
