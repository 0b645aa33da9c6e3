package diag_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/actuatorgo/actuator/diag"
)

func ExampleThreadDump_Handler() {
	mux := http.NewServeMux()
	mux.Handle("GET /threaddump", diag.NewThreadDump().Handler())

	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/threaddump", nil))
	var dump struct {
		Threads []struct {
			ThreadName  string `json:"threadName"`
			ThreadState string `json:"threadState"`
		} `json:"threads"`
		Mode string `json:"mode"`
	}
	_ = json.Unmarshal(w.Body.Bytes(), &dump)
	fmt.Println(w.Code, w.Header().Get("Content-Type"))
	fmt.Println(dump.Mode, len(dump.Threads) > 0)
	// Output:
	// 200 application/vnd.spring-boot.actuator.v3+json
	// full true
}

func ExamplePprof_Handler() {
	p := diag.NewPprof().Handler()
	mux := http.NewServeMux()
	mux.Handle("/pprof", p)
	mux.Handle("/pprof/{path...}", p)

	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/pprof/heap", nil))
	fmt.Println(w.Code, w.Header().Get("Content-Type"))
	w = httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/pprof/nosuch", nil))
	fmt.Println(w.Code)
	// Output:
	// 200 application/octet-stream
	// 404
}
