package health

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/actuatorgo/actuator/internal/httpx"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// fixture is a checker with a bit of everything. Run it in a synctest
// bubble: durations are then exact.
func fixture(extra ...Option) *Checker {
	sleepy := func(d time.Duration, r Result) StatusFunc {
		return func(ctx context.Context) Result {
			time.Sleep(d)
			return r
		}
	}
	opts := []Option{
		WithStatusCheck("db", sleepy(3*time.Millisecond, Result{Status: Up, Details: map[string]any{"database": "postgres", "validationQuery": "isValid()"}}), WithGroups(GroupReadiness)),
		WithCheck("cache", failing("dial tcp 10.0.0.7:6379: connect: connection refused <script>"), WithGroups("custom")),
		WithGroup("custom"),
		WithComposite("backends",
			WithStatusCheck("a", sleepy(time.Millisecond, Result{})),
			WithStatusCheck("b", status(OutOfService, map[string]any{"reason": "maintenance"})),
			WithComposite("inner", WithCheck("x", up)),
		),
		WithStatusCheck("livenessState", status(Up, nil), WithGroups(GroupLiveness)),
		WithStatusCheck("readinessState", status(Up, nil), WithGroups(GroupReadiness)),
		WithGroup("custom", WithInclude("backends")),
		WithAuthorizer(testAuthorizer),
	}
	return New(append(opts, extra...)...)
}

func TestGolden(t *testing.T) {
	auth := []string{authHeader, "yes"}
	tests := []struct {
		name   string
		opts   []Option
		path   string
		header []string
	}{
		{"root_unauthorized", nil, "", nil},
		{"root_authorized", nil, "/", auth},
		{"root_components_hidden", []Option{WithDefaultShowComponents(Never)}, "", auth},
		{"readiness", nil, "/readiness", auth},
		{"readiness_components", []Option{WithGroup(GroupReadiness, WithShowComponents(Always), WithShowDetails(Always))}, "/readiness", nil},
		{"liveness", nil, "/liveness", nil},
		{"custom_group", nil, "/custom", auth},
		{"component_db", nil, "/db", auth},
		{"component_cache_unauthorized", nil, "/cache", nil},
		{"composite", nil, "/backends", auth},
		{"member", nil, "/backends/b", auth},
		{"group_nested_member", nil, "/custom/backends/inner/x", auth},
		{"not_found", nil, "/nope", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c := fixture(tc.opts...)
				defer c.Close()
				res := serve(c, tc.path, tc.header...)
				if tc.name == "not_found" {
					// The error body carries a timestamp; check its fixed fields.
					var e httpx.ErrorBody
					if err := json.Unmarshal([]byte(res.body), &e); err != nil || e.Status != 404 || e.Path != tc.path {
						t.Errorf("404 body %s (%v)", res.body, err)
					}
					res.body = "(error body)"
				}
				got := fmt.Sprintf("%d\n%s\n", res.code, res.body)
				compareGolden(t, tc.name, got)
			})
		})
	}
}

func TestGoldenFailures(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := New(
			WithCheck("hang", blockUntilDone, WithTimeout(250*time.Millisecond)),
			WithCheck("panics", func(context.Context) error { panic("index out of range [3] with length 3") }),
			WithStatusCheck("custom", status("DEGRADED", map[string]any{"lag": 12.5})),
			WithDefaultShowDetails(Always),
		)
		defer c.Close()
		res := serve(c, "")
		compareGolden(t, "failures", fmt.Sprintf("%d\n%s\n", res.code, res.body))
	})
}

func compareGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from %s:\ngot:\n%swant:\n%s", name, path, got, want)
	}
}

// TestEncodingMatchesReport checks the hand-written encoder against
// encoding/json applied to the Report of the same results.
func TestEncodingMatchesReport(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := fixture(
			WithDefaultShowDetails(Always),
			WithStatusCheck("odd", status("WEIRD\u2028<&>\"", map[string]any{"k\"ey": []any{1, "two", nil, map[string]any{"z": 1, "a": 2}}})),
		)
		defer c.Close()
		body := serve(c, "").body
		r := c.Check(context.Background())
		want, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if body != string(want) {
			t.Errorf("ServeHTTP:\n%s\njson.Marshal(Check):\n%s", body, want)
		}
		for _, g := range []string{"custom", GroupReadiness} {
			gr, ok := c.CheckGroup(context.Background(), g)
			if !ok {
				t.Fatalf("CheckGroup(%q) not found", g)
			}
			want, _ := json.Marshal(gr)
			got := serve(c, "/"+g).body
			if g == GroupReadiness { // a probe group hides its components
				want = []byte(`{"status":"` + string(gr.Status) + `"}`)
			}
			if got != string(want) {
				t.Errorf("/%s:\n%s\nwant:\n%s", g, got, want)
			}
		}
		if _, ok := c.CheckGroup(context.Background(), "nope"); ok {
			t.Error("CheckGroup(nope) found a group")
		}
	})
}

