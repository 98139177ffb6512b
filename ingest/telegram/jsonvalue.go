package telegram

import (
	"bytes"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// This file walks a message object that the stream has already read and
// validated. The walk finds members by slicing the object's bytes instead of
// building maps with json.Unmarshal. It does not validate again, but it
// checks every index, so that bytes that are not valid JSON, which only a
// broken invariant could bring here, end the walk instead of a panic.

// eachMember calls f with the name and the value of each member of the
// object obj, in order. name is the raw text between the quotes; a name
// with escapes is passed undecoded. It returns false when obj is not a JSON
// object or its bytes end early.
func eachMember(obj []byte, f func(name, value []byte)) bool {
	i := skipSpace(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return false
	}
	i = skipSpace(obj, i+1)
	if i < len(obj) && obj[i] == '}' {
		return true
	}
	for {
		if i >= len(obj) || obj[i] != '"' {
			return false
		}
		end, ok := stringEnd(obj, i)
		if !ok {
			return false
		}
		name := obj[i+1 : end-1]
		i = skipSpace(obj, end)
		if i >= len(obj) || obj[i] != ':' {
			return false
		}
		i = skipSpace(obj, i+1)
		end, ok = valueEnd(obj, i)
		if !ok {
			return false
		}
		f(name, obj[i:end])
		i = skipSpace(obj, end)
		if i >= len(obj) {
			return false
		}
		if obj[i] == '}' {
			return true
		}
		if obj[i] != ',' {
			return false
		}
		i = skipSpace(obj, i+1)
	}
}

// eachElement calls f with each element of the array arr. It returns false
// when arr is not a JSON array or its bytes end early.
func eachElement(arr []byte, f func(elem []byte)) bool {
	i := skipSpace(arr, 0)
	if i >= len(arr) || arr[i] != '[' {
		return false
	}
	i = skipSpace(arr, i+1)
	if i < len(arr) && arr[i] == ']' {
		return true
	}
	for {
		end, ok := valueEnd(arr, i)
		if !ok {
			return false
		}
		f(arr[i:end])
		i = skipSpace(arr, end)
		if i >= len(arr) {
			return false
		}
		if arr[i] == ']' {
			return true
		}
		if arr[i] != ',' {
			return false
		}
		i = skipSpace(arr, i+1)
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// stringEnd returns the index just past the string that starts at b[i].
func stringEnd(b []byte, i int) (int, bool) {
	for j := i + 1; j < len(b); {
		k := indexQuoteOrBackslash(b[j:])
		if k < 0 {
			return 0, false
		}
		j += k
		if b[j] == '"' {
			return j + 1, true
		}
		j += 2 // a backslash and the byte it escapes
	}
	return 0, false
}

// valueEnd returns the index just past the value that starts at b[i].
func valueEnd(b []byte, i int) (int, bool) {
	if i >= len(b) {
		return 0, false
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				end, ok := stringEnd(b, j)
				if !ok {
					return 0, false
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, true
				}
			}
		}
		return 0, false
	}
	j := i
	for j < len(b) {
		switch b[j] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return j, j > i
		}
		j++
	}
	return j, j > i
}

// isNull reports whether a member is absent or JSON null.
func isNull(v []byte) bool {
	return len(v) == 0 || string(v) == "null"
}

// decodeString returns the string that the JSON string v holds. It decodes
// as encoding/json does (invalid UTF-8 and unpaired surrogates become
// U+FFFD), and also reads Telegram's \xHH as the code point U+00HH. ok is
// false when v is not a valid string.
func decodeString(v []byte) (s string, ok bool) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return "", false
	}
	body := v[1 : len(v)-1]
	if bytes.IndexByte(body, '\\') < 0 && utf8.Valid(body) {
		return string(body), true
	}
	out, ok := unquote(make([]byte, 0, len(body)+utf8.UTFMax), body)
	return string(out), ok
}

