package diag

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// response is what a test request got back.
type response struct {
	code   int
	body   []byte
	header http.Header
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body %q is not JSON: %v", r.body, err)
	}
	return m
}

// do sends a request to h mounted at /mnt/{path...}: target is the path
// below the mount, with its query ("" for the endpoint itself).
func do(h http.Handler, method, target string, header ...string) response {
	mux := http.NewServeMux()
	mux.Handle("/mnt", h)
	mux.Handle("/mnt/{path...}", h)
	u := "/mnt"
	if target != "" && target[0] != '?' {
		u += "/"
	}
	r := httptest.NewRequest(method, u+target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, r)
	return response{code: w.Code, body: w.Body.Bytes(), header: w.Header()}
}

// checkError checks a JSON error answer.
func checkError(t *testing.T, got response, code int) {
	t.Helper()
	if got.code != code {
		t.Fatalf("status = %d, want %d; body %s", got.code, code, got.body)
	}
	if ct := got.header.Get("Content-Type"); ct != "application/json" && ct != "application/vnd.spring-boot.actuator.v3+json" {
		t.Errorf("Content-Type = %q, want a JSON type", ct)
	}
	if m := got.json(t); m["status"] != float64(code) {
		t.Errorf("body status = %v, want %d", m["status"], code)
	}
}

// checkProfile checks that b is a gzipped protocol buffer message of
// pprof's Profile: the gzip stream decodes, every field is well formed,
// and sample_type (1) and string_table (6) are present. It returns the
// string table.
func checkProfile(t *testing.T, b []byte) []string {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("gzip: %v", err)
	}
	fields, strs, err := walkProto(raw)
	if err != nil {
		t.Fatalf("protobuf: %v", err)
	}
	if fields[1] == 0 || fields[6] == 0 {
		t.Fatalf("fields %v: want sample_type (1) and string_table (6)", fields)
	}
	return strs
}

// walkProto walks the top-level fields of a protocol buffer message,
// counting them by number, and collects field 6's strings.
func walkProto(b []byte) (map[uint64]int, []string, error) {
	fields := map[uint64]int{}
	var strs []string
	for len(b) > 0 {
		key, n := uvarint(b)
		if n <= 0 {
			return nil, nil, errors.New("bad key")
		}
		b = b[n:]
		num := key >> 3
		switch key & 7 {
		case 0:
			_, n = uvarint(b)
			if n <= 0 {
				return nil, nil, errors.New("bad varint")
			}
			b = b[n:]
		case 2:
			l, n := uvarint(b)
			if n <= 0 || uint64(len(b)-n) < l {
				return nil, nil, errors.New("bad length")
			}
			if num == 6 {
				strs = append(strs, string(b[n:n+int(l)]))
			}
			b = b[n+int(l):]
		case 1:
			if len(b) < 8 {
				return nil, nil, errors.New("short fixed64")
			}
			b = b[8:]
		case 5:
			if len(b) < 4 {
				return nil, nil, errors.New("short fixed32")
			}
			b = b[4:]
		default:
			return nil, nil, errors.New("bad wire type")
		}
		fields[num]++
	}
	return fields, strs, nil
}

func uvarint(b []byte) (uint64, int) {
	var x uint64
	for i, c := range b {
		if i == 10 {
			return 0, -1
		}
		x |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			return x, i + 1
		}
	}
	return 0, 0
}

func contains(strs []string, s string) bool {
	for _, x := range strs {
		if strings.Contains(x, s) {
			return true
		}
	}
	return false
}
