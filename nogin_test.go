//go:build nogin

package actuator_test

import (
	"net/http"

	"github.com/actuatorgo/actuator"
)

// ginAppFor stands in for gin_adapter_test.go's when gin is left out: tests
// that run every adapter skip gin.
func ginAppFor(*actuator.Actuator) http.Handler { return nil }
