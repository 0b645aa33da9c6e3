package actuator_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/actuatorgo/actuator"
	"github.com/actuatorgo/actuator/health"
	"github.com/actuatorgo/actuator/lifecycle"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const v3 = "application/vnd.spring-boot.actuator.v3+json"

// newActuator builds an actuator that is closed when the test ends.
func newActuator(t testing.TB, opts ...actuator.Option) *actuator.Actuator {
	t.Helper()
	a := actuator.New(opts...)
	t.Cleanup(a.Close)
	return a
}

// allowAll authorizes every request, for tests about something else than
// authorization.
var allowAll = actuator.WithAuthorizer(func(*http.Request) bool { return true })

// do sends one request through h and returns the recorder.
func do(h http.Handler, method, target string, header ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func decode(t *testing.T, w *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
		t.Fatalf("body is not JSON: %v: %q", err, w.Body.String())
	}
	return m
}

// linkNames lists the names under _links of an index body.
func linkNames(t *testing.T, w *httptest.ResponseRecorder) []string {
	t.Helper()
	links, ok := decode(t, w)["_links"].(map[string]any)
	if !ok {
		t.Fatalf("no _links in %s", w.Body)
	}
	var names []string
	for k := range links {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

func TestBasePaths(t *testing.T) {
	tests := []struct {
		base       string
		index      string // where the index answers
		health     string
		outside    string // a path that is not the actuator's
		wantPrefix string // hrefs start with this
	}{
		{"", "/actuator", "/actuator/health", "/health", "http://example.com/actuator"},
		{"/actuator", "/actuator/", "/actuator/health/", "/actuatorx/health", "http://example.com/actuator"},
		{"/", "/", "/health", "/nope/health", "http://example.com/health"},
		{"/management/", "/management", "/management/health", "/actuator/health", "http://example.com/management"},
		{"management", "/management/", "/management/health", "/managementhealth", "http://example.com/management"},
		{"/a/b//", "/a/b", "/a/b/health", "/a/health", "http://example.com/a/b"},
	}
	for _, tc := range tests {
		t.Run(tc.base, func(t *testing.T) {
			var opts []actuator.Option
			if tc.base != "" {
				opts = append(opts, actuator.WithBasePath(tc.base))
			}
			a := newActuator(t, opts...)
			w := do(a, "GET", "http://example.com"+tc.index)
			if w.Code != http.StatusOK {
				t.Fatalf("GET %s = %d %s", tc.index, w.Code, w.Body)
			}
			links := decode(t, w)["_links"].(map[string]any)
			href := links["health"].(map[string]any)["href"].(string)
			if !strings.HasPrefix(href, tc.wantPrefix) || !strings.HasSuffix(href, "/health") {
				t.Errorf("health href = %q, want prefix %q", href, tc.wantPrefix)
			}
			if w := do(a, "GET", tc.health); w.Code != http.StatusOK {
				t.Errorf("GET %s = %d %s", tc.health, w.Code, w.Body)
			}
			if w := do(a, "GET", tc.outside); w.Code != http.StatusNotFound {
				t.Errorf("GET %s = %d, want 404", tc.outside, w.Code)
			}
		})
	}
}

func TestDiscoveryIndex(t *testing.T) {
	a := newActuator(t)
	w := do(a, "GET", "http://localhost:8080/actuator")
	if got, want := w.Header().Get("Content-Type"), v3; got != want {
		t.Errorf("Content-Type = %q, want %q", got, want)
	}
	got := linkNames(t, w)
	want := []string{"health", "health-path", "info", "metrics", "metrics-requiredMetricName", "prometheus", "self"}
	if !slices.Equal(got, want) {
		t.Errorf("links = %v, want %v", got, want)
	}
	links := decode(t, w)["_links"].(map[string]any)
	cases := map[string]struct {
		href      string
		templated bool
	}{
		"self":                       {"http://localhost:8080/actuator", false},
		"health":                     {"http://localhost:8080/actuator/health", false},
		"health-path":                {"http://localhost:8080/actuator/health/{*path}", true},
		"metrics-requiredMetricName": {"http://localhost:8080/actuator/metrics/{requiredMetricName}", true},
	}
	for name, c := range cases {
		l := links[name].(map[string]any)
		if l["href"] != c.href || l["templated"] != c.templated {
			t.Errorf("%s = %v, want href %q templated %v", name, l, c.href, c.templated)
		}
	}
	if !strings.HasPrefix(w.Body.String(), `{"_links":{"self":`) {
		t.Errorf("self is not the first link: %s", w.Body)
	}
}

func TestDiscoveryForwardedHeaders(t *testing.T) {
	fwd := []string{"X-Forwarded-Proto", "https", "X-Forwarded-Host", "api.example.com", "X-Forwarded-Prefix", "/svc/"}
	tests := []struct {
		name  string
		trust bool
		want  string
	}{
		{"ignored by default", false, "http://internal:8080/actuator"},
		{"trusted", true, "https://api.example.com/svc/actuator"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var opts []actuator.Option
			if tc.trust {
				opts = append(opts, actuator.WithTrustForwardedHeaders())
			}
			a := newActuator(t, opts...)
			w := do(a, "GET", "http://internal:8080/actuator", fwd...)
			self := decode(t, w)["_links"].(map[string]any)["self"].(map[string]any)["href"]
			if self != tc.want {
				t.Errorf("self = %v, want %v", self, tc.want)
			}
		})
	}
}

func TestDiscoveryEscapesHost(t *testing.T) {
	a := newActuator(t)
	r := httptest.NewRequest("GET", "/actuator", nil)
	r.Host = `evil"host<script>`
	w := httptest.NewRecorder()
	a.ServeHTTP(w, r)
	self := decode(t, w)["_links"].(map[string]any)["self"].(map[string]any)["href"]
	if self != `http://evil"host<script>/actuator` {
		t.Errorf("self = %v", self)
	}
	if strings.Contains(w.Body.String(), "<script>") {
		t.Errorf("raw <script> in body: %s", w.Body)
	}
}

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
					method = "OPTIONS" // never triggers a shutdown; 405 proves it is there
				}
				w := do(a, method, "/actuator/"+id)
				if exposed := slices.Contains(tc.want, id); exposed == (w.Code == http.StatusNotFound) {
					t.Errorf("%s %s = %d, exposed %v", method, id, w.Code, exposed)
				}
			}
		})
	}
}

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

