package sba

import (
	"testing"
	"time"
)

func TestBackoffDoublesUpToThePeriod(t *testing.T) {
	for _, tc := range []struct {
		period time.Duration
		n      int
		want   time.Duration
	}{
		{10 * time.Second, 1, 1250 * time.Millisecond},
		{10 * time.Second, 2, 2500 * time.Millisecond},
		{10 * time.Second, 3, 5 * time.Second},
		{10 * time.Second, 4, 10 * time.Second},
		{10 * time.Second, 1000, 10 * time.Second},
		{4 * time.Millisecond, 1, time.Millisecond},
	} {
		if got := backoff(tc.period, tc.n); got != tc.want {
			t.Errorf("backoff(%v, %d) = %v, want %v", tc.period, tc.n, got, tc.want)
		}
	}
}
