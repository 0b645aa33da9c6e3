//go:build !linux && !darwin

package health

import "errors"

var errDiskUnsupported = errors.New("disk space check unsupported on this system")

func diskUsage(string) (total, free uint64, err error) {
	return 0, 0, errDiskUnsupported
}