func TestContentNegotiation(t *testing.T) {
	a := newActuator(t)
	tests := []struct {
		accept string
		status int
		ct     string
	}{
		{"", 200, v3},
		{"*/*", 200, v3},
		{v3, 200, v3},
		{"application/json", 200, "application/json"},
		{"application/*", 200, v3},
		{"application/json, " + v3, 200, v3},
		{"application/json;q=1, " + v3 + ";q=0.5", 200, "application/json"},
		{"text/html, application/json;q=0.9", 200, "application/json"},
		{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", 200, v3},
		{v3 + ";q=0, application/json", 200, "application/json"},
		{"text/plain", 406, "application/json"},
		{"application/xml", 406, "application/json"},
		{"application/json;q=0", 406, "application/json"},
		{"application/json;q=abc", 406, "application/json"},
		{",,;;==", 406, "application/json"},
	}
	for _, tc := range tests {
		for _, path := range []string{"/actuator", "/actuator/health", "/actuator/info"} {
			w := do(a, "GET", path, "Accept", tc.accept)
			if w.Code != tc.status || w.Header().Get("Content-Type") != tc.ct {
				t.Errorf("Accept %q on %s = %d %q, want %d %q", tc.accept, path, w.Code, w.Header().Get("Content-Type"), tc.status, tc.ct)
			}
		}
	}
}

func TestErrorsAndMethods(t *testing.T) {
	a := newActuator(t, actuator.WithShutdownEndpoint(), allowAll)
	tests := []struct {
		method, path string
		status       int
		allow        string
	}{
		{"GET", "/actuator/nope", 404, ""},
		{"GET", "/actuator/env", 404, ""},
		{"POST", "/actuator/health", 405, "GET, HEAD"},
		{"DELETE", "/actuator", 405, "GET, HEAD"},
		{"GET", "/actuator/shutdown", 405, "POST"},
		{"PUT", "/actuator/info", 405, "GET, HEAD"},
		{"BREW", "/actuator/metrics", 405, "GET, HEAD"},
	}
	for _, tc := range tests {
		w := do(a, tc.method, tc.path)
		if w.Code != tc.status {
			t.Errorf("%s %s = %d, want %d", tc.method, tc.path, w.Code, tc.status)
			continue
		}
		if got := w.Header().Get("Allow"); got != tc.allow {
			t.Errorf("%s %s Allow = %q, want %q", tc.method, tc.path, got, tc.allow)
		}
		body := decode(t, w)
		for _, k := range []string{"timestamp", "status", "error", "message", "path"} {
			if _, ok := body[k]; !ok {
				t.Errorf("%s %s: error body lacks %q: %s", tc.method, tc.path, k, w.Body)
			}
		}
		if body["status"] != float64(tc.status) || body["path"] != tc.path {
			t.Errorf("%s %s: body = %v", tc.method, tc.path, body)
		}
		assertSecurityHeaders(t, w)
	}
}

func TestNotExposedLooksLikeUnknown(t *testing.T) {
	a := newActuator(t, actuator.WithExposure([]string{"health"}, nil))
	unknown := do(a, "GET", "/actuator/doesnotexist")
	hidden := do(a, "GET", "/actuator/info")
	strip := func(w *httptest.ResponseRecorder) map[string]any {
		m := decode(t, w)
		delete(m, "timestamp")
		delete(m, "path")
		return m
	}
	if unknown.Code != hidden.Code || !mapsEqual(strip(unknown), strip(hidden)) {
		t.Errorf("hidden endpoint distinguishable: %d %s vs %d %s", unknown.Code, unknown.Body, hidden.Code, hidden.Body)
	}
}

func mapsEqual(a, b map[string]any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

func assertSecurityHeaders(t *testing.T, w *httptest.ResponseRecorder) {
	t.Helper()
	if got := w.Header().Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options = %q", got)
	}
	if got := w.Header().Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q", got)
	}
}

