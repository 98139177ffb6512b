// Package retention decides how long archived messages are kept.
//
// A message may be deleted only after its retention end, which is its
// sent_at plus the retention period in calendar months, and only when no
// legal hold covers it. This package computes those dates; nothing here
// deletes anything. On a bucket with S3 Object Lock the same date is written
// as each segment's retain-until, so the store itself refuses an early
// delete.
package retention

import "time"

// DefaultMonths is the retention period used when the configuration sets
// none: 24 months.
const DefaultMonths = 24

// DefaultMinimumLock is the shortest Object Lock a new segment gets, even
// when its messages' retention has already ended (an import of old
// history): 24 hours, long enough for the disposal review to see it.
const DefaultMinimumLock = 24 * time.Hour

// Policy is a retention rule.
type Policy struct {
	// Months is the retention period in calendar months from sent_at.
	// Zero means DefaultMonths.
	Months int
	// MinimumLock is the shortest lock a segment gets from its creation.
	// Zero means DefaultMinimumLock.
	MinimumLock time.Duration
}

func (p Policy) months() int {
	if p.Months <= 0 {
		return DefaultMonths
	}
	return p.Months
}

// End returns the retention end of a message sent at sentAt.
func (p Policy) End(sentAt time.Time) time.Time {
	return sentAt.AddDate(0, p.months(), 0).UTC()
}

// SegmentRetainUntil returns the retain-until date of a segment created at
// created whose newest message was sent at newest: the later of the
// message's retention end and created plus the minimum lock. The result
// depends only on its inputs, so a rebuild recomputes the same date.
func (p Policy) SegmentRetainUntil(newest, created time.Time) time.Time {
	minimum := p.MinimumLock
	if minimum <= 0 {
		minimum = DefaultMinimumLock
	}
	end := p.End(newest)
	if floor := created.Add(minimum).UTC(); floor.After(end) {
		return floor.Truncate(time.Second)
	}
	return end.Truncate(time.Second)
}
