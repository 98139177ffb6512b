package slack

import (
	"bytes"
	"encoding/binary"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// This file holds a small JSON (RFC 8259) toolkit. checkValue validates a
// value once; the other functions then slice members and elements out of the
// validated text without copying it. That is several times faster than
// json.Unmarshal into a struct, which a Slack export of millions of messages
// notices.
//
// NOTE: ingest/zalooa holds the same file; a change to one belongs in both.

// maxDepth is the deepest nesting checkValue accepts, the same limit that
// encoding/json applies.
const maxDepth = 10000

// plainStringByte marks the bytes that stand for themselves inside a JSON
// string: all but control characters, the quote and the backslash. Bytes of
// invalid UTF-8 are plain, as encoding/json accepts them (and decodes them
// as U+FFFD).
var plainStringByte = func() (plain [256]bool) {
	for c := range plain {
		plain[c] = c >= 0x20 && c != '"' && c != '\\'
	}
	return plain
}()

// isSpace reports whether c is JSON white space.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r'
}

// skipSpace returns the index of the first byte at or after i that is not
// JSON white space.
func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
		// Slack indents its files with spaces, eight at a time deep in
		// a message.
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
// nil, it appends the object's members to it, so that a caller that reads
// them needs no second pass.
func checkObject(b []byte, i, depth int, members *[]member) (int, bool) {
	if depth > maxDepth {
		return i, false
	}
	i = skipSpace(b, i+1)
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
		i = skipSpace(b, i)
		if i >= len(b) || b[i] != ':' {
			return i, false
		}
		valueStart := skipSpace(b, i+1)
		if i, ok = checkValue(b, valueStart, depth); !ok {
			return i, false
		}
		if members != nil {
			*members = append(*members, member{name: b[nameStart+1 : nameEnd-1], value: b[valueStart:i:i]})
		}
		i = skipSpace(b, i)
		if i >= len(b) {
			return i, false
		}
		switch b[i] {
		case '}':
			return i + 1, true
		case ',':
			i = skipSpace(b, i+1)
		default:
			return i, false
		}
	}
}

