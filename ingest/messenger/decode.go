package messenger

import (
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// This file decodes one message item. It accepts exactly the JSON text
// (RFC 8259) that encoding/json accepts, nested up to maxNesting levels, and
// decodes strings as encoding/json does: invalid UTF-8 and unpaired
// surrogates become U+FFFD. It exists because encoding/json, which checks
// the item and then decodes it with reflection, took most of the import
// time. Unlike encoding/json, member names match exactly, not ignoring case.

// decoder reads the JSON value in data from position i.
type decoder struct {
	data  []byte
	i     int
	depth int
	// err is the first syntax error, with its byte offset in the item.
	// Every method returns at once when it is set.
	err string
	// invalid is set when a member the importer maps has the wrong JSON
	// type. The member is skipped and the others are read, as
	// encoding/json does before it returns an UnmarshalTypeError.
	invalid bool
	// fix repairs the mojibake of every string the value methods return,
	// and counts the repairs.
	fix repairer
	// buf and scratch are space for decoding strings with escapes or
	// non-ASCII bytes.
	buf, scratch []byte
}

// reset prepares d to read data, keeping its scratch space.
func (d *decoder) reset(data []byte) {
	d.data, d.i, d.depth, d.err, d.invalid = data, 0, 0, "", false
	d.fix = repairer{}
}

// text reads a string and returns it repaired, as repairMojibake would.
//
// It first decodes the string with each character taken as one byte, which
// works while no character is above U+00FF: that is the mojibake repair
// done in the same pass. Any character above U+00FF means the string is not
// mojibake, and it is decoded again as it is.
func (d *decoder) text() string {
	start := d.i
	latin, ok := d.latinString()
	if d.err != "" {
		return ""
	}
	if !ok {
		d.i = start
		return string(d.stringBytes())
	}

	high := false
	for _, c := range latin {
		if c >= utf8.RuneSelf {
			high = true
			break
		}
	}
	switch {
	case !high:
		return string(latin)
	case utf8.Valid(latin):
		d.fix.count(repairDone)
		return string(latin)
	}

	// Not valid UTF-8 as bytes, so the characters stand for themselves.
	if containsUTF8Sequence(latin) {
		d.fix.count(repairFailed)
	}
	out := d.scratch[:0]
	for _, c := range latin {
		out = utf8.AppendRune(out, rune(c))
	}
	d.scratch = out
	return string(out)
}

// latinString reads a string whose characters are all at most U+00FF and
// returns them as one byte each. It returns false, at an unknown position,
// for a string with a character above U+00FF or with invalid UTF-8, which
// decodes to U+FFFD. The result aliases the item or d.buf.
func (d *decoder) latinString() ([]byte, bool) {
	data := d.data
	start := d.i + 1
	i := start
	for i < len(data) {
		c := data[i]
		if c == '"' {
			d.i = i + 1
			return data[start:i], true
		}
		if c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			break
		}
		i++
	}

	buf := append(d.buf[:0], data[start:i]...)
	defer func() { d.buf = buf[:0] }()
	for i < len(data) {
		c := data[i]
		switch {
		case c == '"':
			d.i = i + 1
			return buf, true
		case c < 0x20:
			d.i = i
			d.fail("control character 0x%02x in a string", c)
			return nil, false
		case c == '\\':
			if i+5 < len(data) && data[i+1] == 'u' && data[i+2] == '0' && data[i+3] == '0' {
				hi, lo := hexValue[data[i+4]], hexValue[data[i+5]]
				if hi|lo >= 16 {
					return nil, false
				}
				buf = append(buf, hi<<4|lo)
				i += 6
				continue
			}
			if i+1 >= len(data) {
				return nil, false
			}
			e := simpleEscapes[data[i+1]]
			if e == 0 {
				return nil, false
			}
			buf = append(buf, e)
			i += 2
		case c < utf8.RuneSelf:
			buf = append(buf, c)
			i++
		default:
			r, size := utf8.DecodeRune(data[i:])
			if r > 0xFF || size == 1 {
				return nil, false
			}
			buf = append(buf, byte(r))
			i += size
		}
	}
	return nil, false
}

// simpleEscapes maps the letter of a one-letter JSON escape to its byte,
// and every other byte to 0.
var simpleEscapes = [256]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

func (d *decoder) fail(format string, args ...any) {
	if d.err == "" {
		d.err = fmt.Sprintf("invalid JSON at byte %d of the item: %s", d.i+1, fmt.Sprintf(format, args...))
	}
}

// end checks that nothing but white space follows the value.
func (d *decoder) end() {
	if d.err != "" {
		return
	}
	d.space()
	if d.i < len(d.data) {
		d.fail("unexpected data after the value")
	}
}

func (d *decoder) space() {
	i, data := d.i, d.data
	for i < len(data) && isSpace[data[i]] {
		i++
	}
	d.i = i
}

