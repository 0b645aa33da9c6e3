package httpx

import (
	"encoding/json"
	"testing"
)

func TestAppendJSONStringIsEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", "http://h:8080/actuator", `q"<&>\`, "\u2028\u2029", "bad\xff", "\x01\t\n\r", "héllo"} {
		want, _ := json.Marshal(s)
		if got := AppendJSONString([]byte("x"), s); string(got) != "x"+string(want) {
			t.Errorf("AppendJSONString(%q) = %s, want x%s", s, got, want)
		}
	}
}

func TestAppendJSONStringCopiesPlainTextWithoutAllocating(t *testing.T) {
	b := make([]byte, 0, 64)
	if n := testing.AllocsPerRun(10, func() { b = AppendJSONString(b[:0], "http://example.com/actuator") }); n != 0 {
		t.Errorf("AppendJSONString allocates %v times for plain text, want 0", n)
	}
}
