package metrics

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// clientGolangFamilies are the families client_golang's default registry
// serves through promhttp.Handler(), with their types and label names,
// taken from its source:
//   - prometheus/go_collector.go: newBaseGoCollector (go_goroutines,
//     go_threads, go_gc_duration_seconds, go_memstats_last_gc_time_seconds,
//     go_info{version}) and goRuntimeMemStats (the go_memstats_* list);
//   - prometheus/internal/go_collector_options.go:
//     GoCollectorDefaultRuntimeMetrics (/gc/gogc:percent,
//     /gc/gomemlimit:bytes, /sched/gomaxprocs:threads, named by
//     go_collector_latest.go);
//   - prometheus/process_collector.go: NewProcessCollector;
//   - prometheus/promhttp/http.go: InstrumentMetricHandler.
var clientGolangFamilies = map[string]string{
	"go_gc_duration_seconds":           "summary quantile",
	"go_goroutines":                    "gauge",
	"go_threads":                       "gauge",
	"go_info":                          "gauge version",
	"go_memstats_last_gc_time_seconds": "gauge",
	"go_memstats_alloc_bytes":          "gauge",
	"go_memstats_alloc_bytes_total":    "counter",
	"go_memstats_sys_bytes":            "gauge",
	"go_memstats_mallocs_total":        "counter",
	"go_memstats_frees_total":          "counter",
	"go_memstats_heap_alloc_bytes":     "gauge",
	"go_memstats_heap_sys_bytes":       "gauge",
	"go_memstats_heap_idle_bytes":      "gauge",
	"go_memstats_heap_inuse_bytes":     "gauge",
	"go_memstats_heap_released_bytes":  "gauge",
	"go_memstats_heap_objects":         "gauge",
	"go_memstats_stack_inuse_bytes":    "gauge",
	"go_memstats_stack_sys_bytes":      "gauge",
	"go_memstats_mspan_inuse_bytes":    "gauge",
	"go_memstats_mspan_sys_bytes":      "gauge",
	"go_memstats_mcache_inuse_bytes":   "gauge",
	"go_memstats_mcache_sys_bytes":     "gauge",
	"go_memstats_buck_hash_sys_bytes":  "gauge",
	"go_memstats_gc_sys_bytes":         "gauge",
	"go_memstats_other_sys_bytes":      "gauge",
	"go_memstats_next_gc_bytes":        "gauge",
	"go_gc_gogc_percent":               "gauge",
	"go_gc_gomemlimit_bytes":           "gauge",
	"go_sched_gomaxprocs_threads":      "gauge",

	"process_cpu_seconds_total":            "counter",
	"process_open_fds":                     "gauge",
	"process_max_fds":                      "gauge",
	"process_virtual_memory_bytes":         "gauge",
	"process_virtual_memory_max_bytes":     "gauge",
	"process_resident_memory_bytes":        "gauge",
	"process_start_time_seconds":           "gauge",
	"process_network_receive_bytes_total":  "counter",
	"process_network_transmit_bytes_total": "counter",

	"promhttp_metric_handler_requests_total":     "counter code",
	"promhttp_metric_handler_requests_in_flight": "gauge",
}

// familySet parses a 0.0.4 exposition into "type label label..." by
// family, label names sorted and without le.
func familySet(t *testing.T, text string) map[string]string {
	t.Helper()
	types := map[string]string{}
	labels := map[string]map[string]bool{}
	family := ""
	for line := range strings.Lines(text) {
		line = strings.TrimSuffix(line, "\n")
		if rest, ok := strings.CutPrefix(line, "# TYPE "); ok {
			name, typ, _ := strings.Cut(rest, " ")
			types[name], family = typ, name
			labels[name] = map[string]bool{}
			continue
		}
		if strings.HasPrefix(line, "#") {
			continue
		}
		if _, ls, ok := strings.Cut(line, "{"); ok {
			ls, _, _ = strings.Cut(ls, "}")
			for _, kv := range strings.Split(ls, ",") {
				k, _, _ := strings.Cut(kv, "=")
				if k != "le" {
					labels[family][k] = true
				}
			}
		}
	}
	out := map[string]string{}
	for name, typ := range types {
		keys := make([]string, 0, len(labels[name]))
		for k := range labels[name] {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		out[name] = strings.Join(append([]string{typ}, keys...), " ")
	}
	return out
}

// TestClientGolangFamilies compares our Go, process and promhttp families
// with client_golang's: same names, types and label names, so the queries
// of Go dashboards (such as Grafana's "Go Metrics" and "Go Processes")
// find them. Before: go_memstats_last_gc_time_seconds,
// process_virtual_memory_max_bytes, process_network_*_bytes_total and the
// promhttp_* families were missing.
func TestClientGolangFamilies(t *testing.T) {
	r := New()
	r.ObserveRequest("GET", "/", 200, time.Millisecond)
	_, text := scrape(t, r, "", "")
	got := familySet(t, text)
	for name, want := range clientGolangFamilies {
		if g, ok := got[name]; !ok {
			t.Errorf("missing %s (%s)", name, want)
		} else if g != want {
			t.Errorf("%s: %q, want %q", name, g, want)
		}
	}
	// Our other families must not take a name from client_golang's
	// namespaces with another meaning.
	for name := range got {
		if _, ok := clientGolangFamilies[name]; ok {
			continue
		}
		switch name {
		case "go_gc_cycles_total", "process_threads", "process_uptime_seconds", "process_cpu_usage":
		default:
			if strings.HasPrefix(name, "go_") || strings.HasPrefix(name, "promhttp_") {
				t.Errorf("%s is not a client_golang family", name)
			}
		}
	}
}