// isSpace marks the white space bytes of JSON.
var isSpace = [256]bool{' ': true, '\t': true, '\n': true, '\r': true}

// peek returns the first byte of the next value, or 0 at the end.
func (d *decoder) peek() byte {
	d.space()
	if d.i >= len(d.data) {
		return 0
	}
	return d.data[d.i]
}

// object reads an object, calling member with each member name. member
// must read the value, with one of the decoder's value methods. It returns
// false, having skipped the value, when the value is not an object.
func (d *decoder) object(member func(name []byte)) bool {
	if d.err != "" {
		return false
	}
	if d.peek() != '{' {
		return false
	}
	if d.depth++; d.depth > maxNesting {
		d.fail("nested more than %d levels deep", maxNesting)
		return true
	}
	d.i++
	for first := true; ; first = false {
		switch c := d.peek(); {
		case c == '}':
			d.i++
			d.depth--
			return true
		case !first && c == ',':
			d.i++
			d.space()
		case !first:
			d.fail("want ',' or '}' after an object member, got %s", d.describe())
			return true
		}
		if d.peek() != '"' {
			d.fail("want a member name, got %s", d.describe())
			return true
		}
		name := d.stringBytes()
		if d.err != "" {
			return true
		}
		if d.peek() != ':' {
			d.fail("want ':' after a member name, got %s", d.describe())
			return true
		}
		d.i++
		member(name)
		if d.err != "" {
			return true
		}
	}
}

// array reads an array, calling element for each element, which must read
// it. It returns false, having read nothing, when the value is not an
// array.
func (d *decoder) array(element func()) bool {
	if d.err != "" {
		return false
	}
	if d.peek() != '[' {
		return false
	}
	if d.depth++; d.depth > maxNesting {
		d.fail("nested more than %d levels deep", maxNesting)
		return true
	}
	d.i++
	for first := true; ; first = false {
		switch c := d.peek(); {
		case c == ']':
			d.i++
			d.depth--
			return true
		case !first && c == ',':
			d.i++
		case !first:
			d.fail("want ',' or ']' after an array element, got %s", d.describe())
			return true
		}
		element()
		if d.err != "" {
			return true
		}
	}
}

// skip reads and checks any value.
func (d *decoder) skip() {
	if d.err != "" {
		return
	}
	switch c := d.peek(); c {
	case '{':
		d.object(func([]byte) { d.skip() })
	case '[':
		d.array(d.skip)
	case '"':
		d.stringBytes()
	case 't':
		d.literal("true")
	case 'f':
		d.literal("false")
	case 'n':
		d.literal("null")
	default:
		if c == '-' || (c >= '0' && c <= '9') {
			d.number()
			return
		}
		d.fail("want a value, got %s", d.describe())
	}
}

// isNull reads a null and reports whether the value was one.
func (d *decoder) isNull() bool {
	if d.err != "" || d.peek() != 'n' {
		return false
	}
	d.literal("null")
	return true
}

// wrongType skips a value of the wrong type for a mapped member.
func (d *decoder) wrongType() {
	d.invalid = true
	d.skip()
}

// string reads a string or null into dst, repaired.
func (d *decoder) string(dst *string) {
	switch d.peek() {
	case '"':
		*dst = d.text()
	case 'n':
		d.literal("null")
	default:
		d.wrongType()
	}
}

// bool reads a boolean or null into dst.
func (d *decoder) bool(dst *bool) {
	switch d.peek() {
	case 't':
		d.literal("true")
		*dst = true
	case 'f':
		d.literal("false")
		*dst = false
	case 'n':
		d.literal("null")
	default:
		d.wrongType()
	}
}

// optionalInt reads an integer into *dst, leaving it nil for null. A
// number that is not an int64 is of the wrong type.
func (d *decoder) optionalInt(dst **int64) {
	if d.isNull() {
		*dst = nil
		return
	}
	c := d.peek()
	if c != '-' && (c < '0' || c > '9') {
		d.wrongType()
		return
	}
	text := d.number()
	if d.err != "" {
		return
	}
	n, err := strconv.ParseInt(string(text), 10, 64)
	if err != nil {
		d.invalid = true
		return
	}
	*dst = &n
}

func (d *decoder) literal(word string) {
	if d.err != "" {
		return
	}
	if len(d.data)-d.i < len(word) || string(d.data[d.i:d.i+len(word)]) != word {
		d.fail("invalid literal, want %s", word)
		return
	}
	d.i += len(word)
}

