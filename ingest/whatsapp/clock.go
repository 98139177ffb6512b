package whatsapp

import (
	"fmt"
	"slices"
	"time"

	"chatseal/ingest"
)

// dateOrder is the order of day, month and year in an export's dates.
// WhatsApp writes them in the phone's local order and does not record which.
type dateOrder uint8

const (
	orderUnknown dateOrder = iota
	orderDMY
	orderMDY
	orderYMD
)

func (o dateOrder) String() string {
	switch o {
	case orderDMY:
		return "day/month/year"
	case orderMDY:
		return "month/day/year"
	case orderYMD:
		return "year/month/day"
	}
	return "unknown"
}

// parseDateOrder reads ingest.Options.DateOrder. "" and "auto" mean detect.
func parseDateOrder(s string) (dateOrder, error) {
	switch s {
	case "", "auto":
		return orderUnknown, nil
	case "dmy":
		return orderDMY, nil
	case "mdy":
		return orderMDY, nil
	case "ymd":
		return orderYMD, nil
	}
	return orderUnknown, fmt.Errorf("date order %q is not valid; want dmy, mdy, ymd or empty to detect it", s)
}

// WarnDateOrderAmbiguous is the code of the input-level warning that the
// date order was not proven by the dates and had to be chosen, or that the
// dates contradict each other.
const WarnDateOrderAmbiguous = "DATE_ORDER_AMBIGUOUS"

// orderDetector gathers the evidence for the date order from the headers at
// the start of an export.
//
// A header proves an order when it has a four-digit first field (year
// first), or when exactly one of its first two fields is above 12 (that one
// is the day). When no header proves an order, the order under which the
// dates run forward in time is taken, because an export lists messages in
// the order they arrived. When both orders run forward, the one under which
// the dates lie closer together wins (see span). When that ties too,
// day/month/year is taken, which Vietnamese phones and most locales write.
// Each guess is reported with WarnDateOrderAmbiguous, unless every date has
// its day equal to its month, so that both orders read the same dates.
type orderDetector struct {
	dmy, mdy int
	// open holds the headers with two-digit or shorter first fields, in
	// order, for the time-order and span tests.
	open []header
}

func (d *orderDetector) add(h *header) {
	if h.widths[0] == 4 {
		return // year first, whatever the order option is
	}
	a, b := h.fields[0], h.fields[1]
	switch {
	case a > 12 && b <= 12:
		d.dmy++
	case b > 12 && a <= 12:
		d.mdy++
	}
	d.open = append(d.open, *h)
}

// decide returns the order and, when the evidence did not prove it, the
// detail of the warning to report.
func (d *orderDetector) decide() (dateOrder, string) {
	switch {
	case d.dmy > 0 && d.mdy == 0:
		return orderDMY, ""
	case d.mdy > 0 && d.dmy == 0:
		return orderMDY, ""
	case d.dmy > 0 && d.mdy > 0:
		order := orderDMY
		if d.mdy > d.dmy {
			order = orderMDY
		}
		return order, fmt.Sprintf("%d message headers are only valid as day/month/year and %d only as month/day/year; chose %s, so lines in the other order become bad records; set the date order to override",
			d.dmy, d.mdy, order)
	case len(d.open) == 0:
		return orderYMD, "" // every date has its year first
	}

	if !slices.ContainsFunc(d.open, func(h header) bool { return h.fields[0] != h.fields[1] }) {
		return orderDMY, "" // every day equals its month: both orders read the same dates
	}
	backDMY, backMDY := d.backwards(orderDMY), d.backwards(orderMDY)
	n := len(d.open)
	switch {
	case backDMY < backMDY:
		return orderDMY, fmt.Sprintf("no day above 12 in the first %d message headers; chose day/month/year because the dates run backwards %d times as month/day/year and %d times as day/month/year; set the date order to be sure",
			n, backMDY, backDMY)
	case backMDY < backDMY:
		return orderMDY, fmt.Sprintf("no day above 12 in the first %d message headers; chose month/day/year because the dates run backwards %d times as day/month/year and %d times as month/day/year; set the date order to be sure",
			n, backDMY, backMDY)
	}
	spanDMY, spanMDY := d.span(orderDMY), d.span(orderMDY)
	switch {
	case spanDMY < spanMDY:
		return orderDMY, fmt.Sprintf("no day above 12 in the first %d message headers; chose day/month/year because its dates span %d days and those of month/day/year %d; set the date order to be sure",
			n, spanDMY, spanMDY)
	case spanMDY < spanDMY:
		return orderMDY, fmt.Sprintf("no day above 12 in the first %d message headers; chose month/day/year because its dates span %d days and those of day/month/year %d; set the date order to be sure",
			n, spanMDY, spanDMY)
	}
	return orderDMY, fmt.Sprintf("no day above 12 in the first %d message headers, and both orders read the dates alike; chose day/month/year, the order Vietnamese phones write; set the date order to be sure", n)
}

// backwards counts the headers whose date, read in order, is earlier than
// the one before it or is not a valid date.
func (d *orderDetector) backwards(order dateOrder) int {
	count := 0
	var prev wallClock
	for i := range d.open {
		w, reason := d.open[i].wallClock(order)
		if reason != "" {
			count++
			continue
		}
		if i > 0 && w.before(prev) {
			count++
		}
		prev = w
	}
	return count
}

