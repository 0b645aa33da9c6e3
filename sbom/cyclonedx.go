package sbom

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"runtime/debug"
	"strings"
)

// SpecVersion is the CycloneDX version of the documents built.
const SpecVersion = "1.6"

// toolName is the tool the document names as its author.
const toolName = "github.com/actuatorgo/actuator/sbom"

// The document, in the fields of CycloneDX 1.6's JSON schema it uses.
type (
	bom struct {
		BOMFormat    string       `json:"bomFormat"`
		SpecVersion  string       `json:"specVersion"`
		SerialNumber string       `json:"serialNumber,omitempty"`
		Version      int          `json:"version"`
		Metadata     metadata     `json:"metadata"`
		Components   []component  `json:"components"`
		Dependencies []dependency `json:"dependencies"`
	}
	metadata struct {
		Tools     tools     `json:"tools"`
		Component component `json:"component"`
	}
	tools struct {
		Components []component `json:"components"`
	}
	component struct {
		Type       string     `json:"type"`
		BOMRef     string     `json:"bom-ref,omitempty"`
		Name       string     `json:"name"`
		Version    string     `json:"version,omitempty"`
		Hashes     []hash     `json:"hashes,omitempty"`
		PURL       string     `json:"purl,omitempty"`
		Properties []property `json:"properties,omitempty"`
	}
	hash struct {
		Alg     string `json:"alg"`
		Content string `json:"content"`
	}
	property struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	}
	dependency struct {
		Ref       string   `json:"ref"`
		DependsOn []string `json:"dependsOn"`
	}
)

// Property names. The cdx:gomod ones are those of CycloneDX's property
// taxonomy (as cyclonedx-gomod writes them); the go: ones are this
// package's own.
const (
	propEnv        = "cdx:gomod:build:env:" // GOOS, GOARCH, CGO_ENABLED, GOVERSION
	propTag        = "cdx:gomod:build:tag"
	propSetting    = "go:build:setting:" // any other build setting: -ldflags, vcs.revision, GOAMD64...
	propReplaces   = "go:module:replaces"
	propReplacedBy = "go:module:replacedBy"
	propPath       = "go:package:path" // the main package's import path
)

// build turns build info into a CycloneDX document: the main module as
// metadata.component with the build settings as properties, each module
// linked in (after replacement) as a library with its go.sum hash, the
// Go toolchain as the library "std", and a flat dependency list (Go
// records no edges between modules in a binary).
func build(bi *debug.BuildInfo) ([]byte, error) {
	main := moduleComponent("application", bi.Main)
	if main.Name == "" {
		main.Name = bi.Path
	}
	if main.BOMRef == "" {
		main.BOMRef = "main"
	}
	if bi.Path != "" {
		main.Properties = append(main.Properties, property{propPath, bi.Path})
	}
	goVersion, _, _ := strings.Cut(bi.GoVersion, " ")
	if goVersion != "" {
		main.Properties = append(main.Properties, property{propEnv + "GOVERSION", goVersion})
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "GOOS", "GOARCH", "CGO_ENABLED":
			main.Properties = append(main.Properties, property{propEnv + s.Key, s.Value})
		case "-tags":
			for tag := range strings.SplitSeq(s.Value, ",") {
				if tag != "" {
					main.Properties = append(main.Properties, property{propTag, tag})
				}
			}
		default:
			main.Properties = append(main.Properties, property{propSetting + s.Key, s.Value})
		}
	}

	doc := bom{
		BOMFormat:   "CycloneDX",
		SpecVersion: SpecVersion,
		Version:     1,
		Metadata: metadata{
			Tools:     tools{Components: []component{{Type: "library", Name: toolName, Version: toolVersion(bi)}}},
			Component: main,
		},
		Components: []component{},
	}
	refs := map[string]bool{main.BOMRef: true}
	unique := func(c *component) {
		ref := c.BOMRef
		for i := 2; refs[c.BOMRef]; i++ {
			c.BOMRef = fmt.Sprintf("%s#%d", ref, i)
		}
		refs[c.BOMRef] = true
	}
	if goVersion != "" {
		std := component{Type: "library", Name: "std", Version: goVersion, PURL: purl("std", goVersion)}
		std.BOMRef = std.PURL
		unique(&std)
		doc.Components = append(doc.Components, std)
	}
	for _, dep := range bi.Deps {
		if dep == nil {
			continue
		}
		c := moduleComponent("library", *dep)
		unique(&c)
		doc.Components = append(doc.Components, c)
	}
	deps := make([]string, len(doc.Components))
	for i, c := range doc.Components {
		deps[i] = c.BOMRef
	}
	doc.Dependencies = []dependency{{Ref: main.BOMRef, DependsOn: deps}}

	body, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	// The serial number is a name-based UUID of the content: the same
	// binary always serves the same document.
	sum := sha256.Sum256(body)
	sum[6] = sum[6]&0x0f | 0x50 // version 5 layout, SHA-256 instead of SHA-1
	sum[8] = sum[8]&0x3f | 0x80 // RFC 4122 variant
	h := hex.EncodeToString(sum[:16])
	doc.SerialNumber = "urn:uuid:" + h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
	return json.MarshalIndent(doc, "", "  ")
}

