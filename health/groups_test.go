package health

import (
	"slices"
	"strings"
	"testing"
)

func TestGroupNamedByACheckMustBeDeclared(t *testing.T) {
	tests := []struct {
		name string
		opts []Option
		want []string // in the panic message
	}{
		{"typo of readiness", []Option{WithCheck("db", up, Groups("readyness"))},
			[]string{`"db"`, `"readyness"`, "liveness, readiness", "WithGroup"}},
		{"custom group never declared", []Option{WithCheck("db", up), WithCheck("cache", up, Groups("readiness", "storage")), WithGroup("other")},
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
		{WithGroup("storage"), WithCheck("disk", up, Groups("storage"))},
		{WithCheck("disk", up, Groups("storage")), WithGroup("storage")},
		{WithCheck("disk", up, Groups(GroupLiveness, GroupReadiness))},
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
		WithCheck("db", up, Groups(GroupReadiness)),
		WithCheck("self", up, Groups(GroupLiveness)),
		WithComposite("deps", WithCheck("a", up)),
		WithGroup("all", Include("*"), Exclude("self")),
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
