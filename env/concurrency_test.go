package env

import (
	"sync"
	"testing"
)

// TestConcurrentRequestsShareNothingMutable serves lists and single names
// from many goroutines at once, with the process environment, a fixed
// source and a source func; -race checks them.
func TestConcurrentRequestsShareNothingMutable(t *testing.T) {
	e := New(WithShowValues(WhenAuthorized), WithAuthorizer(testAuthorizer),
		WithSource("app", map[string]string{"a": "1"}),
		WithSourceFunc("live", func() map[string]string { return map[string]string{"b": "2"} }))
	mux := newMux(e)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for range 20 {
				for _, path := range []string{"/env", "/env/a", "/env/b", "/env?pattern=^a"} {
					if got := get(mux, path, authHeader, []string{"yes", "no"}[i%2]); got.code != 200 {
						t.Errorf("GET %s: %d %s", path, got.code, got.body)
					}
				}
			}
		})
	}
	wg.Wait()
}