// moduleComponent describes a module as it is linked: a replacement by
// another module is described as that module, with the one it replaces
// as a property; a replacement by a directory keeps the original path,
// without version or hash, and names the directory.
func moduleComponent(typ string, m debug.Module) component {
	c := component{Type: typ}
	switch r := m.Replace; {
	case r != nil && r.Version == "":
		c.Name = m.Path
		c.PURL = purl(m.Path, "")
		c.Properties = []property{{propReplacedBy, r.Path}}
	case r != nil:
		c.Name, c.Version = r.Path, r.Version
		c.PURL = purl(r.Path, r.Version)
		c.Hashes = h1Hash(r.Sum)
		c.Properties = []property{{propReplaces, m.Path + "@" + m.Version}}
	default:
		c.Name = m.Path
		if m.Version != "(devel)" {
			c.Version = m.Version
		}
		c.PURL = purl(m.Path, c.Version)
		c.Hashes = h1Hash(m.Sum)
	}
	if c.Name == "" {
		c.PURL = ""
	}
	c.BOMRef = c.PURL
	return c
}

// h1Hash turns a go.sum hash "h1:<base64>" (SHA-256 of the module's file
// list and file hashes, the dirhash Go checks modules with) into a
// CycloneDX SHA-256 hash; anything else, or nothing, gives none.
func h1Hash(sum string) []hash {
	b64, ok := strings.CutPrefix(sum, "h1:")
	if !ok {
		return nil
	}
	b, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(b) != sha256.Size {
		return nil
	}
	return []hash{{Alg: "SHA-256", Content: hex.EncodeToString(b)}}
}

// purl is the package URL of a Go module: pkg:golang/<path>@<version>,
// each path segment and the version percent-encoded; without a version
// when it is "".
func purl(path, version string) string {
	var b strings.Builder
	b.WriteString("pkg:golang/")
	for i, seg := range strings.Split(path, "/") {
		if i > 0 {
			b.WriteByte('/')
		}
		b.WriteString(escape(seg))
	}
	if version != "" {
		b.WriteByte('@')
		b.WriteString(escape(version))
	}
	return b.String()
}

// escape percent-encodes all but the characters a package URL leaves as
// they are in a segment.
func escape(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '-' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

// toolVersion is the version of this module in the build, "" when it is
// the main module or unknown.
func toolVersion(bi *debug.BuildInfo) string {
	const mod = "github.com/actuatorgo/actuator"
	for _, d := range bi.Deps {
		if d != nil && d.Path == mod {
			if d.Replace != nil && d.Replace.Version != "" {
				return d.Replace.Version
			}
			return d.Version
		}
	}
	if bi.Main.Path == mod && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return ""
}
