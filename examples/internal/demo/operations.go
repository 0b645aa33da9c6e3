package demo

import (
	"crypto/rand"
	"fmt"
	"log/slog"
	"os"

	"github.com/actuatorgo/actuator"
	"github.com/actuatorgo/actuator/env"
	"github.com/actuatorgo/actuator/loggers"
)

// tokenFlagDoc documents the -token flag.
const tokenFlagDoc = "bearer token guarding the sensitive endpoints (loggers, env, threaddump, heapdump, pprof, sbom, shutdown); " +
	"default $DEMO_TOKEN, else a random one printed at start"

// Logger returns the demo's logger, whose level the loggers endpoint
// reads and changes as ROOT.
func (f Flags) Logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: f.level}))
}

// operations turns on the sensitive endpoints, guarded by the demo's
// token (or the shutdown token, when one is set), and reads Spring Boot's
// management variables from the environment. A bad value of one of them
// ends the demo with status 2.
func (f Flags) operations() []actuator.Option {
	fromEnv, err := actuator.FromEnv(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	auth := actuator.BearerToken(f.Token)
	if f.ShutdownToken != "" {
		auth = actuator.AnyOf(auth, actuator.BearerToken(f.ShutdownToken))
	}
	fmt.Printf("sensitive endpoints: curl -H 'Authorization: Bearer %s' ...\n", f.Token)
	return []actuator.Option{
		actuator.WithAuthorizer(auth),
		actuator.WithLoggersEndpoint(loggers.WithLevelVar("ROOT", f.level)),
		actuator.WithEnvEndpoint(env.WithShowValues(env.WhenAuthorized)),
		actuator.WithThreadDumpEndpoint(),
		actuator.WithHeapDumpEndpoint(),
		actuator.WithPprofEndpoint(),
		actuator.WithSBOMEndpoint(),
		fromEnv,
	}
}

// defaultToken is $DEMO_TOKEN, else a random token.
func defaultToken() string {
	if t := os.Getenv("DEMO_TOKEN"); t != "" {
		return t
	}
	return rand.Text()
}

// printOperations prints the sensitive endpoints' URLs.
func printOperations(base, mgmt string) {
	fmt.Printf(`  operations (with the token): %[1]s%[2]s/loggers   %[1]s%[2]s/env   %[1]s%[2]s/threaddump
    %[1]s%[2]s/heapdump   %[1]s%[2]s/pprof   %[1]s%[2]s/sbom/application
`, base, mgmt)
}
