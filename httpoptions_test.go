package actuator_test

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/actuatorgo/actuator"
	"github.com/actuatorgo/actuator/lifecycle"
)

// A mount is one way of serving an actuator: a handler and the prefix its
// endpoints live under.
type mount struct {
	name   string
	prefix string
	serve  func(a *actuator.Actuator) http.Handler
}

// mounts are every way of serving the endpoints: net/http's here, gin's
// appended by gin_mount_test.go.
var mounts = []mount{
	{"ServeHTTP", "/actuator", func(a *actuator.Actuator) http.Handler { return a }},
	{"Handler", "/mgmt", func(a *actuator.Actuator) http.Handler {
		mux := http.NewServeMux()
		mux.Handle("/mgmt/", a.Handler("/mgmt"))
		return mux
	}},
	{"Middleware", "/actuator", func(a *actuator.Actuator) http.Handler { return a.Middleware(appMux()) }},
}

// TestOptionsAnswersEveryExposedEndpoint pins what Spring Boot Admin needs
// when it cannot read the discovery index: a 2xx to OPTIONS on each
// endpoint. In codecentric/spring-boot-admin:
//
//   - spring-boot-admin-server/src/main/java/de/codecentric/boot/admin/server/config/AdminServerAutoConfiguration.java
//     detects endpoints with a ChainingStrategy of QueryIndexEndpointStrategy,
//     then ProbeEndpointsStrategy when the first finds nothing;
//   - .../server/services/endpoints/QueryIndexEndpointStrategy.java skips
//     the index when managementUrl equals serviceUrl (the actuator at the
//     service root), and finds nothing when GET managementUrl fails, is not
//     2xx or is not an actuator media type;
//   - .../server/services/endpoints/ProbeEndpointsStrategy.java then sends
//     OPTIONS managementUrl/{path} for each of
//     AdminServerProperties.probedEndpoints (health, env, metrics, info,
//     loggers, shutdown, prometheus, sbom and others) and keeps an endpoint
//     only when the answer is 2xx (response.statusCode().is2xxSuccessful()).
//
// A 405 there, as the actuator answered before, made SBA lose info,
// metrics and shutdown. The answer is Spring MVC's for a mapped path
// (RequestMappingInfoHandlerMapping's HttpOptionsHandler): 200, no body,
// Allow naming the declared methods, HEAD after GET, and OPTIONS; SBA's
// own proxy test (AbstractInstancesProxyControllerIntegrationTest,
// should_forward_requests) expects such an Allow. Every adapter answers it
// alike; sensitive endpoints stay invisible to refused callers (404, as
// docs/security.md says), and OPTIONS, a safe method, passes the
// cross-origin check of writes.
func TestOptionsAnswersEveryExposedEndpoint(t *testing.T) {
	token := []string{"Authorization", "Bearer t0k"}
	crossSite := []string{"Authorization", "Bearer t0k", "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"}
	for _, m := range mounts {
		t.Run(m.name, func(t *testing.T) {
			var calls atomic.Int32
			custom := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls.Add(1) })
			a := newShutdownActuator(t, quickShutdown,
				actuator.WithAuthorizer(actuator.BearerToken("t0k")),
				actuator.WithShutdownEndpoint(),
				actuator.WithEndpoint("report", custom, actuator.WithMethods(http.MethodGet, http.MethodPut)),
				actuator.WithEndpoint("vault", custom, actuator.WithSensitive()),
			)
			h := m.serve(a)
			p := m.prefix
			tests := []struct {
				name   string
				path   string
				header []string
				status int
				allow  string
			}{
				{"index", p, nil, 200, "GET, HEAD, OPTIONS"},
				{"index with a slash", p + "/", nil, 200, "GET, HEAD, OPTIONS"},
				{"health", p + "/health", nil, 200, "GET, HEAD, OPTIONS"},
				{"health group", p + "/health/liveness", nil, 200, "GET, HEAD, OPTIONS"},
				{"info", p + "/info", nil, 200, "GET, HEAD, OPTIONS"},
				{"metrics", p + "/metrics", nil, 200, "GET, HEAD, OPTIONS"},
				{"one metric", p + "/metrics/go.goroutines", nil, 200, "GET, HEAD, OPTIONS"},
				{"prometheus", p + "/prometheus", nil, 200, "GET, HEAD, OPTIONS"},
				{"accepting neither JSON type", p + "/info", []string{"Accept", "application/xml"}, 200, "GET, HEAD, OPTIONS"},
				{"custom", p + "/report", nil, 200, "GET, HEAD, PUT, OPTIONS"},
				{"shutdown, authorised", p + "/shutdown", token, 200, "POST, OPTIONS"},
				{"shutdown, authorised, cross-site", p + "/shutdown", crossSite, 200, "POST, OPTIONS"},
				{"sensitive custom, authorised", p + "/vault", token, 200, "GET, HEAD, OPTIONS"},
				{"shutdown, refused", p + "/shutdown", nil, 404, ""},
				{"shutdown, wrong token", p + "/shutdown", []string{"Authorization", "Bearer nope"}, 404, ""},
				{"sensitive custom, refused", p + "/vault", nil, 404, ""},
				{"unknown", p + "/nope", nil, 404, ""},
				{"not exposed", p + "/env", nil, 404, ""},
			}
			for _, tc := range tests {
				if g := do(h, http.MethodGet, tc.path, tc.header...); g.Code/100 == 3 {
					continue // the router redirects every method there (a bare mount prefix)
				}
				before := calls.Load()
				w := do(h, http.MethodOptions, tc.path, tc.header...)
				if calls.Load() != before {
					t.Errorf("%s: OPTIONS %s ran the endpoint's handler", tc.name, tc.path)
				}
				if w.Code != tc.status {
					t.Errorf("%s: OPTIONS %s = %d %s, want %d", tc.name, tc.path, w.Code, w.Body, tc.status)
					continue
				}
				if got := w.Header().Get("Allow"); got != tc.allow {
					t.Errorf("%s: Allow = %q, want %q", tc.name, got, tc.allow)
				}
				assertSecurityHeaders(t, w)
				if tc.status != 200 {
					unknown := do(h, http.MethodOptions, p+"/doesnotexist", tc.header...)
					if !sameError(t, w, unknown) {
						t.Errorf("%s: %s differs from an unknown endpoint's %s", tc.name, w.Body, unknown.Body)
					}
					continue
				}
				if w.Body.Len() != 0 || w.Header().Get("Content-Length") != "0" || w.Header().Get("Access-Control-Allow-Origin") != "" {
					t.Errorf("%s: body %q, Content-Length %q, Access-Control-Allow-Origin %q; want an empty answer and no CORS header",
						tc.name, w.Body, w.Header().Get("Content-Length"), w.Header().Get("Access-Control-Allow-Origin"))
				}
			}
			if ph := a.Lifecycle().Phase(); ph != lifecycle.PhaseIdle {
				t.Errorf("OPTIONS /shutdown started the shutdown (phase %s)", ph)
			}
		})
	}
}

// A custom endpoint that lists OPTIONS among its methods answers it
// itself; the router does not.
func TestOptionsGoesToACustomEndpointThatTakesIt(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", "OPTIONS, GET")
		w.WriteHeader(http.StatusNoContent)
	})
	a := newActuator(t, actuator.WithEndpoint("own", h, actuator.WithMethods(http.MethodGet, http.MethodOptions)))
	w := do(a, http.MethodOptions, "/actuator/own")
	if w.Code != http.StatusNoContent || w.Header().Get("Allow") != "OPTIONS, GET" {
		t.Errorf("OPTIONS /actuator/own = %d Allow %q, want the handler's 204", w.Code, w.Header().Get("Allow"))
	}
}

// The 405 of another method keeps its Allow header without OPTIONS, as
// Spring MVC's does: OPTIONS is added only to OPTIONS answers.
func TestMethodNotAllowedKeepsItsAllow(t *testing.T) {
	a := newActuator(t)
	r := httptest.NewRequest(http.MethodDelete, "/actuator/health", nil)
	w := httptest.NewRecorder()
	a.ServeHTTP(w, r)
	if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("DELETE /actuator/health = %d Allow %q, want 405 GET, HEAD", w.Code, w.Header().Get("Allow"))
	}
}
