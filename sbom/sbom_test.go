package sbom

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// sampleBuildInfo has what a release build records: a tagged main module,
// settings, a plain dependency, one replaced by a module and one by a
// directory, an +incompatible version and a malformed hash.
func sampleBuildInfo() *debug.BuildInfo {
	return &debug.BuildInfo{
		GoVersion: "go1.26.0 X:nocoverageredesign",
		Path:      "example.com/app/cmd/server",
		Main:      debug.Module{Path: "example.com/app", Version: "v1.2.3", Sum: ""},
		Deps: []*debug.Module{
			{Path: "github.com/actuatorgo/actuator", Version: "v0.4.0", Sum: "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="},
			{Path: "github.com/Old/lib", Version: "v1.0.0", Replace: &debug.Module{Path: "github.com/fork/lib", Version: "v1.0.1-fix", Sum: "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="}},
			{Path: "example.com/local", Version: "v0.0.0", Replace: &debug.Module{Path: "../local"}},
			{Path: "github.com/x/y", Version: "v2.0.0+incompatible", Sum: "h1:not-base64!"},
			nil,
		},
		Settings: []debug.BuildSetting{
			{Key: "-tags", Value: "netgo,osusergo"},
			{Key: "-ldflags", Value: "-s -w -X main.version=v1.2.3"},
			{Key: "CGO_ENABLED", Value: "0"},
			{Key: "GOARCH", Value: "amd64"},
			{Key: "GOOS", Value: "linux"},
			{Key: "vcs.revision", Value: "0123456789abcdef"},
		},
	}
}

