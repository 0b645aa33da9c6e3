// Package httpx holds the HTTP and JSON helpers shared by the actuator's
// packages: content negotiation, JSON bodies and strings, JSON errors in
// Spring Boot Actuator's shape, the one pool of response buffers, and
// [Endpoint], what the root's router asks of a built-in handler. Nothing
// travels in request context values: a handler gets what the router
// settled as arguments, or settles it itself when it stands alone.
package httpx

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Media types the actuator answers with.
const (
	// MediaTypeV3 is Spring Boot Actuator's v3 media type, served when the
	// client accepts it, sends no Accept header or accepts anything.
	MediaTypeV3 = "application/vnd.spring-boot.actuator.v3+json"
	// MediaTypeJSON is served when the client asks for plain JSON.
	MediaTypeJSON = "application/json"
)

// Header values shared by every response. net/http only reads them, and an
// Add by a wrapping middleware appends to a full slice, which copies it, so
// sharing them saves an allocation per header and response.
var (
	valNoSniff = []string{"nosniff"}
	valNoStore = []string{"no-store"}
	valV3      = []string{MediaTypeV3}
	valJSON    = []string{MediaTypeJSON}
)

// SetSecurityHeaders sets the headers every actuator response carries.
func SetSecurityHeaders(h http.Header) {
	h["X-Content-Type-Options"] = valNoSniff
	h["Cache-Control"] = valNoStore
}

// setContentType sets Content-Type, without allocating for the actuator's
// own two media types.
func setContentType(h http.Header, contentType string) {
	switch contentType {
	case MediaTypeV3:
		h["Content-Type"] = valV3
	case MediaTypeJSON:
		h["Content-Type"] = valJSON
	default:
		h.Set("Content-Type", contentType)
	}
}

// WriteJSONAs encodes v and writes it with status and contentType, the
// type the handler negotiated. The body is encoded before anything is
// written, so an encoding error still gets a clean 500. HEAD requests get
// the headers without the body.
func WriteJSONAs(w http.ResponseWriter, r *http.Request, status int, contentType string, v any) {
	// Encoded into a pooled buffer: json.Marshal would copy the body into
	// a new slice of its own on every request.
	buf := GetBuffer()
	defer PutBuffer(buf)
	out := bytes.NewBuffer(*buf)
	if err := json.NewEncoder(out).Encode(v); err != nil {
		WriteErrorAs(w, r, http.StatusInternalServerError, contentType, "cannot encode response: "+err.Error())
		return
	}
	*buf = out.Bytes()
	WriteBody(w, r, status, contentType, bytes.TrimSuffix(*buf, []byte("\n")))
}

// autoLength is the longest body to which net/http adds Content-Length by
// itself: a handler that writes less than its 2 KiB chunking buffer and
// returns gets the header computed from what it wrote.
const autoLength = 2048 - 1

// WriteBody writes a pre-encoded body with status and contentType.
//
// Content-Length is declared only where net/http would not compute it: for
// HEAD, which writes no body but tells the GET's length, and for bodies it
// would otherwise send chunked. The small bodies that probes fetch many
// times a second get the same header from net/http, without a string and
// a slice allocated for it on every request.
func WriteBody(w http.ResponseWriter, r *http.Request, status int, contentType string, body []byte) {
	h := w.Header()
	SetSecurityHeaders(h)
	setContentType(h, contentType)
	if r.Method == http.MethodHead || len(body) > autoLength {
		h["Content-Length"] = []string{strconv.Itoa(len(body))} // canonical already
	}
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// ErrorBody is the JSON shape of every error response, as Spring Boot
// writes it.
type ErrorBody struct {
	Timestamp string `json:"timestamp"`
	Status    int    `json:"status"`
	Error     string `json:"error"`
	Message   string `json:"message"`
	Path      string `json:"path"`
}

// maxPathInError bounds the path echoed in an error body, so a hostile
// path of megabytes is not sent back whole.
const maxPathInError = 256

// WriteError writes an error body for status as application/json, the
// type of an error answered before any content type was negotiated.
func WriteError(w http.ResponseWriter, r *http.Request, status int, message string) {
	WriteErrorAs(w, r, status, MediaTypeJSON, message)
}

// WriteErrorAs is WriteError with the content type given: a handler that
// negotiated it itself passes it here.
func WriteErrorAs(w http.ResponseWriter, r *http.Request, status int, contentType, message string) {
	path := r.URL.Path
	if len(path) > maxPathInError {
		path = path[:maxPathInError] + "..."
	}
	body, _ := json.Marshal(ErrorBody{
		Timestamp: time.Now().UTC().Format(time.RFC3339Nano),
		Status:    status,
		Error:     http.StatusText(status),
		Message:   message,
		Path:      path,
	})
	SkipBody(w, r) // an error answer never needs the body
	WriteBody(w, r, status, contentType, body)
}

// maxMethodInError bounds the method echoed in a 405's message: a method
// of megabytes is not copied into the body.
const maxMethodInError = 32

var valClose = []string{"close"}

// CloseConnection asks net/http to close the connection after the
// response. Set before the response is written, it also keeps net/http
// from reading what is left of the request body before it answers (up to
// 256 KiB, which a client that declared a body and sends none never
// delivers).
func CloseConnection(w http.ResponseWriter) {
	w.Header()["Connection"] = valClose
}

// UnreadBodyGrace is how long StopReading lets a client go on sending the
// body it declared. A body that arrives in time is read to its end, so the
// connection closes cleanly rather than with a reset that could destroy
// the answer before the client reads it; a body that never comes holds
// the connection no longer than this.
const UnreadBodyGrace = 250 * time.Millisecond

// StopReading ends reading from the request's connection after
// UnreadBodyGrace, so that net/http, which looks for the end of an unread
// body after the handler returns, gives up then and closes the connection
// instead of waiting for the client. Use it with CloseConnection, once the
// body is not wanted.
func StopReading(w http.ResponseWriter) {
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(UnreadBodyGrace))
}

