package diag

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzEndpoints sends any sub-path and query to the three endpoints: no
// panic, a status from the documented set, and JSON where JSON is due.
// CPU profiles and traces are left out: each takes at least a second.
func FuzzEndpoints(f *testing.F) {
	for _, s := range []string{"", "goroutine", "heap", "x/y", "<script>", "symbol", "cmdline"} {
		f.Add(s, "debug=1&gc=1")
	}
	f.Add("", "gc=true&gc=true")
	f.Add("heap", "seconds=5")
	td, hd, pp := NewThreadDump().Handler(), NewHeapDump().Handler(), NewPprof().Handler()
	f.Fuzz(func(t *testing.T, sub, query string) {
		if first, _, _ := strings.Cut(sub, "/"); first == "profile" || first == "trace" {
			return
		}
		if strings.Contains(query, "debug=2") { // the full dump is slow, not wrong
			return
		}
		for _, h := range []http.Handler{td, hd, pp} {
			r := httptest.NewRequest(http.MethodGet, "/mnt", nil)
			r.URL.Path = "/mnt/" + sub
			r.URL.RawQuery = query
			r.SetPathValue("path", sub)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			switch w.Code {
			case http.StatusOK, http.StatusBadRequest, http.StatusNotFound:
			default:
				t.Fatalf("%q ? %q: status %d", sub, query, w.Code)
			}
			if ct := w.Header().Get("Content-Type"); strings.Contains(ct, "json") && !json.Valid(w.Body.Bytes()) {
				t.Fatalf("%q ? %q: invalid JSON %q", sub, query, w.Body.Bytes())
			}
		}
	})
}
