package lifecycle_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/actuatorgo/actuator/lifecycle"
)

// The overall shutdown timeout is a hard bound: from the trigger, Run
// returns by the timeout plus lifecycle.DeadlineMargin whatever the hooks,
// the blocking tasks or the management server's requests do. Hooks that
// cannot start before the deadline are skipped and named in the error and
// the log.
func TestRunReturnsByTheOverallDeadline(t *testing.T) {
	const (
		shutdownTimeout = time.Second
		hungHooks       = 11
	)
	for _, tc := range []struct {
		name string
		// setup registers what holds the shutdown; it returns the hooks
		// expected to be skipped, in the order they would have run.
		setup       func(l *lifecycle.Lifecycle, unblock <-chan struct{}) (skipped []string)
		hungProbe   bool
		wantErrs    []error
		wantInError []string
	}{
		{
			name: "11 hung hooks",
			setup: func(l *lifecycle.Lifecycle, unblock <-chan struct{}) []string {
				for i := 1; i <= hungHooks; i++ {
					l.OnShutdown(fmt.Sprintf("hung%d", i), func(context.Context) error { <-unblock; return nil }) // ignores its context
				}
				// The last registered runs first and takes what is left;
				// the others, in the order they would have run, are skipped.
				var skipped []string
				for i := hungHooks - 1; i >= 1; i-- {
					skipped = append(skipped, fmt.Sprintf("hung%d", i))
				}
				return skipped
			},
			wantErrs:    []error{lifecycle.ErrHookTimeout, lifecycle.ErrShutdownTimeout},
			wantInError: []string{`hook "hung11"`},
		},
		{
			name: "a blocking task never released",
			setup: func(l *lifecycle.Lifecycle, unblock <-chan struct{}) []string {
				l.Hold("stuck")
				l.OnShutdown("db", func(context.Context) error { return nil })
				l.OnShutdown("lock", func(context.Context) error { return nil })
				return []string{"lock", "db"}
			},
			wantErrs:    []error{lifecycle.ErrShutdownTimeout},
			wantInError: []string{"stuck"},
		},
		{
			name: "a management request that never ends",
			setup: func(l *lifecycle.Lifecycle, unblock <-chan struct{}) []string {
				l.Hold("stuck")
				return nil
			},
			hungProbe: true,
			wantErrs:  []error{lifecycle.ErrShutdownTimeout},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
			unblock := make(chan struct{})
			release := sync.OnceFunc(func() { close(unblock) })
			defer release()
			probing := make(chan struct{})
			mgmt := &http.Server{Addr: "127.0.0.1:0", Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				close(probing)
				<-unblock // ignores its context
			})}
			logs := newOutput()
			l := lifecycle.New(lifecycle.WithSignals(), lifecycle.WithoutShutdownDelay(),
				lifecycle.WithShutdownTimeout(shutdownTimeout), lifecycle.WithHookTimeout(5*time.Second),
				lifecycle.WithManagementServer(mgmt), lifecycle.WithLogger(textLogger(logs)))
			skipped := tc.setup(l, unblock)
			addrs, runErr := runInProcess(t, l, &http.Server{Addr: "127.0.0.1:0"})
			probeDone := make(chan struct{})
			if tc.hungProbe {
				tr := &http.Transport{}
				defer tr.CloseIdleConnections()
				go func() {
					defer close(probeDone)
					resp, err := (&http.Client{Transport: tr}).Get("http://" + addrs[1].String() + "/hung")
					if err == nil {
						_, _ = io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
					}
				}()
				await(t, probing, "the management request to be in flight")
			} else {
				close(probeDone)
			}
			begin := time.Now()
			l.Shutdown("test")
			took, err := waitRun(t, runErr, begin, shutdownTimeout+20*time.Second)
			if limit := shutdownTimeout + lifecycle.DeadlineMargin; took > limit {
				t.Errorf("Run returned %s after the trigger, past the deadline plus the margin (%s)", took, limit)
			}
			for _, want := range tc.wantErrs {
				if !errors.Is(err, want) {
					t.Errorf("Run = %v, want %v in it", err, want)
				}
			}
			msg := fmt.Sprint(err)
			for _, want := range tc.wantInError {
				if !strings.Contains(msg, want) {
					t.Errorf("Run = %v, want %q in it", err, want)
				}
			}
			if len(skipped) > 0 {
				list := strings.Join(skipped, ", ")
				if !strings.Contains(msg, "not run: "+list) {
					t.Errorf("Run = %v; want the skipped hooks named: %s", err, list)
				}
				if !strings.Contains(logs.String(), list) {
					t.Errorf("the log does not name the skipped hooks %s:\n%s", list, logs.String())
				}
			}
			release()
			await(t, probeDone, "the management request to end")
		})
	}
}
