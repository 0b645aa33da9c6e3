package health

import "syscall"

// blockSize is the unit of Statfs_t's block counts: on Linux the fragment
// size f_frsize, as statvfs(3) and df use it (f_bsize is only the preferred
// I/O size, and differs on some file systems, FUSE ones for example); older
// kernels leave f_frsize zero.
func blockSize(st *syscall.Statfs_t) uint64 {
	if st.Frsize > 0 {
		return uint64(st.Frsize)
	}
	return uint64(st.Bsize)
}
