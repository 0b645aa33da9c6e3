package examples_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildDemo builds the demo in pkg and returns the binary's path.
func buildDemo(t *testing.T, pkg string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "demo")
	if out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// The std demo, given SPRING_BOOT_ADMIN_CLIENT_URL, registers with the
// admin server the URLs of its real port and base path, and deregisters at
// SIGTERM, while its shutdown delay still runs (readiness 503, the process
// serving). The admin server is an in-process fake of the API in
// codecentric/spring-boot-admin's
// spring-boot-admin-server/src/main/java/de/codecentric/boot/admin/server/web/InstancesController.java:
// POST /instances, 201 {"id"}; DELETE /instances/{id}, 204.
func TestDemoRegistersWithSpringBootAdmin(t *testing.T) {
	if testing.Short() {
		t.Skip("builds binaries")
	}
	bin := buildDemo(t, "./std")
	addr := freeAddr(t)
	base := "http://" + addr

	type registration struct{ Name, HealthURL, ManagementURL, ServiceURL string }
	registered := make(chan registration, 10)
	deleted := make(chan int, 10) // the demo's /readyz status when the DELETE came
	admin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/instances":
			if u, p, ok := r.BasicAuth(); !ok || u != "admin" || p != "s3cret" {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			var reg registration
			if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&reg); err != nil {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			registered <- reg
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusCreated)
			io.WriteString(w, `{"id":"demo-1"}`)
		case r.Method == http.MethodDelete && r.URL.Path == "/instances/demo-1":
			code := 0 // not answering
			client := &http.Client{Timeout: 5 * time.Second}
			if resp, err := client.Get(base + "/readyz"); err == nil {
				code = resp.StatusCode
				resp.Body.Close()
			}
			deleted <- code
			w.WriteHeader(http.StatusNoContent)
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer admin.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-addr", addr, "-shutdown-delay", "2s")
	cmd.Env = append(os.Environ(),
		"SPRING_BOOT_ADMIN_CLIENT_URL="+admin.URL,
		"SPRING_BOOT_ADMIN_CLIENT_USERNAME=admin",
		"SPRING_BOOT_ADMIN_CLIENT_PASSWORD=s3cret",
		"SPRING_BOOT_ADMIN_CLIENT_INSTANCE_NAME=std-demo",
	)
	cmd.Stdout = io.Discard
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()

	var reg registration
	select {
	case reg = <-registered:
	case <-time.After(20 * time.Second):
		t.Fatal("the demo did not register within 20 s")
	}
	want := registration{Name: "std-demo", HealthURL: base + "/management/health", ManagementURL: base + "/management", ServiceURL: base + "/"}
	if reg != want {
		t.Errorf("registration = %+v, want %+v", reg, want)
	}
	if code, _ := fetch(t, reg.HealthURL); code != http.StatusOK {
		t.Errorf("GET %s (the registered health URL) = %d", reg.HealthURL, code)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-deleted:
		if code != http.StatusServiceUnavailable {
			t.Errorf("/readyz when the DELETE came = %d, want 503: the deregistration belongs to the trigger, during the delay", code)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no DELETE after SIGTERM")
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("exit after SIGTERM: %v, want status 0", err)
	}
}

// A malformed Spring Boot Admin variable stops the demo at start-up with
// an error naming the variable.
func TestDemoRefusesABadSpringBootAdminVariable(t *testing.T) {
	if testing.Short() {
		t.Skip("builds binaries")
	}
	bin := buildDemo(t, "./std")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-addr", freeAddr(t))
	cmd.Env = append(os.Environ(),
		"SPRING_BOOT_ADMIN_CLIENT_URL=http://127.0.0.1:1",
		"SPRING_BOOT_ADMIN_CLIENT_PERIOD=soon",
	)
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "SPRING_BOOT_ADMIN_CLIENT_PERIOD") {
		t.Errorf("demo with a bad period: %v, output %q; want a failure naming the variable", err, out)
	}
}
