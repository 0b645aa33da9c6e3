// Package sbom serves the actuator's /sbom endpoint: a software bill of
// materials of the running binary, with no set-up and no build step.
//
// Every Go binary built with modules records its module graph: the main
// module, each module linked in with its version and go.sum hash, the Go
// toolchain and the build settings ([runtime/debug.ReadBuildInfo]). [New]
// turns them into a CycloneDX 1.6 JSON document, once:
//
//   - metadata.component: the main module (type application), with the
//     build settings as properties: cdx:gomod:build:env:GOOS, GOARCH,
//     CGO_ENABLED and GOVERSION and cdx:gomod:build:tag from CycloneDX's
//     property taxonomy, and every other setting as "go:build:setting:<key>"
//     (-ldflags, -trimpath, vcs.revision, vcs.time, vcs.modified, GOAMD64,
//     ...);
//   - components: the Go toolchain as "std" (pkg:golang/std@go1.26.0),
//     and each module linked in as a library with its package URL
//     (pkg:golang/<path>@<version>) and its go.sum h1: hash as a SHA-256
//     hash (Go's hash of the module's files, not of an archive); a module
//     replaced by another is described as the replacement, with the
//     property "go:module:replaces" naming the original; one replaced by a
//     directory keeps its path, without version or hash, with
//     "go:module:replacedBy" naming the directory;
//   - dependencies: the main module depends on every component. Go
//     records no edges between modules in a binary, so the list is flat.
//
// The serial number is derived from the content, so a binary always
// serves the same document. Under go run the main module's version is
// "(devel)" and is left out; under go test the build info has no main
// module settings worth reading.
//
// The endpoint follows Spring Boot 3.3's: /sbom answers
// {"ids":["application"]}, /sbom/application the document as
// application/vnd.cyclonedx+json. [WithDocument] adds other SBOMs (a
// container image's, made at build time) under ids of their own.
//
// The document names every dependency and version, and the build
// settings, -ldflags included (where a -X flag may have set a secret):
// the endpoint is sensitive.
package sbom