// number reads a number as RFC 8259 spells it and returns its text.
func (d *decoder) number() []byte {
	start := d.i
	data := d.data
	i := d.i
	if i < len(data) && data[i] == '-' {
		i++
	}
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case i < len(data) && data[i] >= '1' && data[i] <= '9':
		for i < len(data) && data[i] >= '0' && data[i] <= '9' {
			i++
		}
	default:
		d.i = i
		d.fail("invalid number")
		return nil
	}
	if i < len(data) && data[i] == '.' {
		i++
		digits := i
		for i < len(data) && data[i] >= '0' && data[i] <= '9' {
			i++
		}
		if i == digits {
			d.i = i
			d.fail("invalid number: no digit after '.'")
			return nil
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		digits := i
		for i < len(data) && data[i] >= '0' && data[i] <= '9' {
			i++
		}
		if i == digits {
			d.i = i
			d.fail("invalid number: no digit in the exponent")
			return nil
		}
	}
	d.i = i
	return data[start:i]
}

// stringBytes reads a string and returns its decoded bytes. The result
// aliases the item or d.buf, so it is valid until the next string.
func (d *decoder) stringBytes() []byte {
	if d.err != "" {
		return nil
	}
	data := d.data
	start := d.i + 1

	// Fast path: printable ASCII without escapes is its own value.
	i := start
	for i < len(data) {
		c := data[i]
		if c == '"' {
			d.i = i + 1
			return data[start:i]
		}
		if c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			break
		}
		i++
	}

	buf := append(d.buf[:0], data[start:i]...)
	for {
		if i >= len(data) {
			d.i = i
			d.fail("the item ends inside a string")
			return nil
		}
		c := data[i]
		switch {
		case c == '"':
			d.i = i + 1
			d.buf = buf
			return buf
		case c < 0x20:
			d.i = i
			d.fail("control character 0x%02x in a string", c)
			return nil
		case c == '\\':
			var ok bool
			buf, i, ok = d.escape(buf, i)
			if !ok {
				return nil
			}
		case c < utf8.RuneSelf:
			buf = append(buf, c)
			i++
		default:
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size == 1 {
				buf = utf8.AppendRune(buf, utf8.RuneError)
			} else {
				buf = append(buf, data[i:i+size]...)
			}
			i += size
		}
	}
}

// escape appends the character of the escape at data[i] to buf and returns
// the index after it.
func (d *decoder) escape(buf []byte, i int) ([]byte, int, bool) {
	data := d.data
	if i+1 >= len(data) {
		d.i = i
		d.fail("the item ends inside an escape")
		return nil, 0, false
	}
	switch c := data[i+1]; c {
	case '"', '\\', '/':
		return append(buf, c), i + 2, true
	case 'b':
		return append(buf, '\b'), i + 2, true
	case 'f':
		return append(buf, '\f'), i + 2, true
	case 'n':
		return append(buf, '\n'), i + 2, true
	case 'r':
		return append(buf, '\r'), i + 2, true
	case 't':
		return append(buf, '\t'), i + 2, true
	case 'u':
		// Meta's mojibake is mostly \u00XX, which needs no surrogate
		// check.
		if i+5 < len(data) && data[i+2] == '0' && data[i+3] == '0' {
			hi, lo := hexValue[data[i+4]], hexValue[data[i+5]]
			if hi|lo < 16 {
				return utf8.AppendRune(buf, rune(hi<<4|lo)), i + 6, true
			}
		}
		r, ok := hex4(data, i+2)
		if !ok {
			d.i = i
			d.fail(`invalid \u escape`)
			return nil, 0, false
		}
		i += 6
		if utf16.IsSurrogate(r) {
			// A high surrogate followed by the escape of a low one is
			// one character. Any other surrogate becomes U+FFFD.
			if low, ok := hex4(data, i+2); ok && i+1 < len(data) && data[i] == '\\' && data[i+1] == 'u' {
				if pair := utf16.DecodeRune(r, low); pair != utf8.RuneError {
					return utf8.AppendRune(buf, pair), i + 6, true
				}
			}
			r = utf8.RuneError
		}
		return utf8.AppendRune(buf, r), i, true
	}
	d.i = i
	d.fail("invalid escape")
	return nil, 0, false
}

// hex4 reads the four hex digits at data[i].
func hex4(data []byte, i int) (rune, bool) {
	if i+4 > len(data) {
		return 0, false
	}
	var r rune
	for _, c := range data[i : i+4] {
		v := hexValue[c]
		if v >= 16 {
			return 0, false
		}
		r = r<<4 | rune(v)
	}
	return r, true
}

// hexValue maps a hex digit to its value, and every other byte to 0xFF.
var hexValue = func() (table [256]byte) {
	for c := range table {
		switch {
		case c >= '0' && c <= '9':
			table[c] = byte(c - '0')
		case c >= 'a' && c <= 'f':
			table[c] = byte(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			table[c] = byte(c - 'A' + 10)
		default:
			table[c] = 0xFF
		}
	}
	return table
}()

// describe names the byte at the read position for an error message.
func (d *decoder) describe() string {
	if d.i >= len(d.data) {
		return "the end of the item"
	}
	return describeByte(d.data[d.i])
}
