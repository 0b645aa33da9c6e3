// Package info serves the actuator's /info endpoint: what exactly is
// running here.
//
// With no set-up at all it reports what [runtime/debug.ReadBuildInfo]
// recorded at build time: the main module's path and version (Go 1.24+
// derives the version from the VCS tag), the commit id and time and the
// dirty flag, plus the Go toolchain and platform. String variables set with
// -ldflags "-X" ([Version], [Commit], [Branch], [BuildTime] and others)
// override the build info; the branch and the build time are only known that
// way.
//
// The document follows Spring Boot Actuator's shape:
//
//	{
//	  "build": {"name": "server", "version": "v1.2.3", "time": "2026-11-26T10:00:00Z", "module": "example.com/app"},
//	  "git":   {"branch": "main", "commit": {"id": "1a2b3c4", "time": "2026-11-26T09:58:00Z"}},
//	  "go":    {"version": "go1.26.0", "os": "linux", "arch": "amd64", "compiler": "gc", "gomaxprocs": 4}
//	}
//
// Fields Go did not record are absent, never empty strings. Go records no VCS
// data under go run, go test or -buildvcs=false.
//
// [WithGitMode]([GitFull]) shows the full commit id, the dirty flag, the tag
// and the list of linked modules. [WithProcess] and [WithHostname] add the
// process section. [WithValue] and [WithContributor] add sections of your
// own; a contributor that fails shows {"error":"..."} under its key and the
// rest of the document is served as usual.
//
// [Collector.Handler] serves the document on any mux, at any path, as in
// mux.Handle("GET /info", e.Handler()); the actuator's root package serves
// the same handler under /actuator/info.
package info
