package telegram

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"chatseal/ingest"
)

// This file reads result.json as a stream of JSON values.
//
// encoding/json's Decoder would do the same, but it scans every value twice:
// once to frame it, and again in Unmarshal to find its end. It also rejects
// Telegram's \xHH escapes, so every byte would have to pass through a
// repairing reader first. Framing 630-byte messages with Decode into a
// json.RawMessage alone ran at about 160,000 messages per second on the
// 2-core machine of BENCHMARKS.md, below the 300,000 an importer must
// reach. The stream below validates each value in one pass over its bytes
// in the window, and it accepts \xHH in place, so a message's Raw is its
// bytes in the file with nothing to restore.
//
// validate accepts exactly the values that encoding/json accepts, up to
// maxDepth nesting, plus \xHH escapes in strings. TestValidate compares the
// two on a table of values, and FuzzReader on every input.

// maxDepth is the deepest nesting accepted, as in encoding/json.
const maxDepth = 10000

// maxItemBytes is the longest value the stream reads into memory: a
// message, a chat's name or a string in a member that is skipped.
const maxItemBytes = ingest.MaxRecordBytes

// errItemTooLarge is returned for a value longer than maxItemBytes.
var errItemTooLarge = errors.New("item too large")

// syntaxError is invalid JSON at a file offset.
type syntaxError struct {
	offset int64
	msg    string
}

func (e *syntaxError) Error() string { return e.msg }

// stream is a window over the input.
type stream struct {
	r   io.Reader
	buf []byte
	// pos is the index in buf of the next unread byte.
	pos int
	// base is the file offset of buf[0].
	base int64
	// eof is set once r has returned io.EOF; err holds any other error.
	eof bool
	err error
}

// minWindow is the size of the window and of each read.
const minWindow = 64 << 10

func newStream(r io.Reader) *stream {
	return &stream{r: r, buf: make([]byte, 0, minWindow)}
}

// offset returns the file offset of the next unread byte.
func (s *stream) offset() int64 { return s.base + int64(s.pos) }

// more reads input until the window is full or the input ends. It drops
// the bytes before pos, which shifts every index into buf, and doubles the
// window when it is nearly full, unless the kept bytes are already longer
// than max. It returns io.ErrUnexpectedEOF when the input ended before any
// byte was read, a read error once the bytes read before it are in buf,
// and errItemTooLarge when the window may not grow.
//
// Filling the whole window, even from a reader that returns little at a
// time, bounds how often value validates a long value again from its
// start: once per doubling of the window.
func (s *stream) more(max int) error {
	if s.err != nil {
		return s.err
	}
	if s.eof {
		return io.ErrUnexpectedEOF
	}
	if s.pos > 0 {
		n := copy(s.buf, s.buf[s.pos:])
		s.buf = s.buf[:n]
		s.base += int64(s.pos)
		s.pos = 0
	}
	if cap(s.buf)-len(s.buf) < minWindow/2 {
		if len(s.buf) > max {
			return errItemTooLarge
		}
		grown := make([]byte, len(s.buf), 2*cap(s.buf))
		copy(grown, s.buf)
		s.buf = grown
	}
	read := 0
	for len(s.buf) < cap(s.buf) {
		n, err := s.r.Read(s.buf[len(s.buf):cap(s.buf)])
		s.buf = s.buf[:len(s.buf)+n]
		read += n
		if err == io.EOF {
			s.eof = true
			break
		}
		if err != nil {
			s.err = err // returned by the next call, once buf is used up
			break
		}
	}
	switch {
	case read > 0:
		return nil
	case s.err != nil:
		return s.err
	}
	return io.ErrUnexpectedEOF
}

// peek skips white space and returns the next byte without consuming it.
// It returns io.EOF at the end of the input.
func (s *stream) peek() (byte, error) {
	for {
		for s.pos < len(s.buf) {
			switch c := s.buf[s.pos]; c {
			case ' ', '\t', '\n', '\r':
				s.pos++
			default:
				return c, nil
			}
		}
		if err := s.more(minWindow); err != nil {
			if err == io.ErrUnexpectedEOF {
				return 0, io.EOF
			}
			return 0, err
		}
	}
}

