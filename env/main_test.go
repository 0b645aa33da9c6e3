package env

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// newMux mounts e's handler on a plain ServeMux at /env, as a user
// without the actuator's root would.
func newMux(e *Endpoint) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("/env", e.Handler())
	mux.Handle("/env/{path...}", e.Handler())
	return mux
}

type response struct {
	code   int
	header http.Header
	body   string
}

// get sends GET path to h, with header name/value pairs.
func get(h http.Handler, path string, header ...string) response {
	return do(h, http.MethodGet, path, header...)
}

func do(h http.Handler, method, path string, header ...string) response {
	r := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return response{code: w.Code, header: w.Header(), body: w.Body.String()}
}

// sameJSON reports whether two JSON texts hold the same value.
func sameJSON(t *testing.T, got, want string) bool {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("body %q is not JSON: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want %q is not JSON: %v", want, err)
	}
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	return bytes.Equal(gb, wb)
}

// values returns the value each source shows for each name, from a list
// document: source -> name -> value.
func values(t *testing.T, body string) map[string]map[string]string {
	t.Helper()
	var doc struct {
		PropertySources []struct {
			Name       string
			Properties map[string]struct{ Value string }
		}
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatalf("body %q: %v", body, err)
	}
	m := map[string]map[string]string{}
	for _, s := range doc.PropertySources {
		m[s.Name] = map[string]string{}
		for k, v := range s.Properties {
			m[s.Name][k] = v.Value
		}
	}
	return m
}

// authHeader marks requests the test authorizer accepts.
const authHeader = "X-Test-Auth"

func testAuthorizer(r *http.Request) bool { return r.Header.Get(authHeader) == "yes" }

// sameJSONStatus reports whether body is a JSON error with that status.
func sameJSONStatus(t *testing.T, body string, status int) bool {
	t.Helper()
	var m struct{ Status int }
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Errorf("body %q is not JSON: %v", body, err)
		return false
	}
	return m.Status == status
}
