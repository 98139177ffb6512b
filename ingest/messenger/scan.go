package messenger

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// This file finds the parts of a thread file without decoding them: the
// members of the top-level object and the items of its "messages" array.
// It follows strings and brackets only and does not check the JSON inside a
// value. The decoder of decode.go checks each item when it is parsed, so
// that an invalid item costs only itself.

// maxNesting is the deepest nesting of objects and arrays that skipValue
// and the decoder follow. encoding/json accepts 10000 levels, but no
// Messenger item comes close to this limit.
const maxNesting = 1000

// span is the byte range [start, end) of a JSON value in a file.
type span struct{ start, end int }

// fileScan is the layout of one thread file.
type fileScan struct {
	// members are the spans of the top-level members other than
	// "messages", by name. A name that occurs twice keeps its last value,
	// as with encoding/json.
	members map[string]span
	// hasMessages is set when the file has a "messages" array.
	hasMessages bool
	// items are the spans of the elements of "messages", in file order.
	items []span
	// broken is set when the file stops being readable JSON after the
	// items found so far: it is cut short, or a syntax error follows.
	broken *brokenTail
}

// brokenTail is the unreadable end of a file.
type brokenTail struct {
	offset int    // first byte not accounted for
	reason string // without message text
}

// scanError is an error in the structure of a file found before its items,
// so that nothing of the file can be read.
type scanError struct {
	offset int
	reason string
}

func (e *scanError) Error() string { return fmt.Sprintf("byte %d: %s", e.offset, e.reason) }

var utf8BOM = []byte("\xEF\xBB\xBF")

// scanFile finds the top-level members and the message items of data. It
// returns a *scanError when data is not a JSON object or breaks before the
// "messages" array. A break inside or after the array is reported in
// fileScan.broken, and the items found before it are kept.
func scanFile(data []byte) (*fileScan, error) {
	fs := &fileScan{members: map[string]span{}}
	i := 0
	if bytes.HasPrefix(data, utf8BOM) {
		i = len(utf8BOM)
	}
	i = skipSpace(data, i)
	if i >= len(data) {
		return nil, &scanError{i, "the file is empty"}
	}
	if data[i] != '{' {
		return nil, &scanError{i, fmt.Sprintf("want a JSON object, got %s", describeByte(data[i]))}
	}
	i++

	// consumed is the end of the last member read whole. A break after
	// the messages array leaves the bytes from there on unread.
	consumed := i
	brk := func(at int, reason string) (*fileScan, error) {
		if !fs.hasMessages {
			return nil, &scanError{at, reason}
		}
		fs.broken = &brokenTail{offset: consumed, reason: fmt.Sprintf("byte %d: %s", at, reason)}
		return fs, nil
	}

	for first := true; ; first = false {
		i = skipSpace(data, i)
		if i >= len(data) {
			return brk(i, "the file ends inside the top-level object; it may be truncated")
		}
		if data[i] == '}' {
			i++
			break
		}
		if !first {
			if data[i] != ',' {
				return brk(i, fmt.Sprintf("invalid JSON: want ',' or '}' after a top-level member, got %s", describeByte(data[i])))
			}
			i = skipSpace(data, i+1)
		}

		keyEnd, ok := skipString(data, i)
		switch {
		case !ok && i < len(data) && data[i] == '"':
			return brk(i, "the file ends inside a member name; it may be truncated")
		case !ok:
			return brk(i, "invalid JSON: want a member name in the top-level object")
		}
		key, ok := decodeKey(data[i:keyEnd])
		if !ok {
			return brk(i, "invalid JSON: invalid member name in the top-level object")
		}
		i = skipSpace(data, keyEnd)
		if i >= len(data) {
			return brk(i, "the file ends after a member name; it may be truncated")
		}
		if data[i] != ':' {
			return brk(i, fmt.Sprintf("invalid JSON: want ':' after the member name %q", key))
		}
		i = skipSpace(data, i+1)

		if key == "messages" && !fs.hasMessages && i < len(data) && data[i] == '[' {
			fs.hasMessages = true
			end, broken := scanItems(data, i, &fs.items)
			if broken != nil {
				fs.broken = broken
				return fs, nil
			}
			i, consumed = end, end
			continue
		}
		end, reason := skipValue(data, i)
		if reason != "" {
			return brk(i, fmt.Sprintf("member %q: %s", key, reason))
		}
		fs.members[key] = span{i, end}
		i, consumed = end, end
	}

	if j := skipSpace(data, i); j < len(data) {
		consumed = i
		return brk(j, "invalid JSON: unexpected data after the top-level object")
	}
	return fs, nil
}

