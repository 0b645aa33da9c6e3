package health

import "syscall"

// blockSize is the unit of Statfs_t's block counts: on macOS f_bsize, the
// fundamental file system block size.
func blockSize(st *syscall.Statfs_t) uint64 { return uint64(st.Bsize) }
