package sba_test

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// fakeAdmin is an in-process stand-in for the Spring Boot Admin server's
// registration API, built from its source (codecentric/spring-boot-admin,
// spring-boot-admin-server/src/main/java/de/codecentric/boot/admin/server/...):
//
//   - web/InstancesController.java: POST /instances consumes
//     application/json (anything else: 415), answers 201 Created with a
//     Location of /instances/{id} and the body {"id":"..."}; DELETE
//     /instances/{id} answers 204 No Content for a known instance, 404 Not
//     Found for an unknown one (InstancesControllerIntegrationTest pins
//     both).
//   - utils/jackson/RegistrationDeserializer.java: reads "name",
//     "healthUrl" (or "health_url"), "managementUrl" ("management_url"),
//     "serviceUrl" ("service_url"), "metadata" (values as strings), or a
//     lone "url" meaning management=url, health=url+"/health".
//   - domain/values/Registration.java: name and healthUrl must have text,
//     healthUrl must be absolute, managementUrl and serviceUrl absolute
//     when present; a failed assertion while decoding the body is a 400.
//   - services/HashingInstanceUrlIdGenerator.java: the id is the first 6
//     bytes of SHA-1(healthUrl) in lower-case hex (12 characters), so the
//     same health URL keeps its id across re-registrations and restarts.
//   - services/InstanceRegistry.java: deregister marks a known instance as
//     deregistered (computeIfPresent), so a repeated DELETE of a known id
//     is 204 again.
//
// Basic authentication is not SBA's own code but what a secured SBA server
// (Spring Security with HTTP Basic, as its docs show) does: 401 without
// the right credentials.
type fakeAdmin struct {
	*httptest.Server
	user, password string

	mu        sync.Mutex
	instances map[string]*fakeInstance // by id, registered or not
	requests  []fakeRequest
	status    int // when not 0, every request gets it (an admin server in trouble)
}

type fakeInstance struct {
	registration fakeRegistration
	registered   bool
}

type fakeRegistration struct {
	Name          string
	HealthURL     string
	ManagementURL string
	ServiceURL    string
	Metadata      map[string]string
}

type fakeRequest struct {
	Method, Path string
	Header       http.Header
	Body         string
}

func newFakeAdmin(t *testing.T) *fakeAdmin {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return startFakeAdmin(t, ln)
}

func startFakeAdmin(t *testing.T, ln net.Listener) *fakeAdmin {
	t.Helper()
	f := &fakeAdmin{instances: map[string]*fakeInstance{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /instances", f.register)
	mux.HandleFunc("DELETE /instances/{id}", f.deregister)
	f.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		r.Body = io.NopCloser(bytes.NewReader(body))
		f.mu.Lock()
		f.requests = append(f.requests, fakeRequest{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: string(body)})
		status := f.status
		f.mu.Unlock()
		if status != 0 {
			http.Error(w, http.StatusText(status), status)
			return
		}
		if f.user != "" {
			if u, p, ok := r.BasicAuth(); !ok || u != f.user || p != f.password {
				w.Header().Set("WWW-Authenticate", `Basic realm="Realm"`)
				http.Error(w, "", http.StatusUnauthorized)
				return
			}
		}
		mux.ServeHTTP(w, r)
	}))
	f.Server.Listener.Close()
	f.Server.Listener = ln
	f.Start()
	t.Cleanup(f.Close)
	return f
}

// sbaID computes the id as HashingInstanceUrlIdGenerator does.
func sbaID(healthURL string) string {
	sum := sha1.Sum([]byte(healthURL))
	return hex.EncodeToString(sum[:6])
}

func javaAbsolute(u string) bool {
	p, err := url.Parse(u)
	return err == nil && p.Scheme != ""
}

func (f *fakeAdmin) register(w http.ResponseWriter, r *http.Request) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		http.Error(w, "", http.StatusUnsupportedMediaType)
		return
	}
	var raw map[string]any
	if err := json.NewDecoder(r.Body).Decode(&raw); err != nil {
		http.Error(w, "", http.StatusBadRequest)
		return
	}
	str := func(names ...string) string {
		for _, n := range names {
			if v, ok := raw[n]; ok && v != nil {
				if s, ok := v.(string); ok {
					return s
				}
				b, _ := json.Marshal(v)
				return string(b)
			}
		}
		return ""
	}
	reg := fakeRegistration{Name: str("name"), Metadata: map[string]string{}}
	if u := str("url"); u != "" {
		reg.HealthURL = strings.TrimRight(u, "/") + "/health"
		reg.ManagementURL = u
	} else {
		reg.HealthURL = str("healthUrl", "health_url")
		reg.ManagementURL = str("managementUrl", "management_url")
		reg.ServiceURL = str("serviceUrl", "service_url")
	}
	if md, ok := raw["metadata"].(map[string]any); ok {
		for k, v := range md {
			s, ok := v.(string)
			if !ok {
				b, _ := json.Marshal(v)
				s = string(b)
			}
			reg.Metadata[k] = s
		}
	}
	if strings.TrimSpace(reg.Name) == "" || strings.TrimSpace(reg.HealthURL) == "" || !javaAbsolute(reg.HealthURL) ||
		reg.ManagementURL != "" && !javaAbsolute(reg.ManagementURL) || reg.ServiceURL != "" && !javaAbsolute(reg.ServiceURL) {
		http.Error(w, "", http.StatusBadRequest)
		return
	}
	id := sbaID(reg.HealthURL)
	f.mu.Lock()
	f.instances[id] = &fakeInstance{registration: reg, registered: true}
	f.mu.Unlock()
	w.Header().Set("Location", "http://"+r.Host+"/instances/"+id)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(map[string]string{"id": id})
}