// scanItems appends the spans of the elements of the array that starts at
// data[open] and returns the index after it, or the break that ends it. A
// break's offset is the end of the last whole element, so that the bytes
// from there on are kept in one bad record.
func scanItems(data []byte, open int, items *[]span) (int, *brokenTail) {
	i := open + 1
	consumed := i
	brk := func(at int, reason string) (int, *brokenTail) {
		return 0, &brokenTail{offset: consumed, reason: fmt.Sprintf("byte %d: %s", at, reason)}
	}
	truncated := func() (int, *brokenTail) {
		return brk(len(data), fmt.Sprintf("the file ends inside the messages array after %d items; it may be truncated", len(*items)))
	}
	for first := true; ; first = false {
		i = skipSpace(data, i)
		if i >= len(data) {
			return truncated()
		}
		if data[i] == ']' {
			return i + 1, nil
		}
		if !first {
			if data[i] != ',' {
				return brk(i, fmt.Sprintf("invalid JSON: want ',' or ']' after messages item %d, got %s", len(*items)-1, describeByte(data[i])))
			}
			i = skipSpace(data, i+1)
			if i >= len(data) {
				return truncated()
			}
		}
		end, reason := skipValue(data, i)
		if reason != "" {
			consumed = i
			return brk(i, fmt.Sprintf("messages item %d: %s", len(*items), reason))
		}
		*items = append(*items, span{i, end})
		i, consumed = end, end
	}
}

// skipValue returns the end of the JSON value that starts at data[i], or
// the reason why no value can be found there.
func skipValue(data []byte, i int) (int, string) {
	if i >= len(data) {
		return 0, "the file ends where a value should start; it may be truncated"
	}
	switch c := data[i]; c {
	case '"':
		end, ok := skipString(data, i)
		if !ok {
			return 0, "the file ends inside a string; it may be truncated"
		}
		return end, ""
	case '{', '[':
		return skipContainer(data, i)
	case ',', ':', '}', ']':
		return 0, fmt.Sprintf("invalid JSON: want a value, got %s", describeByte(c))
	}

	// A number or a literal runs to the next delimiter. Its spelling is
	// checked when the value is decoded.
	j := i
	for j < len(data) && !isDelimiter(data[j]) {
		j++
	}
	if j == len(data) {
		return 0, "the file ends inside a value; it may be truncated"
	}
	return j, ""
}

// skipContainer returns the end of the object or array that starts at
// data[i], matching brackets and skipping strings.
func skipContainer(data []byte, i int) (int, string) {
	var stackBuffer [32]byte
	stack := append(stackBuffer[:0], data[i])
	for j := i + 1; j < len(data); j++ {
		switch c := data[j]; c {
		case '"':
			end, ok := skipString(data, j)
			if !ok {
				return 0, "the file ends inside a string; it may be truncated"
			}
			j = end - 1
		case '{', '[':
			if len(stack) >= maxNesting {
				return 0, fmt.Sprintf("invalid JSON: nested more than %d levels deep", maxNesting)
			}
			stack = append(stack, c)
		case '}', ']':
			open := stack[len(stack)-1]
			if (open == '{') != (c == '}') {
				return 0, fmt.Sprintf("invalid JSON: %q at byte %d closes %q", c, j, open)
			}
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				return j + 1, ""
			}
		}
	}
	return 0, "the file ends inside an object or array; it may be truncated"
}

// skipString returns the index after the string that starts with the quote
// at data[i].
func skipString(data []byte, i int) (int, bool) {
	if i >= len(data) || data[i] != '"' {
		return 0, false
	}
	j := i + 1
	for {
		q := bytes.IndexByte(data[j:], '"')
		if q < 0 {
			return 0, false
		}
		q += j
		// The quote ends the string unless an odd number of backslashes
		// escapes it.
		backslashes := 0
		for k := q - 1; k > i && data[k] == '\\'; k-- {
			backslashes++
		}
		if backslashes%2 == 0 {
			return q + 1, true
		}
		j = q + 1
	}
}

// decodeKey returns the member name of the quoted string s.
func decodeKey(s []byte) (string, bool) {
	inner := s[1 : len(s)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return string(inner), true
	}
	var key string
	if err := json.Unmarshal(s, &key); err != nil {
		return "", false
	}
	return key, true
}

// members calls fn for each member of the object in data, which must be a
// whole object, until fn returns false. It stops without error at the first
// structural problem: the caller decodes the object with encoding/json
// later, which reports it.
func members(data []byte, fn func(key []byte, value []byte) bool) {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return
	}
	i++
	for first := true; ; first = false {
		i = skipSpace(data, i)
		if i >= len(data) || data[i] == '}' {
			return
		}
		if !first {
			if data[i] != ',' {
				return
			}
			i = skipSpace(data, i+1)
		}
		keyEnd, ok := skipString(data, i)
		if !ok {
			return
		}
		key := data[i+1 : keyEnd-1]
		i = skipSpace(data, keyEnd)
		if i >= len(data) || data[i] != ':' {
			return
		}
		i = skipSpace(data, i+1)
		end, reason := skipValue(data, i)
		if reason != "" {
			return
		}
		if !fn(key, data[i:end]) {
			return
		}
		i = end
	}
}

func skipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

func isDelimiter(c byte) bool {
	switch c {
	case ',', '}', ']', ' ', '\t', '\n', '\r', ':', '"', '{', '[':
		return true
	}
	return false
}

// describeByte names c for an error message.
func describeByte(c byte) string {
	if c >= 0x20 && c < 0x7F {
		return fmt.Sprintf("%q", c)
	}
	return fmt.Sprintf("byte 0x%02x", c)
}