// skipBOM drops a UTF-8 byte order mark at the start of the input, which
// encoding/json would reject. Offsets count it.
func (s *stream) skipBOM() {
	for len(s.buf) < len(utf8BOM) && s.more(minWindow) == nil {
	}
	if bytes.HasPrefix(s.buf, utf8BOM) {
		s.pos = len(utf8BOM)
	}
}

var utf8BOM = []byte("\xEF\xBB\xBF")

// value reads the next value, which must be at most max bytes long and
// sits inside depth open objects and arrays, and returns its bytes and the
// number of \xHH escapes in it. When members is not nil it is set to the
// spans of the members of the value, if the value is an object. The bytes
// are valid until the next call on s.
func (s *stream) value(max, depth int, members *[]memberSpan) (raw []byte, repairs int, err error) {
	if _, err := s.peek(); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, 0, err
	}
	for {
		if members != nil {
			*members = (*members)[:0]
		}
		b := s.buf[s.pos:]
		end, repairs, at, msg := validatePrefix(b, s.eof, depth, members)
		switch {
		case msg == "" && end > max:
			return nil, 0, errItemTooLarge
		case msg == "":
			s.pos += end
			return b[:end], repairs, nil
		case msg != msgIncomplete && at >= len(b) && s.eof:
			return nil, 0, io.ErrUnexpectedEOF
		case msg != msgIncomplete:
			return nil, 0, &syntaxError{offset: s.offset() + int64(at), msg: msg}
		case len(b) > max:
			return nil, 0, errItemTooLarge
		}
		// The value goes on past the window: read more and validate it
		// again from its start.
		if err := s.more(max); err != nil && err != io.ErrUnexpectedEOF {
			return nil, 0, err
		}
	}
}

// indexQuoteOrBackslash returns the index of the first '"' or '\\' in b,
// or -1.
func indexQuoteOrBackslash(b []byte) int {
	q := bytes.IndexByte(b, '"')
	if q < 0 {
		q = len(b)
	}
	if i := bytes.IndexByte(b[:q], '\\'); i >= 0 {
		return i
	}
	if q == len(b) {
		return -1
	}
	return q
}

// consume skips white space and consumes the byte c, or returns a syntax
// error saying what was expected.
func (s *stream) consume(c byte, want string) error {
	got, err := s.peek()
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return err
	}
	if got != c {
		return s.unexpected(got, want)
	}
	s.pos++
	return nil
}

// unexpected returns the syntax error for the byte got at the current
// position when want was expected.
func (s *stream) unexpected(got byte, want string) error {
	return &syntaxError{offset: s.offset(), msg: fmt.Sprintf("want %s, got %s", want, describeByte(got))}
}

// skip reads past the next value, which sits inside depth open objects and
// arrays. A string or number is read whole, an object or array member by
// member, so that a large value the importer does not read, such as the
// contact list, takes no more memory than its largest member.
func (s *stream) skip(depth int) error {
	c, err := s.peek()
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return err
	}
	if c != '{' && c != '[' {
		_, _, err := s.value(maxItemBytes, depth, nil)
		return err
	}
	if depth >= maxDepth {
		return &syntaxError{offset: s.offset(), msg: fmt.Sprintf("nesting deeper than %d levels", maxDepth)}
	}
	closing := byte('}')
	if c == '[' {
		closing = ']'
	}
	s.pos++
	for n := 0; ; n++ {
		c, err := s.peek()
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
		if c == closing && n == 0 {
			s.pos++
			return nil
		}
		if n > 0 {
			if c == closing {
				s.pos++
				return nil
			}
			if err := s.consume(',', fmt.Sprintf("',' or '%c'", closing)); err != nil {
				return err
			}
		}
		if closing == '}' {
			if _, err := s.name(); err != nil {
				return err
			}
		}
		if err := s.skip(depth + 1); err != nil {
			return err
		}
	}
}

// name reads a member name and the colon after it, and returns the name.
func (s *stream) name() (string, error) {
	c, err := s.peek()
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return "", err
	}
	if c != '"' {
		return "", s.unexpected(c, "a member name")
	}
	raw, _, err := s.value(maxItemBytes, 0, nil)
	if err != nil {
		return "", err
	}
	name, _ := decodeString(raw)
	return name, s.consume(':', "':'")
}

