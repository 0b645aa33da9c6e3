package actuator_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/actuatorgo/actuator"
)

// chromiumPath finds Debian's chromium; the browser tests skip without it,
// and fail under CI=true, where .ci/run installs it.
func chromiumPath(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("chromium not found under CI=true: %v", err)
		}
		t.Skip("chromium not installed; apt-get install chromium")
	}
	return path
}

// browser starts a headless chromium for the test and returns its tab's
// context. Every console error and uncaught exception of the page is
// collected; the returned func reports them once the browser is gone.
func browser(t *testing.T) (context.Context, func() []string) {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	// The whole test is bounded: a hung browser fails it instead of
	// hanging it.
	root, cancelRoot := context.WithTimeout(context.Background(), 3*time.Minute)
	alloc, cancelAlloc := chromedp.NewExecAllocator(root, opts...)
	ctx, cancelTab := chromedp.NewContext(alloc)
	if err := chromedp.Do(ctx); err != nil { // start the browser and the tab
		cancelTab()
		cancelAlloc()
		cancelRoot()
		t.Fatalf("start chromium: %v", err)
	}
	var (
		mu       sync.Mutex
		problems []string
		wg       sync.WaitGroup
	)
	messages := chromedp.Console(ctx)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for m, err := range messages {
			if err != nil {
				return // the tab is gone
			}
			// Failed requests are logged by the network source: 503 when
			// DOWN, refused connections once the server is gone. Those
			// are what the page is there to show. Anything else at error
			// level, CSP refusals included, is a fault.
			if (m.Type == chromedp.ConsoleError && m.Source != "network") || m.IsException() {
				mu.Lock()
				problems = append(problems, m.String()+" at "+m.URL)
				mu.Unlock()
			}
		}
	}()
	var once sync.Once
	var collected []string
	stop := func() []string {
		once.Do(func() {
			cancelTab()
			cancelAlloc() // waits for chromium to exit
			cancelRoot()
			wg.Wait()
			mu.Lock()
			collected = problems
			mu.Unlock()
		})
		return collected
	}
	t.Cleanup(func() { stop() })
	return ctx, stop
}

