package diag

import (
	"encoding/json"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
)

const sampleStacks = `goroutine 1 [running]:
main.main()
	/src/app/main.go:10 +0x1d

goroutine 18 [chan receive, 3 minutes]:
net/http.(*Server).Serve(0xc000100000, {0x7a1b20, 0xc000012345})
	/go/src/net/http/server.go:3360 +0x30c
example.com/app/worker.run(...)
	/src/app/worker/run.go:42
created by main.main in goroutine 1
	/src/app/main.go:9 +0x25

goroutine 7 [sync.Mutex.Lock, locked to thread]:
sync.runtime_SemacquireMutex(0x0?, 0x0?, 0x0?)
	/go/src/runtime/sema.go:95 +0x25
...additional frames elided...
created by example.com/app.start
	/src/app/start.go:5 +0x11

goroutine 9 [sleep]:
time.Sleep(0x3b9aca00)
	/go/src/runtime/time.go:338 +0x165

not a goroutine

goroutine 10 [syscall]:
`

func TestParseStacksReadsHeadersFramesAndCreators(t *testing.T) {
	gs := parseStacks([]byte(sampleStacks), 100)
	if got, want := len(gs), 5; got != want {
		t.Fatalf("parsed %d goroutines, want %d: %+v", got, want, gs)
	}
	g := gs[1]
	if g.id != 18 || g.reason != "chan receive" || g.waitMinutes != 3 || g.locked {
		t.Errorf("header of 18 = %+v", g)
	}
	if got, want := len(g.frames), 2; got != want {
		t.Fatalf("frames = %d, want %d", got, want)
	}
	if f := g.frames[0]; f.function != "net/http.(*Server).Serve" || f.file != "/go/src/net/http/server.go" || f.line != 3360 {
		t.Errorf("frame 0 = %+v", f)
	}
	if f := g.frames[1]; f.function != "example.com/app/worker.run" || f.line != 42 {
		t.Errorf("frame 1 = %+v", f)
	}
	if g.createdBy == nil || g.createdBy.function != "main.main" || g.createdIn != 1 || g.createdBy.line != 9 {
		t.Errorf("created by = %+v in %d", g.createdBy, g.createdIn)
	}
	if g := gs[2]; !g.locked || !g.elided || g.reason != "sync.Mutex.Lock" || g.createdBy.function != "example.com/app.start" {
		t.Errorf("goroutine 7 = %+v", g)
	}
	if g := gs[4]; g.id != 10 || len(g.frames) != 0 {
		t.Errorf("goroutine 10 = %+v", g)
	}
}

func TestParseStacksCutsFramesAtTheBound(t *testing.T) {
	gs := parseStacks([]byte(sampleStacks), 1)
	if g := gs[1]; len(g.frames) != 1 || !g.elided || g.createdBy == nil {
		t.Errorf("goroutine 18 = %+v", g)
	}
}

func TestThreadStateMapsWaitReasons(t *testing.T) {
	for reason, want := range map[string]string{
		"running": "RUNNABLE", "runnable": "RUNNABLE", "syscall": "RUNNABLE",
		"sleep": "TIMED_WAITING", "sync.Mutex.Lock": "BLOCKED", "sync.RWMutex.RLock": "BLOCKED",
		"semacquire": "BLOCKED", "chan receive": "WAITING", "select": "WAITING", "IO wait": "WAITING",
		"sync.WaitGroup.Wait": "WAITING", "select (no cases)": "WAITING",
	} {
		if got := threadState(reason); got != want {
			t.Errorf("threadState(%q) = %s, want %s", reason, got, want)
		}
	}
}

func TestSplitFunctionGivesClassAndMethod(t *testing.T) {
	for _, tc := range []struct{ fn, class, method string }{
		{"main.main", "main", "main"},
		{"net/http.(*Server).Serve", "net/http.(*Server)", "Serve"},
		{"example.com/a.b/c.F.func1", "example.com/a.b/c.F", "func1"},
		{"noDot", "noDot", "noDot"},
	} {
		c, m := splitFunction(tc.fn)
		if c != tc.class || m != tc.method {
			t.Errorf("splitFunction(%q) = %q, %q; want %q, %q", tc.fn, c, m, tc.class, tc.method)
		}
	}
}

// Goroutines the tests find by their functions.

func parkedOnChannel(ch chan struct{}, wg *sync.WaitGroup) { wg.Done(); <-ch }

func parkedOnMutex(mu *sync.Mutex, wg *sync.WaitGroup) {
	wg.Done()
	mu.Lock()
	defer mu.Unlock() // parked on Lock until the test unlocks it
}

func deepStack(n int, ch chan struct{}, wg *sync.WaitGroup) {
	if n == 0 {
		wg.Done()
		<-ch
		return
	}
	deepStack(n-1, ch, wg)
}