func TestDocumentDescribesTheBuildInfo(t *testing.T) {
	body, mt, ok := New(WithBuildInfo(sampleBuildInfo())).Document(ApplicationID)
	if !ok || mt != MediaTypeCycloneDX {
		t.Fatalf("Document: ok %v, type %q", ok, mt)
	}
	d := validate(t, body)
	if d.BOMFormat != "CycloneDX" || d.SpecVersion != "1.6" || !strings.HasPrefix(d.SerialNumber, "urn:uuid:") {
		t.Errorf("header: %q %q %q", d.BOMFormat, d.SpecVersion, d.SerialNumber)
	}
	m := d.Metadata.Component
	if m.Type != "application" || m.Name != "example.com/app" || m.Version != "v1.2.3" || m.PURL != "pkg:golang/example.com/app@v1.2.3" {
		t.Errorf("main = %+v", m)
	}
	for name, want := range map[string][]string{
		"cdx:gomod:build:env:GOVERSION":   {"go1.26.0"},
		"cdx:gomod:build:env:GOOS":        {"linux"},
		"cdx:gomod:build:env:CGO_ENABLED": {"0"},
		"cdx:gomod:build:tag":             {"netgo", "osusergo"},
		"go:build:setting:-ldflags":       {"-s -w -X main.version=v1.2.3"},
		"go:build:setting:vcs.revision":   {"0123456789abcdef"},
		"go:package:path":                 {"example.com/app/cmd/server"},
	} {
		if got := m.props(name); !slices.Equal(got, want) {
			t.Errorf("property %s = %q, want %q", name, got, want)
		}
	}
	if tools := d.Metadata.Tools.Components; len(tools) != 1 || tools[0].Name != toolName || tools[0].Version != "v0.4.0" {
		t.Errorf("tools = %+v", tools)
	}

	wantHash := hex.EncodeToString(mustB64(t, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="))
	for _, tc := range []struct {
		name, version, purl, hash, prop, propValue string
	}{
		{"std", "go1.26.0", "pkg:golang/std@go1.26.0", "", "", ""},
		{"github.com/actuatorgo/actuator", "v0.4.0", "pkg:golang/github.com/actuatorgo/actuator@v0.4.0", wantHash, "", ""},
		{"github.com/fork/lib", "v1.0.1-fix", "pkg:golang/github.com/fork/lib@v1.0.1-fix", wantHash, "go:module:replaces", "github.com/Old/lib@v1.0.0"},
		{"example.com/local", "", "pkg:golang/example.com/local", "", "go:module:replacedBy", "../local"},
		{"github.com/x/y", "v2.0.0+incompatible", "pkg:golang/github.com/x/y@v2.0.0%2Bincompatible", "", "", ""},
	} {
		c, ok := d.component(tc.name)
		if !ok {
			t.Errorf("no component %s", tc.name)
			continue
		}
		if c.Type != "library" || c.Version != tc.version || c.PURL != tc.purl || c.BOMRef != tc.purl {
			t.Errorf("%s = %+v", tc.name, c)
		}
		switch {
		case tc.hash == "" && len(c.Hashes) != 0:
			t.Errorf("%s: hashes %+v, want none", tc.name, c.Hashes)
		case tc.hash != "" && (len(c.Hashes) != 1 || c.Hashes[0].Alg != "SHA-256" || c.Hashes[0].Content != tc.hash):
			t.Errorf("%s: hashes %+v, want SHA-256 %s", tc.name, c.Hashes, tc.hash)
		}
		if tc.prop != "" && !slices.Equal(c.props(tc.prop), []string{tc.propValue}) {
			t.Errorf("%s: %s = %q", tc.name, tc.prop, c.props(tc.prop))
		}
	}
	if len(d.Components) != 5 {
		t.Errorf("%d components, want 5", len(d.Components))
	}
	if len(d.Dependencies) != 1 || d.Dependencies[0].Ref != m.BOMRef || len(d.Dependencies[0].DependsOn) != 5 {
		t.Errorf("dependencies = %+v", d.Dependencies)
	}
	again, _, _ := New(WithBuildInfo(sampleBuildInfo())).Document(ApplicationID)
	if string(again) != string(body) {
		t.Error("the same build info gave two documents")
	}
}

func TestDocumentOfADevelBuildHasNoVersion(t *testing.T) {
	bi := &debug.BuildInfo{GoVersion: "go1.26.0", Path: "command-line-arguments"}
	body, _, _ := New(WithBuildInfo(bi)).Document(ApplicationID)
	d := validate(t, body)
	if m := d.Metadata.Component; m.Name != "command-line-arguments" || m.Version != "" {
		t.Errorf("main = %+v", m)
	}
	bi = &debug.BuildInfo{Main: debug.Module{Path: "example.com/app", Version: "(devel)"}}
	body, _, _ = New(WithBuildInfo(bi)).Document(ApplicationID)
	if m := validate(t, body).Metadata.Component; m.Version != "" || m.PURL != "pkg:golang/example.com/app" {
		t.Errorf("main = %+v", m)
	}
}

func TestDuplicateRefsAreMadeUnique(t *testing.T) {
	bi := &debug.BuildInfo{Main: debug.Module{Path: "example.com/app"}, Deps: []*debug.Module{
		{Path: "a.example/x", Version: "v1.0.0", Replace: &debug.Module{Path: "b.example/y", Version: "v1.0.0"}},
		{Path: "c.example/z", Version: "v1.0.0", Replace: &debug.Module{Path: "b.example/y", Version: "v1.0.0"}},
	}}
	body, _, _ := New(WithBuildInfo(bi)).Document(ApplicationID)
	d := validate(t, body) // the schema requires unique bom-refs
	if len(d.Components) != 2 || d.Components[0].BOMRef == d.Components[1].BOMRef {
		t.Errorf("components = %+v", d.Components)
	}
}

func mustB64(t *testing.T, s string) []byte {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestABuiltProgramServesAValidSBOM builds testdata/app with tags and
// -ldflags, runs it, and checks what it prints against the schema and
// against go.sum.
func TestABuiltProgramServesAValidSBOM(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	bin := filepath.Join(t.TempDir(), "app")
	build := exec.CommandContext(ctx, goTool, "build", "-o", bin, "-tags", "sbomtest", "-ldflags", "-X main.note=hello", "./testdata/app")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.CommandContext(ctx, bin).Output()
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	d := validate(t, out)
	m := d.Metadata.Component
	if m.Name != "github.com/actuatorgo/actuator" {
		t.Errorf("main = %+v", m)
	}
	for name, want := range map[string]string{
		"cdx:gomod:build:env:GOVERSION": runtime.Version(),
		"cdx:gomod:build:tag":           "sbomtest",
		"go:build:setting:-ldflags":     "-X main.note=hello",
		"cdx:gomod:build:env:GOOS":      runtime.GOOS,
		"go:package:path":               "github.com/actuatorgo/actuator/sbom/testdata/app",
	} {
		if got := m.props(name); !slices.Contains(got, want) {
			t.Errorf("property %s = %q, want %q", name, got, want)
		}
	}
	goleak, ok := d.component("go.uber.org/goleak")
	if !ok {
		t.Fatalf("no goleak among %+v", d.Components)
	}
	want := goSum(t, "go.uber.org/goleak", goleak.Version)
	if len(goleak.Hashes) != 1 || goleak.Hashes[0].Content != want {
		t.Errorf("goleak hashes %+v, want %s from go.sum", goleak.Hashes, want)
	}
	if std, ok := d.component("std"); !ok || std.Version != strings.Fields(runtime.Version())[0] {
		t.Errorf("std = %+v", std)
	}
}

// goSum finds the h1: hash of path@version in the module's go.sum, as hex.
func goSum(t *testing.T, path, version string) string {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) == 3 && fs[0] == path && fs[1] == version {
			return hex.EncodeToString(mustB64(t, strings.TrimPrefix(fs[2], "h1:")))
		}
	}
	t.Fatalf("%s %s not in go.sum", path, version)
	return ""
}

func TestEndpointServesTheIDsAndTheDocuments(t *testing.T) {
	extra := []byte(`{"spdxVersion":"SPDX-2.3"}`)
	s := New(WithBuildInfo(sampleBuildInfo()), WithDocument("container", "application/spdx+json", extra))
	h := s.Handler()

	got := do(h, http.MethodGet, "/sbom")
	if got.code != http.StatusOK || got.header.Get("Content-Type") != "application/vnd.spring-boot.actuator.v3+json" {
		t.Fatalf("ids: %d %q", got.code, got.header.Get("Content-Type"))
	}
	if string(got.body) != `{"ids":["application","container"]}` {
		t.Errorf("ids = %s", got.body)
	}
	if got := do(h, http.MethodGet, "/sbom", "Accept", "application/json"); got.header.Get("Content-Type") != "application/json" {
		t.Errorf("ids as JSON: %q", got.header.Get("Content-Type"))
	}

	for _, target := range []string{"/sbom/application", "/sbom/application/"} {
		got = do(h, http.MethodGet, target, "Accept", "text/html")
		if got.code != http.StatusOK || got.header.Get("Content-Type") != MediaTypeCycloneDX {
			t.Fatalf("%s: %d %q", target, got.code, got.header.Get("Content-Type"))
		}
		validate(t, got.body)
	}
	got = do(h, http.MethodGet, "/sbom/container")
	if got.header.Get("Content-Type") != "application/spdx+json" || string(got.body) != string(extra) {
		t.Errorf("container: %q %s", got.header.Get("Content-Type"), got.body)
	}
	extra[0] = 'X' // New copied it
	if got := do(h, http.MethodGet, "/sbom/container"); got.body[0] != '{' {
		t.Error("WithDocument kept the caller's slice")
	}
	if got := do(h, http.MethodHead, "/sbom/application"); got.code != http.StatusOK || len(got.body) != 0 || got.header.Get("Content-Length") == "0" {
		t.Errorf("HEAD: %d, %d bytes, length %q", got.code, len(got.body), got.header.Get("Content-Length"))
	}
}

func TestEndpointRejectsBadRequests(t *testing.T) {
	h := New(WithBuildInfo(sampleBuildInfo())).Handler()
	for _, tc := range []struct {
		method, target string
		header         []string
		code           int
	}{
		{http.MethodGet, "/sbom/nope", nil, http.StatusNotFound},
		{http.MethodGet, "/sbom/application/x", nil, http.StatusNotFound},
		{http.MethodGet, "/sbom/%3Cscript%3Ealert(1)%3C%2Fscript%3E", nil, http.StatusNotFound},
		{http.MethodPost, "/sbom", nil, http.StatusMethodNotAllowed},
		{http.MethodDelete, "/sbom/application", nil, http.StatusMethodNotAllowed},
		{http.MethodGet, "/sbom", []string{"Accept", "image/png"}, http.StatusNotAcceptable},
	} {
		t.Run(tc.method+" "+tc.target, func(t *testing.T) {
			got := do(h, tc.method, tc.target, tc.header...)
			if got.code != tc.code {
				t.Fatalf("status %d, want %d: %s", got.code, tc.code, got.body)
			}
			var e struct{ Status int }
			if err := json.Unmarshal(got.body, &e); err != nil || e.Status != tc.code {
				t.Errorf("body %s", got.body)
			}
			if strings.Contains(string(got.body), "<script>") {
				t.Errorf("body echoes the path unescaped: %s", got.body)
			}
		})
	}
}

func TestWithoutBuildInfoThereIsNoApplicationSBOM(t *testing.T) {
	s := New(WithBuildInfo(nil))
	if ids := s.IDs(); len(ids) != 0 {
		t.Errorf("ids = %q", ids)
	}
	if got := do(s.Handler(), http.MethodGet, "/sbom"); string(got.body) != `{"ids":[]}` {
		t.Errorf("ids = %s", got.body)
	}
	if got := do(s.Handler(), http.MethodGet, "/sbom/application"); got.code != http.StatusNotFound {
		t.Errorf("application: %d", got.code)
	}
}

func TestNewUnderGoTestServesTheTestBinary(t *testing.T) {
	body, _, ok := New().Document(ApplicationID)
	if !ok {
		t.Skip("test binary without build info")
	}
	validate(t, body)
}

func TestOptionsPanicOnProgrammerErrors(t *testing.T) {
	for name, f := range map[string]func(){
		"nil option":       func() { New(nil) },
		"empty id":         func() { New(WithDocument("", "a/b", nil)) },
		"slash":            func() { New(WithDocument("a/b", "a/b", nil)) },
		"application":      func() { New(WithDocument(ApplicationID, "a/b", nil)) },
		"empty media type": func() { New(WithDocument("x", "", nil)) },
		"twice":            func() { New(WithDocument("x", "a/b", nil), WithDocument("x", "a/b", nil)) },
	} {
		func() {
			defer func() {
				if r, _ := recover().(string); !strings.HasPrefix(r, "sbom: ") {
					t.Errorf("%s: recovered %q, want an sbom: panic", name, r)
				}
			}()
			f()
		}()
	}
}

// TestSchemaRejectsAnInvalidDocument proves the validator checks
// something: a hash that is not hex fails.
func TestSchemaRejectsAnInvalidDocument(t *testing.T) {
	body, _, _ := New(WithBuildInfo(sampleBuildInfo())).Document(ApplicationID)
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	doc["components"].([]any)[1].(map[string]any)["hashes"] = []any{map[string]any{"alg": "SHA-256", "content": "not hex"}}
	bad, _ := json.Marshal(doc)
	inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(bad))
	if err := cycloneDX(t).Validate(inst); err == nil {
		t.Error("the schema accepted a hash that is not hex")
	}
}
