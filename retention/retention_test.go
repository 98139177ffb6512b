package retention

import (
	"testing"
	"time"
)

func TestPolicy_End(t *testing.T) {
	sent := time.Date(2024, 1, 31, 10, 0, 0, 0, time.FixedZone("+07", 7*3600))
	cases := []struct {
		name   string
		policy Policy
		want   time.Time
	}{
		{"default 24 months", Policy{}, time.Date(2026, 1, 31, 3, 0, 0, 0, time.UTC)},
		{"12 months", Policy{Months: 12}, time.Date(2025, 1, 31, 3, 0, 0, 0, time.UTC)},
		{"36 months", Policy{Months: 36}, time.Date(2027, 1, 31, 3, 0, 0, 0, time.UTC)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.policy.End(sent); !got.Equal(c.want) {
				t.Errorf("End = %v, want %v", got, c.want)
			}
		})
	}
}

func TestSegmentRetainUntil_MinimumLock(t *testing.T) {
	p := Policy{Months: 12}
	created := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)

	recent := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	if got, want := p.SegmentRetainUntil(recent, created), time.Date(2027, 11, 1, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("recent messages: retain until %v, want %v", got, want)
	}

	old := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	if got, want := p.SegmentRetainUntil(old, created), created.Add(DefaultMinimumLock); !got.Equal(want) {
		t.Errorf("expired messages: retain until %v, want the minimum lock %v", got, want)
	}
}
