package info_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/actuatorgo/actuator/info"
)

// The texts a failing contributor produces (its error, its panic value, an
// encoding error, a timeout) can name hosts, users or internals: only
// callers the authorizer accepts see them. Everyone else sees that the
// section failed, not why, and the healthy sections as usual.
func TestContributorErrorTextsOnlyForAuthorisedCallers(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	opts := []info.Option{
		info.WithoutGo(),
		info.WithContributorTimeout(50 * time.Millisecond),
		info.WithContributor("ok", func(context.Context) (any, error) { return "fine", nil }),
		info.WithContributor("failing", func(context.Context) (any, error) {
			return nil, errors.New("dial tcp db.internal:5432: password authentication failed for user admin")
		}),
		info.WithContributor("panicking", func(context.Context) (any, error) { panic("secret-panic-value") }),
		info.WithContributor("unencodable", func(context.Context) (any, error) { return func() {}, nil }),
		info.WithContributor("slow", func(context.Context) (any, error) { <-release; return "late", nil }),
	}
	secrets := []string{"db.internal", "admin", "secret-panic-value", "func()", "deadline", "did not answer"}
	admin := func(r *http.Request) bool { return r.Header.Get("Authorization") == "Bearer t0k" }

	rows := []struct {
		name   string
		opts   []info.Option
		header string
		shown  bool
	}{
		{"no authorizer", nil, "Bearer t0k", false},
		{"refused caller", []info.Option{info.WithAuthorizer(admin)}, "", false},
		{"wrong token", []info.Option{info.WithAuthorizer(admin)}, "Bearer nope", false},
		{"authorised caller", []info.Option{info.WithAuthorizer(admin)}, "Bearer t0k", true},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			e := info.New(append(append([]info.Option(nil), opts...), row.opts...)...)
			r := httptest.NewRequest("GET", "/", nil)
			r.URL.Path = ""
			if row.header != "" {
				r.Header.Set("Authorization", row.header)
			}
			w := httptest.NewRecorder()
			e.Handler().ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				t.Fatalf("status = %d", w.Code)
			}
			var doc map[string]any
			if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil {
				t.Fatalf("body is not JSON: %v: %s", err, w.Body)
			}
			if doc["ok"] != "fine" {
				t.Errorf("ok = %v, want fine", doc["ok"])
			}
			for _, key := range []string{"failing", "panicking", "unencodable", "slow"} {
				section, _ := doc[key].(map[string]any)
				msg, _ := section["error"].(string)
				if msg == "" {
					t.Errorf("%s = %v, want an error", key, doc[key])
					continue
				}
				if !row.shown && msg != "unavailable" {
					t.Errorf("%s error = %q, want \"unavailable\"", key, msg)
				}
				if row.shown && msg == "unavailable" {
					t.Errorf("%s error hidden from an authorised caller", key)
				}
			}
			if !row.shown {
				for _, s := range secrets {
					if strings.Contains(w.Body.String(), s) {
						t.Errorf("body shows %q to a caller who may not see it: %s", s, w.Body)
					}
				}
			}
		})
	}
}
