package metrics

import (
	"encoding/json"
	"math"
	"testing"
	"time"
)

func TestSnapshotEncoding(t *testing.T) {
	u, i, f := uint64(42), int64(-3), 0.25
	tiny, huge := 1.5e-9, 3e21
	live := New().Snapshot()
	tests := []struct {
		name string
		s    Snapshot
	}{
		{"zero", Snapshot{}},
		{"live", live},
		{"all fields", Snapshot{
			Names:      []string{"a", "b.c", `q"<&>\`, "\u2028", "bad\xff", "\x01\t\n\r"},
			Uptime:     UptimeSnapshot{Seconds: 1e-7, Human: "1d2h", StartTime: time.Date(2026, 1, 2, 3, 4, 5, 600, time.UTC)},
			Goroutines: 7,
			Threads:    &i,
			Memory: MemorySnapshot{HeapAllocBytes: math.MaxUint64, LimitBytes: &u, ResidentBytes: &u, VirtualBytes: &u,
				SystemTotalBytes: &u, SystemAvailableBytes: &u},
			CPU:   CPUSnapshot{Usage: &f, Seconds: &huge, GOMAXPROCS: 2, Count: &i, LoadAverage: []float64{0, 1.5, tiny}},
			GC:    GCSnapshot{Cycles: 1, GOGCPercent: -1, Pauses: 2, PauseTotalSeconds: 123456.789, PauseMaxSeconds: 1e-6},
			Files: &FilesSnapshot{Open: &i},
		}},
		{"empty names", Snapshot{Names: []string{}, Files: &FilesSnapshot{}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want, err := json.Marshal(tc.s)
			if err != nil {
				t.Fatal(err)
			}
			if got := tc.s.appendJSON(nil); string(got) != string(want) {
				t.Errorf("hand encoding differs\n got %s\nwant %s", got, want)
			}
		})
	}
}

func TestJSONFloat(t *testing.T) {
	for _, v := range []float64{0, 1, -1, 0.1, 1e-6, 9.99e-7, 1e-7, 1e20, 1e21, 1.5e300, -2.5e-10, 123456789.125} {
		want, _ := json.Marshal(v)
		if got := appendJSONFloat(nil, v); string(got) != string(want) {
			t.Errorf("%v: got %s, want %s", v, got, want)
		}
	}
	if got := string(appendJSONFloat(nil, math.NaN())); got != "0" {
		t.Errorf("NaN: %s", got)
	}
}
