package loggers

import (
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzRequest sends any path, method and body: no panic, a status in the
// allowed set, every body JSON, and a level that is one of the named ones.
func FuzzRequest(f *testing.F) {
	f.Add("POST", "ROOT", `{"configuredLevel":"DEBUG"}`)
	f.Add("POST", "ROOT", `{}`)
	f.Add("GET", "ROOT", ``)
	f.Add("POST", "ROOT", `{"configuredLevel":"\u0000"}`)
	f.Add("PATCH", "<script>", `[`)
	f.Fuzz(func(t *testing.T, method, name, body string) {
		if !validMethod(method) {
			return
		}
		v := new(slog.LevelVar)
		mux := newMux(New(WithLevelVar("ROOT", v)))
		r := httptest.NewRequest("GET", "/loggers/x", strings.NewReader(body))
		r.Method = method
		r.URL.Path = "/loggers/" + name
		r.Header.Set("Content-Type", "application/json")
		got := serve(mux, r)
		switch got.code {
		case 200, 204, 301, 307, 400, 404, 405, 413:
		default:
			t.Fatalf("%s %q %q: status %d", method, name, body, got.code)
		}
		if got.code != 204 && got.code != 301 && got.code != 307 && method != "HEAD" && !json.Valid([]byte(got.body)) {
			t.Fatalf("%s %q: body %q is not JSON", method, name, got.body)
		}
		if l, ok := ParseLevel(LevelName(v.Level())); !ok || l != v.Level() {
			t.Fatalf("level %v", v.Level())
		}
	})
}

func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for _, c := range m {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}
