package sbom

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

var (
	schemaOnce sync.Once
	schema     *jsonschema.Schema
	schemaErr  error
)

// cycloneDX compiles the CycloneDX 1.6 JSON schema from testdata/schema,
// with the SPDX and JSF schemas it refers to, once.
func cycloneDX(t *testing.T) *jsonschema.Schema {
	t.Helper()
	schemaOnce.Do(func() {
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		for _, name := range []string{"bom-1.6.schema.json", "spdx.schema.json", "jsf-0.82.schema.json"} {
			b, err := os.ReadFile(filepath.Join("testdata", "schema", name))
			if err != nil {
				schemaErr = err
				return
			}
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
			if err != nil {
				schemaErr = err
				return
			}
			if err := c.AddResource("http://cyclonedx.org/schema/"+name, doc); err != nil {
				schemaErr = err
				return
			}
		}
		schema, schemaErr = c.Compile("http://cyclonedx.org/schema/bom-1.6.schema.json")
	})
	if schemaErr != nil {
		t.Fatalf("schema: %v", schemaErr)
	}
	return schema
}

// validate checks body against the CycloneDX schema and decodes it.
func validate(t *testing.T, body []byte) bomDoc {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if err := cycloneDX(t).Validate(inst); err != nil {
		t.Fatalf("not valid CycloneDX 1.6: %v\n%s", err, body)
	}
	var d bomDoc
	if err := json.Unmarshal(body, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// bomDoc is the document as the tests read it.
type bomDoc struct {
	BOMFormat    string `json:"bomFormat"`
	SpecVersion  string `json:"specVersion"`
	SerialNumber string `json:"serialNumber"`
	Metadata     struct {
		Tools struct {
			Components []comp `json:"components"`
		} `json:"tools"`
		Component comp `json:"component"`
	} `json:"metadata"`
	Components   []comp `json:"components"`
	Dependencies []struct {
		Ref       string   `json:"ref"`
		DependsOn []string `json:"dependsOn"`
	} `json:"dependencies"`
}

type comp struct {
	Type    string `json:"type"`
	BOMRef  string `json:"bom-ref"`
	Name    string `json:"name"`
	Version string `json:"version"`
	PURL    string `json:"purl"`
	Hashes  []struct {
		Alg     string `json:"alg"`
		Content string `json:"content"`
	} `json:"hashes"`
	Properties []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"properties"`
}

func (c comp) props(name string) []string {
	var vs []string
	for _, p := range c.Properties {
		if p.Name == name {
			vs = append(vs, p.Value)
		}
	}
	return vs
}

func (d bomDoc) component(name string) (comp, bool) {
	for _, c := range d.Components {
		if c.Name == name {
			return c, true
		}
	}
	return comp{}, false
}

// response is what a test request got back.
type response struct {
	code   int
	body   []byte
	header http.Header
}

// do sends a request to h mounted at /sbom and /sbom/{path...}.
func do(h http.Handler, method, target string, header ...string) response {
	mux := http.NewServeMux()
	mux.Handle("/sbom", h)
	mux.Handle("/sbom/{path...}", h)
	r := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, r)
	return response{code: w.Code, body: w.Body.Bytes(), header: w.Header()}
}
