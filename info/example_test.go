package info_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/actuatorgo/actuator/info"
)

func Example() {
	ep := info.New(
		info.WithGitMode(info.GitFull),
		info.WithValue("app", map[string]any{"team": "payments"}),
		info.WithContributor("queue", func(ctx context.Context) (any, error) {
			return nil, errors.New("broker unreachable")
		}),
	)

	// The actuator serves ep at /actuator/info; its handler also works on its own.
	mux := http.NewServeMux()
	mux.Handle("GET /info", ep.Handler())
	srv := httptest.NewServer(mux)
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/info")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, resp.Header.Get("Content-Type"))
	fmt.Println(strings.Contains(string(body), `"app":{"team":"payments"}`))
	// A failed contributor's error text is for callers info.WithAuthorizer
	// accepts; this anonymous request learns only that queue failed.
	fmt.Println(strings.Contains(string(body), `"queue":{"error":"unavailable"}`))
	// Output:
	// 200 application/vnd.spring-boot.actuator.v3+json
	// true
	// true
}

func ExampleCollector_Info() {
	ep := info.New(info.WithValue("region", "eu-west-1"))
	doc := ep.Info(context.Background())
	fmt.Println(doc["region"])
	// Output: eu-west-1
}
