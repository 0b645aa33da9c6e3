package sba

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ErrDeregistered is returned by [Client.Register] once [Client.Deregister]
// has been called: a deregistered client never registers again.
var ErrDeregistered = errors.New("sba: deregistered")

// ErrNotBound is for a [WithURLs] function to return (or wrap) while the
// listener it reads is not bound yet; [BaseURL] returns it for a nil
// address or port 0. [Client.Run] then skips the attempt without counting
// it as an outage (no warning, a debug line) and tries again after an
// eighth of the period.
var ErrNotBound = errors.New("sba: listener not bound yet")

// ErrNoHealthURL means no health URL was known at registration time: the
// admin server refuses a registration without one.
var ErrNoHealthURL = errors.New("sba: no health URL")

// A StatusError is an unexpected HTTP status from the admin server.
type StatusError struct {
	Method     string // "POST" or "DELETE"
	URL        string // the request URL
	StatusCode int
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("sba: %s %s: %d %s", e.Method, e.URL, e.StatusCode, http.StatusText(e.StatusCode))
}

// maxResponse bounds what is read of an admin server's response.
const maxResponse = 64 << 10

// A Client registers one service instance with one Spring Boot Admin
// server. Its methods are safe for concurrent use.
type Client struct {
	cfg       config
	instances string // {admin}/instances
	startup   string
	hc        *http.Client
	own       *http.Transport // the default client's transport; nil with WithHTTPClient

	stop     context.Context // cancelled by Deregister
	stopOnce context.CancelFunc

	mu sync.Mutex // serialises registrations and the deregistration
	id string     // guarded by mu
	// idv mirrors id for ID, which must not wait for a request in flight.
	idv atomic.Value
}

// New returns a Client that registers with the Spring Boot Admin server at
// adminURL, the server's root ("http://admin:8080", the SBA client's
// spring.boot.admin.client.url): registrations go to {adminURL}/instances.
// Nothing is sent until [Client.Run] or [Client.Register]. New panics on a
// programmer error: an adminURL that is not an absolute http or https URL
// or that carries credentials (use [WithCredentials]), an explicit URL that
// is not absolute, no way to know a health URL (neither [WithURLs],
// [WithHealthURL] nor [WithManagementURL]), or a period or timeout that is
// not positive.
func New(adminURL string, opts ...Option) *Client {
	u, err := url.Parse(adminURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		panic(fmt.Sprintf("sba: admin URL %q is not an absolute http(s) URL", adminURL))
	}
	if u.User != nil {
		panic("sba: admin URL carries credentials: use WithCredentials")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		panic(fmt.Sprintf("sba: admin URL %q has a query or fragment", adminURL))
	}
	cfg := defaultConfig()
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.period <= 0 {
		panic("sba: WithPeriod needs a positive period")
	}
	if cfg.timeout <= 0 {
		panic("sba: WithTimeout needs a positive timeout")
	}
	for _, v := range []string{cfg.explicit.Service, cfg.explicit.Management, cfg.explicit.Health} {
		if v != "" && !absolute(v) {
			panic(fmt.Sprintf("sba: URL %q is not absolute", v))
		}
	}
	if cfg.resolve == nil && cfg.explicit.Health == "" && cfg.explicit.Management == "" {
		panic("sba: no health URL: use WithURLs, WithHealthURL or WithManagementURL")
	}
	if cfg.name == "" {
		cfg.name = defaultName()
	}
	c := &Client{
		cfg:       cfg,
		instances: strings.TrimRight(u.String(), "/") + "/instances",
		startup:   time.Now().Format(time.RFC3339Nano),
	}
	c.hc = cfg.httpClient
	if c.hc == nil {
		c.own = http.DefaultTransport.(*http.Transport).Clone()
		c.hc = &http.Client{Transport: c.own}
	}
	c.stop, c.stopOnce = context.WithCancel(context.Background())
	return c
}

func defaultName() string {
	if len(os.Args) > 0 {
		if n := strings.TrimSuffix(filepath.Base(os.Args[0]), ".exe"); n != "" && n != "." && n != string(filepath.Separator) {
			return n
		}
	}
	return "go-application"
}

// absolute reports whether u parses as an absolute URL, the check SBA's
// Registration applies (java.net.URI.isAbsolute: a scheme is present).
func absolute(u string) bool {
	p, err := url.Parse(u)
	return err == nil && p.Scheme != "" && (p.Host != "" || p.Opaque != "")
}

// ID returns the id the admin server gave the instance at the last
// successful registration, or "" before the first one and after a
// successful [Client.Deregister].
func (c *Client) ID() string {
	s, _ := c.idv.Load().(string)
	return s
}

func (c *Client) setID(id string) {
	c.id = id
	c.idv.Store(id)
}

