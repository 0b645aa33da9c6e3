package info

import (
	"bytes"
	"encoding/json"
	"path"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
)

// abbrevLen is the length of an abbreviated commit id, as git and Spring
// Boot show it.
const abbrevLen = 7

// devel is the version Go records when it knows none (go run, go test,
// builds without VCS data before Go 1.24).
const devel = "(devel)"

// buildSection: name, version, time, module and the CI stamps.
func buildSection(env *environment) map[string]any {
	s := env.stamps
	m := map[string]any{}
	put(m, "name", s.BuildName)
	put(m, "version", s.Version)
	put(m, "time", normTime(s.BuildTime))
	put(m, "number", s.BuildNumber)
	put(m, "url", s.BuildURL)
	put(m, "user", s.BuildUser)
	if bi := env.build; bi != nil {
		if _, ok := m["name"]; !ok && bi.Path != "" && bi.Path != "command-line-arguments" {
			put(m, "name", path.Base(bi.Path))
		}
		if _, ok := m["version"]; !ok && bi.Main.Version != devel {
			put(m, "version", bi.Main.Version)
		}
		put(m, "module", bi.Main.Path)
	}
	return m
}

// vcsFacts are the git facts after the stamps were applied.
type vcsFacts struct {
	system, commit, time, tag string
	dirty                     *bool
}

func resolveVCS(env *environment) vcsFacts {
	set := map[string]string{}
	var mainVersion string
	if bi := env.build; bi != nil {
		for _, kv := range bi.Settings {
			set[kv.Key] = kv.Value
		}
		mainVersion = bi.Main.Version
	}
	f := vcsFacts{system: set["vcs"], commit: set["vcs.revision"], time: normTime(set["vcs.time"])}
	if b, err := strconv.ParseBool(set["vcs.modified"]); err == nil {
		f.dirty = &b
	}
	if f.commit != "" {
		f.tag = releaseTag(mainVersion)
	}
	s := env.stamps
	if c := strings.TrimSpace(s.Commit); c != "" {
		switch {
		case f.commit != "" && strings.HasPrefix(strings.ToLower(f.commit), strings.ToLower(c)):
			// The stamp abbreviates the recorded revision: keep the full one.
		default:
			if f.commit != "" && !strings.HasPrefix(strings.ToLower(c), strings.ToLower(f.commit)) {
				// Another commit than the one Go recorded: its time,
				// dirty flag and tag do not describe the stamp.
				f.time, f.dirty, f.tag, f.system = "", nil, "", ""
			}
			f.commit = c
		}
	}
	if t := normTime(s.CommitTime); t != "" {
		f.time = t
	}
	if b, err := strconv.ParseBool(strings.TrimSpace(s.Dirty)); err == nil {
		f.dirty = &b
	}
	return f
}

// gitSection follows Spring Boot's GitInfoContributor: in simple mode
// {"branch","commit":{"id":<abbrev>,"time"}}; in full mode the id becomes
// {"full","abbrev"} and dirty, tags and vcs join.
func gitSection(env *environment, mode GitMode) map[string]any {
	f := resolveVCS(env)
	m := map[string]any{}
	put(m, "branch", env.stamps.Branch)
	commit := map[string]any{}
	put(commit, "time", f.time)
	if f.commit != "" {
		if mode == GitFull {
			commit["id"] = map[string]any{"full": f.commit, "abbrev": abbrev(f.commit)}
		} else {
			commit["id"] = abbrev(f.commit)
		}
	}
	if len(commit) > 0 {
		m["commit"] = commit
	}
	if mode == GitFull {
		if f.dirty != nil {
			m["dirty"] = *f.dirty
		}
		put(m, "tags", f.tag)
		put(m, "vcs", f.system)
	}
	return m
}

func abbrev(id string) string {
	if len(id) > abbrevLen {
		return id[:abbrevLen]
	}
	return id
}

// pseudoVersion matches the tail of a Go pseudo-version
// (v0.0.0-20231010120000-abcdefabcdef, v1.2.4-0.20231010120000-abcdefabcdef).
var pseudoVersion = regexp.MustCompile(`(^|[-.])\d{14}-[0-9a-f]{12}$`)