// waitFor evaluates the JavaScript expression cond in the page until it is
// true, for at most 30 seconds.
func waitFor(t *testing.T, ctx context.Context, what, cond string) {
	t.Helper()
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var last error
	for {
		ok, err := chromedp.Run(wctx, chromedp.Evaluate[bool]("Boolean("+cond+")"))
		if err == nil && ok {
			return
		}
		if err != nil {
			last = err
		}
		select {
		case <-wctx.Done():
			text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
			t.Fatalf("the page never showed %s (%s); last error %v; page text:\n%s", what, cond, last, text)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func evalString(t *testing.T, ctx context.Context, expr string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return s
}

// screenshotDir is where the screenshots go: $DASHBOARD_SCREENSHOTS when
// set (docs/img holds a run's), a temporary folder otherwise.
func screenshotDir(t *testing.T) string {
	if d := os.Getenv("DASHBOARD_SCREENSHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

func screenshot(t *testing.T, ctx context.Context, dir, name string, width, height int64) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, height)); err != nil {
		t.Fatal(err)
	}
	// Usable at this width: nothing sticks out sideways. The layout
	// settles first; then whatever is wider than the viewport is named.
	fits := `document.documentElement.scrollWidth <= ` + strconv.FormatInt(width, 10)
	deadline := time.Now().Add(5 * time.Second)
	for ok := false; !ok && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		ok, _ = chromedp.Run(ctx, chromedp.Evaluate[bool](fits))
	}
	if wide := evalString(t, ctx, `[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > `+
		strconv.FormatInt(width, 10)+` + 0.5).map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).join(', ')`); wide != "" {
		t.Errorf("wider than %d px: %s", width, wide)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

// TestDashboardInChromium loads the page from a demo server on loopback in
// a real browser and checks what it renders: the real status and version,
// charts with points, details only once a token is pasted, a check turning
// DOWN on the next refresh, the server going away and coming back.
func TestDashboardInChromium(t *testing.T) {
	ctx, problems := browser(t)

	var dbDown atomic.Bool
	a := newActuator(t,
		actuator.WithAuthorizer(actuator.BearerToken("dash-secret")),
		actuator.WithHealthCheck("db", func(context.Context) error {
			if dbDown.Load() {
				return errors.New("dial tcp 127.0.0.1:5432: connect: connection refused")
			}
			return nil
		}),
		actuator.WithHealthCheck("cache", func(context.Context) error { return nil }),
		actuator.WithInfoValue("build", map[string]any{"name": "dashdemo", "version": "v9.8.7", "time": "2026-11-30T09:00:00Z"}),
		actuator.WithInfoValue("git", map[string]any{"branch": "main", "commit": map[string]any{"id": "0a1b2c3"}}),
	)
	app := http.NewServeMux()
	app.HandleFunc("GET /hello", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("hello")) })
	h := a.Middleware(app)
	srv := httptest.NewServer(h)
	defer srv.Close()
	base := srv.URL + "/actuator"

	// Application traffic, for the request charts.
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	stopTraffic := make(chan struct{})
	var traffic sync.WaitGroup
	traffic.Add(1)
	go func() {
		defer traffic.Done()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stopTraffic:
				return
			case <-tick.C:
				if resp, err := client.Get(srv.URL + "/hello"); err == nil {
					resp.Body.Close()
				}
			}
		}
	}()
	stopOnce := sync.OnceFunc(func() { close(stopTraffic); traffic.Wait() })
	defer stopOnce()

	if err := chromedp.Do(ctx, chromedp.Navigate(base+"?refresh=300ms")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "a first refresh", `Number(document.body.dataset.ticks) >= 1`)

	t.Run("real status and version", func(t *testing.T) {
		if got := evalString(t, ctx, `document.getElementById('overall').dataset.status`); got != "UP" {
			t.Errorf("overall status = %q, want UP", got)
		}
		if got := evalString(t, ctx, `document.getElementById('overall').textContent`); !strings.Contains(got, "UP") {
			t.Errorf("overall badge %q does not say UP in words", got)
		}
		if got := evalString(t, ctx, `document.querySelector('[data-info="build.version"]').textContent`); got != "v9.8.7" {
			t.Errorf("version = %q", got)
		}
		if got := evalString(t, ctx, `document.querySelector('[data-info="git.commit.id"]').textContent`); got != "0a1b2c3" {
			t.Errorf("commit = %q", got)
		}
		if got := evalString(t, ctx, `document.getElementById('app-name').textContent`); got != "dashdemo" {
			t.Errorf("name = %q", got)
		}
		if got := evalString(t, ctx, `document.querySelector('[data-component="db"]').dataset.status`); got != "UP" {
			t.Errorf("db = %q", got)
		}
		if got := evalString(t, ctx, `document.getElementById('liveness').textContent + '|' + document.getElementById('readiness').textContent`); got != "✓ UP|✓ UP" {
			t.Errorf("probes = %q", got)
		}
		links := evalString(t, ctx, `[...document.querySelectorAll('#links a')].map(a => a.textContent + '=' + a.getAttribute('href')).join(' ')`)
		for _, want := range []string{"health=" + base + "/health", "info=" + base + "/info", "metrics=" + base + "/metrics", "prometheus=" + base + "/prometheus"} {
			if !strings.Contains(links, want) {
				t.Errorf("links %q lack %q", links, want)
			}
		}
	})

	t.Run("charts with points", func(t *testing.T) {
		for _, c := range []string{"memory", "goroutines", "cpu", "gc", "rate", "latency"} {
			waitFor(t, ctx, "points on the "+c+" chart",
				`Number(document.querySelector('[data-chart="`+c+`"]').dataset.points) >= 3 && `+
					`document.querySelector('[data-chart="`+c+`"] polyline').getAttribute('points').split(' ').length >= 3`)
		}
		waitFor(t, ctx, "a request rate above zero", `parseFloat(document.querySelector('[data-chart="rate"] .now').textContent) > 0`)
	})

	t.Run("details only with the token", func(t *testing.T) {
		if n := evalString(t, ctx, `String(document.querySelectorAll('#health .dur').length)`); n != "0" {
			t.Errorf("%s durations shown to an anonymous viewer", n)
		}
		if err := chromedp.Do(ctx,
			chromedp.SendKeys("#token", "dash-secret"),
			chromedp.Click("#token-use"),
		); err != nil {
			t.Fatal(err)
		}
		waitFor(t, ctx, "check durations", `document.querySelector('[data-component="db"] .dur')`)
		if got := evalString(t, ctx, `document.getElementById('token').value`); got != "" {
			t.Errorf("the token stays in the input: %q", got)
		}
		if got := evalString(t, ctx, `JSON.stringify([document.cookie, localStorage.length, sessionStorage.length])`); got != `["",0,0]` {
			t.Errorf("something was stored: %s", got)
		}
	})

	dir := screenshotDir(t)
	// Wait for the charts to fill a little, for a screenshot worth looking at.
	waitFor(t, ctx, "a few seconds of charts", `Number(document.querySelector('[data-chart="memory"]').dataset.points) >= 12`)
	screenshot(t, ctx, dir, "dashboard-desktop.png", 1280, 900)
	screenshot(t, ctx, dir, "dashboard-phone.png", 390, 844)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatal(err)
	}

	t.Run("a check turns DOWN", func(t *testing.T) {
		dbDown.Store(true)
		waitFor(t, ctx, "overall DOWN", `document.getElementById('overall').dataset.status === 'DOWN'`)
		waitFor(t, ctx, "db DOWN with its error", `document.querySelector('[data-component="db"]').dataset.status === 'DOWN' && `+
			`document.querySelector('[data-component="db"]').textContent.includes('connection refused')`)
		if got := evalString(t, ctx, `document.querySelector('[data-component="cache"]').dataset.status`); got != "UP" {
			t.Errorf("cache = %q, want UP", got)
		}
		if got := evalString(t, ctx, `document.getElementById('overall').textContent`); !strings.Contains(got, "DOWN") {
			t.Errorf("overall badge %q does not say DOWN in words", got)
		}
		dbDown.Store(false)
		waitFor(t, ctx, "overall UP again", `document.getElementById('overall').dataset.status === 'UP'`)
	})

	t.Run("not ready, with the phase", func(t *testing.T) {
		a.Lifecycle().SetReady(false)
		waitFor(t, ctx, "a not-ready banner", `!document.getElementById('connection').hidden && `+
			`document.getElementById('connection').textContent.includes('not ready')`)
		waitFor(t, ctx, "readiness OUT_OF_SERVICE", `document.getElementById('readiness').textContent.includes('OUT_OF_SERVICE')`)
		// The token is still pasted: the phase is among the details, and
		// the page shows the one the server reports.
		defer a.Lifecycle().SetReady(true)
		req, _ := http.NewRequest("GET", base+"/health", nil)
		req.Header.Set("Authorization", "Bearer dash-secret")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Components map[string]struct {
				Details struct{ Phase string }
			}
		}
		err = json.NewDecoder(resp.Body).Decode(&doc)
		resp.Body.Close()
		phase := doc.Components["readinessState"].Details.Phase
		if err != nil || phase == "" {
			t.Fatalf("no phase from the server: %v", err)
		}
		waitFor(t, ctx, "the phase "+phase, `document.getElementById('phase').textContent === '`+phase+`'`)
		a.Lifecycle().SetReady(true)
		waitFor(t, ctx, "the banner gone", `document.getElementById('connection').hidden`)
	})

	t.Run("the server goes away and comes back", func(t *testing.T) {
		addr := srv.Listener.Addr().String()
		stopOnce()
		srv.Close()
		waitFor(t, ctx, "the service unreachable", `!document.getElementById('connection').hidden && `+
			`document.getElementById('connection').textContent.includes('unreachable')`)
		if got := evalString(t, ctx, `document.getElementById('overall').textContent`); !strings.Contains(got, "Unreachable") {
			t.Errorf("overall badge = %q while the server is gone", got)
		}

		ln, err := net.Listen("tcp", addr)
		if err != nil {
			t.Skipf("cannot listen on %s again: %v", addr, err)
		}
		again := httptest.NewUnstartedServer(h)
		again.Listener.Close()
		again.Listener = ln
		again.Start()
		defer again.Close()
		waitFor(t, ctx, "the service back", `document.getElementById('connection').textContent.includes('back') && `+
			`document.getElementById('overall').dataset.status === 'UP'`)
	})

	for _, p := range problems() {
		t.Errorf("page console: %s", p)
	}
}
