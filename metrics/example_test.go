package metrics_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/actuatorgo/actuator/metrics"
)

// A custom counter, a request observed by the adapters' middleware, and
// Spring's drill-down of both.
func Example() {
	reg := metrics.New()

	orders, err := reg.Counter("orders.placed",
		metrics.WithDescription("Orders placed."),
		metrics.WithTag("region", "eu"))
	if err != nil {
		panic(err)
	}
	orders.Add(3)
	reg.ObserveRequest(http.MethodGet, "/users/{id}", http.StatusOK, 20*time.Millisecond)

	mux := http.NewServeMux()
	mux.Handle("GET /metrics/{path...}", reg.Handler())
	for _, target := range []string{"/metrics/orders.placed", "/metrics/http.server.requests?tag=uri:/users/{id}"} {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
		fmt.Println(rec.Code, rec.Body.String())
	}
	// Output:
	// 200 {"name":"orders.placed","description":"Orders placed.","measurements":[{"statistic":"COUNT","value":3}],"availableTags":[{"tag":"region","values":["eu"]}]}
	// 200 {"name":"http.server.requests","description":"Duration of HTTP server requests.","baseUnit":"seconds","measurements":[{"statistic":"COUNT","value":1},{"statistic":"TOTAL_TIME","value":0.02},{"statistic":"MAX","value":0.02}],"availableTags":[{"tag":"method","values":["GET"]},{"tag":"outcome","values":["SUCCESS"]},{"tag":"status","values":["200"]}]}
}

// The Prometheus side of the same registry.
func ExampleRegistry_PrometheusHandler() {
	reg := metrics.New()
	_ = reg.Gauge("queue.size", func() float64 { return 12 }, metrics.WithUnit("jobs"), metrics.WithTag("queue", "mail"))

	rec := httptest.NewRecorder()
	reg.PrometheusHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	fmt.Println(rec.Header().Get("Content-Type"))
	for line := range strings.Lines(rec.Body.String()) {
		if strings.Contains(line, "queue_size") {
			fmt.Print(line)
		}
	}
	// Output:
	// text/plain; version=0.0.4; charset=utf-8
	// # HELP queue_size_jobs queue.size
	// # TYPE queue_size_jobs gauge
	// queue_size_jobs{queue="mail"} 12
}
