package lifecycle

import (
	"testing"
	"time"
)

func TestDefaultShutdownDelay(t *testing.T) {
	for _, tc := range []struct {
		name string
		host string
		want time.Duration
	}{
		{"outside Kubernetes", "", DefaultShutdownDelay},
		{"in a Kubernetes pod", "10.96.0.1", DefaultKubernetesShutdownDelay},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("KUBERNETES_SERVICE_HOST", tc.host)
			if got := New().cfg.delay; got != tc.want {
				t.Errorf("delay = %s, want %s", got, tc.want)
			}
			if got := New(WithShutdownDelay(7 * time.Second)).cfg.delay; got != 7*time.Second {
				t.Errorf("WithShutdownDelay did not override the default: %s", got)
			}
			if got := New(WithoutShutdownDelay()).cfg.delay; got != 0 {
				t.Errorf("WithoutShutdownDelay: %s", got)
			}
		})
	}
}

// The defaults must fit Kubernetes' default grace period of 30 s.
func TestDefaultsFitTheGracePeriod(t *testing.T) {
	if got := DefaultKubernetesShutdownDelay + DefaultDrainTimeout + DefaultHookTimeout; got > DefaultShutdownTimeout {
		t.Errorf("delay + drain + one hook = %s > overall %s", got, DefaultShutdownTimeout)
	}
	if DefaultShutdownTimeout >= 30*time.Second {
		t.Errorf("overall deadline %s leaves no margin before the 30 s SIGKILL", DefaultShutdownTimeout)
	}
}
