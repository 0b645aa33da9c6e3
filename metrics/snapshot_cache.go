package metrics

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/actuatorgo/actuator/internal/httpx"
)

// The JSON snapshot is a page for people, read by a browser or a monitor
// that polls it. Reading the runtime and encoding a Snapshot for every
// request cost far more than writing its kilobyte (BenchmarkScrapeJSON:
// 22 allocations and about 11 µs, against 2 and under 1 µs cached), so
// the endpoint serves an encoded body recomputed at most once per cache
// TTL. Its gauges (memory, goroutines, uptime, CPU) may be as old as the TTL,
// and its process data up to twice that, since the process reading it
// was built from is itself cached for the TTL. What a reader would notice
// at once, a metric served by the drill-down but missing from "names",
// never happens: a change of names recomputes the body (see snapshotKey).
// A TTL of zero or less serves a live Snapshot on every request.

// encodedSnapshot is the JSON snapshot as served, with when and from what
// it was computed. It is never modified once stored.
type encodedSnapshot struct {
	at   time.Time
	key  snapshotKey
	body []byte
}

// snapshotKey is what the "names" of a snapshot depend on that can change
// from one request to the next: the custom metrics (a registration stores
// a new r.names slice, so the pointer tells) and whether any request was
// observed (http.server.requests is listed from the first one on; series
// are never removed). The built-in names depend on what the platform can
// read, which does not come and go.
type snapshotKey struct {
	custom      *[]string
	hasRequests bool
}

func (r *Registry) snapshotKey() snapshotKey {
	return snapshotKey{custom: r.names.Load(), hasRequests: r.http.len() > 0}
}

// fresh reports whether c, which may be nil, can be served at now to a
// request that saw key. A clock that went back makes it stale, as it does
// the process reading.
func (c *encodedSnapshot) fresh(now time.Time, key snapshotKey, ttl time.Duration) bool {
	return c != nil && c.key == key && now.Sub(c.at) < ttl && !now.Before(c.at)
}

// serveSnapshot writes the JSON snapshot with the content type ct: the
// cached body while it is fresh, else a new one.
func (r *Registry) serveSnapshot(w http.ResponseWriter, req *http.Request, ct string) {
	if r.cfg.cacheTTL <= 0 {
		httpx.WriteJSONAs(w, req, http.StatusOK, ct, r.Snapshot())
		return
	}
	body, err := r.snapshotBody()
	if err != nil {
		httpx.WriteErrorAs(w, req, http.StatusInternalServerError, ct, "cannot encode response: "+err.Error())
		return
	}
	httpx.WriteBody(w, req, http.StatusOK, ct, body)
}

// snapshotBody returns the encoded snapshot, recomputing it when it is
// older than the cache TTL or its names changed. A fresh body costs two
// atomic loads and a clock read, and no lock.
//
// Requests that find it stale wait for one of them to recompute it rather
// than serve the previous body: a changed key must never be answered with
// the old names, and waiting also bounds the age of every body by the TTL.
// The wait is one refresh, tens of microseconds when the process reading
// is stale too, once per TTL.
func (r *Registry) snapshotBody() ([]byte, error) {
	ttl := r.cfg.cacheTTL
	now, key := r.cfg.now(), r.snapshotKey()
	if c := r.snap.Load(); c.fresh(now, key, ttl) {
		return c.body, nil
	}
	r.snapMu.Lock()
	defer r.snapMu.Unlock()
	// Another request may have recomputed it while this one waited.
	now, key = r.cfg.now(), r.snapshotKey()
	if c := r.snap.Load(); c.fresh(now, key, ttl) {
		return c.body, nil
	}
	// The key is read before the Snapshot: a registration in between may
	// show in a body stored under the older key, which only costs the
	// next request a refresh, never a missing name.
	//
	// json.Marshal gives the bytes httpx.WriteJSONAs serves (the same
	// encoder, HTML escaping on, without the newline WriteJSONAs trims).
	// The body is a slice of its own, not a pooled buffer: it outlives
	// the request.
	body, err := json.Marshal(r.Snapshot())
	if err != nil {
		return nil, err
	}
	r.snap.Store(&encodedSnapshot{at: now, key: key, body: body})
	return body, nil
}