func TestContentTypeAndHeaders(t *testing.T) {
	c := New(WithCheck("db", up))
	defer c.Close()
	for _, ct := range []string{httpx.MediaTypeJSON, httpx.MediaTypeV3} {
		for _, path := range []string{"", "/db", "/readiness"} {
			r := httptest.NewRequest("GET", "/x", nil)
			r.SetPathValue("path", strings.TrimPrefix(path, "/"))
			r = withContentType(r, ct)
			w := httptest.NewRecorder()
			c.Handler().ServeHTTP(w, r)
			if got := w.Header().Get("Content-Type"); got != ct {
				t.Errorf("%q: Content-Type %q, want %q", path, got, ct)
			}
			// Content-Length is net/http's to add for small bodies: see
			// httpx's TestWriteBodyContentLength.
			if w.Header().Get("X-Content-Type-Options") != "nosniff" || w.Header().Get("Cache-Control") != "no-store" {
				t.Errorf("%q: headers %v", path, w.Header())
			}
		}
	}
	// Errors keep the original path in their body.
	r := httptest.NewRequest("GET", "/actuator/health/nope", nil)
	r.SetPathValue("path", "nope")
	w := httptest.NewRecorder()
	c.Handler().ServeHTTP(w, r)
	var e httpx.ErrorBody
	if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || w.Code != 404 || e.Path != "/actuator/health/nope" {
		t.Errorf("404: %d %s (%v)", w.Code, w.Body, err)
	}
}

func FuzzServeHTTP(f *testing.F) {
	for _, p := range []string{"", "/", "/db", "/custom/backends/inner/x", "//", "/readiness/", "/%00", "/\xff", "/backends/a/b/c/d"} {
		f.Add(p, true)
	}
	c := New(
		WithStatusCheck("db", status(Up, map[string]any{"k": "v"}), WithGroups(GroupReadiness), WithTTL(time.Hour)),
		WithCheck("cache", failing("refused"), WithGroups("custom"), WithTTL(time.Hour)),
		WithComposite("backends", WithCheck("a", up, WithTTL(time.Hour)), WithComposite("inner", WithCheck("x", up, WithTTL(time.Hour)))),
		WithGroup("custom", WithInclude("backends")),
		WithAuthorizer(testAuthorizer), WithDefaultShowDetails(WhenAuthorized),
	)
	f.Cleanup(c.Close)
	f.Fuzz(func(t *testing.T, path string, authorized bool) {
		var header []string
		if authorized {
			header = []string{authHeader, "yes"}
		}
		res := serve(c, path, header...)
		switch res.code {
		case 200, 503:
			var v map[string]any
			if err := json.Unmarshal([]byte(res.body), &v); err != nil || v["status"] == nil {
				t.Errorf("%q: %d %q (%v)", path, res.code, res.body, err)
			}
		case 404:
		default:
			t.Errorf("%q: unexpected code %d", path, res.code)
		}
	})
}

func TestNoChecks(t *testing.T) {
	c := New()
	defer c.Close()
	res := serve(c, "")
	if res.code != 200 || res.body != `{"status":"UP","groups":["liveness","readiness"]}` {
		t.Errorf("got %d %s", res.code, res.body)
	}
	for _, g := range []string{"/liveness", "/readiness"} {
		if res := serve(c, g); res.code != 200 || res.body != `{"status":"UP"}` {
			t.Errorf("%s: got %d %s", g, res.code, res.body)
		}
	}
	if r := c.Check(context.Background()); r.Status != Up || len(r.Components) != 0 {
		t.Errorf("Check() = %+v", r)
	}
}

func TestMethods(t *testing.T) {
	c := New(WithCheck("db", up))
	defer c.Close()
	for _, h := range []http.Handler{c.Handler(), c.GroupHandler(GroupReadiness)} {
		for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, "BREW"} {
			res := do(h, m, "")
			if res.code != http.StatusMethodNotAllowed || res.header.Get("Allow") != "GET, HEAD" {
				t.Errorf("%s: got %d, Allow %q", m, res.code, res.header.Get("Allow"))
			}
		}
		res := do(h, http.MethodHead, "")
		if res.code != 200 || res.body != "" || res.header.Get("Content-Length") == "0" {
			t.Errorf("HEAD: got %d %q, Content-Length %q", res.code, res.body, res.header.Get("Content-Length"))
		}
	}
}
