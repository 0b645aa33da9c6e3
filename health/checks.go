package health

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
)

// TCPDial returns a check that opens a TCP connection to address
// ("host:port") and closes it.
func TCPDial(address string) CheckFunc {
	return func(ctx context.Context) error {
		var d net.Dialer
		conn, err := d.DialContext(ctx, "tcp", address)
		if err != nil {
			return err
		}
		return conn.Close()
	}
}

// maxDrain bounds how much of a response body HTTPGet reads before closing
// it, so the connection can be reused without reading a huge body.
const maxDrain = 4 << 10

// HTTPGet returns a check that sends GET url with client (nil means a
// client of its own, bounded by the check's context) and expects the status
// code want; want 0 accepts any 2xx. The details carry the status code.
// With a nil client and a 3xx want, redirects are not followed, so the
// check sees the redirect it expects.
func HTTPGet(client *http.Client, url string, want int) StatusFunc {
	if client == nil {
		client = &http.Client{}
		if want >= 300 && want < 400 {
			client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		}
	}
	return func(ctx context.Context) Result {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return Result{Err: err}
		}
		resp, err := client.Do(req)
		if err != nil {
			return Result{Err: err}
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrain))
		_ = resp.Body.Close()
		details := map[string]any{"statusCode": resp.StatusCode}
		ok := resp.StatusCode == want || (want == 0 && resp.StatusCode >= 200 && resp.StatusCode < 300)
		if !ok {
			expected := fmt.Sprint(want)
			if want == 0 {
				expected = "2xx"
			}
			// req.URL.Redacted: a password in the URL must not reach the
			// error text (net/http redacts its own errors the same way).
			return Result{Details: details, Err: fmt.Errorf("GET %s: status %d, want %s", req.URL.Redacted(), resp.StatusCode, expected)}
		}
		return Result{Status: Up, Details: details}
	}
}

// DiskSpace returns a check that is DOWN when the file system holding path
// has less than minFree bytes available to unprivileged users. The details
// carry total, free, threshold and path, as Spring Boot's diskSpace does.
// On systems other than Linux and macOS it reports UNKNOWN.
func DiskSpace(path string, minFree uint64) StatusFunc {
	return func(ctx context.Context) Result {
		total, free, err := diskUsage(path)
		if errors.Is(err, errDiskUnsupported) {
			return Result{Status: Unknown, Err: err, Details: map[string]any{"path": path}}
		}
		if err != nil {
			return Result{Err: err, Details: map[string]any{"path": path, "exists": false}}
		}
		details := map[string]any{"total": total, "free": free, "threshold": minFree, "path": path, "exists": true}
		if free < minFree {
			return Result{Details: details, Err: fmt.Errorf("free disk space %d bytes is below the threshold of %d bytes", free, minFree)}
		}
		return Result{Status: Up, Details: details}
	}
}

// PingDB returns a check that pings db and reports its pool statistics
// (open, in use, idle connections, waits) in the details. Plain
// db.PingContext works as a [CheckFunc] too; PingDB adds the details.
func PingDB(db *sql.DB) StatusFunc {
	return func(ctx context.Context) Result {
		err := db.PingContext(ctx)
		s := db.Stats()
		details := map[string]any{
			"openConnections": s.OpenConnections,
			"inUse":           s.InUse,
			"idle":            s.Idle,
			"waitCount":       s.WaitCount,
		}
		if err != nil {
			return Result{Details: details, Err: err}
		}
		return Result{Status: Up, Details: details}
	}
}

// Goroutines returns a check that is DOWN when the process runs more than
// max goroutines; the details carry the count and the threshold.
func Goroutines(max int) StatusFunc {
	return func(context.Context) Result {
		n := runtime.NumGoroutine()
		details := map[string]any{"goroutines": n, "threshold": max}
		if n > max {
			return Result{Details: details, Err: fmt.Errorf("%d goroutines, more than %d", n, max)}
		}
		return Result{Status: Up, Details: details}
	}
}
