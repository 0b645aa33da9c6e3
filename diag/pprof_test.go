package diag

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestPprofIndexLinksWorkUnderAnyMountPath(t *testing.T) {
	h := NewPprof().Handler()
	for _, tc := range []struct{ target, href string }{
		{"", `href="mnt/goroutine?debug=1"`}, // /mnt: links must carry the segment
		{"/", `href="goroutine?debug=1"`},    // /mnt/: relative as they are
	} {
		mux := http.NewServeMux()
		mux.Handle("/mnt", h)
		mux.Handle("/mnt/{path...}", h)
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/mnt"+tc.target, nil))
		if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
			t.Fatalf("%q: %d %q", tc.target, w.Code, w.Header().Get("Content-Type"))
		}
		body := w.Body.String()
		if !strings.Contains(body, tc.href) {
			t.Errorf("%q: no %s in\n%s", tc.target, tc.href, body)
		}
		for _, name := range []string{"profile", "trace", "heap", "allocs", "block", "mutex", "threadcreate", "cmdline"} {
			if !strings.Contains(body, ">"+name+"<") {
				t.Errorf("%q: index lacks %s", tc.target, name)
			}
		}
	}
}

// TestPprofServesEveryNamedProfile is the bug of mounting net/http/pprof
// as a custom endpoint: every path served the index.
func TestPprofServesEveryNamedProfile(t *testing.T) {
	h := NewPprof().Handler()
	for _, name := range []string{"goroutine", "heap", "allocs", "block", "mutex", "threadcreate"} {
		t.Run(name, func(t *testing.T) {
			got := do(h, http.MethodGet, name)
			if got.code != http.StatusOK || got.header.Get("Content-Type") != MediaTypeOctetStream {
				t.Fatalf("%d %q: %.100s", got.code, got.header.Get("Content-Type"), got.body)
			}
			checkProfile(t, got.body)
			got = do(h, http.MethodGet, name+"?debug=1")
			if got.code != http.StatusOK || !strings.HasPrefix(got.header.Get("Content-Type"), "text/plain") {
				t.Errorf("debug=1: %d %q", got.code, got.header.Get("Content-Type"))
			}
		})
	}
	if got := do(h, http.MethodGet, "goroutine?debug=2"); !strings.HasPrefix(string(got.body), "goroutine ") {
		t.Errorf("goroutine?debug=2 starts %.40q", got.body)
	}
	if got := do(h, http.MethodGet, "heap?gc=1"); got.code != http.StatusOK {
		t.Errorf("heap?gc=1: %d", got.code)
	}
	checkError(t, do(h, http.MethodGet, "allocs?seconds=1"), http.StatusBadRequest) // no delta profiles
	if got := do(h, http.MethodGet, "cmdline"); got.code != http.StatusOK || !strings.Contains(string(got.body), "diag.test") {
		t.Errorf("cmdline: %d %q", got.code, got.body)
	}
	if got := do(h, http.MethodGet, "symbol"); got.code != http.StatusOK || !strings.HasPrefix(string(got.body), "num_symbols: ") {
		t.Errorf("symbol: %d %q", got.code, got.body)
	}
}

func TestPprofRejectsBadRequests(t *testing.T) {
	h := NewPprof(WithMaxProfileDuration(5 * time.Second)).Handler()
	for _, tc := range []struct {
		method, target string
		code           int
	}{
		{http.MethodGet, "nosuchprofile", http.StatusNotFound},
		{http.MethodGet, "goroutine/x", http.StatusNotFound},
		{http.MethodGet, "<script>alert(1)</script>", http.StatusNotFound},
		{http.MethodGet, "profile?seconds=0", http.StatusBadRequest},
		{http.MethodGet, "profile?seconds=6", http.StatusBadRequest},
		{http.MethodGet, "profile?seconds=abc", http.StatusBadRequest},
		{http.MethodGet, "profile?seconds=1&seconds=1", http.StatusBadRequest},
		{http.MethodGet, "trace?seconds=99999999999999999999", http.StatusBadRequest},
		{http.MethodGet, "heap?seconds=1", http.StatusBadRequest},
		{http.MethodGet, "goroutine?debug=3", http.StatusBadRequest},
		{http.MethodGet, "goroutine?debug=x", http.StatusBadRequest},
		{http.MethodGet, "heap?gc=x", http.StatusBadRequest},
		{http.MethodPost, "profile", http.StatusMethodNotAllowed},
		{http.MethodPost, "", http.StatusMethodNotAllowed},
		{http.MethodPut, "symbol", http.StatusMethodNotAllowed},
		{"BREW", "heap", http.StatusMethodNotAllowed},
	} {
		t.Run(tc.method+" "+tc.target, func(t *testing.T) {
			checkError(t, do(h, tc.method, tc.target), tc.code)
		})
	}
	if got := do(h, http.MethodPut, "symbol"); got.header.Get("Allow") != "GET, HEAD, POST" {
		t.Errorf("symbol Allow = %q", got.header.Get("Allow"))
	}
	if got := do(h, http.MethodPost, "symbol"); got.code != http.StatusOK {
		t.Errorf("POST symbol: %d", got.code)
	}
}

