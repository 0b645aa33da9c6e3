// Package examples_test builds the demo apps and drives them as a user
// would: start, query the actuator, SIGTERM, exit code 0.
package examples_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func TestDemos(t *testing.T) {
	if testing.Short() {
		t.Skip("builds binaries")
	}
	demos := []struct {
		pkg, mgmt, app string
	}{
		{"./std", "/management", "/users/42"},
		{"./gin", "/actuator", "/users/42"},
	}
	for _, d := range demos {
		t.Run(d.pkg, func(t *testing.T) {
			bin := filepath.Join(t.TempDir(), "demo")
			build := exec.Command("go", "build", "-o", bin, d.pkg)
			if out, err := build.CombinedOutput(); err != nil {
				t.Fatalf("build: %v\n%s", err, out)
			}
			addr := freeAddr(t)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, "-addr", addr, "-shutdown-delay", "100ms", "-token", demoToken)
			// The demos read Spring Boot's management variables (FromEnv).
			cmd.Env = append(os.Environ(), "MANAGEMENT_ENDPOINTS_WEB_EXPOSURE_EXCLUDE=heapdump")
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			cmd.Stderr = os.Stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			printed := make(chan string, 1)
			reported := make(chan string, 1) // the lock file the demo says it holds
			go func() {
				var all strings.Builder
				sc := bufio.NewScanner(stdout)
				for sc.Scan() {
					all.WriteString(sc.Text() + "\n")
					if m := lockLine.FindStringSubmatch(sc.Text()); m != nil && len(reported) == 0 {
						reported <- m[1]
					}
				}
				_, _ = io.Copy(io.Discard, stdout)
				printed <- all.String()
			}()

			base := "http://" + addr
			waitUp(t, base+"/readyz")
			var lock string
			select {
			case lock = <-reported:
			case <-time.After(10 * time.Second):
				t.Fatal("the demo, ready, did not print its lock file")
			}
			if want := lockFile(cmd.Process.Pid); lock != want {
				t.Errorf("the demo printed lock file %q, want %q (demo.AcquireLock for its pid)", lock, want)
			}
			if _, err := os.Stat(lock); err != nil {
				t.Errorf("lock file while running: %v", err)
			}
			checks := []struct {
				path   string
				status int
				want   string
			}{
				{d.mgmt, 200, `"_links"`},
				{d.mgmt + "/health", 200, `"tempdir"`},
				{d.mgmt + "/health/readiness", 200, `{"status":"UP"}`},
				{d.mgmt + "/health/liveness", 200, `{"status":"UP"}`},
				{d.mgmt + "/info", 200, `"app"`},
				{d.mgmt + "/metrics", 200, `"names"`},
				{d.mgmt + "/prometheus", 200, "go_goroutines"},
				{d.mgmt + "/shutdown", 404, `"status":404`},
				{d.app, 200, "42"},
				{"/livez", 200, `"UP"`},
			}
			for _, c := range checks {
				code, body := fetch(t, base+c.path)
				if code != c.status || !strings.Contains(body, c.want) {
					t.Errorf("GET %s = %d %.200s, want %d containing %q", c.path, code, body, c.status, c.want)
				}
			}
			checkOperations(t, base+d.mgmt)
			var health map[string]any
			_, body := fetch(t, base+d.mgmt+"/health")
			if err := json.Unmarshal([]byte(body), &health); err != nil || health["status"] != "UP" {
				t.Errorf("health = %s (%v)", body, err)
			}

			if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			if err := cmd.Wait(); err != nil {
				t.Errorf("exit after SIGTERM: %v, want status 0", err)
			}
			out := <-printed
			if !strings.Contains(out, base+d.mgmt) {
				t.Errorf("the demo did not print its URLs:\n%s", out)
			}
			if _, err := os.Stat(lock); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("lock file %s still there after the shutdown (%v): the cleanup hook did not run", lock, err)
			}
		})
	}
}

// lockLine is the line where a demo reports its lock file (demo.PrintURLs).
var lockLine = regexp.MustCompile(`\(lock file (\S+), released on shutdown\)`)

// lockFile is where the demo with that pid keeps its lock (see
// demo.AcquireLock).
func lockFile(pid int) string {
	return filepath.Join(os.TempDir(), "actuator-demo-"+strconv.Itoa(pid)+".lock")
}

func fetch(t *testing.T, url string, header ...string) (int, string) {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second}
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// waitUp polls url until it answers 200, for at most 20 s.
func waitUp(t *testing.T, url string) {
	t.Helper()
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never answered 200", url)
}

// demoToken is the token the demos are started with.
const demoToken = "examples-test-token"

// checkOperations checks a demo's sensitive endpoints: they answer with
// the demo's token, 401 without it, and heapdump, excluded by the
// environment, is not there.
func checkOperations(t *testing.T, mgmt string) {
	t.Helper()
	auth := []string{"Authorization", "Bearer " + demoToken}
	checks := []struct {
		path   string
		header []string
		status int
		want   string
	}{
		{"/loggers", auth, 200, `"ROOT":{"configuredLevel":"INFO"`},
		{"/loggers", nil, 401, `"status":401`},
		{"/sbom", auth, 200, `{"ids":["application"]}`},
		{"/sbom", nil, 401, `"status":401`},
		{"/sbom/application", auth, 200, `"bomFormat"`},
		{"/env", auth, 200, `"propertySources"`},
		{"/threaddump", auth, 200, `"threads"`},
		{"/pprof/cmdline", auth, 200, "demo"},
		{"/heapdump", auth, 404, `"status":404`},
		{"/loggers", []string{"Authorization", "Bearer wrong"}, 403, `"status":403`},
	}
	for _, c := range checks {
		code, body := fetch(t, mgmt+c.path, c.header...)
		if code != c.status || !strings.Contains(body, c.want) {
			t.Errorf("GET %s (%v) = %d %.200s, want %d containing %q", c.path, c.header, code, body, c.status, c.want)
		}
	}
	if _, body := fetch(t, mgmt, auth...); !strings.Contains(body, `"loggers-name"`) {
		t.Errorf("index with the token lacks loggers-name: %s", body)
	}
	if _, body := fetch(t, mgmt); strings.Contains(body, `"loggers"`) {
		t.Errorf("index without the token lists loggers: %s", body)
	}
}
