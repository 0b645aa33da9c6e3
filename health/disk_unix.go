//go:build linux || darwin

package health

import (
	"errors"
	"syscall"
)

var errDiskUnsupported = errors.New("disk space check unsupported on this system")

func diskUsage(path string) (total, free uint64, err error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		return 0, 0, err
	}
	total, free = usage(&st)
	return total, free, nil
}

// usage converts block counts to bytes, in the unit the counts are in
// (see blockSize).
func usage(st *syscall.Statfs_t) (total, free uint64) {
	bs := blockSize(st)
	return uint64(st.Blocks) * bs, uint64(st.Bavail) * bs
}