func TestHead(t *testing.T) {
	a := newActuator(t)
	for _, path := range []string{"/actuator", "/actuator/health", "/actuator/info", "/actuator/metrics"} {
		get := do(a, "GET", path)
		head := do(a, "HEAD", path)
		if head.Code != get.Code {
			t.Errorf("HEAD %s = %d, GET = %d", path, head.Code, get.Code)
		}
		if head.Body.Len() != 0 {
			t.Errorf("HEAD %s has a body: %q", path, head.Body)
		}
		if head.Header().Get("Content-Type") != get.Header().Get("Content-Type") {
			t.Errorf("HEAD %s Content-Type %q != GET's %q", path, head.Header().Get("Content-Type"), get.Header().Get("Content-Type"))
		}
		assertSecurityHeaders(t, head)
	}
}

func TestHostilePaths(t *testing.T) {
	a := newActuator(t)
	long := "/actuator/" + strings.Repeat("a", 64<<10)
	paths := []string{
		"/actuator/../x",
		"/actuator/health/../info",
		"/actuator/%2e%2e/x",
		"/actuator/health/%2e%2e",
		"/actuator/%2E%2E",
		"/actuator/health%2Fdb",
		"/actuator/<script>alert(1)</script>",
		"/actuator/health/<script>",
		"/actuator//health",
		"/actuator/health//",
		"/actuator/./health",
		"//actuator/health",
		long,
		"/actuator/health/" + strings.Repeat("x/", 4096),
	}
	for _, p := range paths {
		r := httptest.NewRequest("GET", "http://example.com/", nil)
		r.URL.Path = mustUnescape(p)
		r.URL.RawPath = p
		r.RequestURI = p
		w := httptest.NewRecorder()
		a.ServeHTTP(w, r)
		if w.Code != http.StatusNotFound {
			t.Errorf("GET %.60s = %d, want 404", p, w.Code)
		}
		if strings.Contains(w.Body.String(), "<script>") {
			t.Errorf("GET %.60s echoes <script>: %s", p, w.Body)
		}
		if w.Body.Len() > 2048 {
			t.Errorf("GET %.60s error body is %d bytes", p, w.Body.Len())
		}
		decode(t, w)
	}
}

