package actuator_test

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/actuatorgo/actuator"
	"github.com/actuatorgo/actuator/lifecycle"
	"github.com/actuatorgo/actuator/sba"
)

// fakeAdmin is a minimal stand-in for the Spring Boot Admin server's
// registration API, from codecentric/spring-boot-admin's
// spring-boot-admin-server/src/main/java/de/codecentric/boot/admin/server/web/InstancesController.java
// (POST /instances answers 201 {"id":...}; DELETE /instances/{id} 204, 404
// for an unknown id) and services/HashingInstanceUrlIdGenerator.java (the
// id: the first 6 bytes of SHA-1(healthUrl), in hex). sba/fakeadmin_test.go
// checks the registration body as SBA does; this one records what comes.
type fakeAdmin struct {
	*httptest.Server
	registrations chan adminRegistration
	deletes       chan adminDelete

	// hold, when set, makes the requests of that method wait until the
	// request or the server ends.
	hold string
	// onDelete, when set, runs as a DELETE arrives, before it is answered.
	onDelete func() string

	mu  sync.Mutex
	ids map[string]bool
}

type adminRegistration struct {
	Name          string            `json:"name"`
	HealthURL     string            `json:"healthUrl"`
	ManagementURL string            `json:"managementUrl"`
	ServiceURL    string            `json:"serviceUrl"`
	Metadata      map[string]string `json:"metadata"`
}

type adminDelete struct {
	id   string
	note string // what onDelete returned
}

func newFakeAdmin(t *testing.T, configure func(*fakeAdmin)) *fakeAdmin {
	t.Helper()
	f := &fakeAdmin{
		registrations: make(chan adminRegistration, 100),
		deletes:       make(chan adminDelete, 100),
		ids:           map[string]bool{},
	}
	if configure != nil {
		configure(f)
	}
	stop := make(chan struct{})
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == f.hold {
			select {
			case <-r.Context().Done():
			case <-stop:
			}
			return
		}
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/instances":
			var reg adminRegistration
			if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&reg); err != nil || reg.Name == "" || reg.HealthURL == "" {
				http.Error(w, "bad registration", http.StatusBadRequest)
				return
			}
			sum := sha1.Sum([]byte(reg.HealthURL))
			id := hex.EncodeToString(sum[:6])
			f.mu.Lock()
			f.ids[id] = true
			f.mu.Unlock()
			f.registrations <- reg
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusCreated)
			json.NewEncoder(w).Encode(map[string]string{"id": id})
		case r.Method == http.MethodDelete && strings.HasPrefix(r.URL.Path, "/instances/"):
			id := strings.TrimPrefix(r.URL.Path, "/instances/")
			d := adminDelete{id: id}
			if f.onDelete != nil {
				d.note = f.onDelete()
			}
			f.mu.Lock()
			known := f.ids[id]
			delete(f.ids, id)
			f.mu.Unlock()
			f.deletes <- d
			if !known {
				w.WriteHeader(http.StatusNotFound)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		default:
			http.NotFound(w, r)
		}
	}))
	// Close the held requests before the server waits for them.
	t.Cleanup(f.Server.Close)
	t.Cleanup(func() { close(stop) })
	return f
}

