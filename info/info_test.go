package info

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/actuatorgo/actuator/internal/httpx"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const (
	rev     = "0123456789abcdef0123456789abcdef01234567"
	revTime = "2026-11-26T09:58:00Z"
)

// fakeEnv is a fixed process and build, so the golden files do not depend
// on the machine.
func fakeEnv(bi *debug.BuildInfo, s stamps) *environment {
	return &environment{
		build:     bi,
		stamps:    s,
		goVersion: "go1.26.0",
		goos:      "linux",
		goarch:    "amd64",
		compiler:  "gc",
		maxProcs:  func() int { return 4 },
		pid:       4242,
		ppid:      1,
		numCPU:    8,
		start:     time.Date(2026, 11, 26, 10, 0, 0, 0, time.FixedZone("CET", 3600)),
		hostname:  func() (string, error) { return "web-1", nil },
	}
}

// vcsBuild is what go build records in a clean git checkout at a tag.
func vcsBuild(version string, modified bool) *debug.BuildInfo {
	return &debug.BuildInfo{
		GoVersion: "go1.26.0",
		Path:      "example.com/shop/cmd/server",
		Main:      debug.Module{Path: "example.com/shop", Version: version},
		Deps: []*debug.Module{
			{Path: "github.com/actuatorgo/actuator", Version: "v0.3.0", Sum: "h1:abc="},
			{Path: "golang.org/x/sys", Version: "v0.41.0", Sum: "h1:def=",
				Replace: &debug.Module{Path: "../sys", Version: devel}},
		},
		Settings: []debug.BuildSetting{
			{Key: "-buildmode", Value: "exe"},
			{Key: "-compiler", Value: "gc"},
			{Key: "-ldflags", Value: "-X main.apiKey=SECRET"},
			{Key: "CGO_ENABLED", Value: "0"},
			{Key: "CGO_CFLAGS", Value: "-I/home/me/secret"},
			{Key: "GOARCH", Value: "amd64"},
			{Key: "GOOS", Value: "linux"},
			{Key: "GOAMD64", Value: "v1"},
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: rev},
			{Key: "vcs.time", Value: revTime},
			{Key: "vcs.modified", Value: map[bool]string{true: "true", false: "false"}[modified]},
		},
	}
}

// noVCSBuild is what go run, go test and -buildvcs=false record.
func noVCSBuild() *debug.BuildInfo {
	return &debug.BuildInfo{
		GoVersion: "go1.26.0",
		Path:      "example.com/shop/cmd/server",
		Main:      debug.Module{Path: "example.com/shop", Version: devel},
		Settings:  []debug.BuildSetting{{Key: "-buildmode", Value: "exe"}},
	}
}

func serve(t testing.TB, e *Collector, method, path string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, "/actuator/info", nil)
	r.URL.Path = path
	r.SetPathValue("path", strings.TrimPrefix(path, "/"))
	w := httptest.NewRecorder()
	e.Handler().ServeHTTP(w, r)
	return w
}

