package actuator_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/actuatorgo/actuator"
)

// TestContentNegotiation pins RFC 9110 negotiation on the negotiated
// endpoints, through ServeHTTP and Middleware: weights, wildcards, ranges
// split over several Accept lines (which are one list, section 5.3),
// empty elements, case, whitespace around parameters, and malformed
// weights.
func TestContentNegotiation(t *testing.T) {
	// Without the dashboard, which a browser's Accept would get at the
	// base path instead (dashboard_test.go pins that).
	a := newActuator(t, actuator.WithProbes(), actuator.WithoutDashboard())
	handlers := []struct {
		name string
		h    http.Handler
	}{{"ServeHTTP", a}, {"Middleware", a.Middleware(appMux())}}
	const json = "application/json"
	tests := []struct {
		name   string
		accept []string // nil: no Accept header
		status int
		ct     string
	}{
		{"no header", nil, 200, v3},
		{"empty", []string{""}, 200, v3},
		{"any", []string{"*/*"}, 200, v3},
		{"v3", []string{v3}, 200, v3},
		{"json", []string{json}, 200, json},
		{"application wildcard", []string{"application/*"}, 200, v3},
		{"v3 wins a tie", []string{json + ", " + v3}, 200, v3},
		{"higher q wins", []string{json + ";q=1, " + v3 + ";q=0.5"}, 200, json},
		{"html first, json lower", []string{"text/html, application/json;q=0.9"}, 200, json},
		{"browser", []string{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}, 200, v3},
		{"v3 refused", []string{v3 + ";q=0, application/json"}, 200, json},
		{"text/plain", []string{"text/plain"}, 406, json},
		{"xml", []string{"application/xml"}, 406, json},
		{"json refused", []string{"application/json;q=0"}, 406, json},
		{"q not a number", []string{"application/json;q=abc"}, 406, json},
		{"punctuation only", []string{",,;;=="}, 406, json},
		{"two empty lines", []string{"", ""}, 406, json},
		{"json on the second line", []string{"text/html", json}, 200, json},
		{"nothing acceptable on two lines", []string{"text/html", "text/plain"}, 406, json},
		{"v3 wins a tie across lines", []string{json, v3}, 200, v3},
		{"empty elements", []string{",,application/json,,"}, 200, json},
		{"upper case", []string{"APPLICATION/JSON"}, 200, json},
		{"upper-case q", []string{"application/json;Q=0"}, 406, json},
		{"spaces around q", []string{"application/json ; q = 0.5 , text/html"}, 200, json},
		{"specific zero beats wildcard", []string{"application/json;q=0, */*;q=0.1"}, 200, v3},
		{"both zero", []string{v3 + ";q=0, application/json;q=0, */*"}, 406, json},
		{"malformed q", []string{"application/json;q=1.5"}, 406, json},
		{"q without value", []string{"application/json;q"}, 200, json},
		{"later q wins", []string{"application/json;q=0;q=1"}, 200, json},
		{"wildcard subtype", []string{"application/*;q=0.3, application/json;q=0.2"}, 200, v3},
		{"non-ASCII fold is no match", []string{"application/jſon"}, 406, json},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, h := range handlers {
				for _, path := range []string{"/actuator", "/actuator/health", "/actuator/info"} {
					r := httptest.NewRequest("GET", path, nil)
					if tc.accept != nil {
						r.Header["Accept"] = tc.accept
					}
					w := httptest.NewRecorder()
					h.h.ServeHTTP(w, r)
					if w.Code != tc.status || w.Header().Get("Content-Type") != tc.ct {
						t.Errorf("%s: Accept %q on %s = %d %q, want %d %q",
							h.name, tc.accept, path, w.Code, w.Header().Get("Content-Type"), tc.status, tc.ct)
					}
				}
			}
		})
	}
}

// TestLargeAcceptCostsAConstant sends Accept headers of a megabyte
// (commas, ranges with parameters, upper case, one huge range, thousands
// of lines) to every endpoint, the probes and an application route, through
// every adapter: each costs at most a few KiB more than "Accept: */*",
// and negotiates as a small header of the same kind would.
func TestLargeAcceptCostsAConstant(t *testing.T) {
	served := routesUnderTest(t)
	const mib = 1 << 20
	accepts := []struct {
		name         string
		vals         []string
		unacceptable bool
	}{
		{"commas", []string{strings.Repeat(",", mib)}, true},
		{"ranges with parameters", []string{strings.Repeat("text/html;level=1;q=0.5, ", mib/24) + "*/*"}, false},
		{"upper case", []string{strings.Repeat("APPLICATION/JSON;Q=1.0,", mib/23)}, false},
		{"one huge range", []string{"application/" + strings.Repeat("x", mib) + ", */*"}, false},
		{"huge parameter", []string{"*/*;" + strings.Repeat("a=b;", mib/4)}, false},
		{"many lines", manyLines("text/html, */*;q=0.1", 40000), false},
	}
	for _, acc := range accepts {
		t.Run(acc.name, func(t *testing.T) {
			for _, rt := range boundedRoutes {
				for _, s := range served {
					small := httptest.NewRequest("GET", rt.path, nil)
					small.Header.Set("Accept", "*/*")
					large := httptest.NewRequest("GET", rt.path, nil)
					large.Header["Accept"] = acc.vals
					want := http.StatusOK
					if acc.unacceptable && rt.negotiated {
						want = http.StatusNotAcceptable
					}
					assertBoundedCost(t, s.h, s.name+" "+rt.path, small, large, http.StatusOK, want)
				}
			}
		})
	}
}

func manyLines(v string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = v
	}
	return out
}