// park starts n goroutines running f and returns a function that ends them.
func park(n int, f func(ch chan struct{}, wg *sync.WaitGroup)) func() {
	ch := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(n)
	for range n {
		go f(ch, &wg)
	}
	wg.Wait()
	return func() { close(ch) }
}

type dump struct {
	Threads []struct {
		ThreadName      string `json:"threadName"`
		ThreadID        int64  `json:"threadId"`
		ThreadState     string `json:"threadState"`
		WaitReason      string `json:"waitReason"`
		FramesTruncated bool   `json:"framesTruncated"`
		Count           int    `json:"count"`
		StackTrace      []struct {
			ClassName  string `json:"className"`
			MethodName string `json:"methodName"`
			FileName   string `json:"fileName"`
			LineNumber int    `json:"lineNumber"`
			Function   string `json:"function"`
		} `json:"stackTrace"`
		LockedMonitors []any `json:"lockedMonitors"`
	} `json:"threads"`
	Mode       string `json:"mode"`
	Goroutines int    `json:"goroutines"`
	Truncated  bool   `json:"truncated"`
}

func getDump(t *testing.T, d *ThreadDump, header ...string) dump {
	t.Helper()
	got := do(d.Handler(), http.MethodGet, "", header...)
	if got.code != http.StatusOK {
		t.Fatalf("status = %d: %s", got.code, got.body)
	}
	var v dump
	if err := json.Unmarshal(got.body, &v); err != nil {
		t.Fatalf("body is not JSON: %v", err)
	}
	return v
}

func TestThreadDumpListsGoroutinesInSpringBootShape(t *testing.T) {
	defer park(1, parkedOnChannel)()
	var mu sync.Mutex
	mu.Lock()
	var wg sync.WaitGroup
	wg.Add(1)
	go parkedOnMutex(&mu, &wg)
	wg.Wait()
	runtime.Gosched()
	defer mu.Unlock()

	got := do(NewThreadDump().Handler(), http.MethodGet, "")
	if ct := got.header.Get("Content-Type"); ct != "application/vnd.spring-boot.actuator.v3+json" {
		t.Errorf("Content-Type = %q", ct)
	}
	var v dump
	if err := json.Unmarshal(got.body, &v); err != nil {
		t.Fatal(err)
	}
	if v.Mode != "full" || v.Truncated || v.Goroutines != len(v.Threads) || v.Goroutines < 3 {
		t.Errorf("mode %q truncated %v goroutines %d threads %d", v.Mode, v.Truncated, v.Goroutines, len(v.Threads))
	}
	states := map[string]string{}
	for _, th := range v.Threads {
		if !strings.HasPrefix(th.ThreadName, "goroutine ") || th.ThreadID <= 0 || th.LockedMonitors == nil {
			t.Errorf("thread %+v", th)
		}
		for _, f := range th.StackTrace {
			if strings.HasSuffix(f.Function, ".parkedOnChannel") || strings.HasSuffix(f.Function, ".parkedOnMutex") {
				states[f.MethodName] = th.ThreadState
				if f.FileName != "threaddump_test.go" || f.LineNumber == 0 || !strings.HasSuffix(f.ClassName, "/diag") {
					t.Errorf("frame %+v", f)
				}
			}
		}
	}
	if states["parkedOnChannel"] != "WAITING" {
		t.Errorf("goroutine on a channel: %q, want WAITING", states["parkedOnChannel"])
	}
	// Blocked on the mutex: BLOCKED once it parks (it may still be spinning).
	if s := states["parkedOnMutex"]; s != "BLOCKED" && s != "RUNNABLE" {
		t.Errorf("goroutine on a mutex: %q, want BLOCKED", s)
	}
}

func TestThreadDumpServesTheRuntimeTextWhenAsked(t *testing.T) {
	defer park(1, parkedOnChannel)()
	for _, accept := range []string{"text/plain", "text/plain;q=0.9, application/json;q=0.5", "text/*"} {
		got := do(NewThreadDump().Handler(), http.MethodGet, "", "Accept", accept)
		if got.code != http.StatusOK || got.header.Get("Content-Type") != MediaTypeText {
			t.Fatalf("Accept %q: %d %q", accept, got.code, got.header.Get("Content-Type"))
		}
		if !strings.HasPrefix(string(got.body), "goroutine ") || !strings.Contains(string(got.body), "parkedOnChannel") {
			t.Errorf("Accept %q: body starts %.80q", accept, got.body)
		}
	}
	got := do(NewThreadDump().Handler(), http.MethodGet, "", "Accept", "application/json, text/plain;q=0.5")
	if ct := got.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("JSON preferred: Content-Type %q", ct)
	}
}