// runServers runs a.Run with servers in the background, waits until it
// has bound them, and returns their addresses and Run's result channel.
func runServers(t *testing.T, a *actuator.Actuator, servers ...*http.Server) ([]net.Addr, <-chan error) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- a.Run(context.Background(), servers...) }()
	deadline := time.Now().Add(10 * time.Second)
	for a.Lifecycle().Phase() != lifecycle.PhaseServing {
		if time.Now().After(deadline) {
			t.Fatal("Run did not start serving within 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	return a.Lifecycle().Addrs(), done
}

// The registration carries the URLs of the listener Run bound (port 0
// made real) and the base path, with the caller's name and the root
// logger; the DELETE comes at the trigger, while the shutdown delay still
// runs, not at the drain; Run then ends cleanly.
func TestSpringBootAdminRegistersTheBoundListenerAndDeregistersAtTheTrigger(t *testing.T) {
	logger, logs := newLogger()
	var a *actuator.Actuator
	admin := newFakeAdmin(t, func(f *fakeAdmin) {
		f.onDelete = func() string { return string(a.Lifecycle().Phase()) }
	})
	a = newActuator(t,
		actuator.WithSpringBootAdmin(admin.URL, sba.WithName("orders"), sba.WithPeriod(time.Hour)),
		actuator.WithBasePath("/manage"),
		actuator.WithLogger(logger),
		actuator.WithLifecycleOptions(lifecycle.WithSignals(), lifecycle.WithShutdownDelay(time.Second)),
	)
	srv := &http.Server{Addr: "127.0.0.1:0", Handler: a.Middleware(appMux())}
	addrs, done := runServers(t, a, srv)
	base := "http://" + addrs[0].String()

	reg := receive(t, admin.registrations, "registration")
	if reg.Name != "orders" || reg.HealthURL != base+"/manage/health" || reg.ManagementURL != base+"/manage" || reg.ServiceURL != base+"/" {
		t.Errorf("registration %+v, want name orders and URLs under %s/manage", reg, base)
	}
	if _, code := get(t, reg.HealthURL); code != http.StatusOK {
		t.Errorf("GET %s (the registered health URL) = %d", reg.HealthURL, code)
	}
	// The client has the id once it logged the registration (the root
	// logger is its logger): only then is there something to delete.
	waitLogged(t, logs, "sba: registered")

	a.Lifecycle().Shutdown("test")
	del := receive(t, admin.deletes, "deregistration")
	sum := sha1.Sum([]byte(reg.HealthURL))
	if del.id != hex.EncodeToString(sum[:6]) {
		t.Errorf("DELETE for id %q, want the registered instance's", del.id)
	}
	if del.note != string(lifecycle.PhaseDelaying) {
		t.Errorf("DELETE came in phase %s, want %s: at the trigger, before the delay is over", del.note, lifecycle.PhaseDelaying)
	}
	if err := receive(t, done, "Run's result"); err != nil {
		t.Errorf("Run = %v", err)
	}
	if n := len(admin.registrations); n != 0 {
		t.Errorf("%d registrations after the first (period 1 h): re-registered during the shutdown", n)
	}
}

// With a management server, the management and health URLs are its own,
// https when it serves TLS; the service URL stays the app server's.
func TestSpringBootAdminRegistersTheManagementServer(t *testing.T) {
	admin := newFakeAdmin(t, nil)
	certs := httptest.NewTLSServer(http.NotFoundHandler())
	tlsConfig := certs.TLS.Clone()
	certs.Close()
	logger, logs := newLogger()
	a := newActuator(t, actuator.WithSpringBootAdmin(admin.URL, sba.WithPeriod(time.Hour)), actuator.WithLogger(logger),
		actuator.WithLifecycleOptions(lifecycle.WithSignals(), lifecycle.WithoutShutdownDelay(),
			lifecycle.WithManagementServer(&http.Server{Addr: "127.0.0.1:0", TLSConfig: tlsConfig})))
	addrs, done := runServers(t, a, nil, &http.Server{Addr: "127.0.0.1:0", Handler: appMux()})
	reg := receive(t, admin.registrations, "registration")
	mgmt := "https://" + addrs[1].String() + "/actuator"
	if reg.ServiceURL != "http://"+addrs[0].String()+"/" || reg.ManagementURL != mgmt || reg.HealthURL != mgmt+"/health" {
		t.Errorf("registration %+v, want service http://%s/ and management %s", reg, addrs[0], mgmt)
	}
	waitLogged(t, logs, "sba: registered")
	a.Lifecycle().Shutdown("test")
	receive(t, admin.deletes, "deregistration")
	if err := receive(t, done, "Run's result"); err != nil {
		t.Errorf("Run = %v", err)
	}
}

// The caller's sba options come after the actuator's, so they win: an
// explicit management URL (behind a proxy) replaces the resolved one.
func TestSpringBootAdminCallerOptionsWin(t *testing.T) {
	admin := newFakeAdmin(t, nil)
	a := newActuator(t,
		actuator.WithSpringBootAdmin(admin.URL, sba.WithPeriod(time.Hour),
			sba.WithManagementURL("https://orders.example.com/actuator"), sba.WithoutDeregistration()),
		actuator.WithLifecycleOptions(lifecycle.WithSignals(), lifecycle.WithoutShutdownDelay()),
	)
	_, done := runServers(t, a, &http.Server{Addr: "127.0.0.1:0", Handler: appMux()})
	reg := receive(t, admin.registrations, "registration")
	if reg.ManagementURL != "https://orders.example.com/actuator" || reg.HealthURL != "https://orders.example.com/actuator/health" {
		t.Errorf("registration %+v, want the caller's management URL", reg)
	}
	a.Lifecycle().Shutdown("test")
	if err := receive(t, done, "Run's result"); err != nil {
		t.Errorf("Run = %v", err)
	}
	if n := len(admin.deletes); n != 0 {
		t.Errorf("%d DELETEs despite sba.WithoutDeregistration", n)
	}
}

// An admin server that never answers delays neither the start-up (the
// service is ready while the registration hangs) nor the shutdown: a hung
// registration is cancelled at the trigger, and a hung deregistration
// holds the sequence for the sba timeout at most.
func TestSpringBootAdminUnreachableDelaysNothing(t *testing.T) {
	t.Run("registration hangs", func(t *testing.T) {
		arrived := make(chan struct{}, 1)
		admin := newFakeAdmin(t, func(f *fakeAdmin) { f.hold = http.MethodPost })
		inner := admin.Config.Handler
		admin.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case arrived <- struct{}{}:
			default:
			}
			inner.ServeHTTP(w, r)
		})
		a := newActuator(t,
			actuator.WithSpringBootAdmin(admin.URL, sba.WithTimeout(time.Hour)),
			actuator.WithLifecycleOptions(lifecycle.WithSignals(), lifecycle.WithoutShutdownDelay()),
		)
		base, done := startRun(t, a)
		receive(t, arrived, "registration attempt")
		if _, code := get(t, base+"/actuator/health/readiness"); code != http.StatusOK {
			t.Errorf("readiness while the registration hangs = %d, want 200", code)
		}
		a.Lifecycle().Shutdown("test")
		// The timeout is an hour: Run returns within receive's 10 s only
		// if the trigger cancelled the registration.
		if err := receive(t, done, "Run's result"); err != nil {
			t.Errorf("Run = %v", err)
		}
	})
	t.Run("deregistration hangs", func(t *testing.T) {
		admin := newFakeAdmin(t, func(f *fakeAdmin) { f.hold = http.MethodDelete })
		const timeout = 500 * time.Millisecond
		logger, logs := newLogger()
		a := newActuator(t,
			actuator.WithSpringBootAdmin(admin.URL, sba.WithTimeout(timeout), sba.WithPeriod(time.Hour)),
			actuator.WithLogger(logger),
			actuator.WithLifecycleOptions(lifecycle.WithSignals(), lifecycle.WithoutShutdownDelay()),
		)
		_, done := startRun(t, a)
		receive(t, admin.registrations, "registration")
		waitLogged(t, logs, "sba: registered")
		start := time.Now()
		a.Lifecycle().Shutdown("test")
		err := receive(t, done, "Run's result")
		// The documented bound is the sba timeout from the trigger; the
		// margin is generous: this is a contract, not a speed.
		if took := time.Since(start); err != nil || took > timeout+5*time.Second {
			t.Errorf("Run = %v after %s, want nil within the sba timeout (%s) and a margin", err, took, timeout)
		}
		if len(logs.lines("sba: deregistration failed")) != 1 {
			t.Errorf("no warning about the failed deregistration: %s", logs)
		}
	})
}

