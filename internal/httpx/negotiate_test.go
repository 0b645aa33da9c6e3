package httpx

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestNegotiatePicksByWeightAndSpecificity(t *testing.T) {
	tests := []struct {
		name   string
		accept []string
		ct     string
		ok     bool
	}{
		{"no header", nil, MediaTypeV3, true},
		{"anything", []string{"*/*"}, MediaTypeV3, true},
		{"json", []string{"application/json"}, MediaTypeJSON, true},
		{"json on the second line", []string{"text/html", "application/json"}, MediaTypeJSON, true},
		{"v3 wins a tie", []string{"application/json, " + MediaTypeV3}, MediaTypeV3, true},
		{"specific zero beats wildcard", []string{"application/json;q=0, */*;q=0.1"}, MediaTypeV3, true},
		{"malformed q", []string{"application/json;q=1.5"}, "", false},
		{"html only", []string{"text/html"}, "", false},
		{"non-ASCII fold is no match", []string{"application/jſon"}, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			if tc.accept != nil {
				r.Header["Accept"] = tc.accept
			}
			ct, ok := Negotiate(r)
			if ct != tc.ct || ok != tc.ok {
				t.Errorf("Accept %q = %q, %v; want %q, %v", tc.accept, ct, ok, tc.ct, tc.ok)
			}
		})
	}
}

func TestNegotiateAllocatesNothing(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	r.Header["Accept"] = []string{strings.Repeat("text/html;level=1;q=0.5, ", 1000) + "APPLICATION/JSON;Q=0.9", "*/*;q=0.1"}
	if n := testing.AllocsPerRun(10, func() { _, _ = Negotiate(r) }); n != 0 {
		t.Errorf("Negotiate allocates %v times, want 0", n)
	}
}
