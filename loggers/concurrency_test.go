package loggers

import (
	"log/slog"
	"sync"
	"testing"
)

// TestConcurrentReadsAndWritesAreSafe runs reads, writes and resets of the
// same loggers at once; -race checks them, and every level read back is
// one of the levels written.
func TestConcurrentReadsAndWritesAreSafe(t *testing.T) {
	root, db := levelVar(slog.LevelInfo), levelVar(slog.LevelInfo)
	mux := newMux(New(WithLevelVar("ROOT", root), WithLevelVar("db", db)))
	bodies := []string{`{"configuredLevel":"DEBUG"}`, `{"configuredLevel":"ERROR"}`, `{}`}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 50 {
				name := []string{"ROOT", "db"}[(i+j)%2]
				if got := do(mux, "POST", "/loggers/"+name, bodies[(i+j)%3]); got.code != 204 {
					t.Errorf("POST: %d %s", got.code, got.body)
				}
				if got := do(mux, "GET", "/loggers", ""); got.code != 200 {
					t.Errorf("GET: %d %s", got.code, got.body)
				}
			}
		})
	}
	wg.Wait()
	for _, v := range []*slog.LevelVar{root, db} {
		if l := v.Level(); l != slog.LevelDebug && l != slog.LevelError && l != slog.LevelInfo {
			t.Errorf("level %v was never written", l)
		}
	}
}
