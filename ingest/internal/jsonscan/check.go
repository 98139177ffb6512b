// Package jsonscan validates JSON (RFC 8259) text in one pass, then reads
// members, elements and values out of the validated text by slicing it.
// Validation and iteration copy nothing and build no maps or structs, so an
// importer that reads millions of messages decodes only the members it
// uses. The Slack and Zalo OA importers use it.
//
// Check and CheckObject accept exactly the values that encoding/json (Go
// 1.26) accepts: RFC 8259 values nested at most 10,000 deep, the limit of
// encoding/json, with bytes of invalid UTF-8 allowed inside strings.
// DecodeString decodes a string as encoding/json does, turning each byte of
// invalid UTF-8 and each unpaired surrogate escape into U+FFFD. Lookup, like
// json.Unmarshal, takes the last of duplicate member names. FuzzJSON checks
// these promises against encoding/json.
//
// The Members and Elements iterators, Lookup, DecodeString, StringValue,
// IDValue and IntValue read text that Check or CheckObject accepted and do
// not validate it again. On
// other text their results are undefined, and they may panic. A raw value
// is the value's bytes as written, without surrounding white space: a
// subslice of the input whose capacity ends with the value, so appending to
// it never overwrites the input. An absent member's raw value is nil.
package jsonscan

import (
	"bytes"
	"encoding/binary"
)

// maxDepth is the deepest nesting checkValue accepts, the same limit that
// encoding/json applies.
const maxDepth = 10000

// Check validates the JSON value that starts at b[0], with no white space
// before it, and returns the index just after the value. Data may follow the
// value, and the caller decides whether it may. When the value is invalid,
// Check returns false and the index of the first byte that makes it so
// (len(b) when b ends too early).
func Check(b []byte) (end int, ok bool) {
	return checkValue(b, 0, 0)
}

// CheckObject validates the JSON object that starts at b[0] as Check does.
// When members is not nil, it appends the object's members to *members in
// input order, so that a caller that reads them needs no second pass. After
// a failure, *members contains the members before the fault. A value that is
// not an object fails at index 0.
func CheckObject(b []byte, members *[]Member) (end int, ok bool) {
	if len(b) == 0 || b[0] != '{' {
		return 0, false
	}
	return checkObject(b, 0, 1, members)
}

// IsSpace reports whether c is JSON white space.
func IsSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r'
}

// SkipSpace returns the index of the first byte at or after i that is not
// JSON white space.
func SkipSpace(b []byte, i int) int {
	for i < len(b) && IsSpace(b[i]) {
		i++
		// Pretty-printed JSON, such as a Slack export, indents with runs
		// of spaces, eight at a time deep in a message.
		for i+8 <= len(b) && binary.LittleEndian.Uint64(b[i:]) == 0x2020202020202020 {
			i += 8
		}
	}
	return i
}

// checkValue validates the JSON value that starts at b[i] and returns the
// index just after it. When the value is invalid it returns false and the
// index of the first byte that makes it so (len(b) when b ends too early).
func checkValue(b []byte, i, depth int) (int, bool) {
	if i >= len(b) {
		return i, false
	}
	switch c := b[i]; c {
	case '{':
		return checkObject(b, i, depth+1, nil)
	case '[':
		return checkArray(b, i, depth+1)
	case '"':
		return checkString(b, i)
	case 't':
		return checkLiteral(b, i, "true")
	case 'f':
		return checkLiteral(b, i, "false")
	case 'n':
		return checkLiteral(b, i, "null")
	default:
		if c == '-' || (c >= '0' && c <= '9') {
			return checkNumber(b, i)
		}
		return i, false
	}
}

// checkObject validates the object that starts at b[i]. When members is not
// nil, it appends the object's members to it.
func checkObject(b []byte, i, depth int, members *[]Member) (int, bool) {
	if depth > maxDepth {
		return i, false
	}
	i = SkipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, true
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return i, false
		}
		nameStart := i
		var ok bool
		if i, ok = checkString(b, i); !ok {
			return i, false
		}
		nameEnd := i
		i = SkipSpace(b, i)
		if i >= len(b) || b[i] != ':' {
			return i, false
		}
		valueStart := SkipSpace(b, i+1)
		if i, ok = checkValue(b, valueStart, depth); !ok {
			return i, false
		}
		if members != nil {
			*members = append(*members, Member{Name: b[nameStart+1 : nameEnd-1], Value: b[valueStart:i:i]})
		}
		i = SkipSpace(b, i)
		if i >= len(b) {
			return i, false
		}
		switch b[i] {
		case '}':
			return i + 1, true
		case ',':
			i = SkipSpace(b, i+1)
		default:
			return i, false
		}
	}
}

func checkArray(b []byte, i, depth int) (int, bool) {
	if depth > maxDepth {
		return i, false
	}
	i = SkipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1, true
	}
	for {
		var ok bool
		if i, ok = checkValue(b, i, depth); !ok {
			return i, false
		}
		i = SkipSpace(b, i)
		if i >= len(b) {
			return i, false
		}
		switch b[i] {
		case ']':
			return i + 1, true
		case ',':
			i = SkipSpace(b, i+1)
		default:
			return i, false
		}
	}
}

// checkString validates the string that starts with the quote at b[i].
func checkString(b []byte, i int) (int, bool) {
	i++
	for {
		// Find the closing quote, then look for what may not stand
		// before it: a backslash or a control character.
		rest := b[i:]
		quote := bytes.IndexByte(rest, '"')
		if quote >= 0 {
			rest = rest[:quote]
		}
		special := indexSpecial(rest)
		if special < 0 {
			if quote < 0 {
				return len(b), false
			}
			return i + quote + 1, true
		}
		i += special
		if b[i] != '\\' {
			return i, false // a control character
		}
		if i+1 >= len(b) {
			return len(b), false
		}
		switch b[i+1] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			i += 2
		case 'u':
			for k := i + 2; k < i+6; k++ {
				if k >= len(b) {
					return len(b), false
				}
				if !isHex(b[k]) {
					return k, false
				}
			}
			i += 6
		default:
			return i + 1, false
		}
	}
}

// indexSpecial returns the index of the first backslash or control
// character in s, or -1.
func indexSpecial(s []byte) int {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if hasSpecialByte(binary.LittleEndian.Uint64(s[i:])) {
			break
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '\\' {
			return i
		}
	}
	return -1
}

// hasSpecialByte reports whether any of the eight bytes packed in w is a
// control character, a quote or a backslash. It uses the bit tricks of "Bit
// Twiddling Hacks" (Sean Eron Anderson). A byte of x is below n when
// (x - n) & ^x has its top bit set, and it equals c when x ^ c is zero.
func hasSpecialByte(w uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	below := func(x uint64, n uint64) uint64 { return (x - ones*n) & ^x & highs }
	return below(w, 0x20)|below(w^(ones*'"'), 1)|below(w^(ones*'\\'), 1) != 0
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func checkLiteral(b []byte, i int, literal string) (int, bool) {
	for k := 0; k < len(literal); k++ {
		if i+k >= len(b) || b[i+k] != literal[k] {
			return i + k, false
		}
	}
	return i + len(literal), true
}

// checkNumber validates -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func checkNumber(b []byte, i int) (int, bool) {
	if b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i = skipDigits(b, i)
	default:
		return i, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || !isDigit(b[i]) {
			return i, false
		}
		i = skipDigits(b, i)
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || !isDigit(b[i]) {
			return i, false
		}
		i = skipDigits(b, i)
	}
	return i, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func skipDigits(b []byte, i int) int {
	for i < len(b) && isDigit(b[i]) {
		i++
	}
	return i
}
