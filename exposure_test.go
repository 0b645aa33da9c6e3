package actuator_test

import (
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/actuatorgo/actuator"
)

func TestExposure(t *testing.T) {
	custom := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "custom "+r.URL.Path)
	})
	tests := []struct {
		name string
		opts []actuator.Option
		want []string // exposed ids
	}{
		{"defaults", nil, []string{"health", "info", "metrics", "prometheus"}},
		{"include one", []actuator.Option{actuator.WithExposure([]string{"health"}, nil)}, []string{"health"}},
		{"star minus metrics", []actuator.Option{actuator.WithExposure([]string{"*"}, []string{"metrics", "prometheus"})}, []string{"health", "info"}},
		{"exclude wins", []actuator.Option{actuator.WithExposure([]string{"health", "info"}, []string{"info"})}, []string{"health"}},
		{"exclude star", []actuator.Option{actuator.WithExposure([]string{"*"}, []string{"*"})}, nil},
		{"shutdown is opt-in", []actuator.Option{actuator.WithExposure([]string{"*"}, nil)}, []string{"health", "info", "metrics", "prometheus"}},
		{"shutdown enabled", []actuator.Option{actuator.WithShutdownEndpoint(), allowAll}, []string{"health", "info", "metrics", "prometheus", "shutdown"}},
		{"custom endpoint", []actuator.Option{actuator.WithEndpoint("custom", custom)}, []string{"custom", "health", "info", "metrics", "prometheus"}},
		{"custom excluded", []actuator.Option{actuator.WithEndpoint("custom", custom), actuator.WithExposure(nil, []string{"custom"})}, []string{"health", "info", "metrics", "prometheus"}},
	}
	all := []string{"custom", "health", "info", "metrics", "prometheus", "shutdown"}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := newActuator(t, tc.opts...)
			var links []string
			for _, n := range linkNames(t, do(a, "GET", "/actuator")) {
				if !strings.Contains(n, "-") && n != "self" {
					links = append(links, n)
				}
			}
			if !slices.Equal(links, tc.want) {
				t.Errorf("index lists %v, want %v", links, tc.want)
			}
			for _, id := range all {
				method := "GET"
				if id == "shutdown" {
					method = "OPTIONS" // never triggers a shutdown; anything but 404 proves it is there
				}
				w := do(a, method, "/actuator/"+id)
				if exposed := slices.Contains(tc.want, id); exposed == (w.Code == http.StatusNotFound) {
					t.Errorf("%s %s = %d, exposed %v", method, id, w.Code, exposed)
				}
			}
		})
	}
}

// An endpoint that is not exposed answers exactly as an unknown id does.
func TestNotExposedLooksLikeUnknown(t *testing.T) {
	a := newActuator(t, actuator.WithExposure([]string{"health"}, nil))
	unknown := do(a, "GET", "/actuator/doesnotexist")
	hidden := do(a, "GET", "/actuator/info")
	if unknown.Code != http.StatusNotFound || !sameError(t, unknown, hidden) {
		t.Errorf("hidden endpoint distinguishable: %d %s vs %d %s", unknown.Code, unknown.Body, hidden.Code, hidden.Body)
	}
}

// A custom endpoint under a built-in id replaces it, and gets the whole
// path below its id and the security headers.
func TestCustomEndpointReplacesBuiltin(t *testing.T) {
	a := newActuator(t, actuator.WithEndpoint("info", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "mine:"+r.URL.Path)
	})))
	tests := []struct{ path, want string }{
		{"/actuator/info", "mine:"},
		{"/actuator/info/x/y", "mine:/x/y"},
	}
	for _, tc := range tests {
		w := do(a, "GET", tc.path, "Accept", "text/plain")
		if w.Code != http.StatusOK || w.Body.String() != tc.want {
			t.Errorf("GET %s = %d %q, want 200 %q", tc.path, w.Code, w.Body, tc.want)
		}
		if got := w.Header().Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("nosniff missing on custom endpoint: %q", got)
		}
	}
}
