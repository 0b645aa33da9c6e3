package metrics

import (
	"io"
	"log/slog"
	"runtime/metrics"
)

func slogTo(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, nil))
}

// histogram builds a runtime/metrics histogram for summarise.
type histogram metrics.Float64Histogram

func (h *histogram) get() *metrics.Float64Histogram { return (*metrics.Float64Histogram)(h) }
