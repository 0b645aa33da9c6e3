package health

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
)

func TestVisibilityString(t *testing.T) {
	for v, want := range map[Visibility]string{Never: "never", WhenAuthorized: "when-authorized", Always: "always", 9: "Visibility(9)", -3: "Visibility(-3)"} {
		if got := v.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", int(v), got, want)
		}
	}
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
					WithStatusCheck("db", status(Up, map[string]any{"k": "v"}), WithGroups(GroupReadiness)),
					WithCheck("cache", failing("refused"), WithGroups("custom")),
					WithComposite("backends", WithCheck("a", up), WithComposite("inner", WithCheck("x", up))),
					WithGroup("custom", WithInclude("backends")),
					WithDefaultShowComponents(comps), WithDefaultShowDetails(dets), WithAuthorizer(testAuthorizer),
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

func TestAuthorizerCalledOnce(t *testing.T) {
	calls := 0
	c := New(WithCheck("db", up), WithDefaultShowComponents(WhenAuthorized), WithDefaultShowDetails(WhenAuthorized),
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

// Every visibility combination on a group's component paths, with GET and
// HEAD, authorized or not: 404 when components are hidden from the caller,
// details only when shown, HEAD with the same code and headers and no body.
func TestGroupComponentPathVisibility(t *testing.T) {
	vis := []Visibility{Never, WhenAuthorized, Always}
	for _, comps := range vis {
		for _, details := range vis {
			c := New(
				WithAuthorizer(testAuthorizer),
				WithDefaultShowComponents(Never), WithDefaultShowDetails(Never), // the group overrides both
				WithCheck("db", failing("db-secret"), WithGroups("g")),
				WithComposite("cc", WithCheck("m", failing("member-secret"))),
				WithGroup("g", WithInclude("cc"), WithShowComponents(comps), WithShowDetails(details)),
			)
			for _, authorized := range []bool{false, true} {
				auth := "no"
				if authorized {
					auth = "yes"
				}
				showC := comps == Always || (comps == WhenAuthorized && authorized)
				showD := details == Always || (details == WhenAuthorized && authorized)
				for _, path := range []string{"/g/db", "/g/cc", "/g/cc/m"} {
					get := do(c, "GET", path, authHeader, auth)
					head := do(c, "HEAD", path, authHeader, auth)
					name := fmt.Sprintf("comps=%v details=%v auth=%v %s", comps, details, authorized, path)
					// (Content-Length may differ: durations and timestamps vary.)
					if head.code != get.code || head.body != "" || head.header.Get("Content-Type") != get.header.Get("Content-Type") ||
						head.header.Get("Content-Length") == "" {
						t.Errorf("%s: HEAD %d %q %v, GET %d %v", name, head.code, head.body, head.header, get.code, get.header)
					}
					if !showC {
						if get.code != 404 {
							t.Errorf("%s: %d %s, want 404 (components hidden)", name, get.code, get.body)
						}
						continue
					}
					if get.code != 503 {
						t.Errorf("%s: %d %s, want 503", name, get.code, get.body)
					}
					hasSecret := strings.Contains(get.body, "secret")
					if hasSecret != showD {
						t.Errorf("%s: details shown %v, want %v: %s", name, hasSecret, showD, get.body)
					}
				}
				// The group itself: components per comps, details per details.
				g := serve(c, "/g", authHeader, auth)
				if strings.Contains(g.body, "components") != showC || strings.Contains(g.body, "secret") != (showC && showD) {
					t.Errorf("comps=%v details=%v auth=%v /g: %s", comps, details, authorized, g.body)
				}
				// Outside the group, the checker's Never applies.
				if r := serve(c, "/db", authHeader, auth); r.code != 404 {
					t.Errorf("/db with components Never: %d %s", r.code, r.body)
				}
			}
			c.Close()
		}
	}
}