func TestPprofRefusesAFullGoroutineDumpAboveTheBound(t *testing.T) {
	h := NewPprof(WithMaxGoroutines(1)).Handler()
	checkError(t, do(h, http.MethodGet, "goroutine?debug=2"), http.StatusBadRequest)
	if got := do(h, http.MethodGet, "goroutine?debug=1"); got.code != http.StatusOK {
		t.Errorf("debug=1: %d", got.code)
	}
}

func TestPprofHeadOfAProfileDoesNotProfile(t *testing.T) {
	p := NewPprof()
	got := do(p.Handler(), http.MethodHead, "profile?seconds=30")
	if got.code != http.StatusOK || len(got.body) != 0 || got.header.Get("Content-Type") != MediaTypeOctetStream {
		t.Errorf("HEAD: %d, %d bytes, %q", got.code, len(got.body), got.header.Get("Content-Type"))
	}
}

func TestPprofCPUProfileIsReadable(t *testing.T) {
	got := do(NewPprof().Handler(), http.MethodGet, "profile?seconds=1")
	if got.code != http.StatusOK {
		t.Fatalf("%d: %s", got.code, got.body)
	}
	strs := checkProfile(t, got.body)
	if !contains(strs, "samples") || !contains(strs, "cpu") {
		t.Errorf("sample types missing: %q", strs[:min(len(strs), 8)])
	}
}

func TestPprofTraceIsATrace(t *testing.T) {
	got := do(NewPprof().Handler(), http.MethodGet, "trace?seconds=1")
	if got.code != http.StatusOK || !regexp.MustCompile(`^go 1\.\d+ trace`).Match(got.body) {
		t.Fatalf("%d: %.20q", got.code, got.body)
	}
}

// TestPprofRunsOneCPUProfileAtATime starts a profile, waits until it
// holds the lock, and asks for a second.
func TestPprofRunsOneCPUProfileAtATime(t *testing.T) {
	p := NewPprof()
	var wg sync.WaitGroup
	var first response
	wg.Add(1)
	go func() {
		defer wg.Done()
		first = do(p.Handler(), http.MethodGet, "profile?seconds=2")
	}()
	for len(p.cpu) == 0 {
		time.Sleep(time.Millisecond)
	}
	checkError(t, do(p.Handler(), http.MethodGet, "profile?seconds=1"), http.StatusConflict)
	wg.Wait()
	if first.code != http.StatusOK {
		t.Fatalf("first: %d %s", first.code, first.body)
	}
	checkProfile(t, first.body)

	p.trace <- struct{}{} // a trace is running
	checkError(t, do(p.Handler(), http.MethodGet, "trace?seconds=1"), http.StatusConflict)
	<-p.trace
}

// TestPprofProfileEndsWithTheRequest: a client that leaves ends the
// profile, and frees the lock.
func TestPprofProfileEndsWithTheRequest(t *testing.T) {
	p := NewPprof()
	ctx, cancel := context.WithCancel(context.Background())
	r := httptest.NewRequestWithContext(ctx, http.MethodGet, "/mnt/profile?seconds=30", nil)
	r.SetPathValue("path", "profile")
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.Handler().ServeHTTP(httptest.NewRecorder(), r)
	}()
	for len(p.cpu) == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
	if len(p.cpu) != 0 {
		t.Error("lock still held")
	}
}

// TestPprofRegistersNothingOnTheDefaultMux: net/http/pprof's init would
// publish every profile on http.DefaultServeMux.
func TestPprofRegistersNothingOnTheDefaultMux(t *testing.T) {
	_ = NewPprof()
	if _, pattern := http.DefaultServeMux.Handler(httptest.NewRequest(http.MethodGet, "/debug/pprof/", nil)); pattern != "" {
		t.Errorf("http.DefaultServeMux serves /debug/pprof/ with %q", pattern)
	}
}

func TestPprofSymbolLooksUpAddresses(t *testing.T) {
	pc := reflectPC()
	h := NewPprof().Handler()
	got := do(h, http.MethodGet, "symbol?"+pc)
	if got.code != http.StatusOK || !strings.Contains(string(got.body), ".reflectPC") {
		t.Errorf("GET: %d %q", got.code, got.body)
	}
	r := httptest.NewRequest(http.MethodPost, "/mnt/symbol", strings.NewReader(pc+"+0x0+junk"))
	r.SetPathValue("path", "symbol")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), ".reflectPC") {
		t.Errorf("POST: %d %q", w.Code, w.Body.String())
	}
	r = httptest.NewRequest(http.MethodPost, "/mnt/symbol", strings.NewReader(strings.Repeat("0x1+", 20_000)))
	r.SetPathValue("path", "symbol")
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("large body: %d", w.Code)
	}
}

// reflectPC returns its own program counter as go tool pprof sends it.
func reflectPC() string {
	pc, _, _, _ := runtime.Caller(0)
	return "0x" + strconv.FormatUint(uint64(pc), 16)
}
