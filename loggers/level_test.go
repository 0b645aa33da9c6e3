package loggers

import (
	"log/slog"
	"math"
	"testing"
)

// Spring's level names are those of
// core/spring-boot/src/main/java/org/springframework/boot/logging/LogLevel.java
// (spring-projects/spring-boot at c329ffa). With Logback, Spring's default,
// FATAL maps to ERROR and is left out of "levels": LogbackLoggingSystem.java
// createLogLevels maps FATAL to Level.ERROR after ERROR, and
// AbstractLoggingSystem.LogLevels.getSupported lists the first level mapped
// to each native one. We do the same.

func TestParseLevelMapsSpringNamesOntoSlogLevelsInAnyCase(t *testing.T) {
	tests := []struct {
		name string
		want slog.Level
		ok   bool
	}{
		{"TRACE", slog.LevelDebug - 4, true},
		{"DEBUG", slog.LevelDebug, true},
		{"INFO", slog.LevelInfo, true},
		{"WARN", slog.LevelWarn, true},
		{"ERROR", slog.LevelError, true},
		{"OFF", slog.Level(math.MaxInt32), true},
		{"debug", slog.LevelDebug, true},
		{"Warn", slog.LevelWarn, true},
		{"FATAL", slog.LevelError, true},
		{"fatal", slog.LevelError, true},
		{"WARNING", 0, false},
		{"", 0, false},
		{" INFO", 0, false},
		{"-4", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := ParseLevel(tc.name)
			if ok != tc.ok || (ok && got != tc.want) {
				t.Errorf("ParseLevel(%q) = %v, %v; want %v, %v", tc.name, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestLevelNameRoundsLevelsBetweenNamesUpToTheNextName(t *testing.T) {
	tests := []struct {
		level slog.Level
		want  string
	}{
		{slog.Level(math.MinInt32), "TRACE"},
		{slog.LevelDebug - 8, "TRACE"},
		{slog.LevelDebug - 4, "TRACE"},
		{slog.LevelDebug - 1, "DEBUG"},
		{slog.LevelDebug, "DEBUG"},
		{slog.LevelInfo - 2, "INFO"},
		{slog.LevelInfo, "INFO"},
		{slog.LevelInfo + 2, "WARN"},
		{slog.LevelWarn, "WARN"},
		{slog.LevelError, "ERROR"},
		{slog.LevelError + 1, "OFF"},
		{LevelOff, "OFF"},
	}
	for _, tc := range tests {
		if got := LevelName(tc.level); got != tc.want {
			t.Errorf("LevelName(%d) = %s, want %s", tc.level, got, tc.want)
		}
	}
}

func TestEveryListedLevelRoundTrips(t *testing.T) {
	for _, n := range names {
		l, ok := ParseLevel(n)
		if !ok || LevelName(l) != n {
			t.Errorf("%s -> %v, %v -> %s", n, l, ok, LevelName(l))
		}
	}
}
