package httpx

import (
	"net/http"
	"strings"
)

// Negotiate picks the response type from r's Accept field lines: Spring's
// v3 type when it is acceptable (or nothing was asked), plain JSON when only
// that is, and false when neither is. Several lines count as one
// comma-separated list, as RFC 9110 section 5.3 says.
func Negotiate(r *http.Request) (string, bool) {
	return negotiate(r.Header.Values("Accept"))
}

// negotiate is Negotiate over the field lines. It scans them where they are
// and allocates nothing, so a header of a megabyte costs a pass over it.
func negotiate(lines []string) (string, bool) {
	switch len(lines) {
	case 0:
		return MediaTypeV3, true
	case 1:
		switch lines[0] {
		case "", "*/*", MediaTypeV3:
			return MediaTypeV3, true
		case MediaTypeJSON:
			return MediaTypeJSON, true
		}
	}
	// Each type takes the weight of the most specific range that matches
	// it, as RFC 9110 section 12.5.1 says.
	var qV3, qJSON float64
	var sV3, sJSON int
	for _, line := range lines {
		for more := true; more; {
			var part string
			part, line, more = strings.Cut(line, ",")
			mt, q := parseRange(part)
			if s := specificity(mt, MediaTypeV3); s > sV3 {
				qV3, sV3 = q, s
			}
			if s := specificity(mt, MediaTypeJSON); s > sJSON {
				qJSON, sJSON = q, s
			}
		}
	}
	switch {
	case qV3 > 0 && qV3 >= qJSON:
		return MediaTypeV3, true
	case qJSON > 0:
		return MediaTypeJSON, true
	}
	return "", false
}

// parseRange parses one media range of an Accept header into its type, as
// sent, and its q weight (1 when absent, 0 when malformed).
func parseRange(part string) (string, float64) {
	mt, params, more := strings.Cut(part, ";")
	q := 1.0
	for more {
		var p string
		p, params, more = strings.Cut(params, ";")
		k, v, ok := strings.Cut(p, "=")
		if ok && EqualFoldASCII(strings.TrimSpace(k), "q") {
			q = parseQ(strings.TrimSpace(v))
		}
	}
	return strings.TrimSpace(mt), q
}

// parseQ parses an RFC 9110 qvalue ("0", "0.5", "1.000"); anything else
// counts as 0, so a malformed weight never makes a type acceptable.
func parseQ(s string) float64 {
	if s == "" || len(s) > 5 {
		return 0
	}
	if s[0] == '1' {
		for _, c := range s[1:] {
			if c != '.' && c != '0' {
				return 0
			}
		}
		return 1
	}
	if s[0] != '0' {
		return 0
	}
	if len(s) == 1 {
		return 0
	}
	if s[1] != '.' {
		return 0
	}
	q, scale := 0.0, 0.1
	for _, c := range s[2:] {
		if c < '0' || c > '9' {
			return 0
		}
		q += float64(c-'0') * scale
		scale /= 10
	}
	return q
}

// specificity tells how closely the media range mt matches the type
// target, ignoring ASCII case: 3 exactly, 2 as "application/*", 1 as "*/*",
// 0 not at all.
func specificity(mt, target string) int {
	switch {
	case EqualFoldASCII(mt, target):
		return 3
	case EqualFoldASCII(mt, "application/*"):
		return 2
	case mt == "*/*":
		return 1
	}
	return 0
}

// EqualFoldASCII reports whether a and b are equal under ASCII case
// folding; unlike strings.EqualFold, no other letter folds onto an ASCII one.
func EqualFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// NotAcceptable answers 406 naming the types the actuator can send.
func NotAcceptable(w http.ResponseWriter, r *http.Request) {
	WriteError(w, r, http.StatusNotAcceptable, "acceptable types: "+MediaTypeV3+", "+MediaTypeJSON)
}

// OpenMetrics versions NegotiateOpenMetrics returns.
const (
	OpenMetricsV1 = "1.0.0"
	OpenMetricsV0 = "0.0.1"
)

// NegotiateOpenMetrics tells whether r's Accept prefers the OpenMetrics
// text format to the Prometheus text format 0.0.4, weighing the q values
// as a Prometheus server's scrape header asks
// ("application/openmetrics-text;version=1.0.0,...;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"),
// and returns the OpenMetrics version to answer ("" for the 0.0.4 text).
// Each format takes the weight of the most specific range that matches it;
// OpenMetrics wins only with a strictly higher weight, so no Accept, "*/*"
// and anything unrelated get the 0.0.4 text. It allocates nothing.
func NegotiateOpenMetrics(r *http.Request) string {
	return negotiateOpenMetrics(r.Header.Values("Accept"))
}

func negotiateOpenMetrics(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	var qText, qV1, qV0 float64
	var sText, sV1, sV0 int
	for _, line := range lines {
		for more := true; more; {
			var part string
			part, line, more = strings.Cut(line, ",")
			mt, version, q := parseRangeVersion(part)
			var s1, s0, st int
			switch {
			case EqualFoldASCII(mt, "application/openmetrics-text"):
				switch version {
				case "":
					s1, s0 = 3, 3
				case OpenMetricsV1:
					s1 = 4
				case OpenMetricsV0:
					s0 = 4
				}
			case EqualFoldASCII(mt, "text/plain"):
				if version == "" || version == "0.0.4" {
					st = 3
				}
			case EqualFoldASCII(mt, "application/*"):
				s1, s0 = 2, 2
			case EqualFoldASCII(mt, "text/*"):
				st = 2
			case mt == "*/*":
				s1, s0, st = 1, 1, 1
			}
			if s1 > sV1 {
				qV1, sV1 = q, s1
			}
			if s0 > sV0 {
				qV0, sV0 = q, s0
			}
			if st > sText {
				qText, sText = q, st
			}
		}
	}
	switch {
	case qV1 > qText && qV1 >= qV0:
		return OpenMetricsV1
	case qV0 > qText:
		return OpenMetricsV0
	}
	return ""
}

// parseRangeVersion is parseRange that also returns the version parameter.
func parseRangeVersion(part string) (mt, version string, q float64) {
	mt, params, more := strings.Cut(part, ";")
	q = 1.0
	for more {
		var p string
		p, params, more = strings.Cut(params, ";")
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch {
		case EqualFoldASCII(k, "q"):
			q = parseQ(v)
		case EqualFoldASCII(k, "version"):
			version = strings.Trim(v, `"`)
		}
	}
	return strings.TrimSpace(mt), version, q
}
