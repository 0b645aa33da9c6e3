// Command stampapp is the tiny binary the info tests build in a temporary
// git repository. It serves the info endpoint at /info on 127.0.0.1, prints
// "listening http://ADDR" once it accepts connections, and exits when its
// standard input closes, so the test that started it controls its life.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"

	"github.com/actuatorgo/actuator/info"
)

func main() {
	mode := flag.String("git", "simple", "git mode: simple or full")
	flag.Parse()
	gm, err := info.ParseGitMode(*mode)
	if err != nil {
		log.Fatal(err)
	}
	ep := info.New(
		info.WithGitMode(gm),
		info.WithoutGo(), // the toolchain varies between machines
		info.WithValue("app", map[string]any{"team": "payments"}),
		info.WithContributor("failing", func(context.Context) (any, error) {
			return nil, errors.New("backend unreachable")
		}),
	)
	mux := http.NewServeMux()
	mux.Handle("/info", ep.Handler())

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: mux}
	go func() {
		// Stop when the parent closes our stdin (or dies).
		_, _ = io.Copy(io.Discard, bufio.NewReader(os.Stdin))
		_ = srv.Close()
	}()
	fmt.Printf("listening http://%s\n", ln.Addr())
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}
