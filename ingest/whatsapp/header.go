package whatsapp

import (
	"bytes"
	"unicode"
	"unicode/utf8"
)

// header is the date, time and layout that start a message line:
//
//	15/03/2024, 08:59 - Name: body         (Android)
//	[3/15/24, 8:59:40 AM] Name: body       (iOS)
//
// The date is kept as three numbers, because their order is decided once
// per file (see dateOrder).
type header struct {
	bracket   bool   // iOS: the date and time are inside "[...]"
	timeFirst bool   // the time is written before the date
	sep       byte   // date separator: '/', '.' or '-'
	fields    [3]int // the date's numbers, in the order written
	widths    [3]int // their digit counts
	hour      int    // as written, 0-23 or 1-12 with a meridiem
	minute    int    //
	second    int    //
	seconds   bool   // seconds are written
	merid     meridiem
	rest      int // offset in the line where the author or system text starts
}

type meridiem uint8

const (
	noMeridiem meridiem = iota
	am
	pm
)

// shape is the layout that every header of one export shares. The first
// header fixes it, and a later line is a header only when it has the same
// shape, so that a date-like line typed inside a message is less often taken
// for a new message.
type shape struct {
	bracket   bool
	timeFirst bool
	sep       byte
	seconds   bool
	meridiem  bool
}

func (h *header) shape() shape {
	return shape{bracket: h.bracket, timeFirst: h.timeFirst, sep: h.sep, seconds: h.seconds, meridiem: h.merid != noMeridiem}
}

// parseHeader reads the header at the start of line. It reports false when
// the line does not start with one. It checks the layout only; the values are
// checked by wallClock, once the date order is known.
//
// The date comes first in every export seen. A header with the time first
// ("[08:59:40 15/03/2024] Name: body"), the order of CLDR's Vietnamese
// date-time pattern, is read too. NOTE: no such export was found; the form
// is accepted in case Vietnamese phones write it.
func parseHeader(line []byte) (header, bool) {
	var h header
	i := skipMarks(line, 0)
	if i < len(line) && line[i] == '[' {
		h.bracket = true
		i++
	}
	if j, ok := h.parseDate(line, i); ok {
		if j, ok = h.parseTime(line, j); ok {
			return h, h.parseEnd(line, j)
		}
		return header{}, false
	}
	h = header{bracket: h.bracket} // drop what the failed date left
	j, ok := h.parseTime(line, i)
	if !ok {
		return header{}, false
	}
	h.timeFirst = true
	if j, ok = h.parseDate(line, j); !ok {
		return header{}, false
	}
	return h, h.parseEnd(line, j)
}

// parseDate reads three groups of 1 to 4 digits with the same separator,
// which may be followed by a space ("15. 3. 2024."), and the comma and
// spaces after them. It returns the offset after them.
func (h *header) parseDate(line []byte, i int) (int, bool) {
	for f := 0; f < 3; f++ {
		n, w := readNumber(line, i, 4)
		if w == 0 {
			return 0, false
		}
		h.fields[f], h.widths[f] = n, w
		i += w
		if f == 2 {
			break
		}
		if i >= len(line) {
			return 0, false
		}
		c := line[i]
		if c != '/' && c != '.' && c != '-' {
			return 0, false
		}
		if f == 0 {
			h.sep = c
		} else if c != h.sep {
			return 0, false
		}
		i++
		if i < len(line) && line[i] == ' ' {
			i++
		}
	}
	if i < len(line) && line[i] == '.' && h.sep == '.' {
		i++
	}
	if h.timeFirst {
		return i, true
	}
	if i < len(line) && line[i] == ',' {
		i++
	}
	j := skipSpaces(line, i)
	return j, j > i
}

// parseTime reads H:MM, HH.MM, with or without :SS, and a 12-hour marker
// before or after it. A word such as Finnish "klo" may come before it. When
// the time comes first, it also reads the comma and spaces after it. It
// returns the offset after them.
func (h *header) parseTime(line []byte, i int) (int, bool) {
	if i < len(line) && !isDigit(line[i]) && !h.timeFirst && h.sep != 0 {
		word, n := readWord(line, i, 9)
		if n == 0 {
			return 0, false
		}
		if m, ok := meridiemWord(word); ok {
			h.merid = m
		}
		i = skipSpaces(line, i+n)
	}

	hour, w := readNumber(line, i, 2)
	if w == 0 || i+w >= len(line) {
		return 0, false
	}
	i += w
	timeSep := line[i]
	if timeSep != ':' && timeSep != '.' {
		return 0, false
	}
	minute, w := readNumber(line, i+1, 2)
	if w != 2 {
		return 0, false
	}
	h.hour, h.minute = hour, minute
	i += 1 + w
	if i+2 < len(line) && line[i] == timeSep {
		if second, w := readNumber(line, i+1, 2); w == 2 {
			h.second, h.seconds = second, true
			i += 1 + w
		}
	}

	j := skipSpaces(line, i)
	if m, n := parseMeridiem(line, j); n > 0 {
		if h.merid != noMeridiem {
			return 0, false // a marker both before and after the time
		}
		h.merid = m
		i = j + n
	}
	if h.sep != 0 {
		return i, true // the date came first
	}
	if i < len(line) && line[i] == ',' {
		i++
	}
	j = skipSpaces(line, i)
	return j, j > i
}