func TestGolden(t *testing.T) {
	boom := errors.New("database is down")
	release := make(chan struct{})
	defer close(release)
	tests := []struct {
		name string
		opts []Option
	}{
		{"no_buildinfo", []Option{withEnvironment(fakeEnv(nil, stamps{}))}},
		{"no_vcs", []Option{withEnvironment(fakeEnv(noVCSBuild(), stamps{}))}},
		{"no_vcs_full", []Option{withEnvironment(fakeEnv(noVCSBuild(), stamps{})), WithGitMode(GitFull)}},
		{"simple", []Option{withEnvironment(fakeEnv(vcsBuild("v1.2.3", false), stamps{}))}},
		{"full", []Option{withEnvironment(fakeEnv(vcsBuild("v1.2.3", false), stamps{})), WithGitMode(GitFull)}},
		{"full_dirty_pseudo", []Option{
			withEnvironment(fakeEnv(vcsBuild("v1.2.4-0.20261126095800-0123456789ab+dirty", true), stamps{})),
			WithGitMode(GitFull), WithoutDependencies()}},
		{"ldflags", []Option{withEnvironment(fakeEnv(vcsBuild("v1.2.3", false), stamps{
			Version: "1.2.3-rc.1", Commit: rev[:10], Branch: "release/1.2", BuildTime: "1764151200",
			BuildName: "shop-api", BuildNumber: "512", BuildURL: "https://ci.example.com/runs/512",
			BuildUser: "ci-bot", Dirty: "false",
		})), WithGitMode(GitFull), WithoutDependencies()}},
		{"ldflags_other_commit", []Option{withEnvironment(fakeEnv(vcsBuild("v1.2.3", true), stamps{
			Commit: "fedcba9876543210fedcba9876543210fedcba98",
		})), WithGitMode(GitFull), WithoutDependencies()}},
		{"blank_stamps", []Option{withEnvironment(fakeEnv(noVCSBuild(), stamps{
			Version: " ", Commit: " ", CommitTime: "\t", Branch: " ", Dirty: "maybe", BuildTime: " ", BuildName: " ",
		})), WithGitMode(GitFull), WithoutGo()}},
		{"ldflags_no_vcs", []Option{withEnvironment(fakeEnv(noVCSBuild(), stamps{
			Version: "2.0.0", Commit: "abcdef1234567890", CommitTime: "2026-11-26T10:58:00+01:00",
			Branch: "main", BuildTime: "2026-11-26T11:00:00+01:00",
		}))}},
		{"process", []Option{withEnvironment(fakeEnv(noVCSBuild(), stamps{})), WithProcess(), WithHostname(), WithoutGo()}},
		{"hostname_only", []Option{withEnvironment(fakeEnv(noVCSBuild(), stamps{})), WithHostname(), WithoutGo()}},
		{"contributors", []Option{
			withEnvironment(fakeEnv(noVCSBuild(), stamps{})), WithoutGo(),
			WithValue("app", map[string]any{"team": "payments", "tier": 1}),
			WithValue("git", map[string]any{"note": "replaced by the user"}),
			WithContributor("db", func(context.Context) (any, error) { return map[string]any{"pool": 10}, nil }),
			WithContributor("failing", func(context.Context) (any, error) { return nil, boom }),
			WithContributor("panicking", func(context.Context) (any, error) { panic("nil map") }),
			WithContributor("unencodable", func(context.Context) (any, error) { return func() {}, nil }),
			WithContributor("marshal_panics", func(context.Context) (any, error) { return panickyJSON{}, nil }),
			WithContributor("nil_error", func(context.Context) (any, error) { return nil, nil }),
			WithContributor("slow", func(context.Context) (any, error) { <-release; return "late", nil }),
			WithContributorTimeout(10 * time.Millisecond),
			WithAuthorizer(func(*http.Request) bool { return true }), // error texts shown, as Info has them
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := New(tc.opts...)
			w := serve(t, e, http.MethodGet, "")
			if w.Code != http.StatusOK {
				t.Fatalf("status = %d, want 200; body %s", w.Code, w.Body)
			}
			body := w.Body.Bytes()
			checkNoEmptyStrings(t, body)
			var indented bytes.Buffer
			if err := json.Indent(&indented, body, "", "  "); err != nil {
				t.Fatalf("invalid JSON %s: %v", body, err)
			}
			indented.WriteByte('\n')
			compareGolden(t, filepath.Join("testdata", tc.name+".golden"), indented.Bytes())

			// Info must describe the same document.
			fromInfo, err := json.Marshal(e.Info(context.Background()))
			if err != nil {
				t.Fatalf("Info cannot be encoded: %v", err)
			}
			if !jsonEqual(t, fromInfo, body) {
				t.Errorf("Info and ServeHTTP differ:\nInfo  %s\nServe %s", fromInfo, body)
			}
		})
	}
}

// panickyJSON is a value whose encoding panics, as a buggy MarshalJSON
// would.
type panickyJSON struct{}

func (panickyJSON) MarshalJSON() ([]byte, error) { panic("bug in MarshalJSON") }

func compareGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update rewrites it):\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}

// checkNoEmptyStrings fails when any string in the document is empty:
// unknown fields are absent, never "".
func checkNoEmptyStrings(t *testing.T, body []byte) {
	t.Helper()
	var doc any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("invalid JSON %s: %v", body, err)
	}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case string:
			if v == "" {
				t.Errorf("%s is an empty string", path)
			}
		case map[string]any:
			for k, x := range v {
				walk(path+"."+k, x)
			}
		case []any:
			for _, x := range v {
				walk(path+"[]", x)
			}
		}
	}
	walk("$", doc)
}

