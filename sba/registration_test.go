package sba_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/actuatorgo/actuator/sba"
)

// guard bounds every wait in these tests; reaching it is a hang, not a
// slowness verdict.
const guard = 10 * time.Second

// waitFor polls cond until it holds, failing the test at the guard.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(guard)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// runClient starts c.Run and returns a stop function that cancels it and
// waits (up to the guard) for it to return.
func runClient(t *testing.T, c *sba.Client) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run: %v", err)
				}
			case <-time.After(guard):
				t.Fatal("Run did not return after its context was cancelled")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// logRecorder is a slog.Handler keeping the records it is given.
type logRecorder struct {
	mu      sync.Mutex
	records []slog.Record
}

func (h *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (h *logRecorder) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	h.records = append(h.records, r)
	h.mu.Unlock()
	return nil
}
func (h *logRecorder) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *logRecorder) WithGroup(string) slog.Handler      { return h }

func (h *logRecorder) count(level slog.Level, msgPrefix string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, r := range h.records {
		if r.Level == level && strings.HasPrefix(r.Message, msgPrefix) {
			n++
		}
	}
	return n
}

func (h *logRecorder) levels(level slog.Level) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, r := range h.records {
		if r.Level == level {
			out = append(out, r.Message)
		}
	}
	return out
}

func fixedURLs(u sba.URLs) sba.Option {
	return sba.WithURLs(func() (sba.URLs, error) { return u, nil })
}

var appURLs = sba.URLs{
	Service:    "http://127.0.0.1:8080/",
	Management: "http://127.0.0.1:8080/actuator",
	Health:     "http://127.0.0.1:8080/actuator/health",
}

