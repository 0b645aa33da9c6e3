package env

import (
	"strings"
	"testing"
)

// Show-values follows Spring's Show enum (NEVER, WHEN_AUTHORIZED, ALWAYS;
// spring-projects/spring-boot at c329ffa,
// module/spring-boot-actuator/src/main/java/org/springframework/boot/actuate/endpoint/Show.java):
// with values hidden, every value is "******" before any sanitizing
// function runs (Sanitizer.sanitize).

func TestShowValuesDecidesWhoSeesValuesAndSecretsStayMasked(t *testing.T) {
	props := map[string]string{"server.port": "8080", "db.password": "hunter2"}
	tests := []struct {
		name       string
		opts       []Option
		authorized bool
		port       string
	}{
		{"default is never", nil, true, Mask},
		{"never", []Option{WithShowValues(Never), WithAuthorizer(testAuthorizer)}, true, Mask},
		{"when-authorized, authorized", []Option{WithShowValues(WhenAuthorized), WithAuthorizer(testAuthorizer)}, true, "8080"},
		{"when-authorized, not authorized", []Option{WithShowValues(WhenAuthorized), WithAuthorizer(testAuthorizer)}, false, Mask},
		{"when-authorized without an authorizer", []Option{WithShowValues(WhenAuthorized)}, true, Mask},
		{"always", []Option{WithShowValues(Always)}, false, "8080"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := append([]Option{WithoutProcessEnvironment(), WithSource("app", props)}, tc.opts...)
			mux := newMux(New(opts...))
			var header []string
			if tc.authorized {
				header = []string{authHeader, "yes"}
			}
			list := values(t, get(mux, "/env", header...).body)["app"]
			if list["server.port"] != tc.port || list["db.password"] != Mask {
				t.Errorf("list: %v, want server.port %q and db.password masked", list, tc.port)
			}
			one := get(mux, "/env/server.port", header...)
			if !strings.Contains(one.body, `"property":{"source":"app","value":"`+tc.port+`"}`) {
				t.Errorf("one: %s, want the value %q", one.body, tc.port)
			}
			if one := get(mux, "/env/db.password", header...); strings.Contains(one.body, "hunter2") {
				t.Errorf("one secret: %s", one.body)
			}
		})
	}
}

func TestASanitizerOfYourOwnReplacesTheDefault(t *testing.T) {
	props := map[string]string{"KEYBOARD_LAYOUT": "us", "db.password": "hunter2", "port": "8080"}
	unmaskLayout := func(key, value string) string {
		if key == "KEYBOARD_LAYOUT" {
			return value
		}
		return DefaultSanitizer(key, value)
	}
	tests := []struct {
		name string
		fn   func(key, value string) string
		show Visibility
		want map[string]string
	}{
		{"default", nil, Always, map[string]string{"KEYBOARD_LAYOUT": Mask, "db.password": Mask, "port": "8080"}},
		{"composed with the default", unmaskLayout, Always, map[string]string{"KEYBOARD_LAYOUT": "us", "db.password": Mask, "port": "8080"}},
		{"showing everything", func(_, v string) string { return v }, Always, map[string]string{"KEYBOARD_LAYOUT": "us", "db.password": "hunter2", "port": "8080"}},
		{"partial masking", func(_, v string) string { return v[:1] + "***" }, Always, map[string]string{"KEYBOARD_LAYOUT": "u***", "db.password": "h***", "port": "8***"}},
		{"not consulted while values are hidden", func(_, v string) string { return v }, Never, map[string]string{"KEYBOARD_LAYOUT": Mask, "db.password": Mask, "port": Mask}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := New(WithoutProcessEnvironment(), WithSource("app", props), WithShowValues(tc.show), WithSanitizer(tc.fn))
			got := values(t, get(newMux(e), "/env").body)["app"]
			for k, want := range tc.want {
				if got[k] != want {
					t.Errorf("%s shows %q, want %q", k, got[k], want)
				}
			}
		})
	}
}

func TestParseVisibilityAcceptsSpringsSpellings(t *testing.T) {
	for in, want := range map[string]Visibility{
		"never": Never, "NEVER": Never, "when-authorized": WhenAuthorized,
		"WHEN_AUTHORIZED": WhenAuthorized, " always ": Always,
	} {
		if got, err := ParseVisibility(in); err != nil || got != want {
			t.Errorf("ParseVisibility(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := ParseVisibility("sometimes"); err == nil {
		t.Error("ParseVisibility(sometimes) succeeded")
	}
	if got := WhenAuthorized.String(); got != "when-authorized" {
		t.Errorf("String() = %q", got)
	}
}
