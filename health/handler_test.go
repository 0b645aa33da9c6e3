package health

import (
	"context"
	"encoding/json"
	"errors"
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
		WithStatusCheck("db", sleepy(3*time.Millisecond, Result{Status: Up, Details: map[string]any{"database": "postgres", "validationQuery": "isValid()"}}), Groups(GroupReadiness)),
		WithCheck("cache", failing("dial tcp 10.0.0.7:6379: connect: connection refused <script>"), Groups("custom")),
		WithGroup("custom"),
		WithComposite("backends",
			WithStatusCheck("a", sleepy(time.Millisecond, Result{})),
			WithStatusCheck("b", status(OutOfService, map[string]any{"reason": "maintenance"})),
			WithComposite("inner", WithCheck("x", up)),
		),
		WithStatusCheck("livenessState", status(Up, nil), Groups(GroupLiveness)),
		WithStatusCheck("readinessState", status(Up, nil), Groups(GroupReadiness)),
		WithGroup("custom", Include("backends")),
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
		{"root_components_hidden", []Option{WithShowComponents(Never)}, "", auth},
		{"readiness", nil, "/readiness", auth},
		{"readiness_components", []Option{WithGroup(GroupReadiness, ShowComponents(Always), ShowDetails(Always))}, "/readiness", nil},
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
			WithCheck("hang", blockUntilDone, Timeout(250*time.Millisecond)),
			WithCheck("panics", func(context.Context) error { panic("index out of range [3] with length 3") }),
			WithStatusCheck("custom", status("DEGRADED", map[string]any{"lag": 12.5})),
			WithShowDetails(Always),
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
			WithShowDetails(Always),
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

// TestRoutesAndVisibility walks every route under every combination of
// components and details visibility, authorised or not.
func TestRoutesAndVisibility(t *testing.T) {
	type kind int
	const (
		root kind = iota
		probe
		customGroup
		component // a check
		composite
		missing
	)
	routes := []struct {
		path string
		kind kind
	}{
		{"", root}, {"/", root},
		{"/readiness", probe}, {"/liveness", probe},
		{"/custom", customGroup},
		{"/db", component}, {"/cache", component}, {"/custom/cache", component},
		{"/backends", composite}, {"/custom/backends", composite},
		{"/backends/a", component}, {"/backends/inner/x", component}, {"/custom/backends/inner", composite},
		{"/readiness/db", missing}, // readiness hides components by default
		{"/nope", missing}, {"/custom/db", missing}, {"/db/x", missing}, {"/backends/nope", missing},
		{"/db/", component}, {"/custom/", customGroup}, {"/db//", missing}, {"/./db", missing},
		{"/custom/backends/inner/x/y", missing}, {"/<script>alert(1)</script>", missing},
	}
	vis := []Visibility{Never, WhenAuthorized, Always}
	for _, comps := range vis {
		for _, dets := range vis {
			synctest.Test(t, func(t *testing.T) {
				c := New(
					WithStatusCheck("db", status(Up, map[string]any{"k": "v"}), Groups(GroupReadiness)),
					WithCheck("cache", failing("refused"), Groups("custom")),
					WithComposite("backends", WithCheck("a", up), WithComposite("inner", WithCheck("x", up))),
					WithGroup("custom", Include("backends")),
					WithShowComponents(comps), WithShowDetails(dets), WithAuthorizer(testAuthorizer),
				)
				defer c.Close()
				for _, authorized := range []bool{false, true} {
					var header []string
					if authorized {
						header = []string{authHeader, "yes"}
					}
					showC := comps == Always || comps == WhenAuthorized && authorized
					showD := dets == Always || dets == WhenAuthorized && authorized
					for _, rt := range routes {
						name := fmt.Sprintf("components=%v details=%v authorized=%v %q", comps, dets, authorized, rt.path)
						res := serve(c, rt.path, header...)
						wantFound := rt.kind != missing && (rt.kind <= customGroup || showC)
						if !wantFound {
							if res.code != 404 {
								t.Errorf("%s: code %d, want 404", name, res.code)
							}
							continue
						}
						m := res.json(t)
						if _, ok := m["status"].(string); !ok {
							t.Errorf("%s: no status in %s", name, res.body)
						}
						_, hasComps := m["components"]
						_, hasGroups := m["groups"]
						hasDetails := strings.Contains(res.body, `"details"`)
						switch rt.kind {
						case root:
							if hasComps != showC || hasDetails != (showC && showD) || !hasGroups {
								t.Errorf("%s: %s", name, res.body)
							}
						case probe:
							if res.body != `{"status":"UP"}` {
								t.Errorf("%s: %s, want a bare status", name, res.body)
							}
						case customGroup:
							if hasComps != showC || hasDetails != (showC && showD) || hasGroups {
								t.Errorf("%s: %s", name, res.body)
							}
						case component:
							if hasComps || hasDetails != showD {
								t.Errorf("%s: %s", name, res.body)
							}
						case composite:
							if !hasComps || hasDetails != showD || hasGroups {
								t.Errorf("%s: %s, want members, details %v", name, res.body, showD)
							}
						}
						wantCode := 200
						if m["status"] == "DOWN" {
							wantCode = 503
						}
						if res.code != wantCode {
							t.Errorf("%s: code %d, want %d", name, res.code, wantCode)
						}
					}
				}
			})
		}
	}
}

func TestGroupMembership(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := New(
			WithCheck("a", up, Groups("g1", GroupReadiness)),
			WithCheck("b", failing("x")),
			WithCheck("c", up, Groups("g1")),
			WithComposite("comp", WithCheck("m", up)),
			WithGroup("g1", Exclude("c")),
			WithGroup("g2", Include("*"), Exclude("b")),
			WithGroup("g2", ShowComponents(Never)), // calls merge
			WithGroup("g3"),
			WithGroup(GroupLiveness, Include("comp")),
		)
		defer c.Close()
		members := func(g string) string {
			r, _ := c.CheckGroup(context.Background(), g)
			var names []string
			for n := range r.Components {
				names = append(names, n)
			}
			sortStrings(names)
			return strings.Join(names, ",")
		}
		for g, want := range map[string]string{"g1": "a", "g2": "a,c,comp", "g3": "", GroupReadiness: "a", GroupLiveness: "comp"} {
			if got := members(g); got != want {
				t.Errorf("group %s members = %q, want %q", g, got, want)
			}
		}
		if res := serve(c, "/g2"); res.body != `{"status":"UP"}` {
			t.Errorf("g2 with hidden components: %s", res.body)
		}
		if res := serve(c, "/g3"); res.code != 200 || res.body != `{"status":"UP"}` {
			t.Errorf("empty group: %d %s", res.code, res.body)
		}
		if res := serve(c, ""); !strings.Contains(res.body, `"groups":["g1","g2","g3","liveness","readiness"]`) {
			t.Errorf("root: %s", res.body)
		}
	})
}

