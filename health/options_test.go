package health

import (
	"strings"
	"testing"
	"time"
)

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
		{"slash in Groups", func() { WithGroups("x/y") }, "no '/'"},
		{"nil check", func() { WithCheck("x", nil) }, "nil CheckFunc"},
		{"nil status check", func() { WithStatusCheck("x", nil) }, "nil StatusFunc"},
		{"nil option", func() { New(nil) }, "nil Option"},
		{"group named like a check", func() { New(ok, WithGroup("db")) }, `group "db" has the name of a check`},
		{"Groups named like a check", func() { New(ok, WithCheck("x", up, WithGroups("db"))) }, `group "db" has the name of a check`},
		{"include unknown", func() { New(ok, WithGroup("g", WithInclude("nope"))) }, `includes unknown check "nope"`},
		{"exclude unknown", func() { New(ok, WithGroup("g", WithExclude("nope"))) }, `excludes unknown check "nope"`},
		{"composite member not a check", func() { WithComposite("c", WithDefaultTimeout(time.Second)) }, "members must be"},
		{"composite member with groups", func() { WithComposite("c", WithCheck("a", up, WithGroups("readiness"))) }, "cannot carry WithGroups"},
		{"zero timeout", func() { WithDefaultTimeout(0) }, "positive"},
		{"zero check timeout", func() { WithTimeout(0) }, "positive"},
		{"negative ttl", func() { WithTTL(-1) }, "non-negative"},
		{"zero interval", func() { WithBackground(0, 0) }, "positive interval"},
		{"zero failure threshold", func() { WithFailureThreshold(0) }, ">= 1"},
		{"zero success threshold", func() { WithSuccessThreshold(0) }, ">= 1"},
		{"empty order", func() { WithOrder() }, "at least one"},
		{"duplicate in order", func() { New(WithOrder(Up, Up)) }, "listed twice"},
		{"empty status in order", func() { New(WithOrder(Up, "")) }, "empty status"},
		{"bad code", func() { WithStatusCode(Up, 42) }, "invalid status code"},
		// A 1xx code is interim: net/http sends it and then answers 200, so a
		// DOWN instance mapped to one would look healthy to a load balancer.
		{"interim code 100", func() { WithStatusCode(Down, 100) }, "invalid status code"},
		{"interim code 102", func() { WithStatusCode(Down, 102) }, "invalid status code"},
		{"interim code 103", func() { WithStatusCode(Down, 103) }, "invalid status code"},
		{"interim code 199", func() { WithStatusCode(Down, 199) }, "invalid status code"},
		{"code 600", func() { WithStatusCode(Down, 600) }, "invalid status code"},
		{"bad visibility", func() { WithDefaultShowDetails(Visibility(7)) }, "invalid visibility"},
		{"bad group visibility", func() { WithShowComponents(Visibility(-1)) }, "invalid visibility"},
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