// application is the registration body: the fields SBA's Registration
// reads (name, managementUrl, healthUrl, serviceUrl, metadata).
type application struct {
	Name          string            `json:"name"`
	ManagementURL string            `json:"managementUrl,omitempty"`
	HealthURL     string            `json:"healthUrl"`
	ServiceURL    string            `json:"serviceUrl,omitempty"`
	Metadata      map[string]string `json:"metadata"`
}

func (c *Client) application() (application, error) {
	var urls URLs
	if c.cfg.resolve != nil {
		var err error
		if urls, err = c.cfg.resolve(); err != nil {
			return application{}, fmt.Errorf("sba: URLs: %w", err)
		}
	}
	if c.cfg.explicit.Service != "" {
		urls.Service = c.cfg.explicit.Service
	}
	if c.cfg.explicit.Management != "" {
		urls.Management = c.cfg.explicit.Management
	}
	if c.cfg.explicit.Health != "" {
		urls.Health = c.cfg.explicit.Health
	} else if c.cfg.explicit.Management != "" || urls.Health == "" && urls.Management != "" {
		urls.Health = strings.TrimRight(urls.Management, "/") + "/health"
	}
	if urls.Health == "" {
		return application{}, ErrNoHealthURL
	}
	for _, v := range []string{urls.Service, urls.Management, urls.Health} {
		if v != "" && !absolute(v) {
			return application{}, fmt.Errorf("sba: URL %q is not absolute", v)
		}
	}
	md := make(map[string]string, len(c.cfg.metadata)+1)
	md["startup"] = c.startup
	for k, v := range c.cfg.metadata {
		md[k] = v
	}
	return application{
		Name:          c.cfg.name,
		ManagementURL: urls.Management,
		HealthURL:     urls.Health,
		ServiceURL:    urls.Service,
		Metadata:      md,
	}, nil
}

