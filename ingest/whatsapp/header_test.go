package whatsapp

import (
	"testing"
	"time"
	_ "time/tzdata" // the DST tests need Europe/Berlin and America/Sao_Paulo on any machine

	"chatseal/ingest"
)

func TestParseHeader(t *testing.T) {
	tests := []struct {
		name  string
		line  string
		order dateOrder
		want  wallClock
		rest  string
	}{
		{"android 24h", "15/03/2024, 08:59 - Lê Thu Hà: Chào", orderDMY, wallClock{2024, 3, 15, 8, 59, 0}, "Lê Thu Hà: Chào"},
		{"android no comma", "30/12/2023 13:00 - Phạm Quang: x", orderDMY, wallClock{2023, 12, 30, 13, 0, 0}, "Phạm Quang: x"},
		{"android single digits", "2/2/2024 8:30 - A: x", orderDMY, wallClock{2024, 2, 2, 8, 30, 0}, "A: x"},
		{"android dotted two-digit year", "28.05.21, 21:45 - Quang Vinh: x", orderDMY, wallClock{2021, 5, 28, 21, 45, 0}, "Quang Vinh: x"},
		{"android en dash", "28.05.21, 21:45 – A: x", orderDMY, wallClock{2021, 5, 28, 21, 45, 0}, "A: x"},
		{"ios 24h", "[11/04/2023, 21:56:03] Trần Hùng: x", orderDMY, wallClock{2023, 4, 11, 21, 56, 3}, "Trần Hùng: x"},
		{"ios 12h narrow nbsp", "[3/15/24, 8:59:40\u202fAM] A: x", orderMDY, wallClock{2024, 3, 15, 8, 59, 40}, "A: x"},
		{"ios 12 pm", "[3/15/24, 12:00:59\u202fPM] A: x", orderMDY, wallClock{2024, 3, 15, 12, 0, 59}, "A: x"},
		{"ios 12 am", "[3/16/24, 12:30:00\u202fAM] A: x", orderMDY, wallClock{2024, 3, 16, 0, 30, 0}, "A: x"},
		{"leading marks", "\u200e\ufeff[3/16/24, 1:30:00 PM] A: x", orderMDY, wallClock{2024, 3, 16, 13, 30, 0}, "A: x"},
		{"spanish p. m. with nbsp", "20/6/2023 8:28 p.\u00a0m. - Hoàng Yến: x", orderDMY, wallClock{2023, 6, 20, 20, 28, 0}, "Hoàng Yến: x"},
		{"spanish 12 a. m.", "21/6/2023 12:05 a.\u00a0m. - A: x", orderDMY, wallClock{2023, 6, 21, 0, 5, 0}, "A: x"},
		{"lowercase pm", "2024/12/02, 4:09 pm - Nguyễn An: x", orderUnknown, wallClock{2024, 12, 2, 16, 9, 0}, "Nguyễn An: x"},
		{"a.m. dotted", "1/2/24, 9:05 a.m. - A: x", orderMDY, wallClock{2024, 1, 2, 9, 5, 0}, "A: x"},
		{"vietnamese CH", "15/03/2024, 8:28 CH - A: x", orderDMY, wallClock{2024, 3, 15, 20, 28, 0}, "A: x"},
		{"vietnamese SA", "15/03/2024, 12:10 SA - A: x", orderDMY, wallClock{2024, 3, 15, 0, 10, 0}, "A: x"},
		{"chinese marker before time", "2024/3/15 下午3:45 - A: x", orderYMD, wallClock{2024, 3, 15, 15, 45, 0}, "A: x"},
		{"finnish klo and dot time", "15.3.2024 klo 8.59 - A: x", orderDMY, wallClock{2024, 3, 15, 8, 59, 0}, "A: x"},
		{"spaced dots with trailing dot", "2024. 03. 15. 10:00 - A: x", orderYMD, wallClock{2024, 3, 15, 10, 0, 0}, "A: x"},
		{"iso date", "2024-03-15, 10:00 - A: x", orderUnknown, wallClock{2024, 3, 15, 10, 0, 0}, "A: x"},
		{"system line", "15/03/2024, 08:59 - Trần Văn Bình created group \"Q7\"", orderDMY, wallClock{2024, 3, 15, 8, 59, 0}, "Trần Văn Bình created group \"Q7\""},
		{"empty body", "16/03/2024, 07:16 - ", orderDMY, wallClock{2024, 3, 16, 7, 16, 0}, ""},
		{"ios header alone", "[16/03/2024, 07:16:00]", orderDMY, wallClock{2024, 3, 16, 7, 16, 0}, ""},
		{"time first ios", "[08:59:40 15/03/2024] Lan: x", orderDMY, wallClock{2024, 3, 15, 8, 59, 40}, "Lan: x"},
		{"time first android with comma", "08:59, 15/03/2024 - Lan: x", orderDMY, wallClock{2024, 3, 15, 8, 59, 0}, "Lan: x"},
		{"time first with meridiem", "8:59 CH 15/03/2024 - Lan: x", orderDMY, wallClock{2024, 3, 15, 20, 59, 0}, "Lan: x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, ok := parseHeader([]byte(tt.line))
			if !ok {
				t.Fatalf("parseHeader(%q) found no header", tt.line)
			}
			got, reason := h.wallClock(tt.order)
			if reason != "" {
				t.Fatalf("wallClock: %s", reason)
			}
			if got != tt.want {
				t.Errorf("wall clock = %+v, want %+v", got, tt.want)
			}
			if rest := tt.line[h.rest:]; rest != tt.rest {
				t.Errorf("rest = %q, want %q", rest, tt.rest)
			}
		})
	}
}