// appendString appends the string that the JSON string v holds to dst, as
// decodeString decodes it.
func appendString(dst, v []byte) ([]byte, bool) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return dst, false
	}
	body := v[1 : len(v)-1]
	if bytes.IndexByte(body, '\\') < 0 && utf8.Valid(body) {
		return append(dst, body...), true
	}
	return unquote(dst, body)
}

// unquote appends the decoded body of a JSON string that has escapes or
// invalid UTF-8 to out.
func unquote(out, body []byte) ([]byte, bool) {
	for i := 0; i < len(body); {
		c := body[i]
		switch {
		case c == '\\':
			if i+1 >= len(body) {
				return out, false
			}
			switch e := body[i+1]; e {
			case '"', '\\', '/':
				out = append(out, e)
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'x':
				v, ok := hexValue(body[i+2:], 2)
				if !ok {
					return out, false
				}
				out = utf8.AppendRune(out, v)
				i += 4
				continue
			case 'u':
				v, ok := hexValue(body[i+2:], 4)
				if !ok {
					return out, false
				}
				i += 6
				if utf16.IsSurrogate(v) {
					if i+1 < len(body) && body[i] == '\\' && body[i+1] == 'u' {
						if low, ok := hexValue(body[i+2:], 4); ok {
							if pair := utf16.DecodeRune(v, low); pair != utf8.RuneError {
								out = utf8.AppendRune(out, pair)
								i += 6
								continue
							}
						}
					}
					v = utf8.RuneError
				}
				out = utf8.AppendRune(out, v)
				continue
			default:
				return out, false
			}
			i += 2
		case c < utf8.RuneSelf:
			if c < 0x20 || c == '"' {
				return out, false
			}
			out = append(out, c)
			i++
		default:
			r, size := utf8.DecodeRune(body[i:])
			out = utf8.AppendRune(out, r)
			i += size
		}
	}
	return out, true
}

// hexValue reads n hex digits at the start of b.
func hexValue(b []byte, n int) (rune, bool) {
	if len(b) < n {
		return 0, false
	}
	var v rune
	for _, c := range b[:n] {
		var d byte
		switch {
		case '0' <= c && c <= '9':
			d = c - '0'
		case 'a' <= c && c <= 'f':
			d = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		v = v<<4 | rune(d)
	}
	return v, true
}

// optionalString returns the string v, "" for null or absent, and ok false
// for any other JSON type.
func optionalString(v []byte) (string, bool) {
	if isNull(v) {
		return "", true
	}
	return decodeString(v)
}

// integerText returns the digits of v when v is a JSON integer, or a string
// holding one, such as date_unixtime "1715302812". Telegram writes ids and
// times without sign, fraction or exponent; anything else is rejected.
func integerText(v []byte) (string, bool) {
	if len(v) >= 2 && v[0] == '"' {
		v = v[1 : len(v)-1]
	}
	if len(v) == 0 || len(v) > 20 {
		return "", false
	}
	start := 0
	if v[0] == '-' {
		start = 1
	}
	if start == len(v) {
		return "", false
	}
	for _, c := range v[start:] {
		if c < '0' || c > '9' {
			return "", false
		}
	}
	return string(v), true
}

// integer returns v as an int64 when it is a JSON integer or a string
// holding one.
func integer(v []byte) (int64, bool) {
	text, ok := integerText(v)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(text, 10, 64)
	return n, err == nil
}

// number returns v as a float64 when it is a JSON number.
func number(v []byte) (float64, bool) {
	if len(v) == 0 || v[0] == '"' || isNull(v) {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(v), 64)
	return f, err == nil
}

// quoteShort quotes a format token, such as an action or a type name, for a
// warning or an error, cut to 40 bytes so that a wrong value cannot carry
// message text.
func quoteShort(s string) string {
	const limit = 40
	if len(s) > limit {
		return strconv.Quote(s[:limit]) + "..."
	}
	return strconv.Quote(s)
}