func mustUnescape(p string) string {
	r := httptest.NewRequest("GET", "http://example.com/", nil)
	if err := r.URL.UnmarshalBinary([]byte("http://example.com" + p)); err != nil {
		return p
	}
	return r.URL.Path
}

func TestAuthorizerGuardsSensitiveEndpoints(t *testing.T) {
	hit := 0
	secret := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hit++
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"secret":true}`)
	})
	a := newActuator(t,
		actuator.WithAuthorizer(actuator.BearerToken("s3cret")),
		actuator.WithEndpoint("secret", secret, actuator.Sensitive()),
		actuator.WithEndpoint("open", secret),
	)
	tests := []struct {
		path   string
		header []string
		status int
	}{
		{"/actuator/secret", nil, 401},
		{"/actuator/secret", []string{"Authorization", "Bearer wrong"}, 403},
		{"/actuator/secret", []string{"Authorization", "Basic czNjcmV0"}, 403},
		{"/actuator/secret", []string{"Authorization", "Bearer s3cret"}, 200},
		{"/actuator/open", nil, 200},
		{"/actuator/health", nil, 200},
	}
	for _, tc := range tests {
		before := hit
		w := do(a, "GET", tc.path, tc.header...)
		if w.Code != tc.status {
			t.Errorf("GET %s %v = %d, want %d", tc.path, tc.header, w.Code, tc.status)
		}
		if ran := hit > before; ran != (tc.status == 200 && tc.path != "/actuator/health") {
			t.Errorf("GET %s %v: handler ran = %v", tc.path, tc.header, ran)
		}
	}
}

func TestAuthorizers(t *testing.T) {
	req := func(remote string, header ...string) *http.Request {
		r := httptest.NewRequest("GET", "http://localhost/", nil)
		r.RemoteAddr = remote
		for i := 0; i+1 < len(header); i += 2 {
			r.Header.Set(header[i], header[i+1])
		}
		return r
	}
	basic := httptest.NewRequest("GET", "/", nil)
	basic.SetBasicAuth("ops", "pw")
	wrongBasic := httptest.NewRequest("GET", "/", nil)
	wrongBasic.SetBasicAuth("ops", "px")
	tests := []struct {
		name string
		auth actuator.Authorizer
		r    *http.Request
		want bool
	}{
		{"bearer ok", actuator.BearerToken("t"), req("1.2.3.4:1", "Authorization", "Bearer t"), true},
		{"bearer wrong", actuator.BearerToken("t"), req("1.2.3.4:1", "Authorization", "Bearer tt"), false},
		{"bearer lowercase scheme", actuator.BearerToken("t"), req("1.2.3.4:1", "Authorization", "bearer t"), true},
		{"bearer upper case scheme", actuator.BearerToken("t"), req("1.2.3.4:1", "Authorization", "BEARER t"), true},
		{"bearer scheme only", actuator.BearerToken("t"), req("1.2.3.4:1", "Authorization", "Bearer"), false},
		{"bearer other scheme", actuator.BearerToken("t"), req("1.2.3.4:1", "Authorization", "Basic t"), false},
		{"bearer none", actuator.BearerToken("t"), req("1.2.3.4:1"), false},
		{"basic ok", actuator.BasicAuth("ops", "pw"), basic, true},
		{"basic wrong", actuator.BasicAuth("ops", "pw"), wrongBasic, false},
		{"basic none", actuator.BasicAuth("ops", "pw"), req("1.2.3.4:1"), false},
		{"loopback v4", actuator.Loopback(), req("127.0.0.1:5000"), true},
		{"loopback v6", actuator.Loopback(), req("[::1]:5000"), true},
		{"loopback mapped", actuator.Loopback(), req("[::ffff:127.0.0.1]:5000"), true},
		{"loopback remote", actuator.Loopback(), req("10.0.0.1:5000"), false},
		{"loopback ignores forwarded", actuator.Loopback(), req("10.0.0.1:5000", "X-Forwarded-For", "127.0.0.1"), false},
		{"cidr in", actuator.AllowCIDR("10.0.0.0/8"), req("10.9.8.7:1"), true},
		{"cidr single host", actuator.AllowCIDR("192.0.2.7"), req("192.0.2.7:1"), true},
		{"cidr out", actuator.AllowCIDR("10.0.0.0/8"), req("11.0.0.1:1"), false},
		{"cidr zoned link-local", actuator.AllowCIDR("fe80::/10"), req("[fe80::1%eth0]:1"), true},
		{"cidr garbage remote", actuator.AllowCIDR("10.0.0.0/8"), req("garbage"), false},
		{"any of", actuator.AnyOf(actuator.BearerToken("t"), actuator.Loopback()), req("127.0.0.1:1"), true},
		{"any of none", actuator.AnyOf(actuator.BearerToken("t"), actuator.Loopback()), req("10.0.0.1:1"), false},
	}
	for _, tc := range tests {
		if got := tc.auth(tc.r); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestNewPanicsOnProgrammerErrors(t *testing.T) {
	tests := []struct {
		name string
		f    func()
	}{
		{"empty id", func() { actuator.New(actuator.WithEndpoint("", http.NotFoundHandler())) }},
		{"slash in id", func() { actuator.New(actuator.WithEndpoint("a/b", http.NotFoundHandler())) }},
		{"dot id", func() { actuator.New(actuator.WithEndpoint(".", http.NotFoundHandler())) }},
		{"dot-dot id", func() { actuator.New(actuator.WithEndpoint("..", http.NotFoundHandler())) }},
		{"nil handler", func() { actuator.New(actuator.WithEndpoint("x", nil)) }},
		{"empty token", func() { actuator.BearerToken("") }},
		{"bad cidr", func() { actuator.AllowCIDR("10.0.0.0/99") }},
		{"duplicate check", func() {
			ok := func(context.Context) error { return nil }
			actuator.New(actuator.WithHealthCheck("db", ok), actuator.WithHealthCheck("db", ok))
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("no panic")
				}
			}()
			tc.f()
		})
	}
}

func TestTwoActuatorsShareNothing(t *testing.T) {
	down := func(context.Context) error { return errors.New("down") }
	a := newActuator(t, actuator.WithHealthCheck("db", down), actuator.WithInfo("who", "a"))
	b := newActuator(t, actuator.WithBasePath("/b"), actuator.WithInfo("who", "b"), actuator.WithExposure([]string{"health", "info"}, nil))
	if w := do(a, "GET", "/actuator/health"); w.Code != http.StatusServiceUnavailable {
		t.Errorf("a health = %d, want 503", w.Code)
	}
	if w := do(b, "GET", "/b/health"); w.Code != http.StatusOK {
		t.Errorf("b health = %d, want 200 (a's failing check leaked?)", w.Code)
	}
	if got := decode(t, do(a, "GET", "/actuator/info"))["who"]; got != "a" {
		t.Errorf("a info who = %v", got)
	}
	if got := decode(t, do(b, "GET", "/b/info"))["who"]; got != "b" {
		t.Errorf("b info who = %v", got)
	}
	if w := do(b, "GET", "/b/metrics"); w.Code != http.StatusNotFound {
		t.Errorf("b metrics = %d, want 404", w.Code)
	}
	if w := do(a, "GET", "/actuator/metrics"); w.Code != http.StatusOK {
		t.Errorf("a metrics = %d, want 200", w.Code)
	}
	a.Lifecycle().SetReady(false)
	if w := do(b, "GET", "/b/health/readiness"); w.Code != http.StatusOK {
		t.Errorf("b readiness = %d after a went not-ready", w.Code)
	}
	if w := do(a, "GET", "/actuator/health/readiness"); w.Code != http.StatusServiceUnavailable {
		t.Errorf("a readiness = %d, want 503", w.Code)
	}
}

func TestHealthChecksWired(t *testing.T) {
	a := newActuator(t,
		actuator.WithHealthCheck("db", func(context.Context) error { return nil }, health.Groups("readiness")),
	)
	body := decode(t, do(a, "GET", "/actuator/health"))
	if body["status"] != "UP" {
		t.Errorf("status = %v", body["status"])
	}
	groups, _ := body["groups"].([]any)
	if len(groups) < 2 || groups[0] != "liveness" || groups[1] != "readiness" {
		t.Errorf("groups = %v", body["groups"])
	}
	for _, path := range []string{"/actuator/health/liveness", "/actuator/health/readiness"} {
		w := do(a, "GET", path)
		if w.Code != http.StatusOK || decode(t, w)["status"] != "UP" {
			t.Errorf("GET %s = %d %s", path, w.Code, w.Body)
		}
	}
}

func TestOversizedBody(t *testing.T) {
	var read int
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		read = len(b)
		if err != nil {
			http.Error(w, `{"error":"too large"}`, http.StatusRequestEntityTooLarge)
			return
		}
		w.Write(b)
	})
	a := newActuator(t, actuator.WithShutdownEndpoint(), allowAll, actuator.WithEndpoint("echo", echo, actuator.Methods("POST")))
	big := strings.Repeat("x", actuator.MaxRequestBody+1)

	r := httptest.NewRequest("POST", "/actuator/shutdown", strings.NewReader(big))
	w := httptest.NewRecorder()
	a.ServeHTTP(w, r)
	if w.Code != http.StatusRequestEntityTooLarge || decode(t, w)["status"] != float64(413) {
		t.Errorf("oversized shutdown body = %d %s", w.Code, w.Body)
	}
	if a.Lifecycle().Phase() != lifecycle.PhaseIdle {
		t.Errorf("an oversized request started a shutdown: phase %s", a.Lifecycle().Phase())
	}

	// The same body without a declared length: refused before the
	// shutdown starts.
	r = httptest.NewRequest("POST", "/actuator/shutdown", io.NopCloser(strings.NewReader(big)))
	r.ContentLength = -1
	w = httptest.NewRecorder()
	a.ServeHTTP(w, r)
	if w.Code != http.StatusRequestEntityTooLarge || a.Lifecycle().Phase() != lifecycle.PhaseIdle {
		t.Errorf("streamed oversized shutdown body = %d, phase %s", w.Code, a.Lifecycle().Phase())
	}

	// A body without a declared length is cut at the limit.
	r = httptest.NewRequest("POST", "/actuator/echo", io.NopCloser(strings.NewReader(big)))
	r.ContentLength = -1
	w = httptest.NewRecorder()
	a.ServeHTTP(w, r)
	if w.Code != http.StatusRequestEntityTooLarge || read > actuator.MaxRequestBody {
		t.Errorf("streamed oversized body = %d, handler read %d bytes", w.Code, read)
	}
}

func TestUnauthorizedCarriesAChallenge(t *testing.T) {
	a := newActuator(t, actuator.WithAuthorizer(actuator.BasicAuth("ops", "pw")), actuator.WithShutdownEndpoint())
	w := do(a, "POST", "/actuator/shutdown")
	if w.Code != 401 || !strings.Contains(w.Header().Get("WWW-Authenticate"), `Basic realm="actuator"`) {
		t.Errorf("401 = %d, WWW-Authenticate %q", w.Code, w.Header().Get("WWW-Authenticate"))
	}
	w = do(a, "POST", "/actuator/shutdown", "Authorization", "Basic eDp5")
	if w.Code != 403 || w.Header().Get("WWW-Authenticate") != "" {
		t.Errorf("403 = %d, WWW-Authenticate %q", w.Code, w.Header().Get("WWW-Authenticate"))
	}
}