func TestSecretsNeverShown(t *testing.T) {
	e := New(withEnvironment(fakeEnv(vcsBuild("v1.2.3", false), stamps{})), WithGitMode(GitFull))
	body := serve(t, e, http.MethodGet, "").Body.String()
	for _, secret := range []string{"SECRET", "-ldflags", "CGO_CFLAGS", "/home/me"} {
		if strings.Contains(body, secret) {
			t.Errorf("body shows %q: %s", secret, body)
		}
	}
}

func TestRealProcess(t *testing.T) {
	// go test records no VCS data, so the zero set-up endpoint has no git
	// section and no empty strings.
	e := New(WithProcess())
	w := serve(t, e, http.MethodGet, "/")
	checkNoEmptyStrings(t, w.Body.Bytes())
	var doc struct {
		Git     map[string]any `json:"git"`
		Go      map[string]any `json:"go"`
		Process map[string]any `json:"process"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Git != nil {
		t.Errorf("git = %v, want absent under go test", doc.Git)
	}
	for k, want := range map[string]any{
		"version":    runtime.Version(),
		"os":         runtime.GOOS,
		"arch":       runtime.GOARCH,
		"gomaxprocs": float64(runtime.GOMAXPROCS(0)),
	} {
		if got := doc.Go[k]; got != want {
			t.Errorf("go.%s = %v, want %v", k, got, want)
		}
	}
	if got, want := doc.Process["pid"], float64(os.Getpid()); got != want {
		t.Errorf("process.pid = %v, want %v", got, want)
	}
	if _, ok := doc.Process["hostname"]; ok {
		t.Error("hostname shown although WithHostname is off")
	}
}

func TestGOMAXPROCSIsLive(t *testing.T) {
	var n atomic.Int64
	n.Store(2)
	env := fakeEnv(nil, stamps{})
	env.maxProcs = func() int { return int(n.Load()) }
	e := New(withEnvironment(env))
	for _, want := range []int64{2, 16} {
		n.Store(want)
		var doc struct{ Go struct{ GOMAXPROCS int64 } }
		if err := json.Unmarshal(serve(t, e, http.MethodGet, "").Body.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		if doc.Go.GOMAXPROCS != want {
			t.Errorf("gomaxprocs = %d, want %d", doc.Go.GOMAXPROCS, want)
		}
		if got := e.Info(context.Background())["go"].(map[string]any)["gomaxprocs"]; got != int(want) {
			t.Errorf("Info gomaxprocs = %v, want %d", got, want)
		}
	}
}

func TestHTTP(t *testing.T) {
	e := New(withEnvironment(fakeEnv(vcsBuild("v1.2.3", false), stamps{})))
	tests := []struct {
		method, path string
		status       int
		allow        string
	}{
		{http.MethodGet, "", 200, ""},
		{http.MethodGet, "/", 200, ""},
		{http.MethodHead, "", 200, ""},
		{http.MethodGet, "/git", 404, ""},
		{http.MethodGet, "//", 404, ""},
		{http.MethodGet, "/<script>alert(1)</script>", 404, ""},
		{http.MethodGet, "/" + strings.Repeat("a", 10000), 404, ""},
		{http.MethodPost, "", 405, "GET, HEAD"},
		{http.MethodDelete, "/", 405, "GET, HEAD"},
		{"BREW", "", 405, "GET, HEAD"},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path[:min(len(tc.path), 20)], func(t *testing.T) {
			w := serve(t, e, tc.method, tc.path)
			if w.Code != tc.status {
				t.Fatalf("status = %d, want %d", w.Code, tc.status)
			}
			want := httpx.MediaTypeV3
			if tc.status == http.StatusMethodNotAllowed {
				want = httpx.MediaTypeJSON // refused before negotiation, as the router does
			}
			if got := w.Header().Get("Content-Type"); got != want {
				t.Errorf("Content-Type = %q, want %q", got, want)
			}
			if got := w.Header().Get("Allow"); got != tc.allow {
				t.Errorf("Allow = %q, want %q", got, tc.allow)
			}
			if tc.method == http.MethodHead {
				if w.Body.Len() != 0 {
					t.Errorf("HEAD body = %q, want empty", w.Body)
				}
				if w.Header().Get("Content-Length") == "0" {
					t.Error("HEAD Content-Length = 0, want the GET body's length")
				}
				return
			}
			var doc map[string]any
			if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil {
				t.Fatalf("body is not JSON: %v: %s", err, w.Body)
			}
			if tc.status == 200 {
				if _, ok := doc["git"]; !ok {
					t.Errorf("no git section: %s", w.Body)
				}
			} else if got := doc["status"]; got != float64(tc.status) {
				t.Errorf("error body status = %v, want %d", got, tc.status)
			}
		})
	}
}

func TestPlainJSONNegotiated(t *testing.T) {
	e := New()
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Accept", httpx.MediaTypeJSON)
	w := httptest.NewRecorder()
	e.Handler().ServeHTTP(w, r)
	if got := w.Header().Get("Content-Type"); got != httpx.MediaTypeJSON {
		t.Errorf("Content-Type = %q, want %q", got, httpx.MediaTypeJSON)
	}
}

func TestInfoReturnsCopies(t *testing.T) {
	e := New(withEnvironment(fakeEnv(vcsBuild("v1.2.3", false), stamps{})), WithGitMode(GitFull))
	e.Info(context.Background())["git"].(map[string]any)["branch"] = "mutated"
	e.Info(context.Background())["dependencies"].([]any)[0].(map[string]any)["path"] = "mutated"
	if body := serve(t, e, http.MethodGet, "").Body.String(); strings.Contains(body, "mutated") {
		t.Errorf("mutating Info's result changed the endpoint: %s", body)
	}
	if got := e.Info(context.Background())["git"].(map[string]any)["branch"]; got != nil {
		t.Errorf("git.branch = %v after mutation, want absent", got)
	}
}

func TestLaterOptionWins(t *testing.T) {
	e := New(WithoutGo(), WithValue("k", 1), WithContributor("k", func(context.Context) (any, error) { return 2, nil }))
	if got := serve(t, e, http.MethodGet, "").Body.String(); !strings.Contains(got, `"k":2`) {
		t.Errorf("body = %s, want k = 2", got)
	}
	e = New(WithoutGo(), WithContributor("k", func(context.Context) (any, error) { return 2, nil }), WithValue("k", 1))
	if got := serve(t, e, http.MethodGet, "").Body.String(); !strings.Contains(got, `"k":1`) {
		t.Errorf("body = %s, want k = 1", got)
	}
}

func TestValueEncodedOnce(t *testing.T) {
	m := map[string]any{"a": 1}
	e := New(WithoutGo(), WithValue("m", m))
	m["a"] = 2
	if got := serve(t, e, http.MethodGet, "").Body.String(); !strings.Contains(got, `"m":{"a":1}`) {
		t.Errorf("body = %s, want the value as it was at New", got)
	}
}

func TestNewPanics(t *testing.T) {
	tests := []struct {
		name string
		opt  Option
		want string
	}{
		{"empty key", WithValue("", 1), "empty section key"},
		{"nil contributor", WithContributor("c", nil), `nil contributor for key "c"`},
		{"unencodable value", WithValue("ch", make(chan int)), `value for key "ch" cannot be encoded`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				p := recover()
				msg, _ := p.(string)
				if !strings.HasPrefix(msg, "info: ") || !strings.Contains(msg, tc.want) {
					t.Errorf("panic = %v, want info: ...%s", p, tc.want)
				}
			}()
			New(tc.opt)
		})
	}
	// A nil Option and a nil static value are fine.
	e := New(nil, WithoutGo(), WithValue("n", nil))
	if got := serve(t, e, http.MethodGet, "").Body.String(); !strings.Contains(got, `"n":null`) {
		t.Errorf("body = %s, want n = null", got)
	}
}

func TestGitMode(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want GitMode
		err  bool
	}{
		{"simple", GitSimple, false},
		{"FULL", GitFull, false},
		{" full ", GitFull, false},
		{"", GitSimple, true},
		{"verbose", GitSimple, true},
	} {
		got, err := ParseGitMode(tc.in)
		if got != tc.want || (err != nil) != tc.err {
			t.Errorf("ParseGitMode(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.err)
		}
		if err == nil && got.String() != strings.ToLower(strings.TrimSpace(tc.in)) {
			t.Errorf("%v.String() = %q", got, got.String())
		}
	}
	if got := GitMode(7).String(); got != "GitMode(7)" {
		t.Errorf("GitMode(7).String() = %q", got)
	}
}

func TestReleaseTag(t *testing.T) {
	for in, want := range map[string]string{
		"v1.2.3":                               "v1.2.3",
		"v1.2.3+dirty":                         "v1.2.3",
		"v2.0.0-rc.1":                          "v2.0.0-rc.1",
		"v3.0.0+incompatible.dirty":            "v3.0.0",
		"v0.0.0-20261126095800-0123456789ab":   "",
		"v1.2.4-0.20261126095800-0123456789ab": "",
		"v1.3.0-rc.1.0.20261126095800-0123456789ab+dirty": "",
		devel: "",
		"":    "",
		"1.2": "",
	} {
		if got := releaseTag(in); got != want {
			t.Errorf("releaseTag(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNormTime(t *testing.T) {
	for in, want := range map[string]string{
		"":                             "",
		"  ":                           "",
		"2026-11-26T10:00:00Z":         "2026-11-26T10:00:00Z",
		"2026-11-26T11:00:00+01:00":    "2026-11-26T10:00:00Z",
		"2026-11-26T10:00:00.123456Z":  "2026-11-26T10:00:00Z",
		"1764151200":                   "2025-11-26T10:00:00Z",
		"Thu Nov 26 10:00:00 UTC 2026": "Thu Nov 26 10:00:00 UTC 2026",
	} {
		if got := normTime(in); got != want {
			t.Errorf("normTime(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestConcurrentRequests(t *testing.T) {
	e := New(withEnvironment(fakeEnv(vcsBuild("v1.2.3", false), stamps{})), WithGitMode(GitFull),
		WithContributor("c", func(context.Context) (any, error) { return "ok", nil }))
	want := serve(t, e, http.MethodGet, "").Body.String()
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				if got := serve(t, e, http.MethodGet, "").Body.String(); got != want {
					t.Errorf("concurrent body differs:\n%s\n%s", got, want)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func FuzzServeHTTP(f *testing.F) {
	for _, s := range []string{"", "/", "/x", "//", "/<script>", "/%00", "/../.."} {
		f.Add(s, http.MethodGet)
	}
	f.Add("", http.MethodPost)
	e := New(withEnvironment(fakeEnv(vcsBuild("v1.2.3", false), stamps{})),
		WithContributor("c", func(context.Context) (any, error) { return "ok", nil }))
	f.Fuzz(func(t *testing.T, path, method string) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Method = method
		r.SetPathValue("path", path)
		w := httptest.NewRecorder()
		e.Handler().ServeHTTP(w, r)
		switch w.Code {
		case 200, 404, 405:
		default:
			t.Fatalf("status %d", w.Code)
		}
		if method != http.MethodHead && !json.Valid(w.Body.Bytes()) {
			t.Fatalf("invalid JSON: %q", w.Body)
		}
	})
}

// TestDependencyOptions: the dependencies section follows the git mode
// unless WithDependencies or WithoutDependencies says otherwise, and of
// the two the later wins.
func TestDependencyOptions(t *testing.T) {
	env := withEnvironment(fakeEnv(vcsBuild("v1.2.3", false), stamps{}))
	for _, tc := range []struct {
		name string
		opts []Option
		want bool
	}{
		{"simple", nil, false},
		{"full", []Option{WithGitMode(GitFull)}, true},
		{"simple with", []Option{WithDependencies()}, true},
		{"full without", []Option{WithGitMode(GitFull), WithoutDependencies()}, false},
		{"without then with", []Option{WithoutDependencies(), WithDependencies()}, true},
		{"with then without", []Option{WithGitMode(GitFull), WithDependencies(), WithoutDependencies()}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, got := New(append([]Option{env}, tc.opts...)...).Info(context.Background())["dependencies"]
			if got != tc.want {
				t.Errorf("dependencies shown = %v, want %v", got, tc.want)
			}
		})
	}
}
