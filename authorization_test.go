package actuator_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/actuatorgo/actuator"
	"github.com/actuatorgo/actuator/health"
)

// TestHugeCredentialsCostAConstant: an Authorization header of a megabyte
// is refused for at most a few KiB more than a wrong short one, by each
// ready-made authorizer, on a sensitive endpoint and on health details.
func TestHugeCredentialsCostAConstant(t *testing.T) {
	const mib = 1 << 20
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	for _, tc := range []struct {
		name        string
		auth        actuator.Authorizer
		small, huge string
	}{
		{"bearer", actuator.BearerToken("t0k"), "Bearer nope", "Bearer " + strings.Repeat("x", mib)},
		{"basic", actuator.BasicAuth("u", "p"), "Basic dTpx", "Basic " + strings.Repeat("QUFB", mib/4)},
		{"any of", actuator.AnyOf(actuator.BearerToken("t0k"), actuator.BasicAuth("u", "p")), "Bearer nope", "Basic " + strings.Repeat("QUFB", mib/4)},
	} {
		a := newActuator(t,
			actuator.WithAuthorizer(tc.auth),
			actuator.WithEndpoint("secret", ok, actuator.Sensitive()),
			actuator.WithHealthOptions(health.WithShowDetails(health.WhenAuthorized)),
		)
		for _, path := range []string{"/actuator/secret", "/actuator/health"} {
			want := http.StatusForbidden
			if path == "/actuator/health" {
				want = http.StatusOK
			}
			small := httptest.NewRequest("GET", path, nil)
			small.Header.Set("Authorization", tc.small)
			large := httptest.NewRequest("GET", path, nil)
			large.Header.Set("Authorization", tc.huge)
			assertBoundedCost(t, a, tc.name+" "+path, small, large, want, want)
		}
	}
}

// TestLongConfiguredCredentialsStillMatch: the bound on the header grows
// with credentials configured longer than it.
func TestLongConfiguredCredentialsStillMatch(t *testing.T) {
	long := strings.Repeat("k", 10<<10)
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Authorization", "Bearer "+long)
	if !actuator.BearerToken(long)(r) {
		t.Error("a 10 KiB bearer token does not match itself")
	}
	r = httptest.NewRequest("GET", "/", nil)
	r.SetBasicAuth("user", long)
	if !actuator.BasicAuth("user", long)(r) {
		t.Error("a 10 KiB password does not match itself")
	}
}