// releaseTag returns the tag a Go 1.24+ main module version was derived
// from, or "" when the version is a pseudo-version (the commit carries no
// tag) or not from VCS at all.
func releaseTag(v string) string {
	v, _, _ = strings.Cut(v, "+") // +dirty, +incompatible
	if v == "" || v == devel || !strings.HasPrefix(v, "v") {
		return ""
	}
	if pseudoVersion.MatchString(v) {
		return ""
	}
	return v
}

// safeSettings are the build settings the go section may show in full
// mode. Flags that can carry secrets or paths (-ldflags, -gcflags,
// CGO_CFLAGS...) are left out on purpose.
var safeSettings = map[string]bool{
	"-buildmode": true, "-compiler": true, "-race": true, "-msan": true, "-asan": true,
	"-tags": true, "-trimpath": true, "CGO_ENABLED": true, "GOOS": true, "GOARCH": true,
	"GOAMD64": true, "GOARM": true, "GOARM64": true, "GO386": true, "GOMIPS": true,
	"GOMIPS64": true, "GOPPC64": true, "GORISCV64": true, "GOWASM": true,
	"GOEXPERIMENT": true, "GOFIPS140": true, "DefaultGODEBUG": true,
}

func goSection(env *environment, mode GitMode) map[string]any {
	m := map[string]any{}
	put(m, "version", env.goVersion)
	put(m, "os", env.goos)
	put(m, "arch", env.goarch)
	put(m, "compiler", env.compiler)
	if mode == GitFull && env.build != nil {
		settings := map[string]string{}
		for _, kv := range env.build.Settings {
			if safeSettings[kv.Key] && kv.Value != "" {
				settings[kv.Key] = kv.Value
			}
		}
		if len(settings) > 0 {
			m["settings"] = settings
		}
	}
	return m
}

func processSection(env *environment, process, hostname bool) map[string]any {
	m := map[string]any{}
	if process {
		m["pid"] = env.pid
		m["parentPid"] = env.ppid
		m["cpus"] = env.numCPU
		if !env.start.IsZero() {
			m["startTime"] = env.start.UTC().Format(time.RFC3339)
		}
	}
	if hostname && env.hostname != nil {
		if h, err := env.hostname(); err == nil {
			put(m, "hostname", h)
		}
	}
	return m
}

// dependencies lists the modules linked into the binary.
func dependencies(env *environment) []any {
	if env.build == nil {
		return nil
	}
	var out []any
	for _, d := range env.build.Deps {
		if d == nil {
			continue
		}
		m := module(d)
		if d.Replace != nil {
			m["replace"] = module(d.Replace)
		}
		out = append(out, m)
	}
	return out
}

func module(d *debug.Module) map[string]any {
	m := map[string]any{}
	put(m, "path", d.Path)
	put(m, "version", d.Version)
	put(m, "sum", d.Sum)
	return m
}

// put sets m[k] = v, trimmed, unless that is empty: absent, never "".
func put(m map[string]any, k, v string) {
	if v = strings.TrimSpace(v); v != "" {
		m[k] = v
	}
}

// normTime serves RFC 3339 or Unix seconds as RFC 3339 in UTC; anything
// else as given.
func normTime(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC().Format(time.RFC3339)
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0).UTC().Format(time.RFC3339)
	}
	return s
}

// splitAround encodes m with a hole for the integer key dyn: the returned
// prefix ends with `"dyn":`, the suffix completes the object. m must not
// hold dyn.
func splitAround(m map[string]any, dyn string) (prefix, suffix []byte) {
	before, after := map[string]any{}, map[string]any{}
	for k, v := range m {
		if k < dyn {
			before[k] = v
		} else {
			after[k] = v
		}
	}
	enc := func(v map[string]any) []byte {
		b, err := json.Marshal(v)
		if err != nil {
			panic("info: " + err.Error()) // maps of strings always encode
		}
		return bytes.TrimSuffix(bytes.TrimPrefix(b, []byte("{")), []byte("}"))
	}
	b, a := enc(before), enc(after)
	key, _ := json.Marshal(dyn)
	prefix = append(append([]byte("{"), b...), ',')
	if len(b) == 0 {
		prefix = prefix[:1]
	}
	prefix = append(append(prefix, key...), ':')
	suffix = []byte("}")
	if len(a) > 0 {
		suffix = append(append([]byte(","), a...), '}')
	}
	return prefix, suffix
}
