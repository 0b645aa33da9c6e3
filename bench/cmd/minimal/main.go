// Command minimal serves ours or a bare handler from a binary that links
// nothing else, for bench/run's peak-RSS row: built with -tags nogin, the
// actuator links neither gin nor any peer.
//
//	minimal -c ours -addr 127.0.0.1:18080
//	minimal -c bare -body body.bin -header header.txt -addr 127.0.0.1:18081
package main

import (
	"flag"
	"log"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/actuatorgo/actuator"
)

func main() {
	name := flag.String("c", "ours", "ours (Handler(\"/management\") on a ServeMux) or bare")
	addr := flag.String("addr", "127.0.0.1:18080", "listen address")
	bodyFile := flag.String("body", "", "for -c bare: file holding the body to write")
	headerFile := flag.String("header", "", "for -c bare: file of \"Key: value\" lines, the header to write")
	flag.Parse()
	log.SetFlags(0)

	var h http.Handler
	switch *name {
	case "ours":
		mux := http.NewServeMux()
		mux.Handle("/management/", actuator.New().Handler("/management"))
		h = mux
	case "bare":
		body, err := os.ReadFile(*bodyFile)
		if err != nil {
			log.Fatalf("minimal: %v", err)
		}
		b, err := os.ReadFile(*headerFile)
		if err != nil {
			log.Fatalf("minimal: %v", err)
		}
		header := http.Header{}
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ": "); ok {
				header.Add(k, v)
			}
		}
		h = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			for k, v := range header {
				w.Header()[k] = v
			}
			w.Write(body)
		})
	default:
		log.Fatalf("minimal: unknown contender %q", *name)
	}
	srv := &http.Server{Addr: *addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.ListenAndServe())
}