func sortStrings(s []string) {
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
}

func TestGroupHandler(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		draining := false
		c := New(
			WithStatusCheck("livenessState", status(Up, nil), Groups(GroupLiveness)),
			WithStatusCheck("readinessState", func(context.Context) Result {
				if draining {
					return Result{Status: OutOfService, Details: map[string]any{"phase": "draining"}}
				}
				return Result{Status: Up}
			}, Groups(GroupReadiness)),
			WithCheck("db", failing("down"), Groups("custom")),
			WithGroup("custom"),
			WithGroup(GroupReadiness, ShowComponents(Always)), // GroupHandler stays bare anyway
		)
		defer c.Close()
		livez, readyz, custom := c.GroupHandler(GroupLiveness), c.GroupHandler(GroupReadiness), c.GroupHandler("custom")
		check := func(h http.Handler, path string, code int, body string) {
			t.Helper()
			res := serve(h, path)
			if res.code != code || res.body != body {
				t.Errorf("got %d %s, want %d %s", res.code, res.body, code, body)
			}
			if res.header.Get("Content-Type") != httpx.MediaTypeV3 || res.header.Get("Cache-Control") != "no-store" {
				t.Errorf("headers %v", res.header)
			}
		}
		check(livez, "/livez", 200, `{"status":"UP"}`)
		check(readyz, "/readyz", 200, `{"status":"UP"}`)
		check(custom, "/anything", 503, `{"status":"DOWN"}`)
		draining = true
		check(readyz, "/readyz", 503, `{"status":"OUT_OF_SERVICE"}`)
		check(livez, "/livez", 200, `{"status":"UP"}`)
		if res := serve(c, "/readinessState", authHeader, "yes"); res.code != 503 || !strings.Contains(res.body, `"status":"OUT_OF_SERVICE"`) {
			t.Errorf("component: %d %s", res.code, res.body)
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
			if w.Header().Get("X-Content-Type-Options") != "nosniff" || w.Header().Get("Content-Length") != fmt.Sprint(w.Body.Len()) {
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

func TestAuthorizerCalledOnce(t *testing.T) {
	calls := 0
	c := New(WithCheck("db", up), WithShowComponents(WhenAuthorized), WithShowDetails(WhenAuthorized),
		WithAuthorizer(func(*http.Request) bool { calls++; return true }))
	defer c.Close()
	for _, p := range []string{"", "/db"} {
		calls = 0
		if res := serve(c, p); res.code != 200 || !strings.Contains(res.body, "duration") {
			t.Errorf("%q: %d %s", p, res.code, res.body)
		}
		if calls != 1 {
			t.Errorf("%q: authorizer called %d times, want 1", p, calls)
		}
	}
	c2 := New(WithCheck("db", up))
	defer c2.Close()
	if res := serve(c2, "/db"); strings.Contains(res.body, "details") {
		t.Errorf("no authorizer, details shown: %s", res.body)
	}
}

func FuzzServeHTTP(f *testing.F) {
	for _, p := range []string{"", "/", "/db", "/custom/backends/inner/x", "//", "/readiness/", "/%00", "/\xff", "/backends/a/b/c/d"} {
		f.Add(p, true)
	}
	c := New(
		WithStatusCheck("db", status(Up, map[string]any{"k": "v"}), Groups(GroupReadiness), TTL(time.Hour)),
		WithCheck("cache", failing("refused"), Groups("custom"), TTL(time.Hour)),
		WithComposite("backends", WithCheck("a", up, TTL(time.Hour)), WithComposite("inner", WithCheck("x", up, TTL(time.Hour)))),
		WithGroup("custom", Include("backends")),
		WithAuthorizer(testAuthorizer), WithShowDetails(WhenAuthorized),
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

var errSentinel = errors.New("sentinel")

func TestTimeoutError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := New(WithStatusCheck("x", func(ctx context.Context) Result {
			<-ctx.Done()
			return Result{Err: fmt.Errorf("query: %w", errSentinel)}
		}, Timeout(100*time.Millisecond)))
		defer c.Close()
		st := c.getState()
		defer c.putState(st)
		c.evaluate(context.Background(), c.leaves, st)
		// The timer and the check's own return race at the deadline; both
		// say it timed out.
		if err := st.snaps[0].err; !errors.Is(err, context.DeadlineExceeded) || !strings.HasPrefix(err.Error(), "timed out after 100ms") {
			t.Errorf("err = %v", err)
		}
	})
	err := error(&timeoutError{timeout: time.Second, err: fmt.Errorf("query: %w", errSentinel)})
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, errSentinel) || err.Error() != "timed out after 1s: query: sentinel" {
		t.Errorf("err = %v", err)
	}
}