func TestParseHeader_NotAHeader(t *testing.T) {
	lines := []string{
		"",
		"Phí ship 20k",
		"Địa chỉ: 12 Nguyễn Hữu Thọ",
		"15/03/2024",
		"15/03/2024, 08:59",           // no separator after the time
		"15/03/2024, 08:59 Lan: x",    // no " - "
		"15/03/2024, 08:59 -Lan: x",   // no space after the dash
		"15/03/2024 - 08:59 - Lan: x", // dash before the time
		"15/03-2024, 08:59 - Lan: x",  // mixed date separators
		"123456/03/2024, 08:59 - x",   // too many digits
		"15/03/2024, 8:5 - x",         // one-digit minute
		"[15/03/2024, 08:59:00 Lan: x",
		"[15/03/2024, 08:59:00]Lan: x",
		"15/03/2024, 08:59 AM PM - x",
		"15/03/2024, 下午08:59 PM - x", // marker before and after
		"(15/03/2024, 08:59) - x",
		"15/03 08:59 - x",          // two-part date
		"08:59 - Lan: x",           // time without a date
		"08:59 15/03/2024: x",      // no separator after the date
		"klo 08:59 15/03/2024 - x", // a word before a leading time
	}
	for _, line := range lines {
		if h, ok := parseHeader([]byte(line)); ok {
			t.Errorf("parseHeader(%q) = %+v, want no header", line, h)
		}
	}
}

func TestWallClock_Invalid(t *testing.T) {
	tests := []struct {
		name  string
		line  string
		order dateOrder
	}{
		{"month 13", "13/13/2024, 08:59 - A: x", orderDMY},
		{"day/month read as month/day", "15/03/2024, 08:59 - A: x", orderMDY},
		{"february 30", "30/02/2024, 08:59 - A: x", orderDMY},
		{"february 29 of a common year", "29/02/2023, 08:59 - A: x", orderDMY},
		{"hour 24", "15/03/2024, 24:00 - A: x", orderDMY},
		{"minute 60", "15/03/2024, 23:60 - A: x", orderDMY},
		{"hour 13 pm", "15/03/2024, 13:00 PM - A: x", orderDMY},
		{"hour 0 am", "15/03/2024, 0:10 AM - A: x", orderDMY},
		{"three-digit year", "15/03/202, 08:59 - A: x", orderDMY},
		{"day 0", "0/03/2024, 08:59 - A: x", orderDMY},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, ok := parseHeader([]byte(tt.line))
			if !ok {
				t.Fatalf("parseHeader(%q) found no header", tt.line)
			}
			if w, reason := h.wallClock(tt.order); reason == "" {
				t.Errorf("wallClock = %+v, want an invalid date or time", w)
			}
		})
	}
}

func TestParseHeader_Shape(t *testing.T) {
	android, _ := parseHeader([]byte("15/03/2024, 08:59 - A: x"))
	ios, _ := parseHeader([]byte("[15/03/2024, 08:59:00] A: x"))
	dotted, _ := parseHeader([]byte("15.03.2024, 08:59 - A: x"))
	twelve, _ := parseHeader([]byte("15/03/2024, 8:59 AM - A: x"))
	if android.shape() == ios.shape() || android.shape() == dotted.shape() || android.shape() == twelve.shape() {
		t.Errorf("different layouts share a shape: %+v %+v %+v %+v", android.shape(), ios.shape(), dotted.shape(), twelve.shape())
	}
	timeFirst, _ := parseHeader([]byte("23:01 1/1/2025 - Bùi Lan: y"))
	if android.shape() == timeFirst.shape() {
		t.Errorf("time-first layout shares the date-first shape %+v", android.shape())
	}
	other, _ := parseHeader([]byte("1/1/2025, 23:01 - Bùi Lan: y"))
	if android.shape() != other.shape() {
		t.Errorf("same layout, different shapes: %+v %+v", android.shape(), other.shape())
	}
}