// describeByte names a byte of the input for a syntax error.
func describeByte(c byte) string {
	if c >= 0x20 && c < 0x7F {
		return fmt.Sprintf("%q", c)
	}
	return fmt.Sprintf("byte 0x%02X", c)
}

// plainStringByte marks the bytes that may stand for themselves inside a
// JSON string: all but control characters, the quote and the backslash.
// Bytes of invalid UTF-8 are plain, as encoding/json accepts them.
var plainStringByte = func() (plain [256]bool) {
	for c := range plain {
		plain[c] = c >= 0x20 && c != '"' && c != '\\'
	}
	return plain
}()

// memberSpan locates one member of an object in the object's bytes: the
// name between its quotes, and the value.
type memberSpan struct {
	nameStart, nameEnd, valueStart, valueEnd int32
}

// msgIncomplete is the validatePrefix message for a value that may go on
// past the end of the bytes it was given.
const msgIncomplete = "incomplete"

// validatePrefix checks the JSON value at the start of b, which must not
// start with white space and sits inside depth open objects and arrays, and
// returns the index just past it and the number of \xHH escapes in it. When members is not nil and the value is an
// object, the spans of the object's members are appended to it.
//
// For invalid JSON it returns the index of the first bad byte and what is
// wrong. Unless atEOF, a value that fails within the last few bytes of b,
// where more bytes could make it valid, or a number that ends with b, is
// reported as msgIncomplete.
func validatePrefix(b []byte, atEOF bool, depth int, members *[]memberSpan) (end, repairs, at int, msg string) {
	end, repairs, at, msg = validate(b, depth, members)
	if atEOF {
		return end, repairs, at, msg
	}
	if msg != "" && at >= len(b)-6 {
		return 0, 0, at, msgIncomplete
	}
	if msg == "" && end == len(b) && (b[0] == '-' || '0' <= b[0] && b[0] <= '9') {
		return 0, 0, end, msgIncomplete // more digits may follow
	}
	return end, repairs, at, msg
}

