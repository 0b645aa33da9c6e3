package health

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func runCheck(t *testing.T, fn StatusFunc) (Status, Result) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	r := fn(ctx)
	return normalize(r), r
}

func TestTCPDial(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			_ = conn.Close()
		}
	}()
	open := ln.Addr().String()
	if s, r := runCheck(t, fromError(TCPDial(open))); s != Up {
		t.Errorf("open port: %s %v", s, r.Err)
	}
	_ = ln.Close()
	<-done
	// The port just closed: nothing listens there now.
	if s, r := runCheck(t, fromError(TCPDial(open))); s != Down || r.Err == nil {
		t.Errorf("closed port: %s %v", s, r.Err)
	}
	if s, _ := runCheck(t, fromError(TCPDial("not an address"))); s != Down {
		t.Errorf("bad address: %s", s)
	}
}

func TestHTTPGet(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			_, _ = w.Write([]byte(strings.Repeat("x", 10000)))
		case "/redirect":
			http.Redirect(w, r, "/ok", http.StatusFound)
		case "/nocontent":
			w.WriteHeader(http.StatusNoContent)
		default:
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	defer srv.Close()
	tests := []struct {
		path   string
		want   int
		status Status
		code   int
		errSub string
	}{
		{"/ok", 0, Up, 200, ""},
		{"/nocontent", 0, Up, 204, ""},
		{"/nocontent", 204, Up, 204, ""},
		{"/ok", 204, Down, 200, "status 200, want 204"},
		{"/fail", 0, Down, 500, "status 500, want 2xx"},
	}
	for _, tc := range tests {
		s, r := runCheck(t, HTTPGet(srv.Client(), srv.URL+tc.path, tc.want))
		if s != tc.status || r.Details["statusCode"] != tc.code {
			t.Errorf("%s want %d: %s %v %v", tc.path, tc.want, s, r.Details, r.Err)
		}
		if tc.errSub != "" && (r.Err == nil || !strings.Contains(r.Err.Error(), tc.errSub)) {
			t.Errorf("%s: err %v, want %q", tc.path, r.Err, tc.errSub)
		}
	}
	// A check that expects a redirect sees it rather than following it
	// (with its own client; a caller's client keeps its redirect policy).
	if s, r := runCheck(t, HTTPGet(nil, srv.URL+"/redirect", http.StatusFound)); s != Up || r.Details["statusCode"] != http.StatusFound {
		t.Errorf("want 302: %s %v %v", s, r.Details, r.Err)
	}
	if s, r := runCheck(t, HTTPGet(nil, srv.URL+"/redirect", 0)); s != Up || r.Details["statusCode"] != http.StatusOK {
		t.Errorf("want 2xx through a redirect: %s %v %v", s, r.Details, r.Err)
	}
	// A password in the URL stays out of the error text, which reaches
	// authorized callers and logs.
	withPassword := strings.Replace(srv.URL, "http://", "http://user:s3cret@", 1) + "/fail"
	if s, r := runCheck(t, HTTPGet(srv.Client(), withPassword, 0)); s != Down || strings.Contains(r.Err.Error(), "s3cret") || !strings.Contains(r.Err.Error(), "user:xxxxx@") {
		t.Errorf("password in URL: %s %v", s, r.Err)
	}
	if s, _ := runCheck(t, HTTPGet(nil, "http://127.0.0.1:1/", 0)); s != Down {
		t.Errorf("unreachable: %s", s)
	}
	if s, _ := runCheck(t, HTTPGet(nil, "://bad", 0)); s != Down {
		t.Errorf("bad URL: %s", s)
	}
	srv.CloseClientConnections()
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
}

func TestDiskSpace(t *testing.T) {
	if runtime.GOOS != "linux" && runtime.GOOS != "darwin" {
		if s, _ := runCheck(t, DiskSpace(t.TempDir(), 0)); s != Unknown {
			t.Errorf("unsupported system: %s, want UNKNOWN", s)
		}
		return
	}
	dir := t.TempDir()
	s, r := runCheck(t, DiskSpace(dir, 1))
	if s != Up || r.Details["path"] != dir || r.Details["free"].(uint64) == 0 || r.Details["total"].(uint64) < r.Details["free"].(uint64) {
		t.Errorf("threshold 1 byte: %s %v %v", s, r.Details, r.Err)
	}
	if s, r := runCheck(t, DiskSpace(dir, math.MaxUint64)); s != Down || !strings.Contains(r.Err.Error(), "below the threshold") {
		t.Errorf("huge threshold: %s %v", s, r.Err)
	}
	if s, r := runCheck(t, DiskSpace(filepath.Join(dir, "missing"), 0)); s != Down || r.Details["exists"] != false {
		t.Errorf("missing path: %s %v", s, r.Details)
	}
}

func TestGoroutines(t *testing.T) {
	if s, r := runCheck(t, Goroutines(1<<20)); s != Up || r.Details["goroutines"].(int) < 1 {
		t.Errorf("high threshold: %s %v", s, r.Details)
	}
	if s, r := runCheck(t, Goroutines(0)); s != Down || r.Details["threshold"] != 0 {
		t.Errorf("zero threshold: %s %v", s, r.Details)
	}
}

// fakeDriver is a database/sql driver whose connections ping as told.
type fakeDriver struct{ pingErr error }

type fakeConn struct{ d *fakeDriver }

func (d *fakeDriver) Open(string) (driver.Conn, error) { return &fakeConn{d}, nil }

func (c *fakeConn) Prepare(string) (driver.Stmt, error) { return nil, errors.New("not supported") }
func (c *fakeConn) Close() error                        { return nil }
func (c *fakeConn) Begin() (driver.Tx, error)           { return nil, errors.New("not supported") }
func (c *fakeConn) Ping(context.Context) error          { return c.d.pingErr }

type fakeConnector struct{ d *fakeDriver }

func (c fakeConnector) Connect(context.Context) (driver.Conn, error) { return &fakeConn{c.d}, nil }
func (c fakeConnector) Driver() driver.Driver                        { return c.d }

func TestPingDB(t *testing.T) {
	d := &fakeDriver{}
	db := sql.OpenDB(fakeConnector{d})
	defer db.Close()
	if s, r := runCheck(t, PingDB(db)); s != Up || r.Details["openConnections"] != 1 {
		t.Errorf("healthy: %s %v %v", s, r.Details, r.Err)
	}
	// db.PingContext itself plugs in as a CheckFunc.
	c := New(WithCheck("db", db.PingContext), WithStatusCheck("pool", PingDB(db)))
	defer c.Close()
	if r := c.Check(context.Background()); r.Status != Up {
		t.Errorf("checker: %+v", r)
	}
	d.pingErr = driver.ErrBadConn
	if s, r := runCheck(t, PingDB(db)); s != Down || r.Err == nil {
		t.Errorf("failing: %s %v", s, r.Err)
	}
}
