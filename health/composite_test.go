package health

import (
	"context"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Composite members that fail, panic or hang: the composite aggregates
// them, each member keeps its own error, and every path answers with the
// status code of what it serves, within the timeout.
func TestCompositeHostileMembers(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	var hangCalls atomic.Int32
	hang := func(context.Context) error { hangCalls.Add(1); <-release; return nil } // ignores ctx
	c := New(
		WithDefaultTimeout(50*time.Millisecond),
		WithAuthorizer(testAuthorizer),
		WithComposite("backends",
			WithCheck("ok", up),
			WithCheck("bad", failing("secret-host:5432 refused")),
			WithStatusCheck("boom", func(context.Context) Result { panic("kaboom") }),
			WithCheck("hang", hang),
			WithComposite("inner", WithStatusCheck("maint", status(OutOfService, map[string]any{"reason": "m"}))),
		),
		WithGroup("custom", WithInclude("backends")),
	)
	defer c.Close()

	before := runtime.NumGoroutine()
	var r response
	if !checkWithin(t, 10*time.Second, "aggregate with a hanging member", func() { r = serve(c, "/", authHeader, "yes") }) {
		return
	}
	if r.code != 503 {
		t.Fatalf("aggregate code %d, want 503: %s", r.code, r.body)
	}
	m := r.json(t)
	be := m["components"].(map[string]any)["backends"].(map[string]any)
	if be["status"] != "DOWN" {
		t.Fatalf("composite status %v, want DOWN", be["status"])
	}
	comps := be["components"].(map[string]any)
	wantStatus := map[string]string{"ok": "UP", "bad": "DOWN", "boom": "DOWN", "hang": "DOWN", "inner": "OUT_OF_SERVICE"}
	wantErr := map[string]string{"bad": "secret-host:5432 refused", "boom": "panic: kaboom", "hang": "timed out after 50ms"}
	for name, ws := range wantStatus {
		cm := comps[name].(map[string]any)
		if cm["status"] != ws {
			t.Errorf("member %s status %v, want %s", name, cm["status"], ws)
		}
		if we, ok := wantErr[name]; ok {
			d, _ := cm["details"].(map[string]any)
			if d["error"] != we {
				t.Errorf("member %s error %v, want %q", name, d["error"], we)
			}
		}
	}

	for _, tc := range []struct {
		path   string
		code   int
		status string
	}{
		{"/backends/ok", 200, "UP"},
		{"/backends/bad", 503, "DOWN"},
		{"/backends/boom", 503, "DOWN"},
		{"/backends/hang", 503, "DOWN"},
		{"/backends/inner", 503, "OUT_OF_SERVICE"},
		{"/backends/inner/maint", 503, "OUT_OF_SERVICE"},
		{"/custom/backends/inner/maint", 503, "OUT_OF_SERVICE"},
		{"/custom/backends/ok", 200, "UP"},
		{"/custom", 503, "DOWN"},
	} {
		for _, auth := range []string{"yes", "no"} {
			r := serve(c, tc.path, authHeader, auth)
			if r.code != tc.code || r.json(t)["status"] != tc.status {
				t.Errorf("%s (auth %s): %d %s, want %d %s", tc.path, auth, r.code, r.body, tc.code, tc.status)
			}
			if auth == "no" && (strings.Contains(r.body, "secret-host") || strings.Contains(r.body, "kaboom") || strings.Contains(r.body, "details")) {
				t.Errorf("%s: unauthorised body shows details: %s", tc.path, r.body)
			}
		}
	}
	rep := c.Check(context.Background())
	if got := rep.Components["backends"].Components["hang"].Status; got != Down {
		t.Fatalf("Check: hang is %s, want DOWN", got)
	}
	// The hanging member holds one goroutine however many requests came:
	// it was called once, and once the requests are done only its
	// goroutine is left.
	if n := hangCalls.Load(); n != 1 {
		t.Errorf("the hanging member was called %d times for 20 requests, want 1", n)
	}
	if extra := extraGoroutines(before, 1); extra > 1 {
		t.Errorf("%d goroutines more than before the requests, want at most 1 (the hung member)", extra)
	}
}
