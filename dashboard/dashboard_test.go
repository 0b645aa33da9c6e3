package dashboard

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestPrefersHTML(t *testing.T) {
	tests := []struct {
		accept []string
		want   bool
	}{
		{nil, false},
		{[]string{""}, false},
		{[]string{"*/*"}, false},
		{[]string{"text/html"}, true},
		{[]string{"TEXT/HTML ; q=1.0"}, true},
		{[]string{"application/json", "text/html"}, false}, // two field lines are one list
		{[]string{"application/json;q=0.1", "text/html;q=0.2"}, true},
		{[]string{"application/*;q=0.5,text/html;q=0.4"}, false},
		{[]string{"text/html;q=1.5"}, false},
		{[]string{"text/html;q=0.1234"}, false},
		{[]string{"text/html;level=1;q=0.5"}, true},
		{[]string{",,;;,text/html"}, true},
	}
	for _, tc := range tests {
		if got := prefersHTML(tc.accept); got != tc.want {
			t.Errorf("prefersHTML(%q) = %v, want %v", tc.accept, got, tc.want)
		}
	}
}

func TestWantsAllocatesNothingForJSONClients(t *testing.T) {
	r := httptest.NewRequest("GET", "/actuator?tag=x", nil)
	r.Header.Set("Accept", "application/json, text/plain;q=0.5, */*;q=0.1")
	if n := testing.AllocsPerRun(100, func() { Wants(r) }); n != 0 {
		t.Errorf("Wants allocates %v times", n)
	}
}

func TestServeRendersTheBaseEscaped(t *testing.T) {
	r := httptest.NewRequest("GET", "/x", nil)
	w := httptest.NewRecorder()
	Serve(w, r, `/a'b"<c>`)
	if !strings.Contains(w.Body.String(), `<base href="/a&#39;b&#34;&lt;c&gt;/">`) {
		t.Errorf("base not escaped: %s", w.Body)
	}
	if strings.Contains(w.Body.String(), "{{base}}") {
		t.Error("placeholder left in the page")
	}
}

func TestPageHasNoInlineScriptOrStyle(t *testing.T) {
	// The Content-Security-Policy allows neither: they would not run.
	for _, bad := range []string{"<script>", "<style", " style=", " onclick=", " onload=", "http://", "https://"} {
		if strings.Contains(page, bad) {
			t.Errorf("page.html contains %q", bad)
		}
	}
	for _, bad := range []string{"innerHTML", "eval(", "localStorage", "sessionStorage", "document.cookie"} {
		if strings.Contains(appJS, bad) {
			t.Errorf("app.js contains %q", bad)
		}
	}
}
