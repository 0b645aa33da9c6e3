package loggers

import (
	"errors"
	"log/slog"
	"strings"
	"testing"
)

// The write is Spring's: POST /loggers/{name} with {"configuredLevel":...},
// 204 (LoggersEndpoint.configureLogLevel, a void @WriteOperation). Spring
// Boot Admin sends Content-Type application/json, and {} to reset
// (codecentric/spring-boot-admin at 78ee198,
// spring-boot-admin-server-ui/src/main/frontend/services/instance.ts,
// configureLogger).

func TestPostSetsTheLevelAndAnswers204(t *testing.T) {
	v := levelVar(slog.LevelInfo)
	mux := newMux(New(WithLevelVar("ROOT", v)))
	got := do(mux, "POST", "/loggers/ROOT", `{"configuredLevel":"DEBUG"}`)
	if got.code != 204 || got.body != "" {
		t.Fatalf("got %d %q, want 204 and no body", got.code, got.body)
	}
	if v.Level() != slog.LevelDebug {
		t.Errorf("level %v, want DEBUG", v.Level())
	}
	if got := do(mux, "GET", "/loggers/ROOT", ""); !sameJSON(t, got.body, `{"configuredLevel":"DEBUG","effectiveLevel":"DEBUG"}`) {
		t.Errorf("after POST: %s", got.body)
	}
}

func TestNullOrAbsentLevelResetsToTheLevelAtNew(t *testing.T) {
	for _, body := range []string{`{"configuredLevel":null}`, `{}`, `{"other":1}`} {
		t.Run(body, func(t *testing.T) {
			v := levelVar(slog.LevelWarn)
			mux := newMux(New(WithLevelVar("db", v)))
			v.Set(slog.LevelError) // a change made by the program itself after New
			if got := do(mux, "POST", "/loggers/db", `{"configuredLevel":"trace"}`); got.code != 204 || v.Level() != LevelTrace {
				t.Fatalf("set: %d %s, level %v", got.code, got.body, v.Level())
			}
			if got := do(mux, "POST", "/loggers/db", body); got.code != 204 {
				t.Fatalf("reset: %d %s", got.code, got.body)
			}
			if v.Level() != slog.LevelWarn {
				t.Errorf("after reset the level is %v, want WARN, the level at New", v.Level())
			}
		})
	}
}

func TestBadWritesGetAJSONErrorAndLeaveTheLevel(t *testing.T) {
	tests := []struct {
		name, path, contentType, body string
		code                          int
		message                       string
	}{
		{"unknown level", "/loggers/ROOT", "application/json", `{"configuredLevel":"VERBOSE"}`, 400, "unknown level"},
		{"empty level", "/loggers/ROOT", "application/json", `{"configuredLevel":""}`, 400, "unknown level"},
		{"number", "/loggers/ROOT", "application/json", `{"configuredLevel":4}`, 400, "level name or null"},
		{"malformed JSON", "/loggers/ROOT", "application/json", `{"configuredLevel":`, 400, "JSON object"},
		{"array", "/loggers/ROOT", "application/json", `["DEBUG"]`, 400, "JSON object"},
		{"null body", "/loggers/ROOT", "application/json", `null`, 400, "JSON object"},
		{"trailing data", "/loggers/ROOT", "application/json", `{} {}`, 400, "JSON object"},
		{"empty body", "/loggers/ROOT", "application/json", ``, 400, "JSON object"},
		{"form post", "/loggers/ROOT", "application/x-www-form-urlencoded", `configuredLevel=DEBUG`, 415, "must be JSON"},
		{"text/plain", "/loggers/ROOT", "text/plain", `{"configuredLevel":"DEBUG"}`, 415, "must be JSON"},
		{"no content type", "/loggers/ROOT", "", `{"configuredLevel":"DEBUG"}`, 415, "must be JSON"},
		{"unknown logger", "/loggers/nope", "application/json", `{"configuredLevel":"DEBUG"}`, 404, "no logger"},
		{"post to the list", "/loggers", "application/json", `{"configuredLevel":"DEBUG"}`, 405, "not allowed"},
		{"too long", "/loggers/ROOT", "application/json",
			`{"configuredLevel":"DEBUG","pad":"` + strings.Repeat("x", MaxRequestBody) + `"}`, 413, "longer than the limit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := levelVar(slog.LevelInfo)
			mux := newMux(New(WithLevelVar("ROOT", v)))
			r := newRequest("POST", tc.path, tc.body, tc.contentType)
			got := serve(mux, r)
			if got.code != tc.code || !strings.Contains(got.body, tc.message) ||
				!sameJSONField(t, got.body, "status", float64(tc.code)) {
				t.Errorf("got %d %s, want %d with %q", got.code, got.body, tc.code, tc.message)
			}
			if v.Level() != slog.LevelInfo {
				t.Errorf("level changed to %v", v.Level())
			}
		})
	}
}

func TestABodyJustUnderTheLimitIsRead(t *testing.T) {
	v := levelVar(slog.LevelInfo)
	body := `{"configuredLevel":"ERROR","pad":"`
	body += strings.Repeat("x", MaxRequestBody-len(body)-2) + `"}`
	got := do(newMux(New(WithLevelVar("ROOT", v))), "POST", "/loggers/ROOT", body)
	if got.code != 204 || v.Level() != slog.LevelError {
		t.Errorf("got %d %s, level %v; want 204 and ERROR", got.code, got.body, v.Level())
	}
}

func TestTheV3MediaTypeIsAcceptedForAWrite(t *testing.T) {
	v := levelVar(slog.LevelInfo)
	r := newRequest("POST", "/loggers/ROOT", `{"configuredLevel":"OFF"}`, "application/vnd.spring-boot.actuator.v3+json; charset=utf-8")
	if got := serve(newMux(New(WithLevelVar("ROOT", v))), r); got.code != 204 || v.Level() != LevelOff {
		t.Errorf("got %d %s, level %v", got.code, got.body, v.Level())
	}
}

func TestSetLevelReportsUnknownLoggersAndLevels(t *testing.T) {
	e := New(WithLevelVar("ROOT", new(slog.LevelVar)))
	if err := e.SetLevel("nope", "INFO"); !errors.Is(err, ErrUnknownLogger) {
		t.Errorf("unknown logger: %v", err)
	}
	var ule *UnknownLevelError
	if err := e.SetLevel("ROOT", "LOUD"); !errors.As(err, &ule) || ule.Level != "LOUD" {
		t.Errorf("unknown level: %v", err)
	}
}

func TestFatalIsTakenAsErrorAsLogbackTakesIt(t *testing.T) {
	v := levelVar(slog.LevelInfo)
	mux := newMux(New(WithLevelVar("ROOT", v)))
	if got := do(mux, "POST", "/loggers/ROOT", `{"configuredLevel":"FATAL"}`); got.code != 204 || v.Level() != slog.LevelError {
		t.Errorf("got %d %s, level %v; want 204 and ERROR", got.code, got.body, v.Level())
	}
	if got := do(mux, "GET", "/loggers/ROOT", ""); !sameJSON(t, got.body, `{"configuredLevel":"ERROR","effectiveLevel":"ERROR"}`) {
		t.Errorf("after FATAL: %s", got.body)
	}
}
