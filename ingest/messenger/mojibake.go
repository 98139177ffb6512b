package messenger

import (
	"unicode/utf8"
)

// repairOutcome is the result of repairMojibake on one string.
type repairOutcome int

const (
	// repairNone means the string was left as it is because it is not
	// mojibake: plain ASCII, text with a character above U+00FF, or Latin-1
	// text whose bytes hold no UTF-8 sequence.
	repairNone repairOutcome = iota
	// repairDone means the string was mojibake and was decoded.
	repairDone
	// repairFailed means the string looks like mojibake, because its bytes
	// hold a UTF-8 sequence, but its bytes as a whole are not valid UTF-8.
	// The string is left as it is.
	repairFailed
)

// repairMojibake undoes the Latin-1 mojibake of a Meta export. Meta writes
// each byte of a string's UTF-8 encoding as its own \u00XX escape, so a JSON
// decoder returns one rune per byte ("Nguyá»…n" for "Nguyễn").
//
// The repair is guarded: it applies only when every rune of s is at most
// U+00FF, so that the runes can be taken as bytes, and those bytes are valid
// UTF-8. Correct text with a letter above U+00FF, such as the Vietnamese "ơ"
// (U+01A1), is therefore never changed.
func repairMojibake(s string) (string, repairOutcome) {
	out, outcome := repairBytes([]byte(s), nil)
	if outcome != repairDone {
		return s, outcome
	}
	return string(out), outcome
}

// repairBytes is repairMojibake for the UTF-8 text b. It returns the
// repaired text in scratch, or b itself when it leaves b as it is.
func repairBytes(b, scratch []byte) ([]byte, repairOutcome) {
	// Every rune at most U+00FF takes one or two bytes in b and one as a
	// byte, so len(b) bytes are always enough.
	out := scratch[:0]
	ascii := true
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			out = append(out, c)
			i++
			continue
		}
		// Runes U+0080 to U+00FF are the two-byte sequences C2 80 to C3 BF.
		if (c != 0xC2 && c != 0xC3) || i+1 >= len(b) || b[i+1]&0xC0 != 0x80 {
			return b, repairNone
		}
		out = append(out, (c&0x03)<<6|b[i+1]&0x3F)
		ascii = false
		i += 2
	}
	if ascii {
		return b, repairNone
	}
	if utf8.Valid(out) {
		return out, repairDone
	}
	if containsUTF8Sequence(out) {
		return b, repairFailed
	}
	return b, repairNone
}

// containsUTF8Sequence reports whether b contains at least one valid
// multi-byte UTF-8 sequence. Latin-1 text such as "Cà phê" contains none,
// because its letters are single bytes followed by ASCII. Mojibake cut in
// the middle of a character still contains the sequences of its other
// characters.
func containsUTF8Sequence(b []byte) bool {
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r != utf8.RuneError || size > 1 {
			return true
		}
		i++
	}
	return false
}

// repairer applies repairMojibake to the strings of one message or thread
// and records the outcome.
type repairer struct {
	// repaired counts the strings decoded.
	repaired int
	// failed is set when a string looked like mojibake but could not be
	// decoded.
	failed bool
}

// fix returns s repaired when it is mojibake, and s otherwise.
func (p *repairer) fix(s string) string {
	out, outcome := repairMojibake(s)
	p.count(outcome)
	return out
}

func (p *repairer) count(outcome repairOutcome) {
	switch outcome {
	case repairDone:
		p.repaired++
	case repairFailed:
		p.failed = true
	}
}
