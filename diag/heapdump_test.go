package diag

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestHeapDumpServesAPprofHeapProfile(t *testing.T) {
	for _, q := range []string{"", "?gc=true", "?gc=false", "?gc=1"} {
		got := do(NewHeapDump().Handler(), http.MethodGet, q)
		if got.code != http.StatusOK {
			t.Fatalf("%q: status %d: %s", q, got.code, got.body)
		}
		if ct := got.header.Get("Content-Type"); ct != MediaTypeOctetStream {
			t.Errorf("%q: Content-Type %q", q, ct)
		}
		if cd := got.header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="heapdump-`) || !strings.HasSuffix(cd, `.pb.gz"`) {
			t.Errorf("%q: Content-Disposition %q", q, cd)
		}
		strs := checkProfile(t, got.body)
		if !contains(strs, "inuse_space") || !contains(strs, "alloc_space") {
			t.Errorf("%q: sample types missing from %d strings", q, len(strs))
		}
	}
}

// TestHeapDumpIsReadByGoToolPprof runs the toolchain's pprof on a dump.
func TestHeapDumpIsReadByGoToolPprof(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	got := do(NewHeapDump().Handler(), http.MethodGet, "?gc=true")
	f := filepath.Join(t.TempDir(), "heap.pb.gz")
	if err := os.WriteFile(f, got.body, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, goTool, "tool", "pprof", "-sample_index=alloc_space", "-top", f).CombinedOutput()
	if err != nil {
		t.Fatalf("go tool pprof: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "Type: alloc_space") {
		t.Errorf("go tool pprof output:\n%s", out)
	}
}

func TestHeapDumpRejectsBadRequests(t *testing.T) {
	h := NewHeapDump().Handler()
	for _, tc := range []struct {
		method, target string
		code           int
	}{
		{http.MethodGet, "?gc=yes", http.StatusBadRequest},
		{http.MethodGet, "?gc=", http.StatusBadRequest},
		{http.MethodGet, "?gc=true&gc=false", http.StatusBadRequest},
		{http.MethodGet, "x", http.StatusNotFound},
		{http.MethodGet, "%3Cscript%3E", http.StatusNotFound},
		{http.MethodPost, "", http.StatusMethodNotAllowed},
		{http.MethodDelete, "", http.StatusMethodNotAllowed},
	} {
		t.Run(tc.method+" "+tc.target, func(t *testing.T) {
			checkError(t, do(h, tc.method, tc.target), tc.code)
		})
	}
	if got := do(h, http.MethodHead, ""); got.code != http.StatusOK || len(got.body) != 0 || got.header.Get("Content-Type") != MediaTypeOctetStream {
		t.Errorf("HEAD: %d, %d bytes, %q", got.code, len(got.body), got.header.Get("Content-Type"))
	}
}

func TestHeapDumpWritesOneAtATime(t *testing.T) {
	d := NewHeapDump()
	d.sem <- struct{}{} // a dump is being written
	checkError(t, do(d.Handler(), http.MethodGet, ""), http.StatusConflict)
	<-d.sem
	if got := do(d.Handler(), http.MethodGet, ""); got.code != http.StatusOK {
		t.Errorf("after the dump: %d", got.code)
	}
}
