// Command servers serves one contender of the side-by-side load benchmark
// on a loopback address, for bench/run to drive with wrk.
//
//	servers -c ours-health -addr 127.0.0.1:18080
//	servers -c bare -body body.bin -header header.txt -addr 127.0.0.1:18081
//
// Each contender's path is printed by -list, one "name path" a line.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/pprof"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/actuatorgo/actuator"
	"github.com/actuatorgo/actuator/health"
	alex "github.com/alexliesenfeld/health"
	"github.com/gin-gonic/gin"
	goactuator "github.com/sinhashubham95/go-actuator"
)

type contender struct {
	path    string
	handler func() http.Handler
}

func trivial(context.Context) error { return nil }

var contenders = map[string]contender{
	// Ours, Handler("/management") mounted on a ServeMux.
	"ours-health": {"/management/health", func() http.Handler {
		return mount(actuator.New())
	}},
	// Three trivial readiness checks, run by every request (no TTL, the
	// default), and with a TTL of 1 s (alexliesenfeld/health caches its
	// result for 1 s by default).
	"ours-health-3": {"/management/health", func() http.Handler {
		return mount(actuator.New(
			actuator.WithHealthCheck("a", trivial, health.WithGroups(health.GroupReadiness)),
			actuator.WithHealthCheck("b", trivial, health.WithGroups(health.GroupReadiness)),
			actuator.WithHealthCheck("c", trivial, health.WithGroups(health.GroupReadiness)),
		))
	}},
	"ours-health-3-ttl": {"/management/health", func() http.Handler {
		ttl := health.WithTTL(time.Second)
		return mount(actuator.New(
			actuator.WithHealthCheck("a", trivial, health.WithGroups(health.GroupReadiness), ttl),
			actuator.WithHealthCheck("b", trivial, health.WithGroups(health.GroupReadiness), ttl),
			actuator.WithHealthCheck("c", trivial, health.WithGroups(health.GroupReadiness), ttl),
		))
	}},
	"ours-metrics": {"/management/metrics", func() http.Handler {
		return mount(actuator.New(actuator.WithExposure([]string{"health", "metrics", "prometheus"}, nil)))
	}},
	"ours-prometheus": {"/management/prometheus", func() http.Handler {
		return mount(actuator.New(actuator.WithExposure([]string{"health", "metrics", "prometheus"}, nil)))
	}},
	// An application route through Middleware, HTTP metrics on.
	"ours-middleware": {"/hello", func() http.Handler {
		mux := http.NewServeMux()
		mux.HandleFunc("GET /hello", hello)
		return actuator.New().Middleware(mux)
	}},
	// /actuator/health through app.Use(Gin(a)); its baseline is -c
	// gin-bare, gin's own route writing the same bytes (see ginBare).
	"ours-gin": {"/actuator/health", func() http.Handler {
		gin.SetMode(gin.ReleaseMode)
		app := gin.New()
		app.Use(actuator.Gin(actuator.New()))
		return app
	}},
	"goactuator-health": {"/actuator/health", func() http.Handler {
		// go-actuator refuses a health endpoint without a checker: one
		// trivial check, cached by its default of an hour.
		return goactuator.GetActuatorHandler(&goactuator.Config{Endpoints: []int{goactuator.Health},
			Health: &goactuator.HealthConfig{Checkers: []goactuator.HealthChecker{{Key: "a", Func: trivial}}}})
	}},
	"goactuator-metrics": {"/actuator/metrics", func() http.Handler {
		return goactuator.GetActuatorHandler(&goactuator.Config{Endpoints: []int{goactuator.Metrics}})
	}},
	"alex-health": {"/health", func() http.Handler {
		mux := http.NewServeMux()
		mux.Handle("/health", alex.NewHandler(alex.NewChecker()))
		return mux
	}},
	"alex-health-3": {"/health", func() http.Handler {
		mux := http.NewServeMux()
		mux.Handle("/health", alex.NewHandler(alex.NewChecker(
			alex.WithCheck(alex.Check{Name: "a", Check: trivial}),
			alex.WithCheck(alex.Check{Name: "b", Check: trivial}),
			alex.WithCheck(alex.Check{Name: "c", Check: trivial}),
		)))
		return mux
	}},
}

func pprofMux() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	return mux
}

func mount(a *actuator.Actuator) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/management/", a.Handler("/management"))
	return mux
}

func hello(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, "hello\n")
}

// bare writes body with the given header at every path: the baseline of
// each row, fed the bytes its contender answered.
func bare(body []byte, header http.Header) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		for k, v := range header {
			h[k] = v
		}
		w.Write(body)
	})
}

// ginBare is a bare gin engine with one route at path writing body with the
// given header: the baseline of the gin row.
func ginBare(path string, body []byte, header http.Header) http.Handler {
	gin.SetMode(gin.ReleaseMode)
	app := gin.New()
	app.GET(path, func(c *gin.Context) {
		h := c.Writer.Header()
		for k, v := range header {
			h[k] = v
		}
		c.Writer.Write(body)
	})
	return app
}

// readHeader reads "Key: value" lines.
func readHeader(file string) (http.Header, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ": "); ok {
			h.Add(k, v)
		}
	}
	return h, nil
}

func main() {
	name := flag.String("c", "", "contender to serve (see -list)")
	addr := flag.String("addr", "127.0.0.1:18080", "listen address")
	bodyFile := flag.String("body", "", "for -c bare and gin-bare: file holding the body to write")
	headerFile := flag.String("header", "", "for -c bare and gin-bare: file of \"Key: value\" lines, the header to write")
	ginPath := flag.String("path", "/actuator/health", "for -c gin-bare: the route's path")
	pprofAddr := flag.String("pprof", "", "serve net/http/pprof on this address too (for profiling a contender)")
	list := flag.Bool("list", false, "print each contender's name and path, and exit")
	flag.Parse()
	log.SetFlags(0)

	if *list {
		names := make([]string, 0, len(contenders))
		for n := range contenders {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Println(n, contenders[n].path)
		}
		return
	}
	var h http.Handler
	if *name == "bare" || *name == "gin-bare" {
		body, err := os.ReadFile(*bodyFile)
		if err != nil {
			log.Fatalf("servers: %v", err)
		}
		header, err := readHeader(*headerFile)
		if err != nil {
			log.Fatalf("servers: %v", err)
		}
		h = bare(body, header)
		if *name == "gin-bare" {
			h = ginBare(*ginPath, body, header)
		}
	} else {
		c, ok := contenders[*name]
		if !ok {
			log.Fatalf("servers: unknown contender %q (see -list)", *name)
		}
		h = c.handler()
	}
	if *pprofAddr != "" {
		go func() { log.Print(http.ListenAndServe(*pprofAddr, pprofMux())) }()
	}
	srv := &http.Server{Addr: *addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatalf("servers: %v", err)
	}
}
