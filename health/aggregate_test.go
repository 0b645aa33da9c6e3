package health

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestAggregate(t *testing.T) {
	custom := Status("DEGRADED")
	tests := []struct {
		name  string
		order []Status
		in    []Status
		want  Status
	}{
		{"none is UP", nil, nil, Up},
		{"single", nil, []Status{Unknown}, Unknown},
		{"down wins", nil, []Status{Up, Down, OutOfService, Unknown}, Down},
		{"out of service over up", nil, []Status{Up, OutOfService, Up}, OutOfService},
		{"up over unknown", nil, []Status{Unknown, Up}, Up},
		{"custom ranks after listed", nil, []Status{custom, Unknown}, Unknown},
		{"custom alone", nil, []Status{custom}, custom},
		{"custom ties break by name", nil, []Status{"ZED", "ALPHA"}, "ALPHA"},
		{"configured order", []Status{custom, Down, Up}, []Status{Up, Down, custom}, custom},
		{"configured order ranks unknown last", []Status{Up, Down}, []Status{Unknown, Down}, Down},
		{"configured order, unlisted standard status", []Status{Down, Up}, []Status{Unknown, OutOfService}, OutOfService},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var opts []Option
			if tc.order != nil {
				opts = append(opts, WithOrder(tc.order...))
			}
			c := New(opts...)
			defer c.Close()
			if got := c.Aggregate(tc.in...); got != tc.want {
				t.Errorf("Aggregate(%v) = %q, want %q", tc.in, got, tc.want)
			}
			// The same through HTTP, with one check per status.
			var checks []Option
			for i, s := range tc.in {
				checks = append(checks, WithStatusCheck(fmt.Sprintf("c%d", i), status(s, nil)))
			}
			c2 := New(append(opts, checks...)...)
			defer c2.Close()
			if got := c2.Check(context.Background()).Status; got != tc.want {
				t.Errorf("Check status = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestStatusCodeMapping(t *testing.T) {
	tests := []struct {
		status Status
		opts   []Option
		want   int
	}{
		{Up, nil, 200},
		{Unknown, nil, 200},
		{Down, nil, 503},
		{OutOfService, nil, 503},
		{"DEGRADED", nil, 200},
		{"DEGRADED", []Option{WithStatusCode("DEGRADED", 429)}, 429},
		{Down, []Option{WithStatusCode(Down, 500)}, 500},
		{OutOfService, []Option{WithStatusCode(OutOfService, 200)}, 200},
		{Up, []Option{WithStatusCode(Down, 500)}, 200},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s/%d", tc.status, tc.want), func(t *testing.T) {
			c := New(append(tc.opts, WithStatusCheck("x", status(tc.status, nil)))...)
			defer c.Close()
			if got := c.StatusCode(tc.status); got != tc.want {
				t.Errorf("StatusCode(%q) = %d, want %d", tc.status, got, tc.want)
			}
			res := serve(c, "")
			if res.code != tc.want {
				t.Errorf("GET code = %d, want %d (body %s)", res.code, tc.want, res.body)
			}
			if got := res.json(t)["status"]; got != string(tc.status) {
				t.Errorf("body status = %v, want %q", got, tc.status)
			}
		})
	}
}

func TestResultNormalization(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		in   Result
		want Status
	}{
		{Result{}, Up},
		{Result{Err: boom}, Down},
		{Result{Status: Up, Err: boom}, Down},
		{Result{Status: OutOfService, Err: boom}, OutOfService},
		{Result{Status: Unknown}, Unknown},
		{Result{Status: "CUSTOM"}, "CUSTOM"},
	}
	for _, tc := range tests {
		if got := normalize(tc.in); got != tc.want {
			t.Errorf("normalize(%+v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestNoChecks(t *testing.T) {
	c := New()
	defer c.Close()
	res := serve(c, "")
	if res.code != 200 || res.body != `{"status":"UP","groups":["liveness","readiness"]}` {
		t.Errorf("got %d %s", res.code, res.body)
	}
	for _, g := range []string{"/liveness", "/readiness"} {
		if res := serve(c, g); res.code != 200 || res.body != `{"status":"UP"}` {
			t.Errorf("%s: got %d %s", g, res.code, res.body)
		}
	}
	if r := c.Check(context.Background()); r.Status != Up || len(r.Components) != 0 {
		t.Errorf("Check() = %+v", r)
	}
}

func TestNewPanics(t *testing.T) {
	ok := WithCheck("db", up)
	tests := []struct {
		name string
		fn   func()
		want string
	}{
		{"duplicate name", func() { New(ok, WithCheck("db", up)) }, `duplicate check name "db"`},
		{"duplicate across kinds", func() { New(ok, WithComposite("db")) }, `duplicate check name "db"`},
		{"duplicate member", func() { New(WithComposite("c", WithCheck("a", up), WithCheck("a", up))) }, `duplicate check name "c/a"`},
		{"empty name", func() { WithCheck("", up) }, "non-empty"},
		{"slash in name", func() { WithCheck("a/b", up) }, "no '/'"},
		{"slash in group", func() { WithGroup("a/b") }, "no '/'"},
		{"slash in Groups", func() { Groups("x/y") }, "no '/'"},
		{"nil check", func() { WithCheck("x", nil) }, "nil CheckFunc"},
		{"nil status check", func() { WithStatusCheck("x", nil) }, "nil StatusFunc"},
		{"nil option", func() { New(nil) }, "nil Option"},
		{"group named like a check", func() { New(ok, WithGroup("db")) }, `group "db" has the name of a check`},
		{"Groups named like a check", func() { New(ok, WithCheck("x", up, Groups("db"))) }, `group "db" has the name of a check`},
		{"include unknown", func() { New(ok, WithGroup("g", Include("nope"))) }, `includes unknown check "nope"`},
		{"exclude unknown", func() { New(ok, WithGroup("g", Exclude("nope"))) }, `excludes unknown check "nope"`},
		{"composite member not a check", func() { WithComposite("c", WithTimeout(time.Second)) }, "members must be"},
		{"composite member with groups", func() { WithComposite("c", WithCheck("a", up, Groups("readiness"))) }, "cannot carry Groups"},
		{"zero timeout", func() { WithTimeout(0) }, "positive"},
		{"zero check timeout", func() { Timeout(0) }, "positive"},
		{"negative ttl", func() { TTL(-1) }, "non-negative"},
		{"zero interval", func() { Background(0, 0) }, "positive interval"},
		{"zero failure threshold", func() { FailureThreshold(0) }, ">= 1"},
		{"zero success threshold", func() { SuccessThreshold(0) }, ">= 1"},
		{"empty order", func() { WithOrder() }, "at least one"},
		{"duplicate in order", func() { New(WithOrder(Up, Up)) }, "listed twice"},
		{"empty status in order", func() { New(WithOrder(Up, "")) }, "empty status"},
		{"bad code", func() { WithStatusCode(Up, 42) }, "invalid status code"},
		{"bad visibility", func() { WithShowDetails(Visibility(7)) }, "invalid visibility"},
		{"bad group visibility", func() { ShowComponents(Visibility(-1)) }, "invalid visibility"},
		{"unknown group handler", func() { New().GroupHandler("nope") }, "unknown group"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				p := recover()
				msg, _ := p.(string)
				if !strings.HasPrefix(msg, "health: ") || !strings.Contains(msg, tc.want) {
					t.Errorf("panic = %v, want a \"health: \" message containing %q", p, tc.want)
				}
			}()
			tc.fn()
		})
	}
}

func TestVisibilityString(t *testing.T) {
	for v, want := range map[Visibility]string{Never: "never", WhenAuthorized: "when-authorized", Always: "always", 9: "Visibility(9)", -3: "Visibility(-3)"} {
		if got := v.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", int(v), got, want)
		}
	}
}

func TestMethods(t *testing.T) {
	c := New(WithCheck("db", up))
	defer c.Close()
	for _, h := range []http.Handler{c.Handler(), c.GroupHandler(GroupReadiness)} {
		for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, "BREW"} {
			res := do(h, m, "")
			if res.code != http.StatusMethodNotAllowed || res.header.Get("Allow") != "GET, HEAD" {
				t.Errorf("%s: got %d, Allow %q", m, res.code, res.header.Get("Allow"))
			}
		}
		res := do(h, http.MethodHead, "")
		if res.code != 200 || res.body != "" || res.header.Get("Content-Length") == "0" {
			t.Errorf("HEAD: got %d %q, Content-Length %q", res.code, res.body, res.header.Get("Content-Length"))
		}
	}
}

func TestGroupsOption(t *testing.T) {
	c := New(WithCheck("db", up, Groups("readiness", "custom")), WithCheck("z", up), WithGroup("custom"))
	defer c.Close()
	if got, want := strings.Join(c.Groups(), ","), "custom,liveness,readiness"; got != want {
		t.Errorf("Groups() = %s, want %s", got, want)
	}
}
