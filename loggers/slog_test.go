package loggers

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// TestAPostChangesWhatARealSlogLoggerWrites drives a slog.Logger whose
// handler reads the LevelVar: its debug records appear after DEBUG is
// posted, and stop again after a reset.
func TestAPostChangesWhatARealSlogLoggerWrites(t *testing.T) {
	var out bytes.Buffer
	root := new(slog.LevelVar) // INFO
	log := slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: root}))
	mux := newMux(New(WithLevelVar("ROOT", root)))

	log.Debug("first")
	if got := do(mux, "POST", "/loggers/ROOT", `{"configuredLevel":"DEBUG"}`); got.code != 204 {
		t.Fatalf("POST DEBUG: %d %s", got.code, got.body)
	}
	log.Debug("second")
	if got := do(mux, "POST", "/loggers/ROOT", `{"configuredLevel":"OFF"}`); got.code != 204 {
		t.Fatalf("POST OFF: %d %s", got.code, got.body)
	}
	log.Error("third")
	if got := do(mux, "POST", "/loggers/ROOT", `{"configuredLevel":null}`); got.code != 204 {
		t.Fatalf("POST null: %d %s", got.code, got.body)
	}
	log.Debug("fourth")
	log.Info("fifth")

	s := out.String()
	for msg, want := range map[string]bool{"first": false, "second": true, "third": false, "fourth": false, "fifth": true} {
		if got := strings.Contains(s, "msg="+msg); got != want {
			t.Errorf("%q written: %v, want %v; output:\n%s", msg, got, want, s)
		}
	}
}