func TestRegisterSendsTheFieldsAndHeadersSBAReads(t *testing.T) {
	admin := newFakeAdmin(t)
	admin.user, admin.password = "admin", "s3cret"
	c := sba.New(admin.URL,
		sba.WithCredentials("admin", "s3cret"),
		sba.WithName("orders"),
		fixedURLs(appURLs),
		sba.WithMetadata(map[string]string{"tags.env": "test", "zone": "a"}),
		sba.WithCallbackCredentials("sba", "cb-pass"),
	)
	id, err := c.Register(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// HashingInstanceUrlIdGenerator: the id derives from the health URL.
	if got, want := id, sbaID(appURLs.Health); got != want {
		t.Errorf("id = %q, want %q", got, want)
	}
	if got := c.ID(); got != id {
		t.Errorf("ID() = %q, want %q", got, id)
	}

	posts := admin.requestsOf(http.MethodPost)
	if len(posts) != 1 {
		t.Fatalf("%d POSTs, want 1", len(posts))
	}
	req := posts[0]
	if req.Path != "/instances" {
		t.Errorf("path = %q, want /instances", req.Path)
	}
	// RestClientRegistrationClient.setRequestHeaders: JSON in, JSON accepted.
	for h, want := range map[string]string{"Content-Type": "application/json", "Accept": "application/json"} {
		if got := req.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	hr, _ := http.NewRequest("GET", "/", nil)
	hr.Header = req.Header
	if u, p, ok := hr.BasicAuth(); !ok || u != "admin" || p != "s3cret" {
		t.Errorf("Basic credentials = %q %q %v, want admin s3cret", u, p, ok)
	}

	// The body has exactly the fields of the SBA client's Application.
	var body map[string]json.RawMessage
	if err := json.Unmarshal([]byte(req.Body), &body); err != nil {
		t.Fatalf("body %s: %v", req.Body, err)
	}
	if got, want := strings.Join(slices.Sorted(maps.Keys(body)), ","), "healthUrl,managementUrl,metadata,name,serviceUrl"; got != want {
		t.Errorf("body fields = %s, want %s", got, want)
	}

	inst, ok := admin.instance(id)
	if !ok || !inst.registered {
		t.Fatalf("instance %q not registered at the admin server", id)
	}
	reg := inst.registration
	for _, tc := range []struct{ name, got, want string }{
		{"name", reg.Name, "orders"},
		{"healthUrl", reg.HealthURL, appURLs.Health},
		{"managementUrl", reg.ManagementURL, appURLs.Management},
		{"serviceUrl", reg.ServiceURL, appURLs.Service},
		// BasicAuthHttpHeaderProvider reads these two for the callbacks.
		{"metadata user.name", reg.Metadata["user.name"], "sba"},
		{"metadata user.password", reg.Metadata["user.password"], "cb-pass"},
		{"metadata tags.env", reg.Metadata["tags.env"], "test"},
		{"metadata zone", reg.Metadata["zone"], "a"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %q, want %q", tc.name, tc.got, tc.want)
		}
	}
	// StartupDateMetadataContributor: "startup", an ISO date-time.
	if _, err := time.Parse(time.RFC3339Nano, reg.Metadata["startup"]); err != nil {
		t.Errorf("metadata startup = %q: %v", reg.Metadata["startup"], err)
	}
}

func TestRegisterWithoutTheAdminCredentialsGetsStatusError(t *testing.T) {
	admin := newFakeAdmin(t)
	admin.user, admin.password = "admin", "s3cret"
	for _, tc := range []struct {
		name string
		opts []sba.Option
	}{
		{"none", nil},
		{"wrong", []sba.Option{sba.WithCredentials("admin", "nope")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := sba.New(admin.URL, append(tc.opts, fixedURLs(appURLs))...)
			_, err := c.Register(context.Background())
			var se *sba.StatusError
			if !errors.As(err, &se) || se.StatusCode != http.StatusUnauthorized || se.Method != http.MethodPost {
				t.Fatalf("err = %v, want a 401 StatusError for POST", err)
			}
			if c.ID() != "" {
				t.Errorf("ID() = %q after a refusal, want empty", c.ID())
			}
		})
	}
}

func TestManagementURLAloneGivesTheHealthURL(t *testing.T) {
	admin := newFakeAdmin(t)
	c := sba.New(admin.URL, sba.WithName("orders"),
		fixedURLs(appURLs), // the listener's, unreachable behind the proxy
		sba.WithManagementURL("https://orders.example.com/mgmt"),
		sba.WithServiceURL("https://orders.example.com/"))
	id, err := c.Register(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	inst, _ := admin.instance(id)
	if got, want := inst.registration.HealthURL, "https://orders.example.com/mgmt/health"; got != want {
		t.Errorf("healthUrl = %q, want %q", got, want)
	}
	if got, want := inst.registration.ServiceURL, "https://orders.example.com/"; got != want {
		t.Errorf("serviceUrl = %q, want %q", got, want)
	}
}

func TestRegisterRefusesWhatSBAWouldReject(t *testing.T) {
	admin := newFakeAdmin(t)
	for _, tc := range []struct {
		name string
		urls sba.URLs
		err  error
	}{
		{"no health URL", sba.URLs{Service: "http://127.0.0.1:1/"}, sba.ErrNoHealthURL},
		{"relative health URL", sba.URLs{Health: "/actuator/health"}, nil},
		{"relative service URL", sba.URLs{Health: appURLs.Health, Service: "/"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := sba.New(admin.URL, fixedURLs(tc.urls))
			_, err := c.Register(context.Background())
			if err == nil || tc.err != nil && !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
		})
	}
	if n := len(admin.requestsOf(http.MethodPost)); n != 0 {
		t.Errorf("%d POSTs sent, want none", n)
	}
}

func TestResolverErrorFailsTheAttempt(t *testing.T) {
	admin := newFakeAdmin(t)
	notYet := errors.New("not bound yet")
	c := sba.New(admin.URL, sba.WithURLs(func() (sba.URLs, error) { return sba.URLs{}, notYet }))
	if _, err := c.Register(context.Background()); !errors.Is(err, notYet) {
		t.Fatalf("err = %v, want %v", err, notYet)
	}
}

func TestRunWaitsQuietlyForTheListener(t *testing.T) {
	admin := newFakeAdmin(t)
	logs := &logRecorder{}
	var (
		mu sync.Mutex
		ln net.Listener // nil until "bound"
	)
	c := sba.New(admin.URL, sba.WithPeriod(8*time.Millisecond), sba.WithLogger(slog.New(logs)),
		sba.WithURLs(func() (sba.URLs, error) {
			mu.Lock()
			defer mu.Unlock()
			var addr net.Addr
			if ln != nil {
				addr = ln.Addr()
			}
			base, err := sba.BaseURL("http", addr, "")
			if err != nil {
				return sba.URLs{}, err
			}
			return sba.URLsFor(base, "", "/actuator"), nil
		}))
	runClient(t, c)
	waitFor(t, "postponed attempts", func() bool { return logs.count(slog.LevelDebug, "sba: registration postponed") >= 2 })

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	mu.Lock()
	ln = l
	mu.Unlock()
	waitFor(t, "registration once bound", func() bool { return c.ID() != "" })
	if got, want := c.ID(), sbaID("http://"+l.Addr().String()+"/actuator/health"); got != want {
		t.Errorf("id = %q, want %q (the bound port's health URL)", got, want)
	}
	if w := logs.levels(slog.LevelWarn); len(w) != 0 {
		t.Errorf("warnings while waiting for the listener: %q", w)
	}
	if n := logs.count(slog.LevelInfo, "sba: registered"); n != 1 {
		t.Errorf("%d \"registered\" lines, want 1", n)
	}
}

func TestRunReregistersEveryPeriodAndDeregistersWhenStopped(t *testing.T) {
	admin := newFakeAdmin(t)
	c := sba.New(admin.URL, fixedURLs(appURLs), sba.WithPeriod(5*time.Millisecond))
	stop := runClient(t, c)
	waitFor(t, "three registrations", func() bool { return len(admin.requestsOf(http.MethodPost)) >= 3 })
	id := c.ID()
	stop()

	dels := admin.requestsOf(http.MethodDelete)
	if len(dels) != 1 {
		t.Fatalf("%d DELETEs, want 1", len(dels))
	}
	if got, want := dels[0].Path, "/instances/"+sbaID(appURLs.Health); got != want || id != sbaID(appURLs.Health) {
		t.Errorf("DELETE %s (id %q), want %s", got, id, want)
	}
	if inst, ok := admin.instance(id); !ok || inst.registered {
		t.Errorf("instance %q still registered after Run returned", id)
	}
	if c.ID() != "" {
		t.Errorf("ID() = %q after deregistration, want empty", c.ID())
	}
}

func TestRunHealsAnAdminServerRestart(t *testing.T) {
	admin := newFakeAdmin(t)
	c := sba.New(admin.URL, fixedURLs(appURLs), sba.WithPeriod(5*time.Millisecond))
	runClient(t, c)
	id := sbaID(appURLs.Health)
	waitFor(t, "registration", func() bool { _, ok := admin.instance(id); return ok })
	admin.restart()
	if _, ok := admin.instance(id); ok {
		t.Fatal("restart kept the instance")
	}
	waitFor(t, "re-registration after the restart", func() bool { _, ok := admin.instance(id); return ok })
}

func TestDeregisterStopsRunAndFurtherRegistrations(t *testing.T) {
	admin := newFakeAdmin(t)
	admin.user, admin.password = "admin", "pw"
	c := sba.New(admin.URL, fixedURLs(appURLs), sba.WithCredentials("admin", "pw"), sba.WithPeriod(5*time.Millisecond))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	waitFor(t, "registration", func() bool { return c.ID() != "" })

	if err := c.Deregister(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done: // Run returns without the cancellation of its context
	case <-time.After(guard):
		t.Fatal("Run did not return after Deregister")
	}
	dels := admin.requestsOf(http.MethodDelete)
	if len(dels) != 1 {
		t.Fatalf("%d DELETEs, want 1 (Run must not deregister a second time)", len(dels))
	}
	if _, _, ok := (&http.Request{Header: dels[0].Header}).BasicAuth(); !ok {
		t.Error("DELETE sent without the admin credentials")
	}
	posts := len(admin.requestsOf(http.MethodPost))
	if _, err := c.Register(context.Background()); !errors.Is(err, sba.ErrDeregistered) {
		t.Errorf("Register after Deregister: err = %v, want ErrDeregistered", err)
	}
	if got := len(admin.requestsOf(http.MethodPost)); got != posts {
		t.Errorf("POSTs went from %d to %d after Deregister", posts, got)
	}
	if err := c.Deregister(context.Background()); err != nil {
		t.Errorf("second Deregister: %v, want nil (nothing to do)", err)
	}
	if n := len(admin.requestsOf(http.MethodDelete)); n != 1 {
		t.Errorf("%d DELETEs after a second Deregister, want 1", n)
	}
}

func TestDeregisterOfAnInstanceTheAdminForgotIsDone(t *testing.T) {
	admin := newFakeAdmin(t)
	c := sba.New(admin.URL, fixedURLs(appURLs))
	if _, err := c.Register(context.Background()); err != nil {
		t.Fatal(err)
	}
	admin.restart() // DELETE now gets 404, as InstancesController answers
	if err := c.Deregister(context.Background()); err != nil {
		t.Fatalf("Deregister: %v, want nil on 404", err)
	}
	if c.ID() != "" {
		t.Errorf("ID() = %q, want empty", c.ID())
	}
}

func TestDeregisterFailureIsReturnedAndCanBeRetried(t *testing.T) {
	admin := newFakeAdmin(t)
	c := sba.New(admin.URL, fixedURLs(appURLs))
	id, err := c.Register(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	admin.setStatus(http.StatusServiceUnavailable)
	var se *sba.StatusError
	if err := c.Deregister(context.Background()); !errors.As(err, &se) || se.StatusCode != http.StatusServiceUnavailable || se.Method != http.MethodDelete {
		t.Fatalf("err = %v, want a 503 StatusError for DELETE", err)
	}
	admin.setStatus(0)
	if err := c.Deregister(context.Background()); err != nil {
		t.Fatalf("retry: %v", err)
	}
	if inst, _ := admin.instance(id); inst.registered {
		t.Error("still registered after the retried Deregister")
	}
}

func TestWithoutDeregistrationLeavesTheInstance(t *testing.T) {
	admin := newFakeAdmin(t)
	c := sba.New(admin.URL, fixedURLs(appURLs), sba.WithoutDeregistration())
	stop := runClient(t, c)
	waitFor(t, "registration", func() bool { return c.ID() != "" })
	stop()
	if n := len(admin.requestsOf(http.MethodDelete)); n != 0 {
		t.Errorf("%d DELETEs, want 0", n)
	}
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestUnreachableAdminLogsOneWarningPerOutageAndRecovers(t *testing.T) {
	addr := closedPort(t)
	logs := &logRecorder{}
	c := sba.New("http://"+addr, fixedURLs(appURLs),
		sba.WithPeriod(8*time.Millisecond), sba.WithLogger(slog.New(logs)))
	stop := runClient(t, c)

	waitFor(t, "several failed attempts", func() bool {
		return logs.count(slog.LevelDebug, "sba: registration failed") >= 3
	})
	if got := logs.levels(slog.LevelWarn); len(got) != 1 {
		t.Fatalf("warnings during the outage = %q, want exactly one", got)
	}

	// The admin server comes up on that port.
	var ln net.Listener
	waitFor(t, "the port to be free again", func() bool {
		var err error
		ln, err = net.Listen("tcp", addr)
		return err == nil
	})
	admin := startFakeAdmin(t, ln)
	waitFor(t, "the recovery line", func() bool {
		return logs.count(slog.LevelInfo, "sba: registered again after an outage") == 1
	})
	if _, ok := admin.instance(sbaID(appURLs.Health)); !ok {
		t.Error("not registered after the recovery")
	}

	// A second outage gets a second warning, and only one.
	admin.setStatus(http.StatusServiceUnavailable)
	before := logs.count(slog.LevelDebug, "sba: registration failed")
	waitFor(t, "failures of the second outage", func() bool {
		return logs.count(slog.LevelDebug, "sba: registration failed") >= before+2
	})
	if got := logs.levels(slog.LevelWarn); len(got) != 2 {
		t.Errorf("warnings after two outages = %q, want two", got)
	}
	admin.setStatus(0)
	stop()
	if got := logs.count(slog.LevelInfo, "sba: registered again after an outage"); got < 1 || got > 2 {
		t.Errorf("%d recovery lines, want 1 or 2", got)
	}
}

func TestRunAgainstAnUnreachableAdminReturnsWhenCancelled(t *testing.T) {
	c := sba.New("http://"+closedPort(t), fixedURLs(appURLs), sba.WithPeriod(time.Hour))
	stop := runClient(t, c)
	stop() // runClient fails the test if Run does not return
	if c.ID() != "" {
		t.Errorf("ID() = %q, want empty", c.ID())
	}
}

// hungAdmin accepts connections and never answers.
func hungAdmin(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
		wg    sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, conn)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	return "http://" + ln.Addr().String()
}

func TestHungAdminIsBoundedByTheTimeout(t *testing.T) {
	c := sba.New(hungAdmin(t), fixedURLs(appURLs), sba.WithTimeout(20*time.Millisecond))
	_, err := c.Register(context.Background())
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a deadline", err)
	}
}

// A registration the admin server has stored but not yet answered when
// Run's context ends (the shutdown trigger) is let finish, within a
// second, so that the instance it created is deregistered rather than
// left behind with an id nobody learnt.
func TestRunDeregistersARegistrationAnsweredAfterTheTrigger(t *testing.T) {
	stored := make(chan struct{})
	release := make(chan struct{})
	var mu sync.Mutex
	var deleted []string
	admin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodPost:
			close(stored)
			<-release // the answer leaves after the trigger
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusCreated)
			w.Write([]byte(`{"id":"late-1"}`))
		case http.MethodDelete:
			mu.Lock()
			deleted = append(deleted, r.URL.Path)
			mu.Unlock()
			w.WriteHeader(http.StatusNoContent)
		}
	}))
	defer admin.Close()
	c := sba.New(admin.URL, fixedURLs(appURLs), sba.WithPeriod(time.Hour))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	select {
	case <-stored:
	case <-time.After(guard):
		t.Fatal("no registration arrived")
	}
	cancel()
	time.Sleep(50 * time.Millisecond) // the trigger is well past when the answer leaves
	close(release)
	select {
	case <-done:
	case <-time.After(guard):
		t.Fatal("Run did not return after its context was cancelled")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(deleted) != 1 || deleted[0] != "/instances/late-1" {
		t.Errorf("DELETEs = %q, want [/instances/late-1]: the instance the late answer named is left on the admin server", deleted)
	}
}