// Nothing is sent before Run, and Run registers once however often it is
// called.
func TestSpringBootAdminStartsWithRun(t *testing.T) {
	admin := newFakeAdmin(t, nil)
	logger, logs := newLogger()
	a := newActuator(t,
		actuator.WithSpringBootAdmin(admin.URL, sba.WithPeriod(time.Hour)),
		actuator.WithLogger(logger),
		actuator.WithLifecycleOptions(lifecycle.WithSignals(), lifecycle.WithoutShutdownDelay()),
	)
	if n := len(admin.registrations); n != 0 {
		t.Fatalf("%d registrations before Run", n)
	}
	_, done := startRun(t, a)
	receive(t, admin.registrations, "registration")
	waitLogged(t, logs, "sba: registered")
	if err := a.Run(context.Background(), &http.Server{Addr: "127.0.0.1:0"}); err != lifecycle.ErrAlreadyRunning {
		t.Errorf("second Run = %v, want ErrAlreadyRunning", err)
	}
	a.Lifecycle().Shutdown("test")
	receive(t, admin.deletes, "deregistration")
	if err := receive(t, done, "Run's result"); err != nil {
		t.Errorf("Run = %v", err)
	}
	if n := len(admin.registrations); n != 0 {
		t.Errorf("%d more registrations: the second Run started another client", n)
	}
}

// waitLogged waits until logs holds a line containing s, for at most ten
// seconds.
func waitLogged(t *testing.T, logs *logBuffer, s string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(logs.lines(s)) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no %q logged within 10s: %s", s, logs)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
