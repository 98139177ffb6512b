package chat

import (
	"bytes"
	"encoding/json"
	"math"
	"math/bits"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// This file holds the JSON text primitives of the record codec. Each one
// writes what encoding/json of Go 1.26 writes with HTML escaping off, or
// accepts a subset of what it accepts with the same result, and the tests
// compare them with encoding/json.
//
// NOTE: Records are hashed, so these functions, not encoding/json, now fix
// the record bytes. If a later Go changes encoding/json's output, the
// equivalence tests fail, and the record format must not follow the change.

const hexDigits = "0123456789abcdef"

// maxNestingDepth is the deepest nesting of objects and arrays that
// json.Valid accepts.
const maxNestingDepth = 10000

// appendString appends s as a JSON string the way json.Encoder does with
// SetEscapeHTML(false). It escapes '"', '\\' and the control characters,
// with \b, \f, \n, \r and \t in short form and the others as \u00XX. Each
// byte of invalid UTF-8 becomes the escape \ufffd, U+2028 and U+2029 are
// escaped too, and <, > and & are written as they are.
func appendString[T []byte | string](dst []byte, s T) []byte {
	if !needsRuneChecks(s) {
		return appendASCIIEscaped(dst, s)
	}
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			dst = appendEscapedByte(dst, b)
			i++
			start = i
			continue
		}

		// Converting at most utf8.UTFMax bytes keeps the []byte instance
		// from allocating.
		n := min(len(s)-i, utf8.UTFMax)
		c, size := utf8.DecodeRuneInString(string(s[i : i+n]))
		switch {
		case c == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case c == '\u2028' || c == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// needsRuneChecks reports whether s has invalid UTF-8, U+2028 or U+2029,
// which appendString must find rune by rune. Typical text has none, and
// checking the whole string first is faster than decoding each rune.
func needsRuneChecks[T []byte | string](s T) bool {
	// The type switch calls the string or the []byte functions directly,
	// because a conversion between the two would copy s.
	switch s := any(s).(type) {
	case string:
		return !utf8.ValidString(s) || strings.Contains(s, "\u2028") || strings.Contains(s, "\u2029")
	case []byte:
		return !utf8.Valid(s) || bytes.Contains(s, []byte("\u2028")) || bytes.Contains(s, []byte("\u2029"))
	}
	panic("chat: broken invariant: needsRuneChecks instantiated with a type other than string or []byte")
}

// appendASCIIEscaped appends s as a JSON string, escaping only the ASCII
// bytes that need it. s must be valid UTF-8 without U+2028 and U+2029.
func appendASCIIEscaped[T []byte | string](dst []byte, s T) []byte {
	dst = append(dst, '"')
	start := 0
	for {
		i := indexStringSpecial(s, start)
		dst = append(dst, s[start:i]...)
		if i == len(s) {
			return append(dst, '"')
		}
		dst = appendEscapedByte(dst, s[i])
		start = i + 1
	}
}

// appendEscapedByte appends the escape sequence of '"', '\\' or a control
// character b.
func appendEscapedByte(dst []byte, b byte) []byte {
	switch b {
	case '"', '\\':
		return append(dst, '\\', b)
	case '\b':
		return append(dst, '\\', 'b')
	case '\f':
		return append(dst, '\\', 'f')
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	}
	return append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
}

// Masks that test the eight bytes of a uint64 at once.
const (
	lowBits  = 0x0101010101010101
	highBits = 0x8080808080808080
)

// indexStringSpecial returns the index of the first byte of s at or after i
// that a JSON string cannot hold as it is: '"', '\\' or a control character
// below 0x20. It returns len(s) if there is none.
func indexStringSpecial[T []byte | string](s T, i int) int {
	for ; i+8 <= len(s); i += 8 {
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		quote := x ^ (lowBits * '"')
		backslash := x ^ (lowBits * '\\')
		// A byte's high bit is set in found when the byte is below 0x20 or
		// equal to '"' or '\\'. Borrows can set bits above the first such
		// byte, never below it, so the lowest set bit is exact.
		found := ((x - lowBits*0x20) &^ x) | ((quote - lowBits) &^ quote) | ((backslash - lowBits) &^ backslash)
		if found &= highBits; found != 0 {
			return i + bits.TrailingZeros64(found)/8
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' {
			return i
		}
	}
	return len(s)
}

// appendTime appends t as a JSON string in RFC 3339 with nanoseconds, the
// output of time.Time.MarshalJSON. The years 0 to 9999 and zone offsets of
// less than 24 hours are the only ones RFC 3339 can write. For other times
// it returns dst unchanged and the error that json.Marshal returns for t.
func appendTime(dst []byte, t time.Time) ([]byte, error) {
	out, err := t.AppendText(append(dst, '"'))
	if err != nil {
		if _, jsonErr := json.Marshal(t); jsonErr != nil {
			err = jsonErr
		}
		return dst, err
	}
	return append(out, '"'), nil
}

// appendFloat appends f the way encoding/json writes a float64: the
// shortest decimal that parses back to f, in exponent form below 1e-6 and
// from 1e21. NaN and the infinities have no JSON form, so for them it
// returns dst unchanged and the error that json.Marshal returns for f.
func appendFloat(dst []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		_, err := json.Marshal(f)
		return dst, err
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	start := len(dst)
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if format == 'e' {
		// Write e-07 as e-7, as encoding/json does.
		n := len(dst)
		if n-start >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst, nil
}

// validJSON reports whether data is one JSON value with optional white
// space around it. It returns what json.Valid returns for every input,
// including false for nesting deeper than maxNestingDepth. It replaces
// json.Valid, whose per-byte state machine was the largest cost of
// EncodeRecord; BenchmarkValidJSON compares the two.
func validJSON(data []byte) bool {
	end, ok := scanValue(data, skipSpace(data, 0), 0)
	return ok && skipSpace(data, end) == len(data)
}

// scanValue returns the offset just past the JSON value that starts at
// data[i]. depth is the number of objects and arrays that enclose it.
func scanValue(data []byte, i, depth int) (int, bool) {
	if i >= len(data) {
		return i, false
	}
	switch c := data[i]; {
	case c == '{':
		return scanObject(data, i, depth+1)
	case c == '[':
		return scanArray(data, i, depth+1)
	case c == '"':
		return scanString(data, i)
	case c == '-' || isDigit(c):
		return scanNumber(data, i)
	case c == 't':
		return scanLiteral(data, i, "true")
	case c == 'f':
		return scanLiteral(data, i, "false")
	case c == 'n':
		return scanLiteral(data, i, "null")
	}
	return i, false
}

func scanObject(data []byte, i, depth int) (int, bool) {
	if depth > maxNestingDepth {
		return i, false
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return i + 1, true
	}
	for {
		var ok bool
		if i >= len(data) || data[i] != '"' {
			return i, false
		}
		if i, ok = scanString(data, i); !ok {
			return i, false
		}
		i = skipSpace(data, i)
		if i >= len(data) || data[i] != ':' {
			return i, false
		}
		if i, ok = scanValue(data, skipSpace(data, i+1), depth); !ok {
			return i, false
		}
		i = skipSpace(data, i)
		if i >= len(data) {
			return i, false
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case '}':
			return i + 1, true
		default:
			return i, false
		}
	}
}

func scanArray(data []byte, i, depth int) (int, bool) {
	if depth > maxNestingDepth {
		return i, false
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == ']' {
		return i + 1, true
	}
	for {
		var ok bool
		if i, ok = scanValue(data, i, depth); !ok {
			return i, false
		}
		i = skipSpace(data, i)
		if i >= len(data) {
			return i, false
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case ']':
			return i + 1, true
		default:
			return i, false
		}
	}
}

// scanString returns the offset just past the JSON string that starts with
// the quote at data[i]. Like json.Valid, it accepts any byte from 0x20 up,
// invalid UTF-8 included.
func scanString(data []byte, i int) (int, bool) {
	for i++; ; {
		i = indexStringSpecial(data, i)
		if i == len(data) || data[i] < 0x20 {
			return i, false
		}
		if data[i] == '"' {
			return i + 1, true
		}
		n, ok := escapeLen(data[i:])
		if !ok {
			return i, false
		}
		i += n
	}
}

// escapeLen returns the length of the string escape sequence at the start
// of s, which begins with a backslash.
func escapeLen(s []byte) (int, bool) {
	if len(s) < 2 {
		return 0, false
	}
	switch s[1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2, true
	case 'u':
		if len(s) < 6 {
			return 0, false
		}
		for _, c := range s[2:6] {
			if !isHexDigit(c) {
				return 0, false
			}
		}
		return 6, true
	}
	return 0, false
}

// scanNumber returns the offset just past the JSON number that starts at
// data[i]: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func scanNumber(data []byte, i int) (int, bool) {
	if data[i] == '-' {
		i++
	}
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case i < len(data) && isDigit(data[i]):
		i = skipDigits(data, i)
	default:
		return i, false
	}
	if i < len(data) && data[i] == '.' {
		i++
		if i >= len(data) || !isDigit(data[i]) {
			return i, false
		}
		i = skipDigits(data, i)
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if i >= len(data) || !isDigit(data[i]) {
			return i, false
		}
		i = skipDigits(data, i)
	}
	return i, true
}

func scanLiteral(data []byte, i int, literal string) (int, bool) {
	if len(data)-i < len(literal) || string(data[i:i+len(literal)]) != literal {
		return i, false
	}
	return i + len(literal), true
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && isJSONSpace(data[i]) {
		i++
	}
	return i
}

func skipDigits(data []byte, i int) int {
	for i < len(data) && isDigit(data[i]) {
		i++
	}
	return i
}

func isDigit(c byte) bool {
	return '0' <= c && c <= '9'
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// unescapeString appends the decoded contents of the JSON string body s,
// which contains at least one escape sequence, to dst. It decodes like
// json.Unmarshal: a \u escape of an unpaired UTF-16 surrogate becomes
// U+FFFD. It reports false for a control character, an invalid escape and
// invalid UTF-8, which json.Unmarshal replaces with U+FFFD and the record
// decoder leaves to it.
func unescapeString(dst, s []byte) ([]byte, bool) {
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\':
			n, ok := escapeLen(s[i:])
			if !ok {
				return dst, false
			}
			if s[i+1] != 'u' {
				dst = append(dst, unescapeByte(s[i+1]))
				i += n
				continue
			}
			r := hexRune(s[i+2 : i+6])
			i += n
			if utf16.IsSurrogate(r) {
				// A valid pair takes the next escape too. Otherwise r
				// becomes U+FFFD and the next escape is decoded on its own.
				next := rune(-1)
				if len(s)-i >= 6 && s[i] == '\\' && s[i+1] == 'u' {
					if _, ok := escapeLen(s[i:]); ok {
						next = hexRune(s[i+2 : i+6])
					}
				}
				r = utf16.DecodeRune(r, next)
				if r != utf8.RuneError {
					i += 6
				}
			}
			dst = utf8.AppendRune(dst, r)
		case c < 0x20:
			return dst, false
		case c < utf8.RuneSelf:
			dst = append(dst, c)
			i++
		default:
			r, size := utf8.DecodeRune(s[i:])
			if r == utf8.RuneError && size == 1 {
				return dst, false
			}
			dst = append(dst, s[i:i+size]...)
			i += size
		}
	}
	return dst, true
}

// unescapeByte returns the byte that the short escape \c stands for.
func unescapeByte(c byte) byte {
	switch c {
	case 'b':
		return '\b'
	case 'f':
		return '\f'
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	}
	return c // '"', '\\' or '/'
}

// hexRune decodes four hex digits that escapeLen has checked.
func hexRune(hex []byte) rune {
	var r rune
	for _, c := range hex {
		switch {
		case c <= '9':
			c -= '0'
		case c <= 'F':
			c -= 'A' - 10
		default:
			c -= 'a' - 10
		}
		r = r<<4 | rune(c)
	}
	return r
}