func checkArray(b []byte, i, depth int) (int, bool) {
	if depth > maxDepth {
		return i, false
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1, true
	}
	for {
		var ok bool
		if i, ok = checkValue(b, i, depth); !ok {
			return i, false
		}
		i = skipSpace(b, i)
		if i >= len(b) {
			return i, false
		}
		switch b[i] {
		case ']':
			return i + 1, true
		case ',':
			i = skipSpace(b, i+1)
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

// The functions below read text that checkValue accepted; on other text
// their results are undefined.

// skipValue returns the index just after the valid value that starts at
// b[i].
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
	default: // a number or a literal
		for i < len(b) {
			switch b[i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return i
			}
			i++
		}
		return i
	}
}

// skipString returns the index just after the valid string that starts
// with the quote at b[i].
func skipString(b []byte, i int) int {
	i++
	for {
		q := bytes.IndexByte(b[i:], '"')
		backslash := bytes.IndexByte(b[i:i+q], '\\')
		if backslash < 0 {
			return i + q + 1
		}
		i += backslash + 2 // the backslash and the byte it escapes
	}
}

// member is one member of a JSON object: its name as written between the
// quotes (escapes not decoded) and its raw value.
type member struct {
	name  []byte
	value []byte
}

// is reports whether the member's name is name, decoding escapes in the
// written name when it has any.
func (m member) is(name string) bool {
	return string(m.decodedName()) == name
}

// decodedName returns the member's name decoded as decodeString decodes a
// string. It copies only a name that has escapes or invalid UTF-8, so a
// caller that switches on string(m.decodedName()) allocates nothing for
// ordinary names.
func (m member) decodedName() []byte {
	if bytes.IndexByte(m.name, '\\') < 0 && utf8.Valid(m.name) {
		return m.name
	}
	return []byte(unquoteName(m.name))
}

// unquoteName decodes a member name written with escapes.
func unquoteName(name []byte) string {
	quoted := make([]byte, 0, len(name)+2)
	quoted = append(quoted, '"')
	quoted = append(quoted, name...)
	quoted = append(quoted, '"')
	return decodeString(quoted)
}

// members iterates over the members of a valid object, in input order.
type members struct {
	raw []byte
	i   int
}

func newMembers(raw []byte) members { return members{raw: raw, i: skipSpace(raw, 1)} }

// next returns the next member, or false after the last one.
func (it *members) next() (member, bool) {
	raw := it.raw
	if raw[it.i] == '}' {
		return member{}, false
	}
	nameEnd := skipString(raw, it.i)
	valueStart := skipSpace(raw, skipSpace(raw, nameEnd)+1) // after the colon
	valueEnd := skipValue(raw, valueStart)
	m := member{name: raw[it.i+1 : nameEnd-1], value: raw[valueStart:valueEnd:valueEnd]}
	it.i = skipSpace(raw, valueEnd)
	if raw[it.i] == ',' {
		it.i = skipSpace(raw, it.i+1)
	}
	return m, true
}

// lookup returns the raw value of the member name of the valid object raw,
// or nil when it has none. Like json.Unmarshal, it takes the last of
// duplicate names.
func lookup(raw []byte, name string) []byte {
	var found []byte
	it := newMembers(raw)
	for m, ok := it.next(); ok; m, ok = it.next() {
		if m.is(name) {
			found = m.value
		}
	}
	return found
}

// elements iterates over the elements of a valid array, in input order.
type elements struct {
	raw []byte
	i   int
}

func newElements(raw []byte) elements { return elements{raw: raw, i: skipSpace(raw, 1)} }

// next returns the next element, or false after the last one.
func (it *elements) next() ([]byte, bool) {
	raw := it.raw
	if raw[it.i] == ']' {
		return nil, false
	}
	end := skipValue(raw, it.i)
	elem := raw[it.i:end:end]
	it.i = skipSpace(raw, end)
	if raw[it.i] == ',' {
		it.i = skipSpace(raw, it.i+1)
	}
	return elem, true
}

// jsonType names the JSON type of a raw value for messages.
func jsonType(raw []byte) string {
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// isNull reports whether raw is absent or JSON null.
func isNull(raw []byte) bool {
	return len(raw) == 0 || string(raw) == "null"
}

// decodeString decodes the valid JSON string raw, with its quotes. Like
// encoding/json, it turns each byte of invalid UTF-8 and each unpaired
// surrogate escape into U+FFFD.
func decodeString(raw []byte) string {
	body := raw[1 : len(raw)-1]
	if bytes.IndexByte(body, '\\') < 0 && utf8.Valid(body) {
		return string(body)
	}
	return string(appendUnquoted(make([]byte, 0, len(body)), body))
}

// appendUnquoted appends the decoded body of a valid JSON string, without
// its quotes, to dst.
func appendUnquoted(dst, body []byte) []byte {
	for i := 0; i < len(body); {
		c := body[i]
		switch {
		case c == '\\':
			var r rune
			r, i = decodeEscape(body, i)
			dst = utf8.AppendRune(dst, r)
		case c < utf8.RuneSelf:
			dst = append(dst, c)
			i++
		default:
			r, size := utf8.DecodeRune(body[i:])
			dst = utf8.AppendRune(dst, r) // RuneError for an invalid byte
			i += size
		}
	}
	return dst
}

// decodeEscape decodes the valid escape at body[i] and returns the rune and
// the index after the escape. A \u escape of a surrogate takes the next \u
// escape with it when the two form a pair, and is U+FFFD otherwise.
func decodeEscape(body []byte, i int) (rune, int) {
	switch body[i+1] {
	case 'b':
		return '\b', i + 2
	case 'f':
		return '\f', i + 2
	case 'n':
		return '\n', i + 2
	case 'r':
		return '\r', i + 2
	case 't':
		return '\t', i + 2
	case 'u':
	default: // '"', '\\' or '/'
		return rune(body[i+1]), i + 2
	}
	r := hex4(body[i+2 : i+6])
	i += 6
	if !utf16.IsSurrogate(r) {
		return r, i
	}
	if i+6 <= len(body) && body[i] == '\\' && body[i+1] == 'u' {
		if pair := utf16.DecodeRune(r, hex4(body[i+2:i+6])); pair != utf8.RuneError {
			return pair, i + 6
		}
	}
	return utf8.RuneError, i
}

// hex4 returns the value of four valid hex digits.
func hex4(b []byte) rune {
	var r rune
	for _, c := range b[:4] {
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

// stringValue returns the string that raw contains. ok is false when raw is
// present but not a string. An absent or null raw returns "" and true.
func stringValue(raw []byte) (s string, ok bool) {
	if isNull(raw) {
		return "", true
	}
	if raw[0] != '"' {
		return "", false
	}
	return decodeString(raw), true
}

// idValue returns an id written as a string or as a JSON number, keeping the
// number's text exactly as written. ok is false for any other type.
func idValue(raw []byte) (s string, ok bool) {
	if len(raw) > 0 && (raw[0] == '-' || isDigit(raw[0])) {
		return string(raw), true
	}
	return stringValue(raw)
}

// intValue returns an integer of at most 18 digits written as a JSON number
// or as a string of decimal digits. present is false for an absent or null
// raw; ok is false for a value of another type or form.
func intValue(raw []byte) (n int64, present, ok bool) {
	if isNull(raw) {
		return 0, false, true
	}
	text := raw
	if raw[0] == '"' {
		text = raw[1 : len(raw)-1]
		if bytes.IndexByte(text, '\\') >= 0 {
			text = []byte(decodeString(raw))
		}
	}
	n, ok = parseInt(text)
	return n, true, ok
}

// parseInt parses an optional minus sign and 1 to 18 decimal digits, which
// always fit an int64.
func parseInt(b []byte) (int64, bool) {
	negative := len(b) > 0 && b[0] == '-'
	if negative {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if !isDigit(c) {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if negative {
		n = -n
	}
	return n, true
}

// quoteShort quotes a format token such as a timestamp for an error reason,
// cut to 40 bytes so that a wrong value cannot carry message text.
func quoteShort(s string) string {
	const limit = 40
	if len(s) > limit {
		return strconv.Quote(s[:limit]) + "..."
	}
	return strconv.Quote(s)
}
