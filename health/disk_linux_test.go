package health

import (
	"syscall"
	"testing"
)

// TestDiskUsageUnit: Linux counts blocks in f_frsize units, which differ from
// f_bsize on some file systems (FUSE ones, for example).
func TestDiskUsageUnit(t *testing.T) {
	tests := []struct {
		st          syscall.Statfs_t
		total, free uint64
	}{
		{syscall.Statfs_t{Bsize: 4096, Frsize: 4096, Blocks: 100, Bavail: 10}, 409600, 40960},
		{syscall.Statfs_t{Bsize: 131072, Frsize: 4096, Blocks: 100, Bavail: 10}, 409600, 40960},
		{syscall.Statfs_t{Bsize: 4096, Frsize: 0, Blocks: 100, Bavail: 10}, 409600, 40960},
	}
	for _, tc := range tests {
		if total, free := usage(&tc.st); total != tc.total || free != tc.free {
			t.Errorf("usage(bsize %d, frsize %d) = %d, %d; want %d, %d", tc.st.Bsize, tc.st.Frsize, total, free, tc.total, tc.free)
		}
	}
}
