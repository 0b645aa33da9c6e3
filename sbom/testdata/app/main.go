// Command app prints its own SBOM, for the tests of package sbom: they
// build it with tags and -ldflags and validate what it prints.
package main

import (
	"os"

	"github.com/actuatorgo/actuator/sbom"
	_ "go.uber.org/goleak" // a dependency with a go.sum hash
)

// note is set with -ldflags -X by the tests.
var note string

func main() {
	body, _, ok := sbom.New().Document(sbom.ApplicationID)
	if !ok {
		os.Stderr.WriteString("no build info\n")
		os.Exit(1)
	}
	os.Stdout.Write(body)
	_ = note
}