// parseEnd reads the end of the header, "] " on iOS and " - " on Android,
// and sets h.rest after it.
func (h *header) parseEnd(line []byte, i int) bool {
	if h.bracket {
		if i >= len(line) || line[i] != ']' {
			return false
		}
		i++
		if i < len(line) {
			if line[i] != ' ' {
				return false
			}
			i++
		}
		h.rest = i
		return true
	}
	j := skipSpaces(line, i)
	if j == i {
		return false
	}
	switch {
	case j < len(line) && line[j] == '-':
		j++
	case bytes.HasPrefix(line[j:], []byte("–")): // en dash
		j += len("–")
	default:
		return false
	}
	if j < len(line) {
		if line[j] != ' ' {
			return false
		}
		j++
	}
	h.rest = j
	return true
}

// parseMeridiem reads a 12-hour marker at line[i:]: AM, am, a.m., a. m.
// (with any space inside), the same for PM, or one of meridiemWords. It
// returns the marker's length, 0 when there is none. The marker must not be
// followed by a letter.
func parseMeridiem(line []byte, i int) (meridiem, int) {
	if i >= len(line) {
		return noMeridiem, 0
	}
	var m meridiem
	switch line[i] | 0x20 {
	case 'a':
		m = am
	case 'p':
		m = pm
	}
	if m != noMeridiem {
		j := i + 1
		if j < len(line) && line[j] == '.' {
			j++
			j = skipSpaces(line, j)
		}
		if j < len(line) && line[j]|0x20 == 'm' {
			j++
			if j < len(line) && line[j] == '.' {
				j++
			}
			if !letterAt(line, j) {
				return m, j - i
			}
		}
	}
	word, n := readWord(line, i, 6)
	if n == 0 {
		return noMeridiem, 0
	}
	if m, ok := meridiemWord(word); ok {
		return m, n
	}
	return noMeridiem, 0
}

func meridiemWord(word []byte) (meridiem, bool) {
	for _, w := range meridiemWords {
		if bytes.EqualFold(word, []byte(w.word)) {
			if w.pm {
				return pm, true
			}
			return am, true
		}
	}
	return noMeridiem, false
}

// readNumber reads up to limit ASCII digits at line[i:] and returns their
// value and count. The count is 0 when more digits follow.
func readNumber(line []byte, i, limit int) (int, int) {
	n, w := 0, 0
	for i+w < len(line) && w < limit && isDigit(line[i+w]) {
		n = n*10 + int(line[i+w]-'0')
		w++
	}
	if i+w < len(line) && isDigit(line[i+w]) {
		return 0, 0
	}
	return n, w
}

// readWord reads a run of letters of at most limit bytes at line[i:] and
// returns it with its length. The length is 0 when there is no such run.
func readWord(line []byte, i, limit int) ([]byte, int) {
	j := i
	for j < len(line) {
		r, size := utf8.DecodeRune(line[j:])
		if !unicode.IsLetter(r) {
			break
		}
		j += size
		if j-i > limit {
			return nil, 0
		}
	}
	return line[i:j], j - i
}

func letterAt(line []byte, i int) bool {
	if i >= len(line) {
		return false
	}
	r, _ := utf8.DecodeRune(line[i:])
	return unicode.IsLetter(r)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isMark reports whether r is one of the invisible characters WhatsApp
// writes around names, attachment phrases and system text: the byte order
// mark, the left-to-right and right-to-left marks, and the bidirectional
// embedding and isolate controls.
func isMark(r rune) bool {
	switch {
	case r == '\uFEFF', r == '\u200E', r == '\u200F':
		return true
	case r >= '\u202A' && r <= '\u202E':
		return true
	case r >= '\u2066' && r <= '\u2069':
		return true
	}
	return false
}

// isSpace reports whether r is a space the header may use: U+0020, tab,
// no-break space, the U+2000 to U+200A spaces, narrow no-break space, medium
// mathematical space and ideographic space.
func isSpace(r rune) bool {
	switch {
	case r == ' ', r == '\t', r == '\u00A0', r == '\u202F', r == '\u205F', r == '\u3000':
		return true
	case r >= '\u2000' && r <= '\u200A':
		return true
	}
	return false
}

// skipMarks returns the offset of the first byte at or after i that does
// not start an invisible mark.
func skipMarks(line []byte, i int) int {
	for i < len(line) && line[i] >= 0xE2 && line[i] <= 0xEF {
		r, size := utf8.DecodeRune(line[i:])
		if !isMark(r) {
			break
		}
		i += size
	}
	return i
}

// skipSpaces returns the offset of the first byte at or after i that starts
// neither a space nor an invisible mark.
func skipSpaces(line []byte, i int) int {
	for i < len(line) {
		c := line[i]
		if c == ' ' || c == '\t' {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			break
		}
		r, size := utf8.DecodeRune(line[i:])
		if !isSpace(r) && !isMark(r) {
			break
		}
		i += size
	}
	return i
}
