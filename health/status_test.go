package health

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

func TestAggregate(t *testing.T) {
	custom := Status("DEGRADED")
	tests := []struct {
		name  string
		order []Status
		in    []Status
		want  Status
	}{
		{"none is UP", nil, nil, Up},
		{"single", nil, []Status{Unknown}, Unknown},
		{"down wins", nil, []Status{Up, Down, OutOfService, Unknown}, Down},
		{"out of service over up", nil, []Status{Up, OutOfService, Up}, OutOfService},
		{"up over unknown", nil, []Status{Unknown, Up}, Up},
		{"custom ranks after listed", nil, []Status{custom, Unknown}, Unknown},
		{"custom alone", nil, []Status{custom}, custom},
		{"custom ties break by name", nil, []Status{"ZED", "ALPHA"}, "ALPHA"},
		{"configured order", []Status{custom, Down, Up}, []Status{Up, Down, custom}, custom},
		{"configured order ranks unknown last", []Status{Up, Down}, []Status{Unknown, Down}, Down},
		{"configured order, unlisted standard status", []Status{Down, Up}, []Status{Unknown, OutOfService}, OutOfService},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var opts []Option
			if tc.order != nil {
				opts = append(opts, WithOrder(tc.order...))
			}
			c := New(opts...)
			defer c.Close()
			if got := c.Aggregate(tc.in...); got != tc.want {
				t.Errorf("Aggregate(%v) = %q, want %q", tc.in, got, tc.want)
			}
			// The same through HTTP, with one check per status.
			var checks []Option
			for i, s := range tc.in {
				checks = append(checks, WithStatusCheck(fmt.Sprintf("c%d", i), status(s, nil)))
			}
			c2 := New(append(opts, checks...)...)
			defer c2.Close()
			if got := c2.Check(context.Background()).Status; got != tc.want {
				t.Errorf("Check status = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestStatusCodeMapping(t *testing.T) {
	tests := []struct {
		status Status
		opts   []Option
		want   int
	}{
		{Up, nil, 200},
		{Unknown, nil, 200},
		{Down, nil, 503},
		{OutOfService, nil, 503},
		{"DEGRADED", nil, 200},
		{"DEGRADED", []Option{WithStatusCode("DEGRADED", 429)}, 429},
		{Down, []Option{WithStatusCode(Down, 500)}, 500},
		{OutOfService, []Option{WithStatusCode(OutOfService, 200)}, 200},
		{Up, []Option{WithStatusCode(Down, 500)}, 200},
		// Any final code may be chosen, from 200 to 599 (1xx and 600 panic,
		// see TestNewPanics).
		{Down, []Option{WithStatusCode(Down, 200)}, 200},
		{Down, []Option{WithStatusCode(Down, 204)}, 204},
		{Down, []Option{WithStatusCode(Down, 429)}, 429},
		{Down, []Option{WithStatusCode(Down, 599)}, 599},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s/%d", tc.status, tc.want), func(t *testing.T) {
			c := New(append(tc.opts, WithStatusCheck("x", status(tc.status, nil)))...)
			defer c.Close()
			if got := c.StatusCode(tc.status); got != tc.want {
				t.Errorf("StatusCode(%q) = %d, want %d", tc.status, got, tc.want)
			}
			res := serve(c, "")
			if res.code != tc.want {
				t.Errorf("GET code = %d, want %d (body %s)", res.code, tc.want, res.body)
			}
			if got := res.json(t)["status"]; got != string(tc.status) {
				t.Errorf("body status = %v, want %q", got, tc.status)
			}
		})
	}
}

func TestResultNormalization(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		in   Result
		want Status
	}{
		{Result{}, Up},
		{Result{Err: boom}, Down},
		{Result{Status: Up, Err: boom}, Down},
		{Result{Status: OutOfService, Err: boom}, OutOfService},
		{Result{Status: Unknown}, Unknown},
		{Result{Status: "CUSTOM"}, "CUSTOM"},
	}
	for _, tc := range tests {
		if got := normalize(tc.in); got != tc.want {
			t.Errorf("normalize(%+v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// Custom statuses ranked with WithOrder and mapped with WithStatusCode: the
// aggregate, groups, composites and components all follow the mapping.
func TestCustomStatusOrderAndCodes(t *testing.T) {
	const degraded, fatal Status = "DEGRADED", "FATAL"
	c := New(
		WithOrder(fatal, Down, degraded, OutOfService, Up, Unknown),
		WithStatusCode(degraded, 299),
		WithStatusCode(fatal, 500),
		WithStatusCode(Down, 502),
		WithStatusCheck("slowish", status(degraded, nil), WithGroups("g1")),
		WithCheck("fine", up, WithGroups("g1", "g2")),
		WithStatusCheck("odd", status("ZZZ_CUSTOM", nil), WithGroups("g2")),
		WithComposite("comp", WithStatusCheck("f", status(fatal, nil)), WithCheck("d", failing("x"))),
		WithGroup("g1"), WithGroup("g2"),
	)
	defer c.Close()
	for _, tc := range []struct {
		path   string
		code   int
		status string
	}{
		{"/", 500, "FATAL"},
		{"/g1", 299, "DEGRADED"},
		{"/g2", 200, "UP"}, // unlisted statuses rank after every listed one
		{"/slowish", 299, "DEGRADED"},
		{"/odd", 200, "ZZZ_CUSTOM"},
		{"/comp", 500, "FATAL"},
		{"/comp/d", 502, "DOWN"},
		{"/comp/f", 500, "FATAL"},
		{"/g1/slowish", 299, "DEGRADED"},
	} {
		for _, method := range []string{"GET", "HEAD"} {
			r := do(c, method, tc.path)
			if r.code != tc.code {
				t.Errorf("%s %s: code %d, want %d (%s)", method, tc.path, r.code, tc.code, r.body)
			}
			if method == "HEAD" {
				if r.body != "" {
					t.Errorf("HEAD %s: body %q", tc.path, r.body)
				}
				continue
			}
			if got := r.json(t)["status"]; got != tc.status {
				t.Errorf("GET %s: status %v, want %s", tc.path, got, tc.status)
			}
		}
	}
	if got := c.Aggregate("ZZZ_CUSTOM", "AAA_CUSTOM", Unknown); got != Unknown {
		t.Errorf("Aggregate of unlisted statuses and UNKNOWN = %s, want UNKNOWN (listed first)", got)
	}
	if got := c.Aggregate("ZZZ_CUSTOM", "AAA_CUSTOM"); got != "AAA_CUSTOM" {
		t.Errorf("Aggregate of unlisted statuses = %s, want AAA_CUSTOM (alphabetical)", got)
	}
}