func TestDeregisterCancelsARegistrationInFlight(t *testing.T) {
	c := sba.New(hungAdmin(t), fixedURLs(appURLs), sba.WithTimeout(time.Hour))
	done := make(chan error, 1)
	go func() { done <- c.Run(context.Background()) }()
	// Run's first attempt hangs; Deregister must end it, not wait an hour.
	if err := c.Deregister(context.Background()); err != nil {
		t.Fatalf("Deregister with no id: %v", err)
	}
	select {
	case <-done:
	case <-time.After(guard):
		t.Fatal("Run did not return after Deregister")
	}
}

func TestNewPanicsOnProgrammerErrors(t *testing.T) {
	ok := fixedURLs(appURLs)
	for _, tc := range []struct {
		name  string
		admin string
		opts  []sba.Option
	}{
		{"relative admin URL", "admin:8080", []sba.Option{ok}},
		{"not http", "ftp://admin", []sba.Option{ok}},
		{"credentials in the URL", "http://u:p@admin", []sba.Option{ok}},
		{"query", "http://admin/?a=b", []sba.Option{ok}},
		{"no way to a health URL", "http://admin", nil},
		{"relative explicit URL", "http://admin", []sba.Option{sba.WithHealthURL("/actuator/health")}},
		{"zero period", "http://admin", []sba.Option{ok, sba.WithPeriod(0)}},
		{"negative timeout", "http://admin", []sba.Option{ok, sba.WithTimeout(-time.Second)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if s, _ := r.(string); !strings.HasPrefix(s, "sba: ") {
					t.Errorf("recovered %v, want a panic starting with \"sba: \"", r)
				}
			}()
			sba.New(tc.admin, tc.opts...)
		})
	}
}

func TestAdminURLWithAPathOrTrailingSlash(t *testing.T) {
	admin := newFakeAdmin(t)
	// ClientProperties.getAdminUrl appends "/instances" to the url.
	c := sba.New(admin.URL+"/", fixedURLs(appURLs))
	if _, err := c.Register(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := admin.requestsOf(http.MethodPost)[0].Path; got != "/instances" {
		t.Errorf("path = %q, want /instances", got)
	}
}
