package zalo

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// This file contains a small JSON scanner for RFC 8259 text. It accepts exactly
// the documents that encoding/json accepts, up to a nesting limit, and lets
// the importer validate a line once and then find members by slicing it,
// without the maps, copies and repeated validation of json.Unmarshal.

// maxScanDepth is the deepest nesting that validJSON accepts. encoding/json
// allows 10000 levels. validJSON gives up earlier and decodeLine then falls
// back to encoding/json, so the limit changes speed only.
const maxScanDepth = 1000

// plainStringByte marks the bytes that may stand for themselves inside a JSON
// string: all but control characters, the quote and the backslash. Bytes of
// invalid UTF-8 are plain too, as encoding/json accepts them.
var plainStringByte = func() (plain [256]bool) {
	for c := range plain {
		plain[c] = c >= 0x20 && c != '"' && c != '\\'
	}
	return plain
}()

// validJSON reports whether b is one JSON value with optional white space
// around it, and returns the start and end of the value. It returns false
// for every input that encoding/json rejects, and also for valid values
// nested deeper than maxScanDepth.
func validJSON(b []byte) (start, end int, ok bool) {
	var openBuffer [64]byte
	open := openBuffer[:0] // '{' or '[' for each container around i
	i := skipSpace(b, 0)
	start = i
	for {
		// A value starts at i.
		if i >= len(b) {
			return 0, 0, false
		}
		switch c := b[i]; c {
		case '{', '[':
			if len(open) >= maxScanDepth {
				return 0, 0, false
			}
			closing := byte('}')
			if c == '[' {
				closing = ']'
			}
			i = skipSpace(b, i+1)
			if i < len(b) && b[i] == closing {
				i++
				break // an empty container is a whole value
			}
			open = append(open, c)
			if c == '{' {
				if i, ok = scanMemberName(b, i); !ok {
					return 0, 0, false
				}
			}
			continue
		case '"':
			if i, ok = scanString(b, i); !ok {
				return 0, 0, false
			}
		case 't':
			if i, ok = scanLiteral(b, i, "true"); !ok {
				return 0, 0, false
			}
		case 'f':
			if i, ok = scanLiteral(b, i, "false"); !ok {
				return 0, 0, false
			}
		case 'n':
			if i, ok = scanLiteral(b, i, "null"); !ok {
				return 0, 0, false
			}
		default:
			if i, ok = scanNumber(b, i); !ok {
				return 0, 0, false
			}
		}

		// A value ends at i. Close the containers it completes, then either
		// stop at the end of the top-level value or go on to the next
		// element or member.
		for {
			end = i
			i = skipSpace(b, i)
			if len(open) == 0 {
				return start, end, i == len(b)
			}
			if i >= len(b) {
				return 0, 0, false
			}
			inner := open[len(open)-1]
			if b[i] == ',' {
				i = skipSpace(b, i+1)
				if inner == '{' {
					if i, ok = scanMemberName(b, i); !ok {
						return 0, 0, false
					}
				}
				break
			}
			if (inner == '{' && b[i] != '}') || (inner == '[' && b[i] != ']') {
				return 0, 0, false
			}
			open = open[:len(open)-1]
			i++
		}
	}
}

// scanMemberName scans a member name and the colon after it, and returns
// the index of the member's value.
func scanMemberName(b []byte, i int) (int, bool) {
	if i >= len(b) || b[i] != '"' {
		return 0, false
	}
	i, ok := scanString(b, i)
	if !ok {
		return 0, false
	}
	i = skipSpace(b, i)
	if i >= len(b) || b[i] != ':' {
		return 0, false
	}
	return skipSpace(b, i+1), true
}

// scanString scans the string that starts with the quote at b[i] and returns
// the index after its closing quote.
func scanString(b []byte, i int) (int, bool) {
	i++
	for {
		for i < len(b) && plainStringByte[b[i]] {
			i++
		}
		if i >= len(b) {
			return 0, false
		}
		switch b[i] {
		case '"':
			return i + 1, true
		case '\\':
			if i+1 >= len(b) {
				return 0, false
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(b) {
					return 0, false
				}
				for _, h := range b[i+2 : i+6] {
					if hexValue(h) < 0 {
						return 0, false
					}
				}
				i += 6
			default:
				return 0, false
			}
		default: // a control character
			return 0, false
		}
	}
}

