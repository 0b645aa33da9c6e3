package diag

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// TestThreadDumpJSONMatchesGolden pins the JSON of sampleStacks; go test
// -run Golden ./diag/ -update rewrites it after a deliberate change.
func TestThreadDumpJSONMatchesGolden(t *testing.T) {
	gs := parseStacks([]byte(sampleStacks), 100)
	doc := dumpJSON{Mode: "full", Goroutines: len(gs), Threads: make([]threadJSON, len(gs))}
	for i, g := range gs {
		doc.Threads[i] = g.json()
	}
	body, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "threaddump.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(body) != string(want) {
		t.Errorf("JSON differs from %s (go test -run Golden ./diag/ -update):\n%s", golden, body)
	}
}
