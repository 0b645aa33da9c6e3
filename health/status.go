package health

import (
	"context"
	"errors"

	"github.com/actuatorgo/actuator/internal/httpx"
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

// Visibility says who sees component lists or details: Never,
// WhenAuthorized (when the authorizer set with [WithAuthorizer] accepts the
// request; without one nobody is authorized) or Always. Its String is the
// Spring Boot spelling. It is the same type as env.Visibility.
type Visibility = httpx.Visibility

// The visibilities.
const (
	Never          = httpx.Never
	WhenAuthorized = httpx.WhenAuthorized
	Always         = httpx.Always
)

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
