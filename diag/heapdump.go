package diag

import (
	"bytes"
	"net/http"
	"runtime"
	"runtime/pprof"
	"strconv"
	"time"

	"github.com/actuatorgo/actuator/internal/httpx"
)

// MediaTypeOctetStream is the type of a heap dump and of binary profiles.
const MediaTypeOctetStream = "application/octet-stream"

// HeapDump serves a heap profile in pprof's format, the Go counterpart of
// Spring Boot's heapdump endpoint. Build it with [NewHeapDump]; it is safe
// for concurrent use and writes one dump at a time (409 while one is
// being written).
type HeapDump struct {
	sem chan struct{}
}

// NewHeapDump returns a heap dump. It reads no option today; the
// parameter keeps the constructors alike. It panics on a nil option.
func NewHeapDump(opts ...Option) *HeapDump {
	newConfig("NewHeapDump", opts)
	return &HeapDump{sem: make(chan struct{}, 1)}
}

// Handler returns the handler of the heap dump. It works on its own at
// any path of any [http.ServeMux]:
//
//	mux.Handle("GET /heapdump", d.Handler())
//
// GET (and HEAD) answer the heap profile as pprof.Lookup("heap") writes it
// (gzipped protocol buffers, as application/octet-stream, with a
// Content-Disposition file name "heapdump-<unix seconds>.pb.gz"), which
// go tool pprof reads. The samples are those of the last completed
// garbage collection; ?gc=true runs one first, so the profile shows the
// live heap as of now. A gc value strconv.ParseBool does not read, or
// more than one, gets 400; other methods 405; paths below the endpoint
// 404; a request while another dump is being written 409.
func (d *HeapDump) Handler() http.Handler { return httpx.RawHandler(heapDumpHandler{d}.ServeEndpoint) }

type heapDumpHandler struct{ d *HeapDump }

var _ httpx.Endpoint = heapDumpHandler{}

// ServeEndpoint serves the dump; sub must be "". contentType is ignored
// (errors are application/json): the root should wire the endpoint as
// one that writes its own type.
func (h heapDumpHandler) ServeEndpoint(w http.ResponseWriter, r *http.Request, sub, _ string) {
	ct := httpx.MediaTypeJSON
	if sub != "" {
		httpx.NotFoundAs(w, r, ct)
		return
	}
	gc, ok := boolParam(r, "gc")
	if !ok {
		httpx.WriteErrorAs(w, r, http.StatusBadRequest, ct, "gc must be one true or false")
		return
	}
	if r.Method == http.MethodHead {
		// Headers only, without the work: the length is not known.
		httpx.SetSecurityHeaders(w.Header())
		w.Header().Set("Content-Type", MediaTypeOctetStream)
		w.WriteHeader(http.StatusOK)
		return
	}
	select {
	case h.d.sem <- struct{}{}:
	default:
		httpx.WriteErrorAs(w, r, http.StatusConflict, ct, "a heap dump is being written; try again when it is done")
		return
	}
	defer func() { <-h.d.sem }()
	if gc {
		runtime.GC()
	}
	var b bytes.Buffer
	if err := pprof.Lookup("heap").WriteTo(&b, 0); err != nil {
		httpx.WriteErrorAs(w, r, http.StatusInternalServerError, ct, "heap profile: "+err.Error())
		return
	}
	w.Header().Set("Content-Disposition", `attachment; filename="heapdump-`+strconv.FormatInt(time.Now().Unix(), 10)+`.pb.gz"`)
	httpx.WriteBody(w, r, http.StatusOK, MediaTypeOctetStream, b.Bytes())
}

// boolParam reads an optional boolean query parameter: false when absent,
// not ok when repeated or not a strconv.ParseBool value.
func boolParam(r *http.Request, name string) (bool, bool) {
	vs, present := r.URL.Query()[name]
	if !present {
		return false, true
	}
	if len(vs) != 1 {
		return false, false
	}
	v, err := strconv.ParseBool(vs[0])
	return v, err == nil
}
