//go:build nogin

package actuator

// ginMounts is empty without gin: no gin adapter can be called.
type ginMounts struct{}