func TestThreadDumpRejectsBadRequests(t *testing.T) {
	h := NewThreadDump().Handler()
	checkError(t, do(h, http.MethodPost, ""), http.StatusMethodNotAllowed)
	checkError(t, do(h, http.MethodGet, "x"), http.StatusNotFound)
	checkError(t, do(h, http.MethodGet, "<script>alert(1)</script>"), http.StatusNotFound)
	checkError(t, do(h, http.MethodGet, "", "Accept", "image/png"), http.StatusNotAcceptable)
	if got := do(h, http.MethodGet, "?format=x&format=y"); got.code != http.StatusOK {
		t.Errorf("unknown query: %d", got.code)
	}
	if got := do(h, http.MethodHead, ""); got.code != http.StatusOK || len(got.body) != 0 {
		t.Errorf("HEAD: %d, %d bytes", got.code, len(got.body))
	}
}

func TestThreadDumpCutsLongStacks(t *testing.T) {
	defer park(1, func(ch chan struct{}, wg *sync.WaitGroup) { deepStack(40, ch, wg) })()
	v := getDump(t, NewThreadDump(WithMaxFrames(10)))
	found := false
	for _, th := range v.Threads {
		if len(th.StackTrace) > 10 {
			t.Errorf("%s has %d frames", th.ThreadName, len(th.StackTrace))
		}
		if len(th.StackTrace) > 0 && strings.HasSuffix(th.StackTrace[0].Function, ".deepStack") {
			found = true
			if !th.FramesTruncated {
				t.Errorf("%s: framesTruncated false", th.ThreadName)
			}
		}
	}
	if !found {
		t.Error("deepStack goroutine not found")
	}
}

func TestThreadDumpCutsTheTextAtTheByteBound(t *testing.T) {
	defer park(2000, parkedOnChannel)()
	const limit = 64 << 10
	d := NewThreadDump(WithMaxStackBytes(limit), WithMaxGoroutines(10_000))
	got := do(d.Handler(), http.MethodGet, "", "Accept", "text/plain")
	if len(got.body) > limit || got.header.Get("X-Truncated") != "true" {
		t.Errorf("text: %d bytes, X-Truncated %q", len(got.body), got.header.Get("X-Truncated"))
	}
	if !strings.HasSuffix(string(got.body), "\n") || strings.HasSuffix(string(got.body), "\n\n") {
		t.Errorf("text does not end after a whole goroutine: %q", got.body[max(0, len(got.body)-80):])
	}
	v := getDump(t, d)
	if !v.Truncated || v.Goroutines >= 2000 || v.Goroutines == 0 {
		t.Errorf("JSON: truncated %v, %d goroutines", v.Truncated, v.Goroutines)
	}
}

func TestThreadDumpGroupsStacksAboveTheGoroutineBound(t *testing.T) {
	defer park(50, parkedOnChannel)()
	d := NewThreadDump(WithMaxGoroutines(10))
	v := getDump(t, d)
	if v.Mode != "grouped" {
		t.Fatalf("mode = %q", v.Mode)
	}
	total, parked := 0, 0
	for _, th := range v.Threads {
		total += th.Count
		if th.ThreadState != "UNKNOWN" || th.Count < 1 {
			t.Errorf("group %+v", th)
		}
		for _, f := range th.StackTrace {
			if strings.HasSuffix(f.Function, ".parkedOnChannel") {
				parked += th.Count
			}
		}
	}
	if total != v.Goroutines || parked < 50 {
		t.Errorf("counts sum to %d of %d; parked %d, want >= 50", total, v.Goroutines, parked)
	}
	got := do(d.Handler(), http.MethodGet, "", "Accept", "text/plain")
	if !strings.HasPrefix(string(got.body), "goroutine profile: total ") {
		t.Errorf("grouped text starts %.60q", got.body)
	}
}

func TestOptionsPanicOnBadValues(t *testing.T) {
	for name, f := range map[string]func(){
		"stack bytes": func() { WithMaxStackBytes(10) },
		"goroutines":  func() { WithMaxGoroutines(0) },
		"frames":      func() { WithMaxFrames(0) },
		"duration":    func() { WithMaxProfileDuration(0) },
		"nil":         func() { NewThreadDump(nil) },
	} {
		func() {
			defer func() {
				if r, _ := recover().(string); !strings.HasPrefix(r, "diag: ") {
					t.Errorf("%s: recovered %q, want a diag: panic", name, r)
				}
			}()
			f()
		}()
	}
}

// FuzzParseStacks: any text parses without panic, within the frame bound.
func FuzzParseStacks(f *testing.F) {
	f.Add([]byte(sampleStacks))
	f.Add([]byte("goroutine 1 [\n\n"))
	f.Add([]byte("goroutine x [a, b minutes]:\nf(\n\t:"))
	f.Fuzz(func(t *testing.T, text []byte) {
		for _, g := range parseStacks(text, 3) {
			if len(g.frames) > 3 {
				t.Fatalf("%d frames", len(g.frames))
			}
			_ = g.json()
		}
	})
}
