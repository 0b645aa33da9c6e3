package lifecycle_test

import (
	"context"
	"fmt"

	"github.com/actuatorgo/actuator/lifecycle"
)

// Cleanup hooks run in reverse registration order, after the drain and the
// blocking tasks: what was opened last is closed first.
func ExampleLifecycle_OnShutdown() {
	lc := lifecycle.New(lifecycle.WithoutShutdownDelay())
	lc.OnShutdown("db", func(context.Context) error { fmt.Println("close db pool"); return nil })
	lc.OnShutdown("cache", func(context.Context) error { fmt.Println("flush cache"); return nil })

	lc.Go("consumer", func(ctx context.Context) error {
		<-ctx.Done() // the drain started: finish the current message, then return
		return nil
	})

	fmt.Println("ready:", lc.Ready())
	lc.Shutdown("example") // readiness is down when Shutdown returns
	ready, live := lc.Ready(), lc.Live()
	<-lc.Done()
	fmt.Println("ready:", ready, "live:", live)
	fmt.Println(lc.Phase(), "exit code", lifecycle.ExitCode(lc.Err()))
	// Output:
	// ready: true
	// flush cache
	// close db pool
	// ready: false live: true
	// stopped exit code 0
}
