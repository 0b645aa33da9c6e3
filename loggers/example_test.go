package loggers_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"

	"github.com/actuatorgo/actuator/loggers"
)

func Example() {
	level := new(slog.LevelVar) // INFO
	log := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		Level:       level,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr { return dropTime(a) },
	}))
	mux := http.NewServeMux()
	mux.Handle("/loggers/{path...}", loggers.New(loggers.WithLevelVar("ROOT", level)).Handler())

	log.Debug("hidden")
	r := httptest.NewRequest("POST", "/loggers/ROOT", strings.NewReader(`{"configuredLevel":"DEBUG"}`))
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, r)
	fmt.Println(w.Code)
	log.Debug("shown")

	w = httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest("GET", "/loggers/ROOT", nil))
	fmt.Println(w.Body)
	// Output:
	// 204
	// level=DEBUG msg=shown
	// {"configuredLevel":"DEBUG","effectiveLevel":"DEBUG"}
}

func dropTime(a slog.Attr) slog.Attr {
	if a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}