// span returns the days between consecutive headers, read in order, summed
// over the headers with valid dates. A chat is dense, so the order under
// which its dates lie closer together is the likelier one: 1/2, 1/3, 1/4
// are three days in a row as month/day, and three months as day/month.
func (d *orderDetector) span(order dateOrder) int64 {
	var total, prev int64
	seen := false
	for i := range d.open {
		w, reason := d.open[i].wallClock(order)
		if reason != "" {
			continue
		}
		days := w.days()
		if seen {
			total += max(days-prev, prev-days)
		}
		prev, seen = days, true
	}
	return total
}

// wallClock is a local date and time as the export writes it, validated.
type wallClock struct {
	year, month, day     int
	hour, minute, second int
}

func (w wallClock) before(o wallClock) bool {
	a := [6]int{w.year, w.month, w.day, w.hour, w.minute, w.second}
	b := [6]int{o.year, o.month, o.day, o.hour, o.minute, o.second}
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// days returns the number of days from 1970-01-01 to the date, in the
// proleptic Gregorian calendar.
func (w wallClock) days() int64 {
	y, m := int64(w.year), int64(w.month)
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + int64(w.day) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// minuteKey numbers the minute of w, for identity: seconds are dropped,
// because Android exports do not write them.
func (w wallClock) minuteKey() int64 {
	return w.days()*1440 + int64(w.hour*60+w.minute)
}

// wallClock returns the date and time of h read in the given order, or the
// reason they are not valid. A four-digit first field is always the year.
// Two-digit years are 20xx: WhatsApp exists since 2009.
func (h *header) wallClock(order dateOrder) (wallClock, string) {
	f, wd := h.fields, h.widths
	var y, m, d, yw int
	switch {
	case wd[0] == 4 || order == orderYMD:
		y, m, d, yw = f[0], f[1], f[2], wd[0]
		if wd[1] > 2 || wd[2] > 2 {
			return wallClock{}, h.dateReason(order)
		}
	case order == orderMDY:
		m, d, y, yw = f[0], f[1], f[2], wd[2]
		if wd[0] > 2 || wd[1] > 2 {
			return wallClock{}, h.dateReason(order)
		}
	default:
		d, m, y, yw = f[0], f[1], f[2], wd[2]
		if wd[0] > 2 || wd[1] > 2 {
			return wallClock{}, h.dateReason(order)
		}
	}
	switch yw {
	case 2:
		y += 2000
	case 4:
	default:
		return wallClock{}, h.dateReason(order)
	}
	if m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return wallClock{}, h.dateReason(order)
	}

	hour := h.hour
	switch h.merid {
	case noMeridiem:
		if hour > 23 {
			return wallClock{}, fmt.Sprintf("invalid time: hour %d", hour)
		}
	default:
		if hour < 1 || hour > 12 {
			return wallClock{}, fmt.Sprintf("invalid time: hour %d on a 12-hour clock", hour)
		}
		if hour == 12 {
			hour = 0
		}
		if h.merid == pm {
			hour += 12
		}
	}
	if h.minute > 59 || h.second > 59 {
		return wallClock{}, fmt.Sprintf("invalid time: %02d:%02d:%02d", h.hour, h.minute, h.second)
	}
	return wallClock{year: y, month: m, day: d, hour: hour, minute: h.minute, second: h.second}, ""
}

func (h *header) dateReason(order dateOrder) string {
	return fmt.Sprintf("invalid date %d%c%d%c%d read as %s", h.fields[0], h.sep, h.fields[1], h.sep, h.fields[2], order)
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// zone turns wall-clock times into instants in one time zone. WhatsApp
// writes the phone's local time without an offset, so a time in the hour a
// daylight-saving change skips does not exist, and one in the hour it
// repeats happens twice. Both are read with the offset in force before the
// change: a skipped time lands just after the gap, and a repeated time is
// its first occurrence. The message then carries
// ingest.WarnNonexistentLocalTime or ingest.WarnAmbiguousLocalTime.
type zone struct {
	loc *time.Location
	// The offsets in force two days before and three days after the start
	// of the day last converted. When they agree, no change falls on that
	// day and every time of it converts with that offset.
	day           int64
	before, after int64
	cached        bool
}

func newZone(loc *time.Location) *zone { return &zone{loc: loc} }

func (z *zone) offsetAt(unix int64) int64 {
	_, off := time.Unix(unix, 0).In(z.loc).Zone()
	return int64(off)
}

// instant returns the instant of w and the warning code, if any.
func (z *zone) instant(w wallClock) (time.Time, string) {
	days := w.days()
	if !z.cached || days != z.day {
		z.day, z.cached = days, true
		z.before = z.offsetAt(days*86400 - 2*86400)
		z.after = z.offsetAt(days*86400 + 3*86400)
	}
	naive := days*86400 + int64(w.hour*3600+w.minute*60+w.second)
	if z.before == z.after {
		return time.Unix(naive-z.before, 0).In(z.loc), ""
	}

	validBefore := z.offsetAt(naive-z.before) == z.before
	validAfter := z.offsetAt(naive-z.after) == z.after
	switch {
	case validBefore && validAfter:
		return time.Unix(naive-z.before, 0).In(z.loc), ingest.WarnAmbiguousLocalTime
	case validBefore:
		return time.Unix(naive-z.before, 0).In(z.loc), ""
	case validAfter:
		return time.Unix(naive-z.after, 0).In(z.loc), ""
	}
	return time.Unix(naive-z.before, 0).In(z.loc), ingest.WarnNonexistentLocalTime
}
