package health

import (
	"context"
	"errors"
)

// Status is a health status code as it appears on the wire. The four
// constants are Spring Boot's; any other non-empty string is a custom status
// (rank it with [WithOrder] and map it with [WithStatusCode]).
type Status string

// The standard statuses.
const (
	Up           Status = "UP"
	Down         Status = "DOWN"
	OutOfService Status = "OUT_OF_SERVICE"
	Unknown      Status = "UNKNOWN"
)

// CheckFunc is the simple form of a check: nil means UP, an error means DOWN
// with the error's text in the details. db.PingContext is a CheckFunc.
// A check must honour ctx: it carries the check's deadline.
type CheckFunc func(ctx context.Context) error

// Result is what a [StatusFunc] returns.
//
// An empty Status means UP when Err is nil and DOWN otherwise; an Err with
// Status UP is reported as DOWN. Details are shown to callers allowed to see
// details (see [WithDefaultShowDetails]); the keys "duration" and "error" are
// reserved and overwritten by the checker.
type Result struct {
	Status  Status
	Details map[string]any
	Err     error
}

// StatusFunc is the rich form of a check: it chooses its status (custom
// statuses included) and may add details.
type StatusFunc func(ctx context.Context) Result

// Visibility says who sees component lists or details.
type Visibility int

const (
	// Never shows it to nobody.
	Never Visibility = iota
	// WhenAuthorized shows it when the authorizer set with [WithAuthorizer]
	// accepts the request. Without an authorizer nobody is authorized.
	WhenAuthorized
	// Always shows it to everybody.
	Always
)

// String returns the Spring Boot property spelling: never, when-authorized, always.
func (v Visibility) String() string {
	switch v {
	case Never:
		return "never"
	case WhenAuthorized:
		return "when-authorized"
	case Always:
		return "always"
	}
	return "Visibility(" + itoa(int(v)) + ")"
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

// ErrNotChecked is the error of a background check that has not completed
// its first run yet; such a check reports UNKNOWN.
var ErrNotChecked = errors.New("not checked yet")

// fromError adapts a CheckFunc to a StatusFunc.
func fromError(fn CheckFunc) StatusFunc {
	return func(ctx context.Context) Result {
		if err := fn(ctx); err != nil {
			return Result{Status: Down, Err: err}
		}
		return Result{Status: Up}
	}
}

// normalize applies the Result rules documented on [Result].
func normalize(r Result) Status {
	switch {
	case r.Err != nil && (r.Status == "" || r.Status == Up):
		return Down
	case r.Status == "":
		return Up
	}
	return r.Status
}
