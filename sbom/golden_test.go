package sbom

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// TestDocumentMatchesGolden pins the whole document for sampleBuildInfo;
// go test -run Golden ./sbom/ -update rewrites it after a deliberate change.
func TestDocumentMatchesGolden(t *testing.T) {
	body, _, _ := New(WithBuildInfo(sampleBuildInfo())).Document(ApplicationID)
	golden := filepath.Join("testdata", "application.golden")
	if *update {
		if err := os.WriteFile(golden, body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(body) != string(want) {
		t.Errorf("document differs from %s (go test -run Golden ./sbom/ -update):\n%s", golden, body)
	}
}
