package env

import (
	"testing"

	"github.com/actuatorgo/actuator/internal/httpx"
)

// The shapes below are Spring Boot Actuator's, pinned from
// spring-projects/spring-boot at c329ffa,
// module/spring-boot-actuator/src/main/java/org/springframework/boot/actuate/env/EnvironmentEndpoint.java:
// EnvironmentDescriptor {activeProfiles, defaultProfiles, propertySources},
// PropertySourceDescriptor {name, properties}, PropertyValueDescriptor
// {value, origin} (origin omitted when null), EnvironmentEntryDescriptor
// {property {source, value}, activeProfiles, defaultProfiles,
// propertySources [{name, property?}]}; the masked value "******" is
// SanitizableData.SANITIZED_VALUE; the process environment's origin is
// core/spring-boot/src/main/java/org/springframework/boot/origin/SystemEnvironmentOrigin.java's
// toString. Spring Boot Admin reads env.activeProfiles.length, so the field
// is always an array (codecentric/spring-boot-admin at 78ee198,
// spring-boot-admin-server-ui/src/main/frontend/views/instances/env/index.vue).

func TestListShowsEverySourceInOrderWithMaskedValues(t *testing.T) {
	e := New(WithoutProcessEnvironment(),
		WithSource("app", map[string]string{"server.port": "8080", "db.password": "hunter2"}),
		WithSource("defaults", map[string]string{"server.port": "80"}))
	got := get(newMux(e), "/env")
	want := `{"activeProfiles":[],"defaultProfiles":[],"propertySources":[
	  {"name":"app","properties":{"db.password":{"value":"******"},"server.port":{"value":"******"}}},
	  {"name":"defaults","properties":{"server.port":{"value":"******"}}}]}`
	if got.code != 200 || !sameJSON(t, got.body, want) {
		t.Errorf("got %d %s, want 200 %s", got.code, got.body, want)
	}
	if ct := got.header.Get("Content-Type"); ct != httpx.MediaTypeV3 {
		t.Errorf("Content-Type %q", ct)
	}
}

func TestTheProcessEnvironmentComesFirstWithItsOrigin(t *testing.T) {
	t.Setenv("ACTUATOR_ENV_TEST", "here")
	e := New(WithSource("app", map[string]string{"ACTUATOR_ENV_TEST": "there"}), WithShowValues(Always))
	got := get(newMux(e), "/env?pattern=^ACTUATOR_ENV_TEST$")
	want := `{"activeProfiles":[],"defaultProfiles":[],"propertySources":[
	  {"name":"systemEnvironment","properties":{"ACTUATOR_ENV_TEST":{"value":"here","origin":"System Environment Property \"ACTUATOR_ENV_TEST\""}}},
	  {"name":"app","properties":{"ACTUATOR_ENV_TEST":{"value":"there"}}}]}`
	if got.code != 200 || !sameJSON(t, got.body, want) {
		t.Errorf("got %d %s, want 200 %s", got.code, got.body, want)
	}
}

func TestTheProcessEnvironmentIsReadAtEachRequest(t *testing.T) {
	mux := newMux(New(WithShowValues(Always)))
	t.Setenv("ACTUATOR_ENV_LATE", "1")
	if got := get(mux, "/env/ACTUATOR_ENV_LATE"); got.code != 200 {
		t.Errorf("set after New: got %d %s", got.code, got.body)
	}
}

func TestOneNameShowsTheWinningSourceAndEverySource(t *testing.T) {
	e := New(WithoutProcessEnvironment(),
		WithSource("first", map[string]string{"other": "x"}),
		WithSource("second", map[string]string{"server.port": "8080"}),
		WithSource("third", map[string]string{"server.port": "80"}),
		WithShowValues(Always))
	got := get(newMux(e), "/env/server.port")
	want := `{"property":{"source":"second","value":"8080"},"activeProfiles":[],"defaultProfiles":[],
	  "propertySources":[{"name":"first"},{"name":"second","property":{"value":"8080"}},{"name":"third","property":{"value":"80"}}]}`
	if got.code != 200 || !sameJSON(t, got.body, want) {
		t.Errorf("got %d %s, want 200 %s", got.code, got.body, want)
	}
}

// Spring answers 404 when no source holds the name
// (EnvironmentEndpointWebExtension.environmentEntry); we add a JSON body.
func TestANameNoSourceHoldsIs404WithAJSONError(t *testing.T) {
	e := New(WithoutProcessEnvironment(), WithSource("app", map[string]string{"a": "1"}))
	for _, path := range []string{"/env/b", "/env/A", "/env/a/b", "/env/%3Cscript%3E"} {
		got := get(newMux(e), path)
		if got.code != 404 || !sameJSONStatus(t, got.body, 404) {
			t.Errorf("GET %s: got %d %s, want a 404 JSON error", path, got.code, got.body)
		}
	}
}

func TestSourceFuncsAreReadAtEachRequest(t *testing.T) {
	n := 0
	e := New(WithoutProcessEnvironment(), WithShowValues(Always),
		WithSourceFunc("live", func() map[string]string { n++; return map[string]string{"n": string(rune('0' + n))} }))
	mux := newMux(e)
	get(mux, "/env")
	if got := values(t, get(mux, "/env").body)["live"]["n"]; got != "2" {
		t.Errorf("second read shows %q, want 2", got)
	}
}

func TestWithSourceCopiesTheMap(t *testing.T) {
	props := map[string]string{"a": "1"}
	e := New(WithoutProcessEnvironment(), WithShowValues(Always), WithSource("app", props))
	props["a"] = "2"
	if got := values(t, get(newMux(e), "/env").body)["app"]["a"]; got != "1" {
		t.Errorf("shows %q, want the value at New", got)
	}
}
