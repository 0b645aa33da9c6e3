package diag

import (
	"bytes"
	"path"
	"strconv"
	"strings"
)

// goroutine is one goroutine of runtime.Stack's text.
type goroutine struct {
	id          int64
	reason      string // "running", "chan receive", ...
	waitMinutes int64  // 0 when the runtime printed none
	locked      bool   // "locked to thread"
	frames      []frame
	elided      bool // the runtime elided frames, or maxFrames cut them
	createdBy   *frame
	createdIn   int64 // creator goroutine id, 0 when not printed
}

// frame is one function of a stack.
type frame struct {
	function string // "net/http.(*Server).Serve"
	file     string // full path
	line     int
}

// parseStacks parses runtime.Stack(buf, true)'s text: blocks separated by
// a blank line, each a header "goroutine N [reason, M minutes, locked to
// thread]:" and pairs of lines, a function then "\tfile:line +0x..".
// Lines it does not understand are skipped. At most maxFrames frames are
// kept per goroutine.
func parseStacks(text []byte, maxFrames int) []goroutine {
	var gs []goroutine
	for len(text) > 0 {
		var block []byte
		block, text, _ = bytes.Cut(text, []byte("\n\n"))
		if g, ok := parseGoroutine(block, maxFrames); ok {
			gs = append(gs, g)
		}
	}
	return gs
}

func parseGoroutine(block []byte, maxFrames int) (goroutine, bool) {
	var g goroutine
	header, rest, _ := bytes.Cut(block, []byte("\n"))
	h, ok := strings.CutPrefix(string(header), "goroutine ")
	if !ok {
		return g, false
	}
	idStr, h, ok := strings.Cut(h, " ")
	if !ok {
		return g, false
	}
	id, err := strconv.ParseInt(idStr, 10, 64)
	if err != nil {
		return g, false
	}
	g.id = id
	if i, j := strings.IndexByte(h, '['), strings.LastIndexByte(h, ']'); i >= 0 && j > i {
		for k, part := range strings.Split(h[i+1:j], ", ") {
			switch {
			case k == 0:
				g.reason = part
			case part == "locked to thread":
				g.locked = true
			case strings.HasSuffix(part, " minutes"):
				g.waitMinutes, _ = strconv.ParseInt(strings.TrimSuffix(part, " minutes"), 10, 64)
			}
		}
	}
	for len(rest) > 0 {
		var fn, loc []byte
		fn, rest, _ = bytes.Cut(rest, []byte("\n"))
		if len(fn) == 0 {
			continue
		}
		if bytes.HasPrefix(fn, []byte("...")) {
			g.elided = true
			continue
		}
		if len(rest) > 0 && rest[0] == '\t' {
			loc, rest, _ = bytes.Cut(rest, []byte("\n"))
		}
		f := frame{function: string(fn)}
		created := false
		if c, ok := strings.CutPrefix(f.function, "created by "); ok {
			created = true
			if c, in, ok := strings.Cut(c, " in goroutine "); ok {
				g.createdIn, _ = strconv.ParseInt(in, 10, 64)
				f.function = c
			} else {
				f.function = c
			}
		} else if i := strings.LastIndexByte(f.function, '('); i > 0 && strings.HasSuffix(f.function, ")") {
			f.function = f.function[:i]
		}
		f.file, f.line = parseLocation(loc)
		switch {
		case created:
			g.createdBy = &f
		case len(g.frames) < maxFrames:
			g.frames = append(g.frames, f)
		default:
			g.elided = true
		}
	}
	return g, true
}

// parseLocation parses "\t/path/file.go:123 +0x1d".
func parseLocation(loc []byte) (string, int) {
	s := strings.TrimPrefix(string(loc), "\t")
	if i := strings.LastIndex(s, " +0x"); i >= 0 {
		s = s[:i]
	}
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return s, 0
	}
	n, err := strconv.Atoi(s[i+1:])
	if err != nil {
		return s, 0
	}
	return s[:i], n
}

// threadState maps a goroutine's wait reason onto Java's Thread.State, so
// that tools written for Spring Boot (Spring Boot Admin) can colour it:
// running or about to run is RUNNABLE (a system call too, as Java reports
// a thread in native code), sleeping is TIMED_WAITING, waiting for a lock
// is BLOCKED, and every other wait (channels, select, I/O, conditions,
// wait groups, the garbage collector) is WAITING.
func threadState(reason string) string {
	switch reason {
	case "running", "runnable", "syscall", "":
		return "RUNNABLE"
	case "sleep":
		return "TIMED_WAITING"
	}
	if strings.HasPrefix(reason, "sync.Mutex.Lock") || strings.HasPrefix(reason, "sync.RWMutex.") ||
		strings.HasPrefix(reason, "semacquire") {
		return "BLOCKED"
	}
	return "WAITING"
}

// splitFunction splits a Go function name into the parts Java calls class
// and method: "net/http.(*Server).Serve" into "net/http.(*Server)" and
// "Serve", "main.main" into "main" and "main".
func splitFunction(fn string) (string, string) {
	dir, base := "", fn
	if i := strings.LastIndexByte(fn, '/'); i >= 0 {
		dir, base = fn[:i+1], fn[i+1:]
	}
	i := strings.LastIndexByte(base, '.')
	if i < 0 {
		return dir + base, base
	}
	return dir + base[:i], base[i+1:]
}

// jsonFrame is a frame in Spring Boot's StackTraceElement shape, with the
// Go names alongside.
type jsonFrame struct {
	ClassName    string `json:"className"`
	MethodName   string `json:"methodName"`
	FileName     string `json:"fileName"`
	LineNumber   int    `json:"lineNumber"`
	NativeMethod bool   `json:"nativeMethod"`
	Function     string `json:"function"`
	File         string `json:"file,omitempty"`
}

func toJSONFrame(f frame) jsonFrame {
	class, method := splitFunction(f.function)
	jf := jsonFrame{ClassName: class, MethodName: method, LineNumber: f.line, Function: f.function, File: f.file}
	if f.file != "" {
		jf.FileName = path.Base(f.file)
	}
	return jf
}