func TestOrderDetector(t *testing.T) {
	tests := []struct {
		name    string
		lines   []string
		want    dateOrder
		warning bool
	}{
		{"day above 12 first", []string{"11/04/2023, 21:56 - A: x", "13/04/2023, 08:00 - A: x"}, orderDMY, false},
		{"day above 12 second", []string{"3/11/24, 9:00 AM - A: x", "3/15/24, 9:00 AM - A: x"}, orderMDY, false},
		{"year first", []string{"2024/12/01, 10:04 pm - A: x"}, orderYMD, false},
		{"day equals month", []string{"05/05/2024, 14:10 - A: x", "06/06/2024, 14:10 - A: x"}, orderDMY, false},
		{"time order picks month first", []string{"01/12/2024, 10:00 - A: x", "02/01/2024, 10:00 - A: x"}, orderMDY, true},
		{"time order picks day first", []string{"05/01/2024, 10:00 - A: x", "06/01/2024, 10:00 - A: x", "01/02/2024, 10:00 - A: x"}, orderDMY, true},
		{"span picks month first", []string{"01/02/2024, 10:00 - A: x", "01/03/2024, 10:00 - A: x"}, orderMDY, true},
		{"span picks day first", []string{"01/02/2024, 10:00 - A: x", "02/02/2024, 10:00 - A: x"}, orderDMY, true},
		{"undecidable", []string{"01/02/2024, 10:00 - A: x", "01/02/2024, 11:00 - A: x"}, orderDMY, true},
		{"conflict, majority wins", []string{"13/01/2024, 10:00 - A: x", "14/01/2024, 10:00 - A: x", "01/15/2024, 10:00 - A: x"}, orderDMY, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d orderDetector
			for _, line := range tt.lines {
				h, ok := parseHeader([]byte(line))
				if !ok {
					t.Fatalf("parseHeader(%q) found no header", line)
				}
				d.add(&h)
			}
			got, detail := d.decide()
			if got != tt.want {
				t.Errorf("order = %s, want %s", got, tt.want)
			}
			if (detail != "") != tt.warning {
				t.Errorf("warning detail = %q, want a warning: %v", detail, tt.warning)
			}
		})
	}
}

func TestParseDateOrder(t *testing.T) {
	for in, want := range map[string]dateOrder{"": orderUnknown, "auto": orderUnknown, "dmy": orderDMY, "mdy": orderMDY, "ymd": orderYMD} {
		if got, err := parseDateOrder(in); err != nil || got != want {
			t.Errorf("parseDateOrder(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	if _, err := parseDateOrder("DMY"); err == nil {
		t.Errorf("parseDateOrder(%q) accepted", "DMY")
	}
}

func TestZone_DaylightSaving(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	saoPaulo := mustLoad(t, "America/Sao_Paulo")
	tests := []struct {
		name    string
		loc     *time.Location
		wall    wallClock
		want    string // RFC 3339
		warning string
	}{
		{"berlin winter", berlin, wallClock{2024, 1, 10, 12, 0, 0}, "2024-01-10T12:00:00+01:00", ""},
		{"berlin summer", berlin, wallClock{2024, 7, 10, 12, 0, 0}, "2024-07-10T12:00:00+02:00", ""},
		{"berlin day of spring change, before", berlin, wallClock{2024, 3, 31, 1, 59, 0}, "2024-03-31T01:59:00+01:00", ""},
		{"berlin spring gap", berlin, wallClock{2024, 3, 31, 2, 30, 0}, "2024-03-31T01:30:00Z", ingest.WarnNonexistentLocalTime},
		{"berlin day of spring change, after", berlin, wallClock{2024, 3, 31, 3, 0, 0}, "2024-03-31T03:00:00+02:00", ""},
		{"berlin autumn repeat", berlin, wallClock{2024, 10, 27, 2, 30, 0}, "2024-10-27T02:30:00+02:00", ingest.WarnAmbiguousLocalTime},
		{"berlin day of autumn change, after", berlin, wallClock{2024, 10, 27, 3, 0, 0}, "2024-10-27T03:00:00+01:00", ""},
		{"sao paulo 2018 midnight gap", saoPaulo, wallClock{2018, 11, 4, 0, 30, 0}, "2018-11-04T03:30:00Z", ingest.WarnNonexistentLocalTime},
		{"sao paulo 2019 repeat", saoPaulo, wallClock{2019, 2, 16, 23, 30, 0}, "2019-02-16T23:30:00-02:00", ingest.WarnAmbiguousLocalTime},
		{"ho chi minh", ingest.HoChiMinh, wallClock{2024, 3, 31, 2, 30, 0}, "2024-03-31T02:30:00+07:00", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, warning := newZone(tt.loc).instant(tt.wall)
			want, err := time.Parse(time.RFC3339, tt.want)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(want) {
				t.Errorf("instant = %s, want %s", got.Format(time.RFC3339), tt.want)
			}
			if warning != tt.warning {
				t.Errorf("warning = %q, want %q", warning, tt.warning)
			}
		})
	}
}

func TestWallClock_Days(t *testing.T) {
	for _, tt := range []wallClock{{1970, 1, 1, 0, 0, 0}, {2000, 2, 29, 0, 0, 0}, {2024, 12, 31, 0, 0, 0}, {1969, 12, 31, 0, 0, 0}, {2100, 3, 1, 0, 0, 0}} {
		want := time.Date(tt.year, time.Month(tt.month), tt.day, 0, 0, 0, 0, time.UTC).Unix() / 86400
		if got := tt.days(); got != want {
			t.Errorf("days(%+v) = %d, want %d", tt, got, want)
		}
	}
}

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
