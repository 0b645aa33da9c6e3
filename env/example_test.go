package env_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/actuatorgo/actuator/env"
)

func Example() {
	e := env.New(
		env.WithoutProcessEnvironment(),
		env.WithSource("app", map[string]string{
			"server.port":  "8080",
			"DATABASE_URL": "postgres://app:hunter2@db/app",
		}),
		env.WithShowValues(env.Always),
	)
	mux := http.NewServeMux()
	mux.Handle("GET /env/{path...}", e.Handler())

	for _, path := range []string{"/env/server.port", "/env/DATABASE_URL"} {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		fmt.Println(w.Body)
	}
	// Output:
	// {"property":{"source":"app","value":"8080"},"activeProfiles":[],"defaultProfiles":[],"propertySources":[{"name":"app","property":{"value":"8080"}}]}
	// {"property":{"source":"app","value":"******"},"activeProfiles":[],"defaultProfiles":[],"propertySources":[{"name":"app","property":{"value":"******"}}]}
}
