package health

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/actuatorgo/actuator/internal/httpx"
)

func TestGroupNamedByACheckMustBeDeclared(t *testing.T) {
	tests := []struct {
		name string
		opts []Option
		want []string // in the panic message
	}{
		{"typo of readiness", []Option{WithCheck("db", up, WithGroups("readyness"))},
			[]string{`"db"`, `"readyness"`, "liveness, readiness", "WithGroup"}},
		{"custom group never declared", []Option{WithCheck("db", up), WithCheck("cache", up, WithGroups("readiness", "storage")), WithGroup("other")},
			[]string{`"cache"`, `"storage"`, "liveness, other, readiness"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				p := recover()
				msg, _ := p.(string)
				if p == nil {
					t.Fatal("New did not panic")
				}
				if !strings.HasPrefix(msg, "health: ") {
					t.Errorf("panic %v has no package prefix", p)
				}
				for _, w := range tc.want {
					if !strings.Contains(msg, w) {
						t.Errorf("panic %q does not name %s", msg, w)
					}
				}
			}()
			New(tc.opts...)
		})
	}
}

func TestDeclaredGroupsInAnyOrder(t *testing.T) {
	// WithGroup may come before or after the check that names the group.
	for _, opts := range [][]Option{
		{WithGroup("storage"), WithCheck("disk", up, WithGroups("storage"))},
		{WithCheck("disk", up, WithGroups("storage")), WithGroup("storage")},
		{WithCheck("disk", up, WithGroups(GroupLiveness, GroupReadiness))},
	} {
		c := New(opts...)
		for _, g := range c.Groups() {
			if g == GroupLiveness || g == GroupReadiness || g == "storage" {
				continue
			}
			t.Errorf("unexpected group %q", g)
		}
		c.Close()
	}
}

func TestGroupMembers(t *testing.T) {
	c := New(
		WithCheck("db", up, WithGroups(GroupReadiness)),
		WithCheck("self", up, WithGroups(GroupLiveness)),
		WithComposite("deps", WithCheck("a", up)),
		WithGroup("all", WithInclude("*"), WithExclude("self")),
	)
	defer c.Close()
	tests := []struct {
		group string
		want  []string
	}{
		{GroupLiveness, []string{"self"}},
		{GroupReadiness, []string{"db"}},
		{"all", []string{"db", "deps"}},
		{"nope", nil},
	}
	for _, tc := range tests {
		if got := c.GroupMembers(tc.group); !slices.Equal(got, tc.want) {
			t.Errorf("GroupMembers(%q) = %q, want %q", tc.group, got, tc.want)
		}
	}
}

func TestGroupsOption(t *testing.T) {
	c := New(WithCheck("db", up, WithGroups("readiness", "custom")), WithCheck("z", up), WithGroup("custom"))
	defer c.Close()
	if got, want := strings.Join(c.Groups(), ","), "custom,liveness,readiness"; got != want {
		t.Errorf("WithGroups() = %s, want %s", got, want)
	}
}

func TestGroupMembership(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := New(
			WithCheck("a", up, WithGroups("g1", GroupReadiness)),
			WithCheck("b", failing("x")),
			WithCheck("c", up, WithGroups("g1")),
			WithComposite("comp", WithCheck("m", up)),
			WithGroup("g1", WithExclude("c")),
			WithGroup("g2", WithInclude("*"), WithExclude("b")),
			WithGroup("g2", WithShowComponents(Never)), // calls merge
			WithGroup("g3"),
			WithGroup(GroupLiveness, WithInclude("comp")),
		)
		defer c.Close()
		members := func(g string) string {
			r, _ := c.CheckGroup(context.Background(), g)
			var names []string
			for n := range r.Components {
				names = append(names, n)
			}
			sortStrings(names)
			return strings.Join(names, ",")
		}
		for g, want := range map[string]string{"g1": "a", "g2": "a,c,comp", "g3": "", GroupReadiness: "a", GroupLiveness: "comp"} {
			if got := members(g); got != want {
				t.Errorf("group %s members = %q, want %q", g, got, want)
			}
		}
		if res := serve(c, "/g2"); res.body != `{"status":"UP"}` {
			t.Errorf("g2 with hidden components: %s", res.body)
		}
		if res := serve(c, "/g3"); res.code != 200 || res.body != `{"status":"UP"}` {
			t.Errorf("empty group: %d %s", res.code, res.body)
		}
		if res := serve(c, ""); !strings.Contains(res.body, `"groups":["g1","g2","g3","liveness","readiness"]`) {
			t.Errorf("root: %s", res.body)
		}
	})
}

func sortStrings(s []string) {
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
}

func TestGroupHandler(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		draining := false
		c := New(
			WithStatusCheck("livenessState", status(Up, nil), WithGroups(GroupLiveness)),
			WithStatusCheck("readinessState", func(context.Context) Result {
				if draining {
					return Result{Status: OutOfService, Details: map[string]any{"phase": "draining"}}
				}
				return Result{Status: Up}
			}, WithGroups(GroupReadiness)),
			WithCheck("db", failing("down"), WithGroups("custom")),
			WithGroup("custom"),
			WithGroup(GroupReadiness, WithShowComponents(Always)), // GroupHandler stays bare anyway
		)
		defer c.Close()
		livez, readyz, custom := c.GroupHandler(GroupLiveness), c.GroupHandler(GroupReadiness), c.GroupHandler("custom")
		check := func(h http.Handler, path string, code int, body string) {
			t.Helper()
			res := serve(h, path)
			if res.code != code || res.body != body {
				t.Errorf("got %d %s, want %d %s", res.code, res.body, code, body)
			}
			if res.header.Get("Content-Type") != httpx.MediaTypeV3 || res.header.Get("Cache-Control") != "no-store" {
				t.Errorf("headers %v", res.header)
			}
		}
		check(livez, "/livez", 200, `{"status":"UP"}`)
		check(readyz, "/readyz", 200, `{"status":"UP"}`)
		check(custom, "/anything", 503, `{"status":"DOWN"}`)
		draining = true
		check(readyz, "/readyz", 503, `{"status":"OUT_OF_SERVICE"}`)
		check(livez, "/livez", 200, `{"status":"UP"}`)
		if res := serve(c, "/readinessState", authHeader, "yes"); res.code != 503 || !strings.Contains(res.body, `"status":"OUT_OF_SERVICE"`) {
			t.Errorf("component: %d %s", res.code, res.body)
		}
	})
}