// validate does the work of validatePrefix without regard to the end of
// the input.
func validate(b []byte, depth int, members *[]memberSpan) (end, repairs, at int, msg string) {
	var stackBuf [32]byte
	stack := stackBuf[:0] // '{' or '[' for each open container
	// memberOpen is set while a member of the outermost object has started
	// and not ended.
	memberOpen := false
	startMember := func(name memberSpan) {
		if members != nil && len(stack) == 1 {
			*members = append(*members, name)
			memberOpen = true
		}
	}

	i := 0
	for {
		// A value starts at i.
		if i >= len(b) {
			return 0, 0, i, "unexpected end of value"
		}
		switch c := b[i]; {
		case c == '{' || c == '[':
			if depth+len(stack) >= maxDepth {
				return 0, 0, i, fmt.Sprintf("nesting deeper than %d levels", maxDepth)
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
			stack = append(stack, c)
			if c == '{' {
				name, ok := validateName(b, i, &repairs)
				if !ok {
					return 0, 0, int(name.valueStart), "want a member name"
				}
				startMember(name)
				i = int(name.valueStart)
			}
			continue
		case c == '"':
			end, n, ok := validateString(b, i)
			if !ok {
				return 0, 0, end, "invalid string"
			}
			repairs += n
			i = end
		case c == '-' || '0' <= c && c <= '9':
			end, ok := validateNumber(b, i)
			if !ok {
				return 0, 0, end, "invalid number"
			}
			i = end
		case c == 't':
			if !bytes.HasPrefix(b[i:], []byte("true")) {
				return 0, 0, i, "invalid literal"
			}
			i += 4
		case c == 'f':
			if !bytes.HasPrefix(b[i:], []byte("false")) {
				return 0, 0, i, "invalid literal"
			}
			i += 5
		case c == 'n':
			if !bytes.HasPrefix(b[i:], []byte("null")) {
				return 0, 0, i, "invalid literal"
			}
			i += 4
		default:
			return 0, 0, i, "want a value, got " + describeByte(c)
		}

		// A value ends at i. Close every container it completes.
		for {
			if memberOpen && len(stack) == 1 {
				(*members)[len(*members)-1].valueEnd = int32(i)
				memberOpen = false
			}
			if len(stack) == 0 {
				return i, repairs, 0, ""
			}
			i = skipSpace(b, i)
			if i >= len(b) {
				return 0, 0, i, "unexpected end of value"
			}
			open := stack[len(stack)-1]
			if b[i] == ',' {
				i = skipSpace(b, i+1)
				if open == '{' {
					name, ok := validateName(b, i, &repairs)
					if !ok {
						return 0, 0, int(name.valueStart), "want a member name"
					}
					startMember(name)
					i = int(name.valueStart)
				}
				break // another value follows
			}
			if open == '{' && b[i] == '}' || open == '[' && b[i] == ']' {
				stack = stack[:len(stack)-1]
				i++
				continue
			}
			return 0, 0, i, "want ',' or the end of the container, got " + describeByte(b[i])
		}
	}
}

// validateName checks a member name and its colon at b[i]. It returns the
// span of the name and, in valueStart, the index of the value after the
// colon. On failure valueStart is the index of the bad byte.
func validateName(b []byte, i int, repairs *int) (memberSpan, bool) {
	if i >= len(b) || b[i] != '"' {
		return memberSpan{valueStart: int32(i)}, false
	}
	end, n, ok := validateString(b, i)
	if !ok {
		return memberSpan{valueStart: int32(end)}, false
	}
	*repairs += n
	j := skipSpace(b, end)
	if j >= len(b) || b[j] != ':' {
		return memberSpan{valueStart: int32(j)}, false
	}
	return memberSpan{nameStart: int32(i + 1), nameEnd: int32(end - 1), valueStart: int32(skipSpace(b, j+1))}, true
}

// validateString checks the string at b[i] and returns the index after it
// and the number of \xHH escapes in it. On failure it returns the index of
// the bad byte.
func validateString(b []byte, i int) (end, repairs int, ok bool) {
	i++
	for i < len(b) {
		// Skip eight plain bytes at a time.
		for i+8 <= len(b) && plainWord(binary.LittleEndian.Uint64(b[i:])) {
			i += 8
		}
		if i >= len(b) {
			break
		}
		c := b[i]
		if plainStringByte[c] {
			i++
			continue
		}
		switch c {
		case '"':
			return i + 1, repairs, true
		case '\\':
			if i+1 >= len(b) {
				return i, 0, false
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(b) || !isHex(b[i+2]) || !isHex(b[i+3]) || !isHex(b[i+4]) || !isHex(b[i+5]) {
					return i, 0, false
				}
				i += 6
			case 'x':
				if i+4 > len(b) || !isHex(b[i+2]) || !isHex(b[i+3]) {
					return i, 0, false
				}
				repairs++
				i += 4
			default:
				return i, 0, false
			}
		default:
			return i, 0, false // a control character
		}
	}
	return i, 0, false
}

// plainWord reports whether all eight bytes of w are plain string bytes:
// none is below 0x20, a quote or a backslash. For n up to 0x80,
// (w - 0x0101010101010101*n) & ^w & 0x8080808080808080 is non-zero if and
// only if some byte of w is below n; with n = 1 it finds a zero byte, and
// w XOR c has a zero byte where w has the byte c. TestPlainWord checks it
// against a byte-by-byte test.
func plainWord(w uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	hasZero := func(x uint64) uint64 { return (x - ones) & ^x & highs }
	below20 := (w - ones*0x20) & ^w & highs
	return below20|hasZero(w^(ones*'"'))|hasZero(w^(ones*'\\')) == 0
}

// validateNumber checks the number at b[i] against the JSON grammar
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? and returns the index
// after it.
func validateNumber(b []byte, i int) (int, bool) {
	digits := func(i int) (int, bool) {
		start := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		return i, i > start
	}
	if b[i] == '-' {
		i++
	}
	if i >= len(b) {
		return i, false
	}
	if b[i] == '0' {
		i++
	} else {
		var ok bool
		if i, ok = digits(i); !ok {
			return i, false
		}
	}
	if i < len(b) && b[i] == '.' {
		var ok bool
		if i, ok = digits(i + 1); !ok {
			return i, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		var ok bool
		if i, ok = digits(i); !ok {
			return i, false
		}
	}
	return i, true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
