package actuator_test

import (
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"

	"github.com/actuatorgo/actuator"
	"github.com/actuatorgo/actuator/loggers"
)

func ExampleFromEnv() {
	// In a program: actuator.FromEnv(os.Getenv).
	getenv := func(name string) string {
		return map[string]string{
			"MANAGEMENT_ENDPOINTS_WEB_BASE_PATH":      "/manage",
			"MANAGEMENT_ENDPOINT_HEALTH_SHOW_DETAILS": "sometimes",
		}[name]
	}
	_, err := actuator.FromEnv(getenv)
	fmt.Println(err)

	getenv = func(name string) string {
		return map[string]string{"MANAGEMENT_ENDPOINTS_WEB_BASE_PATH": "/manage"}[name]
	}
	fromEnv, err := actuator.FromEnv(getenv)
	if err != nil {
		panic(err) // in main: report it and exit 2
	}
	a := actuator.New(actuator.WithBasePath("/ops"), fromEnv) // the environment wins
	defer a.Close()
	w := httptest.NewRecorder()
	a.ServeHTTP(w, httptest.NewRequest("GET", "/manage/health/liveness", nil))
	fmt.Println(w.Code, w.Body.String())
	// Output:
	// actuator: MANAGEMENT_ENDPOINT_HEALTH_SHOW_DETAILS="sometimes": want never, when-authorized or always
	// 200 {"status":"UP"}
}

func ExampleWithLoggersEndpoint() {
	level := new(slog.LevelVar)
	a := actuator.New(
		actuator.WithAuthorizer(actuator.BearerToken("s3cret")),
		actuator.WithLoggersEndpoint(loggers.WithLevelVar("ROOT", level)),
	)
	defer a.Close()

	r := httptest.NewRequest("POST", "/actuator/loggers/ROOT", strings.NewReader(`{"configuredLevel":"DEBUG"}`))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", "Bearer s3cret")
	w := httptest.NewRecorder()
	a.ServeHTTP(w, r)
	fmt.Println(w.Code, level.Level())
	// Output: 204 DEBUG
}
