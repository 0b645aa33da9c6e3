package demo

import (
	"fmt"
	"os"

	"github.com/actuatorgo/actuator"
	"github.com/actuatorgo/actuator/sba"
)

// SpringBootAdmin returns the option that registers the demo with the
// Spring Boot Admin server named by SPRING_BOOT_ADMIN_CLIENT_URL, with
// SPRING_BOOT_ADMIN_CLIENT_USERNAME and _PASSWORD for a secured one and
// the other variables sba.FromEnv reads; none when the variable is unset.
// A malformed value ends the program with an error naming the variable.
func SpringBootAdmin() []actuator.Option {
	adminURL, opts, err := sba.FromEnv(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(2)
	}
	if adminURL == "" {
		return nil
	}
	return []actuator.Option{actuator.WithSpringBootAdmin(adminURL, opts...)}
}
