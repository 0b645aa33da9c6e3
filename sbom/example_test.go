package sbom_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime/debug"

	"github.com/actuatorgo/actuator/sbom"
)

func ExampleSBOM_Handler() {
	// With no options, New describes the running binary; this example
	// describes a build of its own so that its output is fixed.
	s := sbom.New(sbom.WithBuildInfo(&debug.BuildInfo{
		GoVersion: "go1.26.0",
		Main:      debug.Module{Path: "example.com/app", Version: "v1.2.3"},
	}))
	mux := http.NewServeMux()
	mux.Handle("GET /sbom", s.Handler())
	mux.Handle("GET /sbom/{path...}", s.Handler())

	for _, path := range []string{"/sbom", "/sbom/application"} {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		fmt.Println(path, w.Code, w.Header().Get("Content-Type"))
	}
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/sbom", nil))
	fmt.Println(w.Body.String())
	// Output:
	// /sbom 200 application/vnd.spring-boot.actuator.v3+json
	// /sbom/application 200 application/vnd.cyclonedx+json
	// {"ids":["application"]}
}
