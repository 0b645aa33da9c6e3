package env

import (
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzRequest sends any name and pattern: no panic, a status in the
// allowed set, every body JSON, and the secret never in it.
func FuzzRequest(f *testing.F) {
	f.Add("a", "a")
	f.Add("db.password", "")
	f.Add("<script>", "(")
	f.Add("", `\pN+`)
	f.Fuzz(func(t *testing.T, name, pattern string) {
		e := New(WithoutProcessEnvironment(), WithShowValues(Always),
			WithSource("app", map[string]string{"a": "1", "db.password": "hunter2", name: "x"}))
		r := httptest.NewRequest("GET", "/env", nil)
		r.URL.Path = "/env/" + name
		r.URL.RawQuery = "pattern=" + url.QueryEscape(pattern)
		w := httptest.NewRecorder()
		newMux(e).ServeHTTP(w, r)
		switch w.Code {
		case 200, 301, 307, 400, 404:
		default:
			t.Fatalf("%q %q: status %d", name, pattern, w.Code)
		}
		if w.Code < 300 || w.Code >= 400 {
			if !json.Valid(w.Body.Bytes()) {
				t.Fatalf("%q %q: body %q is not JSON", name, pattern, w.Body)
			}
		}
		if strings.Contains(w.Body.String(), "hunter2") {
			t.Fatalf("%q %q: secret shown: %s", name, pattern, w.Body)
		}
	})
}
