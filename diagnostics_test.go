package actuator_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/actuatorgo/actuator"
	"github.com/actuatorgo/actuator/diag"
	"github.com/actuatorgo/actuator/sbom"
)

// The diagnostic endpoints negotiate their own types through the
// actuator: the thread dump in JSON or the runtime's text, profiles as
// octet-stream, an SBOM as CycloneDX.
func TestDiagnosticsShapesThroughTheActuator(t *testing.T) {
	a := newActuator(t, allowAll, actuator.WithThreadDumpEndpoint(diag.WithMaxFrames(5)),
		actuator.WithHeapDumpEndpoint(), actuator.WithPprofEndpoint(), actuator.WithSBOMEndpoint())
	tests := []struct {
		name, path, accept string
		status             int
		ctype              string
		body               string
	}{
		{"threaddump JSON", "/actuator/threaddump", "", 200, v3, `"threads":[`},
		{"threaddump application/json", "/actuator/threaddump", "application/json", 200, "application/json", `"threadState"`},
		{"threaddump text", "/actuator/threaddump", "text/plain", 200, diag.MediaTypeText, "goroutine "},
		{"threaddump nothing acceptable", "/actuator/threaddump", "image/png", 406, "", ""},
		{"heapdump", "/actuator/heapdump", "", 200, diag.MediaTypeOctetStream, ""},
		{"pprof index", "/actuator/pprof", "", 200, "text/html; charset=utf-8", "goroutine"},
		{"pprof goroutine text", "/actuator/pprof/goroutine?debug=1", "", 200, diag.MediaTypeText, "goroutine profile:"},
		{"sbom ids", "/actuator/sbom", "", 200, v3, `{"ids":["application"]}`},
		{"sbom document", "/actuator/sbom/application", "", 200, sbom.MediaTypeCycloneDX, `"bomFormat": "CycloneDX"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := do(a, "GET", tc.path, "Accept", tc.accept)
			if w.Code != tc.status {
				t.Fatalf("GET %s = %d: %.200s", tc.path, w.Code, w.Body)
			}
			if tc.ctype != "" && w.Header().Get("Content-Type") != tc.ctype {
				t.Errorf("Content-Type = %q, want %q", w.Header().Get("Content-Type"), tc.ctype)
			}
			if !strings.Contains(w.Body.String(), tc.body) {
				t.Errorf("body lacks %q: %.200s", tc.body, w.Body)
			}
			assertSecurityHeaders(t, w)
		})
	}
}

// Bad input gets a JSON 4xx through the actuator.
func TestDiagnosticsBadInputThroughTheActuator(t *testing.T) {
	a := newActuator(t, allowAll, actuator.WithThreadDumpEndpoint(),
		actuator.WithHeapDumpEndpoint(), actuator.WithPprofEndpoint(), actuator.WithSBOMEndpoint())
	tests := []struct {
		method, path string
		want         int
	}{
		{"GET", "/actuator/heapdump?gc=maybe", 400},
		{"GET", "/actuator/heapdump?gc=true&gc=false", 400},
		{"GET", "/actuator/heapdump/x", 404},
		{"GET", "/actuator/threaddump/x", 404},
		{"GET", "/actuator/pprof/profile?seconds=0", 400},
		{"GET", "/actuator/pprof/profile?seconds=31", 400},
		{"GET", "/actuator/pprof/heap?seconds=5", 400},
		{"GET", "/actuator/pprof/nosuchprofile", 404},
		{"GET", "/actuator/pprof/heap/x", 404},
		{"POST", "/actuator/pprof/heap", 405},
		{"POST", "/actuator/threaddump", 405},
		{"GET", "/actuator/sbom/%3Cscript%3E", 404},
		{"GET", "/actuator/sbom/application/x", 404},
	}
	for _, tc := range tests {
		w := do(a, tc.method, tc.path)
		if w.Code != tc.want {
			t.Errorf("%s %s = %d, want %d: %.200s", tc.method, tc.path, w.Code, tc.want, w.Body)
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil || m["status"] != float64(tc.want) {
			t.Errorf("%s %s: error body %q", tc.method, tc.path, w.Body)
		}
	}
}

// pprof's symbol POST gets its body, as go tool pprof sends the
// addresses, bounded by MaxRequestBody.
func TestPprofSymbolPostReadsItsBody(t *testing.T) {
	a := newActuator(t, allowAll, actuator.WithPprofEndpoint())
	pc := reflect.ValueOf(TestPprofSymbolPostReadsItsBody).Pointer()
	w := send(a, "POST", "/actuator/pprof/symbol", fmt.Sprintf("%#x", pc))
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "TestPprofSymbolPostReadsItsBody") {
		t.Errorf("POST symbol = %d: %q", w.Code, w.Body)
	}
	w = send(a, "POST", "/actuator/pprof/symbol", strings.Repeat("0x1+", actuator.MaxRequestBody))
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("POST symbol with a large body = %d, want 413", w.Code)
	}
}
