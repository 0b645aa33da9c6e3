package loggers

import (
	"log/slog"
	"testing"

	"github.com/actuatorgo/actuator/internal/httpx"
)

// The shapes below are Spring Boot Actuator's, pinned from
// spring-projects/spring-boot at c329ffa,
// module/spring-boot-actuator/src/main/java/org/springframework/boot/actuate/logging/LoggersEndpoint.java:
// LoggersDescriptor {levels, loggers, groups}, levels in descending order
// (TreeSet<LogLevel>.descendingSet()), SingleLoggerLevelsDescriptor
// {configuredLevel, effectiveLevel}. "groups" must be an object: Spring Boot
// Admin calls Object.entries on it
// (codecentric/spring-boot-admin at 78ee198,
// spring-boot-admin-server-ui/src/main/frontend/views/instances/loggers/service.ts).

func TestListShowsLevelsLoggersAndEmptyGroupsInSpringsShape(t *testing.T) {
	e := New(WithLevelVar("ROOT", levelVar(slog.LevelInfo)), WithLevelVar("db", levelVar(slog.LevelDebug)),
		WithLevelVar("com.example.web", levelVar(LevelOff)))
	got := do(newMux(e), "GET", "/loggers", "")
	want := `{"levels":["OFF","ERROR","WARN","INFO","DEBUG","TRACE"],
	  "loggers":{"ROOT":{"configuredLevel":"INFO","effectiveLevel":"INFO"},
	             "com.example.web":{"configuredLevel":"OFF","effectiveLevel":"OFF"},
	             "db":{"configuredLevel":"DEBUG","effectiveLevel":"DEBUG"}},
	  "groups":{}}`
	if got.code != 200 || !sameJSON(t, got.body, want) {
		t.Errorf("got %d %s, want 200 %s", got.code, got.body, want)
	}
	if ct := got.header.Get("Content-Type"); ct != httpx.MediaTypeV3 {
		t.Errorf("Content-Type %q, want %q", ct, httpx.MediaTypeV3)
	}
}

func TestListWithNoLoggersIsStillAWholeDocument(t *testing.T) {
	got := do(newMux(New()), "GET", "/loggers", "")
	want := `{"levels":["OFF","ERROR","WARN","INFO","DEBUG","TRACE"],"loggers":{},"groups":{}}`
	if got.code != 200 || !sameJSON(t, got.body, want) {
		t.Errorf("got %d %s, want 200 %s", got.code, got.body, want)
	}
}

func TestOneLoggerShowsConfiguredAndEffectiveLevel(t *testing.T) {
	e := New(WithLevelVar("ROOT", levelVar(slog.LevelWarn)))
	for _, path := range []string{"/loggers/ROOT", "/loggers/ROOT/"} {
		got := do(newMux(e), "GET", path, "")
		if want := `{"configuredLevel":"WARN","effectiveLevel":"WARN"}`; got.code != 200 || !sameJSON(t, got.body, want) {
			t.Errorf("GET %s: got %d %s, want 200 %s", path, got.code, got.body, want)
		}
	}
}

func TestUnknownLoggerIs404WithAJSONError(t *testing.T) {
	e := New(WithLevelVar("ROOT", new(slog.LevelVar)))
	for _, path := range []string{"/loggers/nope", "/loggers/root", "/loggers/ROOT/child", "/loggers/%3Cscript%3E"} {
		got := do(newMux(e), "GET", path, "")
		if got.code != 404 || !sameJSONField(t, got.body, "status", float64(404)) {
			t.Errorf("GET %s: got %d %s, want a 404 JSON error", path, got.code, got.body)
		}
	}
}
