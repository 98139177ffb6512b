package jsonscan

import (
	"bytes"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// TypeName returns the name of the JSON type of the raw value, for error
// messages: "object", "array", "string", "boolean", "null", "number", or
// "nothing" for an absent value.
func TypeName(raw []byte) string {
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

// IsNull reports whether raw is absent or JSON null.
func IsNull(raw []byte) bool {
	return len(raw) == 0 || string(raw) == "null"
}

// DecodeString decodes the valid JSON string raw, with its quotes. Like
// encoding/json, it turns each byte of invalid UTF-8 and each unpaired
// surrogate escape into U+FFFD.
func DecodeString(raw []byte) string {
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

// StringValue returns the string that the valid raw value contains. ok is
// false when raw is present but not a string. An absent or null raw returns
// "" and true.
func StringValue(raw []byte) (s string, ok bool) {
	if IsNull(raw) {
		return "", true
	}
	if raw[0] != '"' {
		return "", false
	}
	return DecodeString(raw), true
}

// IDValue returns an id written as a JSON string or as a JSON number,
// keeping the number's text exactly as written, so that an id too long for
// a float64 keeps every digit. An absent or null raw returns "" and true,
// and ok is false for any other type.
func IDValue(raw []byte) (s string, ok bool) {
	if len(raw) > 0 && (raw[0] == '-' || isDigit(raw[0])) {
		return string(raw), true
	}
	return StringValue(raw)
}

// IntValue returns an integer of at most 18 digits, with an optional minus
// sign, written as a JSON number or as a JSON string. present is false for
// an absent or null raw. ok is false for a value of another type or form,
// such as a fraction, an exponent or 19 digits.
func IntValue(raw []byte) (n int64, present, ok bool) {
	if IsNull(raw) {
		return 0, false, true
	}
	text := raw
	if raw[0] == '"' {
		text = raw[1 : len(raw)-1]
		if bytes.IndexByte(text, '\\') >= 0 {
			text = []byte(DecodeString(raw))
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

// QuoteShort quotes a format token such as a timestamp for an error reason,
// cut to 40 bytes so that a wrong value cannot carry message text.
func QuoteShort(s string) string {
	const limit = 40
	if len(s) > limit {
		return strconv.Quote(s[:limit]) + "..."
	}
	return strconv.Quote(s)
}