// DeclaresBody reports whether r is an HTTP/1 request that declared a
// body (a Content-Length or chunked), which net/http reads on its own
// when the handler leaves it unread. HTTP/2 streams need no such care.
func DeclaresBody(r *http.Request) bool {
	return r.ContentLength != 0 && r.ProtoMajor < 2
}

// SkipBody answers a request that declared a body without reading it: the
// connection closes after the response, and nothing more is read from it.
// A request without a body keeps its connection.
func SkipBody(w http.ResponseWriter, r *http.Request) {
	if DeclaresBody(r) {
		CloseConnection(w)
		StopReading(w)
	}
}

// MethodNotAllowed writes a 405 with an Allow header listing allowed.
func MethodNotAllowed(w http.ResponseWriter, r *http.Request, allowed string) {
	w.Header().Set("Allow", allowed)
	method := r.Method
	if len(method) > maxMethodInError {
		method = method[:maxMethodInError] + "..."
	}
	WriteError(w, r, http.StatusMethodNotAllowed, "method "+method+" is not allowed; allowed: "+allowed)
}

// NotFound writes the actuator's 404.
func NotFound(w http.ResponseWriter, r *http.Request) {
	WriteError(w, r, http.StatusNotFound, notFoundMessage)
}

// NotFoundAs is NotFound with the content type given.
func NotFoundAs(w http.ResponseWriter, r *http.Request, contentType string) {
	WriteErrorAs(w, r, http.StatusNotFound, contentType, notFoundMessage)
}

const notFoundMessage = "no endpoint at this path"

// bufPool recycles response bodies for every package of the module;
// WriteBody copies a body into the connection before it returns, so a
// buffer is free again right after.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// maxPooled is the largest buffer PutBuffer keeps: the largest body
// served regularly, a Prometheus scrape at the default cap of 1,000
// request series (about 0.6 MiB), fits; a rarer, larger one is left to the
// garbage collector rather than pinned in the pool.
const maxPooled = 1 << 20

// GetBuffer returns an empty buffer from the pool; give it back with
// PutBuffer once the body has been written.
func GetBuffer() *[]byte {
	b := bufPool.Get().(*[]byte)
	*b = (*b)[:0]
	return b
}

// PutBuffer returns b to the pool, unless it grew past maxPooled.
// Store the grown slice in *b first, so the pool keeps its capacity.
func PutBuffer(b *[]byte) {
	if cap(*b) <= maxPooled {
		bufPool.Put(b)
	}
}

// AppendJSONString appends s to b as a JSON string, byte for byte as
// encoding/json writes it (HTML characters escaped). A string that needs no
// escaping, the common case, is copied as it is; any other goes through
// encoding/json.
func AppendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' || c >= 0x80 {
			enc, err := json.Marshal(s)
			if err != nil { // cannot happen for a string
				return append(b, `""`...)
			}
			return append(b, enc...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
