package env

import (
	"maps"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// Spring compiles ?pattern= with java.util.regex.Pattern and keeps names
// it finds a match in (asPredicate); a blank pattern selects everything
// and a malformed one is a 400 (EnvironmentEndpoint.parsePattern,
// spring-projects/spring-boot at c329ffa).

func TestPatternSelectsNamesItMatchesAnywhere(t *testing.T) {
	props := map[string]string{"server.port": "1", "server.address": "2", "management.server.port": "3", "db.url": "4"}
	e := New(WithoutProcessEnvironment(), WithSource("app", props))
	tests := []struct {
		pattern string
		want    []string
	}{
		{"", []string{"db.url", "management.server.port", "server.address", "server.port"}},
		{"   ", []string{"db.url", "management.server.port", "server.address", "server.port"}},
		{"port", []string{"management.server.port", "server.port"}},
		{"^server", []string{"server.address", "server.port"}},
		{`^server\.port$`, []string{"server.port"}},
		{"(?i)DB", []string{"db.url"}},
		{"nothing", []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.pattern, func(t *testing.T) {
			got := get(newMux(e), "/env?pattern="+url.QueryEscape(tc.pattern))
			names := slices.Sorted(maps.Keys(values(t, got.body)["app"]))
			if got.code != 200 || !slices.Equal(names, tc.want) {
				t.Errorf("got %d %v, want %v", got.code, names, tc.want)
			}
		})
	}
}

func TestBadPatternsAre400WithAJSONError(t *testing.T) {
	e := New(WithoutProcessEnvironment(), WithSource("app", map[string]string{"a": "1"}))
	for name, pattern := range map[string]string{
		"malformed":         "(",
		"bad repetition":    "a{2,1}",
		"too long":          strings.Repeat("a", MaxPatternLength+1),
		"huge repeat count": "a{1001}",
		"java-only syntax":  "(?<=a)b",
	} {
		t.Run(name, func(t *testing.T) {
			got := get(newMux(e), "/env?pattern="+url.QueryEscape(pattern))
			if got.code != 400 || !sameJSONStatus(t, got.body, 400) {
				t.Errorf("got %d %s, want a 400 JSON error", got.code, got.body)
			}
		})
	}
}

func TestTheFirstPatternOfSeveralCounts(t *testing.T) {
	e := New(WithoutProcessEnvironment(), WithSource("app", map[string]string{"a": "1", "b": "2"}))
	got := get(newMux(e), "/env?pattern=a&pattern=(")
	if names := slices.Sorted(maps.Keys(values(t, got.body)["app"])); got.code != 200 || !slices.Equal(names, []string{"a"}) {
		t.Errorf("got %d %v", got.code, names)
	}
}

func TestAPatternOfTheMaximumLengthIsAccepted(t *testing.T) {
	e := New(WithoutProcessEnvironment(), WithSource("app", map[string]string{"a": "1"}))
	got := get(newMux(e), "/env?pattern="+strings.Repeat("a?", MaxPatternLength/2))
	if got.code != 200 {
		t.Errorf("got %d %s", got.code, got.body)
	}
}
