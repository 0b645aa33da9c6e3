package loggers

import "errors"

// ErrUnknownLogger is returned by [Endpoint.SetLevel] for a name that was
// not added with [WithLevelVar].
var ErrUnknownLogger = errors.New("loggers: unknown logger")

// UnknownLevelError is returned by [Endpoint.SetLevel] for a level name
// that is not one of TRACE, DEBUG, INFO, WARN, ERROR and OFF.
type UnknownLevelError struct {
	Level string // as given, cut to 64 bytes
}

func (e *UnknownLevelError) Error() string {
	l := e.Level
	if len(l) > 64 {
		l = l[:64] + "..."
	}
	return "loggers: unknown level " + `"` + l + `"` + " (want one of OFF, ERROR, WARN, INFO, DEBUG, TRACE)"
}
