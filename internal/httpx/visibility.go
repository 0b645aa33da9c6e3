package httpx

import (
	"errors"
	"strconv"
	"strings"
)

// Visibility says to whom something is shown: Spring Boot's Show, which
// health's show-details and show-components and env's show-values share.
// Packages health and env export it under their own names.
type Visibility int

// The visibilities, in Spring Boot's order.
const (
	// Never shows it to nobody.
	Never Visibility = iota
	// WhenAuthorized shows it when the package's authorizer accepts the
	// request. Without an authorizer nobody is authorized.
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
	return "Visibility(" + strconv.Itoa(int(v)) + ")"
}

// ErrVisibility is the error of a visibility ParseVisibility cannot read.
var ErrVisibility = errors.New("want never, when-authorized or always")

// ParseVisibility parses never, when-authorized or always in any case,
// with "_" for "-" too (Spring's NEVER, WHEN_AUTHORIZED, ALWAYS), as
// configuration read from flags or the environment spells them.
func ParseVisibility(s string) (Visibility, error) {
	switch strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "_", "-") {
	case "never":
		return Never, nil
	case "when-authorized":
		return WhenAuthorized, nil
	case "always":
		return Always, nil
	}
	return Never, ErrVisibility
}
