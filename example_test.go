package actuator_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/actuatorgo/actuator"
	"github.com/actuatorgo/actuator/health"
)

func Example() {
	a := actuator.New(
		actuator.WithHealthCheck("db", func(ctx context.Context) error { return nil }, health.WithGroups("readiness")),
		actuator.WithInfoValue("team", "payments"),
	)
	defer a.Close()

	w := httptest.NewRecorder()
	a.ServeHTTP(w, httptest.NewRequest("GET", "/actuator/health/readiness", nil))
	fmt.Println(w.Code, w.Body.String())
	// Output: 200 {"status":"UP"}
}

func ExampleActuator_Handler() {
	a := actuator.New()
	defer a.Close()
	mux := http.NewServeMux()
	mux.Handle("/management/", a.Handler("/management"))

	srv := httptest.NewServer(mux)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/management/health/liveness")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, resp.Header.Get("Content-Type"), string(body))
	// Output: 200 application/vnd.spring-boot.actuator.v3+json {"status":"UP"}
}

func ExampleActuator_Middleware() {
	a := actuator.New(actuator.WithProbes())
	defer a.Close()
	app := http.NewServeMux()
	app.HandleFunc("GET /hello", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello") })
	h := a.Middleware(app)

	for _, path := range []string{"/hello", "/readyz", "/actuator/nope"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		fmt.Println(path, w.Code)
	}
	// Output:
	// /hello 200
	// /readyz 200
	// /actuator/nope 404
}

func ExampleWithExposure() {
	a := actuator.New(actuator.WithExposure([]string{"*"}, []string{"metrics", "prometheus"}))
	defer a.Close()
	for _, path := range []string{"/actuator/info", "/actuator/metrics"} {
		w := httptest.NewRecorder()
		a.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		fmt.Println(path, w.Code)
	}
	// Output:
	// /actuator/info 200
	// /actuator/metrics 404
}

func ExampleBearerToken() {
	a := actuator.New(
		actuator.WithAuthorizer(actuator.BearerToken("s3cret")),
		actuator.WithEndpoint("secrets", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "the plans")
		}), actuator.WithSensitive()),
	)
	defer a.Close()
	for _, auth := range []string{"", "Bearer wrong", "Bearer s3cret"} {
		r := httptest.NewRequest("GET", "/actuator/secrets", nil)
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		w := httptest.NewRecorder()
		a.ServeHTTP(w, r)
		fmt.Printf("%q %d\n", auth, w.Code)
	}
	// Output:
	// "" 401
	// "Bearer wrong" 403
	// "Bearer s3cret" 200
}
