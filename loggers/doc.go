// Package loggers serves the actuator's /loggers endpoint: the levels of
// [log/slog] loggers, read and changed at runtime.
//
// The program hands in the [*slog.LevelVar]s its handlers use, each under a
// name ("ROOT" by convention for the program's main one):
//
//	root := new(slog.LevelVar) // Info
//	db := new(slog.LevelVar)
//	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: root})))
//	e := loggers.New(loggers.WithLevelVar("ROOT", root), loggers.WithLevelVar("db", db))
//	mux.Handle("/loggers/{path...}", e.Handler())
//
// The document follows Spring Boot Actuator's shape:
//
//	GET /loggers
//	{"levels":["OFF","ERROR","WARN","INFO","DEBUG","TRACE"],
//	 "loggers":{"ROOT":{"configuredLevel":"INFO","effectiveLevel":"INFO"},"db":{...}},
//	 "groups":{}}
//	GET /loggers/db
//	{"configuredLevel":"INFO","effectiveLevel":"INFO"}
//	POST /loggers/db   Content-Type: application/json
//	{"configuredLevel":"DEBUG"}   -> 204, the LevelVar now holds slog.LevelDebug
//	{"configuredLevel":null} or {} -> 204, the LevelVar is back at its level from New
//
// # Levels
//
// Spring's names map onto slog levels as follows ([ParseLevel], [LevelName]):
//
//	TRACE  slog.LevelDebug-4 (-8)
//	DEBUG  slog.LevelDebug   (-4)
//	INFO   slog.LevelInfo    (0)
//	WARN   slog.LevelWarn    (4)
//	ERROR  slog.LevelError   (8)
//	OFF    [LevelOff] (math.MaxInt32): no record is that severe
//
// FATAL is not listed, since slog has no such level; a POST of FATAL sets
// ERROR, as Spring Boot does with Logback. A LevelVar set by the program to a level between two names
// (slog.LevelInfo+2, say) is reported as the next name up (WARN): the least
// severe of the named levels whose records still get through. Anything above
// ERROR is reported as OFF, anything below TRACE as TRACE.
//
// # Configured and effective levels
//
// A slog LevelVar always holds a level of its own and inherits from nothing,
// so each logger's configuredLevel and effectiveLevel are both its current
// level; there is no hierarchy of dotted names as in Logback, and "groups" is
// always empty. "Reset" (a null configuredLevel) restores the level the
// LevelVar held when [New] was called.
//
// # Security
//
// The endpoint changes how the program logs, and reveals the names of its
// loggers: keep it unexposed unless needed, behind an authorizer, and refuse
// cross-origin browser requests for its writes (the actuator's root does all
// three). On its own the handler reads at most [MaxRequestBody] bytes of a
// POST body (413 beyond) and accepts only JSON bodies (415 otherwise), which
// a browser cannot send cross-origin without a CORS preflight.
package loggers