// Register sends one registration (POST {admin}/instances) and returns the
// instance id the admin server answers with. It is what [Client.Run] does
// every period; call it yourself only to register once, without Run. The
// request is bounded by the timeout ([WithTimeout]) and by ctx, and is
// cancelled by [Client.Deregister]. After Deregister it returns
// [ErrDeregistered] and sends nothing.
func (c *Client) Register(ctx context.Context) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.timeout)
	defer cancel()
	unhook := context.AfterFunc(c.stop, cancel)
	defer unhook()

	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stop.Err() != nil {
		return "", ErrDeregistered
	}
	app, err := c.application()
	if err != nil {
		return "", err
	}
	body, err := json.Marshal(app)
	if err != nil {
		return "", fmt.Errorf("sba: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.instances, bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("sba: %w", err)
	}
	// The headers the SBA client sets (RestClientRegistrationClient).
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	c.auth(req)
	resp, err := c.hc.Do(req)
	if err != nil {
		return "", err // *url.Error names the method and URL
	}
	defer drain(resp)
	if resp.StatusCode/100 != 2 {
		return "", &StatusError{Method: http.MethodPost, URL: c.instances, StatusCode: resp.StatusCode}
	}
	var out struct {
		ID json.RawMessage `json:"id"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxResponse)).Decode(&out); err != nil {
		return "", fmt.Errorf("sba: POST %s: response: %w", c.instances, err)
	}
	id := idString(out.ID)
	if id == "" {
		return "", fmt.Errorf("sba: POST %s: response has no id", c.instances)
	}
	c.setID(id)
	return id, nil
}

// idString reads the id as the SBA client does (response.get("id").toString()):
// a JSON string, or a number for a server that sends one.
func idString(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// Deregister stops the registrations for good ([Client.Run] returns, and a
// registration in flight is cancelled) and removes the instance from the
// admin server: DELETE {admin}/instances/{id}, bounded by the timeout and
// by ctx. Call it at the shutdown trigger, so that the admin server stops
// polling an instance that is going away. With no id (never registered, or
// already deregistered) it sends nothing and returns nil; a 404 (the admin
// server restarted and forgot the instance) counts as done. It may be
// called more than once: after a failure, a second call tries again.
func (c *Client) Deregister(ctx context.Context) error {
	c.stopOnce()
	ctx, cancel := context.WithTimeout(ctx, c.cfg.timeout)
	defer cancel()
	c.mu.Lock()
	defer c.mu.Unlock()
	defer c.closeIdle()
	if c.id == "" {
		return nil
	}
	target := c.instances + "/" + url.PathEscape(c.id)
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, target, nil)
	if err != nil {
		return fmt.Errorf("sba: %w", err)
	}
	c.auth(req)
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer drain(resp)
	if resp.StatusCode/100 != 2 && resp.StatusCode != http.StatusNotFound {
		return &StatusError{Method: http.MethodDelete, URL: target, StatusCode: resp.StatusCode}
	}
	c.setID("")
	return nil
}

func (c *Client) auth(req *http.Request) {
	if c.cfg.user != "" || c.cfg.password != "" {
		req.SetBasicAuth(c.cfg.user, c.cfg.password)
	}
}

func (c *Client) closeIdle() {
	if c.own != nil {
		c.own.CloseIdleConnections()
	}
}

func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponse))
	_ = resp.Body.Close()
}

// Run registers at once, then again every period, until ctx is done or
// [Client.Deregister] is called; it never returns an error. Run it in its
// own goroutine: it never delays the service's start-up, and an
// unreachable admin server costs a retry, an eighth of the period at first,
// doubling up to the period, each attempt bounded by the timeout. When ctx
// is done it deregisters (unless [WithoutDeregistration]), bounded by the
// timeout, and returns; a registration in flight then gets up to a second
// (or the timeout, if shorter) to be answered first, so that an instance
// the admin server already stored is deregistered too. When Deregister
// stopped it, it returns at once.
// Call Run once per Client. It returns nil; its signature is the one
// lifecycle.Lifecycle.Go takes.
func (c *Client) Run(ctx context.Context) error {
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	unhook := context.AfterFunc(c.stop, cancel)
	defer unhook()

	timer := time.NewTimer(0)
	defer timer.Stop()
	failures := 0
	registered := false
	for {
		select {
		case <-ctx.Done():
			return c.finish(parent)
		case <-timer.C:
		}
		id, err := c.register(ctx)
		if ctx.Err() != nil || c.stop.Err() != nil {
			return c.finish(parent)
		}
		delay := c.cfg.period
		switch {
		case errors.Is(err, ErrNotBound):
			c.log(slog.LevelDebug, "sba: registration postponed", "err", err)
			delay = backoff(c.cfg.period, 1)
		case err != nil:
			failures++
			if failures == 1 {
				c.log(slog.LevelWarn, "sba: registration failed; retrying, further failures of this outage at debug level",
					"admin", c.instances, "err", err)
			} else {
				c.log(slog.LevelDebug, "sba: registration failed", "admin", c.instances, "attempt", failures, "err", err)
			}
			delay = backoff(c.cfg.period, failures)
		case failures > 0:
			c.log(slog.LevelInfo, "sba: registered again after an outage", "admin", c.instances, "id", id, "failed_attempts", failures)
			failures = 0
			registered = true
		case !registered:
			c.log(slog.LevelInfo, "sba: registered", "admin", c.instances, "id", id)
			registered = true
		default:
			c.log(slog.LevelDebug, "sba: registration refreshed", "id", id)
		}
		timer.Reset(delay)
	}
}

// inFlightGrace is how long a registration in flight when Run's context
// ends may still take (its timeout permitting): long enough for an admin
// server that already stored it to answer with the id, so that Run's
// deregistration can remove it, and short enough not to hold a shutdown.
const inFlightGrace = time.Second

// register is Register for Run: a registration in flight when ctx ends
// gets inFlightGrace to finish rather than being cut at once, since an
// admin server that has stored it would otherwise keep an instance nobody
// deregisters.
func (c *Client) register(ctx context.Context) (string, error) {
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	stop := context.AfterFunc(ctx, func() {
		t := time.AfterFunc(min(inFlightGrace, c.cfg.timeout), cancel)
		context.AfterFunc(rctx, func() { t.Stop() })
	})
	defer stop()
	return c.Register(rctx)
}

// finish ends Run: it deregisters unless Deregister already ran or
// WithoutDeregistration, on a context that ignores parent's cancellation
// (it is cancelled already) but is bounded by the timeout.
func (c *Client) finish(parent context.Context) error {
	if c.stop.Err() != nil {
		return nil
	}
	if !c.cfg.deregister {
		c.closeIdle()
		return nil
	}
	id := c.ID()
	if err := c.Deregister(context.WithoutCancel(parent)); err != nil {
		c.log(slog.LevelWarn, "sba: deregistration failed", "admin", c.instances, "id", id, "err", err)
	} else if id != "" {
		c.log(slog.LevelInfo, "sba: deregistered", "admin", c.instances, "id", id)
	}
	return nil
}

// backoff is the delay after the n-th consecutive failure: period/8,
// doubling, capped at period.
func backoff(period time.Duration, n int) time.Duration {
	d := period / 8
	for i := 1; i < n && d < period; i++ {
		d *= 2
	}
	return max(min(d, period), time.Millisecond)
}

func (c *Client) log(level slog.Level, msg string, args ...any) {
	if c.cfg.logger != nil {
		c.cfg.logger.Log(context.Background(), level, msg, args...)
	}
}
