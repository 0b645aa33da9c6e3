// Package sba registers a service with a Spring Boot Admin server (SBA), the
// web UI that Spring applications register with to show their health, info
// and metrics: it does what the SBA client (spring-boot-admin-starter-client)
// does for a Spring Boot application.
//
// # What is sent
//
// A registration is POST {admin}/instances with a JSON body holding the
// fields the server's Registration reads: "name", "healthUrl" (required,
// absolute; the server polls it and, with its default id generator, hashes
// it into the instance id), "managementUrl" (the actuator base the server
// calls for /info, /metrics and the others), "serviceUrl" and "metadata"
// (string to string; "user.name" and "user.password" there are the Basic
// credentials the server sends when it calls back, see
// [WithCallbackCredentials]). The server answers 201 with {"id":"..."}.
// [Client.Run] repeats the registration every period (10 s, the SBA
// client's default), which re-creates the instance after an admin server
// restart, and deregisters (DELETE {admin}/instances/{id}) when it stops.
//
// # Usage
//
//	c := sba.New("http://admin:8080",
//		sba.WithName("orders"),
//		sba.WithManagementURL("https://orders.example.com/actuator"),
//		sba.WithCallbackCredentials("sba", secret), // guard the actuator with actuator.BasicAuth("sba", secret)
//		sba.WithLogger(slog.Default()),
//	)
//	go c.Run(ctx) // never blocks start-up; deregisters when ctx is done
//
// Behind no proxy, let the URLs follow the bound listener instead:
//
//	sba.WithURLs(func() (sba.URLs, error) {
//		base, err := sba.BaseURL("http", ln.Addr(), "")
//		if err != nil {
//			return sba.URLs{}, err
//		}
//		return sba.URLsFor(base, "", "/actuator"), nil
//	})
//
// [BaseURL] returns [ErrNotBound] while the address is nil (not bound
// yet): Run then waits quietly instead of reporting an outage.
//
// [FromEnv] reads the SBA client's own environment variables
// (SPRING_BOOT_ADMIN_CLIENT_URL and the others).
//
// # Failures
//
// An unreachable or hung admin server never blocks: every request is
// bounded by the timeout (5 s), a failed registration is retried sooner
// (an eighth of the period, doubling up to the period), and with a logger
// an outage is logged once, as a warning at its first failure, then once
// more, at info level, when registration works again.
package sba
