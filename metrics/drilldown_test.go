package metrics

import (
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/actuatorgo/actuator/internal/httpx"
)

// tagQuery is n tag parameters, distinct unless same is set.
func tagQuery(n int, same bool) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString("tag=method:")
		if same {
			b.WriteString("GET")
		} else {
			b.WriteString("v")
			b.WriteString(strconv.Itoa(i))
		}
	}
	return b.String()
}

// TestDrillDownCapsTagParameters: up to MaxTagFilters tag parameters are
// served; one more gets a 400 that names the cap, repeated identical tags
// included, before any metric is read.
func TestDrillDownCapsTagParameters(t *testing.T) {
	r := New()
	r.ObserveRequest(http.MethodGet, "/users/{id}", 200, time.Millisecond)
	tests := []struct {
		name   string
		query  string
		status int
	}{
		{"at the cap, identical", tagQuery(MaxTagFilters, true), 200},
		{"at the cap, distinct", tagQuery(MaxTagFilters, false), 404},
		{"over the cap, identical", tagQuery(MaxTagFilters+1, true), 400},
		{"over the cap, distinct", tagQuery(MaxTagFilters+1, false), 400},
		{"over the cap among other parameters", "a=1&" + tagQuery(MaxTagFilters+1, true) + "&b=2", 400},
		{"other parameters do not count", strings.Repeat("x=1&", 1000) + tagQuery(2, true), 200},
		{"ten thousand", tagQuery(10000, false), 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := serve(t, r, http.MethodGet, "/http.server.requests?"+tc.query)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %.200s", rec.Code, tc.status, rec.Body)
			}
			if tc.status != http.StatusBadRequest {
				return
			}
			var e httpx.ErrorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
				t.Fatalf("error body %s: %v", rec.Body, err)
			}
			if !strings.Contains(e.Message, strconv.Itoa(MaxTagFilters)) || e.Status != http.StatusBadRequest {
				t.Errorf("error body %s does not name the cap %d", rec.Body, MaxTagFilters)
			}
		})
	}
}

// TestDrillDownQueryParsingKeepsItsRules pins what the scanning query
// parser accepts and refuses, as url.ParseQuery did.
func TestDrillDownQueryParsingKeepsItsRules(t *testing.T) {
	r := New()
	r.ObserveRequest(http.MethodGet, "/users/{id}", 200, time.Millisecond)
	tests := []struct {
		query  string
		status int
	}{
		{"tag=method:GET", 200},
		{"t%61g=method%3AGET", 200},
		{"tag=uri:/users/%7Bid%7D", 200},
		{"tag=method:GET&&&", 200},
		{"&tag=method:GET", 200},
		{"tag=method:GET&x", 200},
		{"tag=method:POST", 404},
		{"tag+=method:POST", 200}, // "tag " is not "tag"
		{"tag=method:GET;x=1", 400},
		{"x=%zz&tag=method:GET", 400},
		{"%zz=1&tag=method:GET", 400},
		{"tag=method:GET&y=%", 400},
		{"tag", 400},
		{"tag=:GET", 400},
	}
	for _, tc := range tests {
		rec := serve(t, r, http.MethodGet, "/http.server.requests?"+tc.query)
		if rec.Code != tc.status {
			t.Errorf("?%s = %d, want %d: %s", tc.query, rec.Code, tc.status, rec.Body)
		}
	}
}

// minDuration is the shortest of a few runs of f: the minimum discounts
// pauses that other processes on a shared machine cause.
func minDuration(f func()) time.Duration {
	best := time.Duration(math.MaxInt64)
	for range 5 {
		start := time.Now()
		f()
		best = min(best, time.Since(start))
	}
	return max(best, time.Microsecond)
}

// TestDrillDownWorkIsLinearInTags compares the work of 10,000 tag
// parameters with that of 100, as a ratio, so the bound does not depend on
// the machine's speed: linear work costs 100 times as much at most (the cap
// makes it far less), quadratic work 10,000 times. The same holds for a
// filter of that size given to Registry.Metric.
func TestDrillDownWorkIsLinearInTags(t *testing.T) {
	r := New()
	for _, route := range []string{"/a", "/b", "/c", "/d"} {
		r.ObserveRequest(http.MethodGet, route, 200, time.Millisecond)
	}
	const small, large, maxRatio = 100, 10000, 1000
	request := func(n int) func() {
		q := tagQuery(n, false)
		return func() {
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.URL.RawQuery = q
			req.SetPathValue("path", "http.server.requests")
			r.Handler().ServeHTTP(httptest.NewRecorder(), req)
		}
	}
	tSmall, tLarge := minDuration(request(small)), minDuration(request(large))
	t.Logf("GET: %d tags %v, %d tags %v", small, tSmall, large, tLarge)
	if ratio := float64(tLarge) / float64(tSmall); ratio > maxRatio {
		t.Errorf("GET with %d tags took %v, with %d tags %v: %.0f times as long, want at most %d",
			large, tLarge, small, tSmall, ratio, maxRatio)
	}

	filter := func(n int) func() {
		f := make([]Tag, n)
		for i := range f {
			f[i] = Tag{Key: "method", Value: "GET"}
		}
		return func() {
			if _, ok := r.Metric(httpServerRequests, f...); !ok {
				t.Error("filter of identical tags matched nothing")
			}
		}
	}
	tSmall, tLarge = minDuration(filter(small)), minDuration(filter(large))
	t.Logf("Metric: %d filter tags %v, %d filter tags %v", small, tSmall, large, tLarge)
	if ratio := float64(tLarge) / float64(tSmall); ratio > maxRatio {
		t.Errorf("Metric with %d filter tags took %v, with %d %v: %.0f times as long, want at most %d",
			large, tLarge, small, tSmall, ratio, maxRatio)
	}
}

// FuzzParseTagsAgreesWithParseQuery checks the one-pass tag parser
// against url.ParseQuery: the same tags, in the same order, and an error
// for the same queries; above MaxTagFilters tags, always an error.
func FuzzParseTagsAgreesWithParseQuery(f *testing.F) {
	for _, s := range []string{"tag=a:b", "tag=a:b&tag=a:b&x=%zz", "t%61g=a%3Ab", "tag=a:b;c", "tag+=x:y", "tag=%", "&&tag=:&", tagQuery(40, true)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, query string) {
		got, err := parseTags(query)
		q, refErr := url.ParseQuery(query)
		if refErr == nil && len(q["tag"]) > MaxTagFilters {
			if err == nil {
				t.Fatalf("%q: %d tags accepted", query, len(q["tag"]))
			}
			return
		}
		var want []Tag
		for _, v := range q["tag"] {
			k, val, ok := strings.Cut(v, ":")
			if !ok || k == "" {
				refErr = errMalformedQuery
				break
			}
			if tg := (Tag{Key: k, Value: val}); !slices.Contains(want, tg) {
				want = append(want, tg)
			}
		}
		if (err != nil) != (refErr != nil) {
			t.Fatalf("%q: error %v, url.ParseQuery's way %v", query, err, refErr)
		}
		if err == nil && !slices.Equal(got, want) {
			t.Fatalf("%q: tags %v, want %v", query, got, want)
		}
	})
}
