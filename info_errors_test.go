package actuator_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/actuatorgo/actuator"
)

// Through the root, /info shows a contributor's error text only to callers
// the actuator's authorizer accepts, as health shows its details; without
// an authorizer nobody sees it over HTTP.
func TestInfoErrorTextsFollowTheAuthorizer(t *testing.T) {
	failing := func(context.Context) (any, error) { return nil, errors.New("ldap://10.1.2.3 bind failed") }
	rows := []struct {
		name   string
		opts   []actuator.Option
		header []string
		shown  bool
	}{
		{"no authorizer", nil, []string{"Authorization", "Bearer t0k"}, false},
		{"refused", []actuator.Option{actuator.WithAuthorizer(actuator.BearerToken("t0k"))}, nil, false},
		{"wrong token", []actuator.Option{actuator.WithAuthorizer(actuator.BearerToken("t0k"))}, []string{"Authorization", "Bearer x"}, false},
		{"authorised", []actuator.Option{actuator.WithAuthorizer(actuator.BearerToken("t0k"))}, []string{"Authorization", "Bearer t0k"}, true},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			a := newActuator(t, append(row.opts, actuator.WithInfoContributor("directory", failing))...)
			w := do(a, "GET", "/actuator/info", row.header...)
			if w.Code != 200 {
				t.Fatalf("GET /actuator/info = %d", w.Code)
			}
			section, _ := decode(t, w)["directory"].(map[string]any)
			msg, _ := section["error"].(string)
			if shown := strings.Contains(msg, "10.1.2.3"); shown != row.shown {
				t.Errorf("error = %q, text shown %v, want %v", msg, shown, row.shown)
			}
			if !row.shown && msg != "unavailable" {
				t.Errorf("error = %q, want \"unavailable\"", msg)
			}
		})
	}
}