// scanLiteral scans the literal true, false or null at b[i].
func scanLiteral(b []byte, i int, literal string) (int, bool) {
	end := i + len(literal)
	if end > len(b) || string(b[i:end]) != literal {
		return 0, false
	}
	return end, true
}

// scanNumber scans a number as RFC 8259 section 6 defines it: an optional
// minus, an integer part without leading zeros, an optional fraction and an
// optional exponent.
func scanNumber(b []byte, i int) (int, bool) {
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		i = skipDigits(b, i)
	default:
		return 0, false
	}
	if i < len(b) && b[i] == '.' {
		if i+1 >= len(b) || !isDigit(b[i+1]) {
			return 0, false
		}
		i = skipDigits(b, i+1)
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || !isDigit(b[i]) {
			return 0, false
		}
		i = skipDigits(b, i)
	}
	return i, true
}

func skipDigits(b []byte, i int) int {
	for i < len(b) && isDigit(b[i]) {
		i++
	}
	return i
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// skipSpace returns the index of the first byte at or after i that is not
// JSON white space.
func skipSpace(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\r', '\n':
			i++
		default:
			return i
		}
	}
	return i
}

// The skip functions below walk JSON that validJSON or encoding/json has
// already accepted, so they do not check it again.

// skipValue returns the index after the value that starts at b[i].
func skipValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for {
			switch b[i] {
			case '"':
				i = skipString(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
	}
	// A number or a literal runs to the next delimiter or white space.
	for i < len(b) {
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return i
		}
		i++
	}
	return i
}

// skipString returns the index after the closing quote of the string that
// starts at b[i].
func skipString(b []byte, i int) int {
	i++
	for {
		i += bytes.IndexByte(b[i:], '"')
		// The quote is escaped when an odd number of backslashes precede it.
		// The opening quote stops the count.
		backslashes := 0
		for b[i-1-backslashes] == '\\' {
			backslashes++
		}
		if backslashes%2 == 0 {
			return i + 1
		}
		i++
	}
}

// unquote returns the value of the JSON string token s, quotes included, as
// json.Unmarshal decodes it into a string: escapes are resolved, and each
// byte of invalid UTF-8 and each unpaired surrogate escape becomes U+FFFD.
func unquote(s []byte) string {
	s = s[1 : len(s)-1]
	if bytes.IndexByte(s, '\\') < 0 && utf8.Valid(s) {
		return string(s)
	}

	var out strings.Builder
	out.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\':
			i = unescape(&out, s, i)
		case c < utf8.RuneSelf:
			out.WriteByte(c)
			i++
		default:
			r, size := utf8.DecodeRune(s[i:])
			out.WriteRune(r) // utf8.RuneError for an invalid byte
			i += size
		}
	}
	return out.String()
}

// unescape writes the character of the escape at s[i] and returns the index
// after it. A \u escape of a UTF-16 surrogate takes the \u escape after it
// too when the two form a pair, and is U+FFFD otherwise.
func unescape(out *strings.Builder, s []byte, i int) int {
	switch s[i+1] {
	case 'b':
		out.WriteByte('\b')
	case 'f':
		out.WriteByte('\f')
	case 'n':
		out.WriteByte('\n')
	case 'r':
		out.WriteByte('\r')
	case 't':
		out.WriteByte('\t')
	case 'u':
		r := escapedRune(s[i:])
		i += 6
		if utf16.IsSurrogate(r) {
			pair := utf16.DecodeRune(r, escapedRune(s[i:]))
			if pair != unicode.ReplacementChar {
				i += 6
			}
			r = pair
		}
		out.WriteRune(r)
		return i
	default: // '"', '\\' or '/'
		out.WriteByte(s[i+1])
	}
	return i + 2
}

// escapedRune returns the code unit of the \uXXXX escape at the start of s,
// or -1 when s does not start with one.
func escapedRune(s []byte) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return -1
	}
	var r rune
	for _, h := range s[2:6] {
		v := hexValue(h)
		if v < 0 {
			return -1
		}
		r = r<<4 | v
	}
	return r
}

func hexValue(c byte) rune {
	switch {
	case '0' <= c && c <= '9':
		return rune(c - '0')
	case 'a' <= c && c <= 'f':
		return rune(c - 'a' + 10)
	case 'A' <= c && c <= 'F':
		return rune(c - 'A' + 10)
	}
	return -1
}
