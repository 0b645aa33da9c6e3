package health

// Report is a health answer: the aggregate status and, when shown, the
// components with their details. It marshals to Spring Boot Actuator v3's
// JSON shape; empty fields are omitted and map keys come out sorted.
type Report struct {
	Status     Status            `json:"status"`
	Details    map[string]any    `json:"details,omitempty"`
	Components map[string]Report `json:"components,omitempty"`
	Groups     []string          `json:"groups,omitempty"`
}
