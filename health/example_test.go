package health_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/actuatorgo/actuator/health"
)

func Example() {
	ping := func(ctx context.Context) error { return nil } // db.PingContext in real code
	c := health.New(
		health.WithCheck("db", ping, health.WithGroups(health.GroupReadiness), health.WithTTL(time.Second)),
		health.WithCheck("search", func(context.Context) error { return errors.New("connection refused") }),
		health.WithDefaultTimeout(500*time.Millisecond),
	)
	defer c.Close()

	mux := http.NewServeMux()
	mux.Handle("GET /health", c.Handler())
	mux.Handle("GET /health/{path...}", c.Handler())
	for _, path := range []string{"/health", "/health/readiness", "/health/search"} {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		fmt.Println(w.Code, w.Body.String())
	}
	// Output:
	// 503 {"status":"DOWN","components":{"db":{"status":"UP"},"search":{"status":"DOWN"}},"groups":["liveness","readiness"]}
	// 200 {"status":"UP"}
	// 503 {"status":"DOWN"}
}

func ExampleChecker_Check() {
	c := health.New(
		health.WithStatusCheck("queue", func(context.Context) health.Result {
			return health.Result{Status: "DEGRADED", Details: map[string]any{"lag": 42}}
		}),
		health.WithOrder(health.Down, health.OutOfService, "DEGRADED", health.Up, health.Unknown),
		health.WithStatusCode("DEGRADED", http.StatusOK),
	)
	defer c.Close()
	r := c.Check(context.Background())
	fmt.Println(r.Status, r.Components["queue"].Details["lag"])
	// Output: DEGRADED 42
}
