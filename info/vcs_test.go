package info_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestStampedBinary builds testdata/stampapp in a git repository made for
// the test, runs it and checks the info document it serves: after a commit,
// at a tag, with uncommitted changes, with -ldflags -X stamps and with
// -buildvcs=false. The variable parts (revision, times, pseudo-version,
// module root) are replaced by placeholders and compared to golden files.
func TestStampedBinary(t *testing.T) {
	gitBin, err := exec.LookPath("git")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("git is required when CI=true: %v", err) // the main test must not vanish in CI
		}
		t.Skip("git is not installed")
	}
	goBin, err := exec.LookPath("go") // go test puts GOROOT/bin first in PATH
	if err != nil {
		t.Fatalf("go command not found: %v", err)
	}
	root, err := filepath.Abs("..") // the actuator module
	if err != nil {
		t.Fatal(err)
	}
	appSrc, err := os.ReadFile(filepath.Join("testdata", "stampapp", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	goSum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}

	repo := t.TempDir()
	out := t.TempDir() // binaries outside the repository, or they would make it dirty
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(gitBin, args...)
		cmd.Dir = repo
		// Ignore the user's and the system's git configuration (hooks,
		// signing, templates): the repository is the test's alone.
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull,
			"GIT_AUTHOR_DATE=2026-11-26T09:58:00Z", "GIT_COMMITTER_DATE=2026-11-26T09:58:00Z")
		b, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, b)
		}
		return strings.TrimSpace(string(b))
	}
	write := func(name, content string) {
		t.Helper()
		p := filepath.Join(repo, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	builds := 0
	build := func(extra ...string) string {
		t.Helper()
		builds++
		bin := filepath.Join(out, "app"+string(rune('0'+builds)))
		args := append([]string{"build", "-o", bin}, extra...)
		cmd := exec.Command(goBin, append(args, "./app")...)
		cmd.Dir = repo
		// GOFLAGS from the environment overrides the user's go env file
		// (this machine sets -buildvcs=false there). A fresh module cache
		// per build: go caches the version it derives for a revision, and
		// a tag added later would not be seen. Nothing is downloaded.
		cmd.Env = append(os.Environ(),
			"GOFLAGS=-mod=mod -modcacherw", "GOPROXY=off", "GOWORK=off", "GOTOOLCHAIN=local",
			"GOMODCACHE="+filepath.Join(out, "modcache"+string(rune('0'+builds))),
			"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, b)
		}
		return bin
	}

	git("init", "-q")
	git("symbolic-ref", "HEAD", "refs/heads/main")
	git("config", "user.name", "Info Test")
	git("config", "user.email", "info-test@example.com")
	git("config", "commit.gpgSign", "false")
	git("config", "tag.gpgSign", "false")
	write("go.mod", "module example.com/stampapp\n\ngo 1.25.0\n\n"+
		"require github.com/actuatorgo/actuator v0.0.0\n\n"+
		"replace github.com/actuatorgo/actuator => "+root+"\n")
	write("go.sum", string(goSum))
	write("app/main.go", string(appSrc))
	git("add", "-A")
	git("commit", "-q", "-m", "first")
	rev := git("rev-parse", "HEAD")

	norm := func(body []byte) []byte {
		s := string(body)
		s = regexp.MustCompile(`v0\.0\.0-\d{14}-`+rev[:12]).ReplaceAllString(s, "<pseudo>")
		s = strings.ReplaceAll(s, rev, "<rev>")
		s = strings.ReplaceAll(s, rev[:7], "<abbrev>")
		s = strings.ReplaceAll(s, root, "<module root>")
		return []byte(s)
	}
	type run struct {
		name string
		bin  string
		args []string
	}
	check := func(runs ...run) {
		t.Helper()
		for _, r := range runs {
			body := fetchInfo(t, r.bin, r.args...)
			checkNoEmpty(t, r.name, body)
			var indented bytes.Buffer
			if err := json.Indent(&indented, norm(body), "", "  "); err != nil {
				t.Fatalf("%s: invalid JSON %s", r.name, body)
			}
			indented.WriteByte('\n')
			golden(t, filepath.Join("testdata", "vcs_"+r.name+".golden"), indented.Bytes())
		}
	}

	// 1. A clean commit, no tag: a pseudo-version, the commit, not dirty.
	bin := build("-buildvcs=true")
	check(run{"commit", bin, nil}, run{"commit_full", bin, []string{"-git=full"}})

	// 2. The same commit tagged: Go 1.24+ takes the version from the tag.
	git("tag", "v1.2.3")
	bin = build("-buildvcs=true")
	check(run{"tagged_full", bin, []string{"-git=full"}})

	// 3. An uncommitted change: dirty, and the version says so.
	write("app/main.go", string(appSrc)+"\n// An uncommitted change.\n")
	bin = build("-buildvcs=true")
	check(run{"dirty_full", bin, []string{"-git=full"}})

	// 4. Stamps from -ldflags -X take precedence.
	const pkg = "github.com/actuatorgo/actuator/info."
	bin = build("-buildvcs=true", "-ldflags",
		"-X "+pkg+"Version=9.9.9 -X "+pkg+"Branch=release/9 -X "+pkg+"BuildTime=1764151200 "+
			"-X "+pkg+"BuildName=shop -X "+pkg+"BuildNumber=77 -X "+pkg+"Dirty=false")
	check(run{"ldflags", bin, nil})

	// 5. No VCS data at all: the fields are absent, not empty.
	bin = build("-buildvcs=false")
	check(run{"novcs", bin, nil})
}

// fetchInfo starts bin, reads the address it prints, GETs /info and stops
// it by closing its standard input.
func fetchInfo(t *testing.T, bin string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.WaitDelay = 5 * time.Second
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = stdin.Close()
		if err := cmd.Wait(); err != nil {
			t.Errorf("%s: %v\n%s", bin, err, &stderr)
		}
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("%s printed no address: %v\n%s", bin, err, &stderr)
	}
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening ")
	if !ok || !strings.HasPrefix(addr, "http://127.0.0.1:") {
		t.Fatalf("unexpected first line %q", line)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, addr+"/info", nil)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /info = %d: %s", resp.StatusCode, body)
	}
	client.CloseIdleConnections()
	return body
}
