package metrics

import (
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

// The readable snapshot is encoded by hand: it is the body of every
// GET /metrics, and reflection would cost more than reading the runtime.
// TestSnapshotEncoding checks that the bytes equal encoding/json's.

type jsonWriter struct {
	b     []byte
	comma bool
}

func (w *jsonWriter) key(k string) {
	if w.comma {
		w.b = append(w.b, ',')
	}
	w.b = append(w.b, '"')
	w.b = append(w.b, k...) // keys are constants without escapes
	w.b = append(w.b, '"', ':')
	w.comma = true
}

func (w *jsonWriter) open(k string) {
	w.key(k)
	w.b = append(w.b, '{')
	w.comma = false
}

func (w *jsonWriter) close() {
	w.b = append(w.b, '}')
	w.comma = true
}

func (w *jsonWriter) uint(k string, v uint64) {
	w.key(k)
	w.b = strconv.AppendUint(w.b, v, 10)
}

func (w *jsonWriter) int(k string, v int64) {
	w.key(k)
	w.b = strconv.AppendInt(w.b, v, 10)
}

func (w *jsonWriter) optUint(k string, v *uint64) {
	if v != nil {
		w.uint(k, *v)
	}
}

func (w *jsonWriter) optInt(k string, v *int64) {
	if v != nil {
		w.int(k, *v)
	}
}

func (w *jsonWriter) float(k string, v float64) {
	w.key(k)
	w.b = appendJSONFloat(w.b, v)
}

func (w *jsonWriter) optFloat(k string, v *float64) {
	if v != nil {
		w.float(k, *v)
	}
}

func (w *jsonWriter) str(k, v string) {
	w.key(k)
	w.b = appendJSONString(w.b, v)
}

// appendJSONFloat formats v as encoding/json does; NaN and infinities,
// which JSON cannot hold, become 0.
func appendJSONFloat(b []byte, v float64) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return append(b, '0')
	}
	abs := math.Abs(v)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, v, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

const hexDigits = "0123456789abcdef"

// appendJSONString quotes s as encoding/json does, HTML-safe escapes
// included.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendJSON encodes s exactly as json.Marshal does.
func (s *Snapshot) appendJSON(b []byte) []byte {
	w := jsonWriter{b: append(b, '{')}
	w.key("names")
	if s.Names == nil {
		w.b = append(w.b, "null"...)
	} else {
		w.b = append(w.b, '[')
		for i, n := range s.Names {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.b = appendJSONString(w.b, n)
		}
		w.b = append(w.b, ']')
	}

	w.open("uptime")
	w.float("seconds", s.Uptime.Seconds)
	w.str("human", s.Uptime.Human)
	w.key("startTime")
	w.b = append(w.b, '"')
	w.b = s.Uptime.StartTime.AppendFormat(w.b, time.RFC3339Nano)
	w.b = append(w.b, '"')
	w.close()

	w.int("goroutines", s.Goroutines)
	w.optInt("threads", s.Threads)

	m := &s.Memory
	w.open("memory")
	w.uint("heapAllocBytes", m.HeapAllocBytes)
	w.uint("heapInUseBytes", m.HeapInUseBytes)
	w.uint("heapGoalBytes", m.HeapGoalBytes)
	w.uint("stackBytes", m.StackBytes)
	w.uint("runtimeTotalBytes", m.RuntimeTotalBytes)
	w.optUint("limitBytes", m.LimitBytes)
	w.optUint("residentBytes", m.ResidentBytes)
	w.optUint("virtualBytes", m.VirtualBytes)
	w.optUint("systemTotalBytes", m.SystemTotalBytes)
	w.optUint("systemAvailableBytes", m.SystemAvailableBytes)
	w.close()

	c := &s.CPU
	w.open("cpu")
	w.optFloat("usage", c.Usage)
	w.optFloat("seconds", c.Seconds)
	w.int("gomaxprocs", c.GOMAXPROCS)
	w.optInt("count", c.Count)
	if len(c.LoadAverage) > 0 {
		w.key("loadAverage")
		w.b = append(w.b, '[')
		for i, v := range c.LoadAverage {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.b = appendJSONFloat(w.b, v)
		}
		w.b = append(w.b, ']')
	}
	w.close()

	g := &s.GC
	w.open("gc")
	w.uint("cycles", g.Cycles)
	w.int("gogcPercent", g.GOGCPercent)
	w.uint("pauses", g.Pauses)
	w.float("pauseTotalSeconds", g.PauseTotalSeconds)
	w.float("pauseMaxSeconds", g.PauseMaxSeconds)
	w.close()

	if s.Files != nil {
		w.open("files")
		w.optInt("open", s.Files.Open)
		w.optInt("max", s.Files.Max)
		w.close()
	}
	return append(w.b, '}')
}
