package sba_test

import (
	"fmt"

	"github.com/actuatorgo/actuator/sba"
)

// URLsFor gives the URLs the SBA client would register for an application
// on port 8080 with the actuator under /actuator.
func ExampleURLsFor() {
	u := sba.URLsFor("http://orders.internal:8080", "", "/actuator")
	fmt.Println(u.Service)
	fmt.Println(u.Management)
	fmt.Println(u.Health)
	// Output:
	// http://orders.internal:8080/
	// http://orders.internal:8080/actuator
	// http://orders.internal:8080/actuator/health
}
