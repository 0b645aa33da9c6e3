// Package bench compares the cost of a metrics scrape of
// github.com/actuatorgo/actuator/metrics with runtime.ReadMemStats and with
// github.com/sinhashubham95/go-actuator v1.6.0's metrics handler. It is a
// separate module so that the actuator module never depends on go-actuator.
//
// Run from this directory:
//
//	go test -run '^$' -bench . -benchtime 20000x
package bench
