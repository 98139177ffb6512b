package jsonscan

import (
	"bytes"
	"unicode/utf8"
)

// The functions below read text that Check accepted. On other text their
// results are undefined.

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

// Member is one member of a JSON object.
type Member struct {
	// Name is the member's name as written between its quotes, with
	// escapes not decoded. DecodedName decodes it.
	Name []byte
	// Value is the member's raw value.
	Value []byte
}

// is reports whether the member's name is name, decoding escapes in the
// written name when it has any.
func (m Member) is(name string) bool {
	return string(m.DecodedName()) == name
}

// DecodedName returns the member's name decoded as DecodeString decodes a
// string. It copies only a name that has escapes or invalid UTF-8, so a
// caller that switches on string(m.DecodedName()) allocates nothing for
// ordinary names.
func (m Member) DecodedName() []byte {
	if bytes.IndexByte(m.Name, '\\') < 0 && utf8.Valid(m.Name) {
		return m.Name
	}
	return []byte(unquoteName(m.Name))
}

// unquoteName decodes a member name written with escapes.
func unquoteName(name []byte) string {
	quoted := make([]byte, 0, len(name)+2)
	quoted = append(quoted, '"')
	quoted = append(quoted, name...)
	quoted = append(quoted, '"')
	return DecodeString(quoted)
}

// Members iterates over the members of a valid object, in input order.
type Members struct {
	raw []byte
	i   int
}

// NewMembers returns an iterator over the members of the valid object raw.
func NewMembers(raw []byte) Members { return Members{raw: raw, i: SkipSpace(raw, 1)} }

// Next returns the next member, or false after the last one.
func (it *Members) Next() (Member, bool) {
	raw := it.raw
	if raw[it.i] == '}' {
		return Member{}, false
	}
	nameEnd := skipString(raw, it.i)
	valueStart := SkipSpace(raw, SkipSpace(raw, nameEnd)+1) // after the colon
	valueEnd := skipValue(raw, valueStart)
	m := Member{Name: raw[it.i+1 : nameEnd-1], Value: raw[valueStart:valueEnd:valueEnd]}
	it.i = SkipSpace(raw, valueEnd)
	if raw[it.i] == ',' {
		it.i = SkipSpace(raw, it.i+1)
	}
	return m, true
}

// Lookup returns the raw value of the member name of the valid object raw,
// or nil when it has none. Like json.Unmarshal, it takes the last of
// duplicate names.
func Lookup(raw []byte, name string) []byte {
	var found []byte
	it := NewMembers(raw)
	for m, ok := it.Next(); ok; m, ok = it.Next() {
		if m.is(name) {
			found = m.Value
		}
	}
	return found
}

// Elements iterates over the elements of a valid array, in input order.
type Elements struct {
	raw []byte
	i   int
}

// NewElements returns an iterator over the elements of the valid array raw.
func NewElements(raw []byte) Elements { return Elements{raw: raw, i: SkipSpace(raw, 1)} }

// Next returns the next element's raw value, or false after the last one.
func (it *Elements) Next() ([]byte, bool) {
	raw := it.raw
	if raw[it.i] == ']' {
		return nil, false
	}
	end := skipValue(raw, it.i)
	elem := raw[it.i:end:end]
	it.i = SkipSpace(raw, end)
	if raw[it.i] == ',' {
		it.i = SkipSpace(raw, it.i+1)
	}
	return elem, true
}