func (f *fakeAdmin) deregister(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	inst, ok := f.instances[r.PathValue("id")]
	if ok {
		inst.registered = false
	}
	f.mu.Unlock()
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// restart forgets every instance, as an SBA server with its default
// in-memory event store does when it restarts.
func (f *fakeAdmin) restart() {
	f.mu.Lock()
	f.instances = map[string]*fakeInstance{}
	f.mu.Unlock()
}

func (f *fakeAdmin) setStatus(code int) {
	f.mu.Lock()
	f.status = code
	f.mu.Unlock()
}

func (f *fakeAdmin) instance(id string) (fakeInstance, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	inst, ok := f.instances[id]
	if !ok {
		return fakeInstance{}, false
	}
	return *inst, true
}

func (f *fakeAdmin) requestsOf(method string) []fakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeRequest
	for _, r := range f.requests {
		if r.Method == method {
			out = append(out, r)
		}
	}
	return out
}

// TestFakeAdminValidatesAsSBADoes pins the fake against the rules quoted
// above, so that the client's tests run against a faithful server.
func TestFakeAdminValidatesAsSBADoes(t *testing.T) {
	admin := newFakeAdmin(t)
	for _, tc := range []struct {
		name        string
		contentType string
		body        string
		status      int
	}{
		{"complete", "application/json", `{"name":"a","healthUrl":"http://h:1/actuator/health","managementUrl":"http://h:1/actuator","serviceUrl":"http://h:1/","metadata":{"k":"v"}}`, http.StatusCreated},
		{"health only", "application/json", `{"name":"a","healthUrl":"http://h:2/health"}`, http.StatusCreated},
		{"snake case", "application/json", `{"name":"a","health_url":"http://h:3/health"}`, http.StatusCreated},
		{"lone url", "application/json", `{"name":"a","url":"http://h:4/actuator/"}`, http.StatusCreated},
		{"charset", "application/json;charset=UTF-8", `{"name":"a","healthUrl":"http://h:5/health"}`, http.StatusCreated},
		{"no name", "application/json", `{"healthUrl":"http://h:1/health"}`, http.StatusBadRequest},
		{"blank name", "application/json", `{"name":" ","healthUrl":"http://h:1/health"}`, http.StatusBadRequest},
		{"no health URL", "application/json", `{"name":"a","managementUrl":"http://h:1/actuator"}`, http.StatusBadRequest},
		{"relative health URL", "application/json", `{"name":"a","healthUrl":"/health"}`, http.StatusBadRequest},
		{"relative management URL", "application/json", `{"name":"a","healthUrl":"http://h:1/health","managementUrl":"/actuator"}`, http.StatusBadRequest},
		{"relative service URL", "application/json", `{"name":"a","healthUrl":"http://h:1/health","serviceUrl":"/"}`, http.StatusBadRequest},
		{"not JSON", "application/json", `{`, http.StatusBadRequest},
		{"form", "application/x-www-form-urlencoded", `name=a`, http.StatusUnsupportedMediaType},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := http.Post(admin.URL+"/instances", tc.contentType, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if got, want := resp.StatusCode, tc.status; got != want {
				t.Fatalf("status = %d, want %d", got, want)
			}
			if tc.status != http.StatusCreated {
				return
			}
			var out map[string]string
			if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || len(out["id"]) != 12 {
				t.Errorf("body = %v (%v), want {\"id\": 12 hex characters}", out, err)
			}
			if loc := resp.Header.Get("Location"); !strings.HasSuffix(loc, "/instances/"+out["id"]) {
				t.Errorf("Location = %q", loc)
			}
		})
	}
	if id := sbaID("http://h:4/actuator/health"); func() bool { _, ok := admin.instance(id); return !ok }() {
		t.Errorf("a lone url did not register its health URL url+/health (id %s)", id)
	}
	for _, tc := range []struct {
		id     string
		status int
	}{{sbaID("http://h:2/health"), http.StatusNoContent}, {sbaID("http://h:2/health"), http.StatusNoContent}, {"unknown", http.StatusNotFound}} {
		req, _ := http.NewRequest(http.MethodDelete, admin.URL+"/instances/"+tc.id, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("DELETE %s: %d, want %d", tc.id, resp.StatusCode, tc.status)
		}
	}
	http.DefaultClient.CloseIdleConnections()
}
