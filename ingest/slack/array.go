package slack

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"chatseal/ingest/internal/jsonscan"
)

// arrayReader splits a JSON array, read from a stream, into its elements.
// An element with a syntax error still ends where its brackets and strings
// end it, so the next one can be read. The caller validates each element. It holds at most one
// element of up to max bytes in memory: a longer element is returned cut at
// max bytes with truncated set, and the rest of it is read and discarded.
type arrayReader struct {
	r     io.Reader
	max   int
	items string // the noun for the elements in reasons, such as "messages"

	buf  []byte
	pos  int   // next unread byte of buf
	off  int64 // input offset of buf[0]
	line int   // 1-based line number at buf[pos]
	eof  bool  // r returned io.EOF; buf holds the last bytes
	err  error // a read error other than io.EOF

	started bool // the opening '[' was read
	done    bool // the closing ']' was read, or the array was abandoned
	index   int  // 0-based index of the next element

	// long holds the first max bytes of the element being skipped when it
	// is longer than max.
	long []byte
	// members is reused for element.members.
	members []jsonscan.Member
}

// readChunk is the number of bytes arrayReader requests from r at a time.
const readChunk = 64 << 10

// utf8BOM is skipped before the opening '['.
var utf8BOM = []byte("\xEF\xBB\xBF")

// newArrayReader returns an arrayReader that reads an array of items from
// r. buf, which may be nil, is reused as its buffer.
func newArrayReader(r io.Reader, items string, max int, buf []byte) *arrayReader {
	return &arrayReader{r: r, items: items, max: max, line: 1, buf: buf[:0]}
}

// element is one array element.
type element struct {
	// raw is the element's text, valid until the next call to next. It holds
	// only the first max bytes when truncated is set.
	raw        []byte
	index      int   // 0-based position in the array
	offset     int64 // input offset of the element's first byte
	line       int   // 1-based line of the element's first byte
	length     int64 // the element's full length in bytes
	truncated  bool
	incomplete bool // the input ended inside the element
	// valid is set when raw is known to be one valid JSON object, and then
	// members holds its members, valid as long as raw.
	valid   bool
	members []jsonscan.Member
}

// arrayError is a fault in the array itself rather than in one element: the
// input is not an array, a separator is missing, or data follows the array.
// Reading stops; rest holds the input from the fault on, cut at max bytes.
type arrayError struct {
	offset    int64
	line      int
	reason    string
	rest      []byte
	truncated bool
}

func (e *arrayError) Error() string {
	return fmt.Sprintf("line %d (offset %d): %s", e.line, e.offset, e.reason)
}

// next returns the next element. At the end of the array it returns io.EOF.
// It returns an *arrayError when the array is malformed, and io.EOF after
// that; any other error comes from the underlying reader.
func (ar *arrayReader) next() (element, error) {
	if ar.done {
		return element{}, io.EOF
	}
	if !ar.started {
		if err := ar.readOpening(); err != nil {
			return element{}, err
		}
	}

	c, err := ar.peekToken()
	if err != nil {
		return element{}, ar.endedEarly(err)
	}
	if ar.index > 0 {
		// After an element comes ',' or ']'.
		switch c {
		case ']':
			ar.advance(1)
			return element{}, ar.readEnd()
		case ',':
			ar.advance(1)
		default:
			return element{}, ar.abandon(fmt.Sprintf("want ',' or ']' after element %d of the array, got %s", ar.index-1, describeByte(c)))
		}
		if c, err = ar.peekToken(); err != nil {
			return element{}, ar.endedEarly(err)
		}
	} else if c == ']' {
		ar.advance(1)
		return element{}, ar.readEnd()
	}
	if c == ']' || c == ',' {
		return element{}, ar.abandon(fmt.Sprintf("want element %d of the array, got %s", ar.index, describeByte(c)))
	}
	return ar.readElement()
}

// readOpening reads up to and including the opening '['.
func (ar *arrayReader) readOpening() error {
	ar.started = true
	err := ar.fill(len(utf8BOM))
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return err
	}
	if bytes.HasPrefix(ar.buf[ar.pos:], utf8BOM) {
		ar.advance(len(utf8BOM))
	}
	c, err := ar.peekToken()
	if errors.Is(err, io.ErrUnexpectedEOF) {
		ar.done = true
		return &arrayError{offset: ar.offset(), line: ar.line, reason: "the file is empty; want a JSON array of " + ar.items}
	}
	if err != nil {
		return err
	}
	if c != '[' {
		return ar.abandon(fmt.Sprintf("want a JSON array of %s, got %s", ar.items, describeByte(c)))
	}
	ar.advance(1)
	return nil
}

// readEnd checks that only white space follows the closing ']'.
func (ar *arrayReader) readEnd() error {
	ar.done = true
	c, err := ar.peekToken()
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return io.EOF
	}
	if err != nil {
		return err
	}
	return ar.abandon(fmt.Sprintf("unexpected %s after the end of the array", describeByte(c)))
}

// peekToken skips white space and returns the next byte without consuming
// it. At the end of the input it returns io.ErrUnexpectedEOF.
func (ar *arrayReader) peekToken() (byte, error) {
	for {
		for ar.pos < len(ar.buf) && jsonscan.IsSpace(ar.buf[ar.pos]) {
			ar.advance(1)
		}
		if ar.pos < len(ar.buf) {
			return ar.buf[ar.pos], nil
		}
		if err := ar.fill(1); err != nil {
			return 0, err
		}
	}
}

// endedEarly turns the end of the input inside the array, between
// elements, into an *arrayError. Other errors pass through.
func (ar *arrayReader) endedEarly(err error) error {
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		return err
	}
	ar.done = true
	return &arrayError{
		offset: ar.offset(),
		line:   ar.line,
		reason: fmt.Sprintf("the file ends after %d elements, before the closing ']' of the array; it may be truncated", ar.index),
	}
}

// readElement reads the element that starts at ar.pos.
func (ar *arrayReader) readElement() (element, error) {
	el := element{index: ar.index, offset: ar.offset(), line: ar.line}
	ar.index++
	if ar.buf[ar.pos] == '{' {
		ok, err := ar.readValidObject(&el)
		if ok || err != nil {
			return el, err
		}
	}
	return ar.scanElement(el)
}

// readValidObject reads the object that starts at ar.pos when it is valid
// JSON and no longer than max, validating it as it finds its end, which
// saves a second pass over every message. It returns false, having consumed
// nothing, for any other element.
func (ar *arrayReader) readValidObject(el *element) (bool, error) {
	for {
		ar.members = ar.members[:0]
		end, ok := jsonscan.CheckObject(ar.buf[ar.pos:], &ar.members)
		if ok {
			el.valid = true
			el.members = ar.members
			ar.finishElement(el, ar.pos+end)
			return true, nil
		}
		have := len(ar.buf) - ar.pos
		if end < have || have > ar.max {
			return false, nil // invalid or too long
		}
		// The buffer ends inside the object. Asking for twice as much
		// each time keeps the work linear for a long object, which is
		// validated again from its start after each read.
		err := ar.fill(min(2*have, ar.max+1))
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
	}
}

// scanElement reads the element that starts at ar.pos from its brackets
// and strings alone, for an element that is not valid JSON, is longer than
// max or is not an object.
func (ar *arrayReader) scanElement(el element) (element, error) {
	ar.long = ar.long[:0]
	var s skipState
	s.start(ar.buf[ar.pos])
	scanned := 0 // bytes after ar.pos already scanned
	if s.scalar {
		scanned = 1 // the first byte belongs to the token, whatever it is
	}
	for {
		end, done := s.scan(ar.buf, ar.pos+scanned)
		if done {
			ar.finishElement(&el, end)
			return el, nil
		}

		// The element goes on past the buffered bytes. Once it is longer
		// than max, its first max bytes are kept in ar.long and the rest
		// is discarded as it is scanned.
		if len(ar.buf)-ar.pos > ar.max {
			el.truncated = true
		}
		if el.truncated {
			ar.keepLong(ar.buf[ar.pos:])
			el.length += int64(len(ar.buf) - ar.pos)
			ar.advance(len(ar.buf) - ar.pos)
		}
		scanned = len(ar.buf) - ar.pos

		err := ar.fill(scanned + 1)
		if errors.Is(err, io.ErrUnexpectedEOF) {
			// The input ends inside the element. A number or literal
			// at the very end is whole; the missing ']' is reported by
			// the next call.
			el.incomplete = !s.scalar
			ar.finishElement(&el, len(ar.buf))
			ar.done = el.incomplete
			return el, nil
		}
		if err != nil {
			return element{}, err
		}
	}
}

// finishElement sets el.raw to the element, which ends at buf[end], and
// consumes it.
func (ar *arrayReader) finishElement(el *element, end int) {
	el.length += int64(end - ar.pos)
	if !el.truncated && end-ar.pos > ar.max {
		el.truncated = true
	}
	if el.truncated {
		ar.keepLong(ar.buf[ar.pos:end])
		el.raw = ar.long
	} else {
		el.raw = ar.buf[ar.pos:end:end]
	}
	ar.advance(end - ar.pos)
}

// keepLong appends p to ar.long up to max bytes.
func (ar *arrayReader) keepLong(p []byte) {
	if room := ar.max - len(ar.long); room > 0 {
		ar.long = append(ar.long, p[:min(room, len(p))]...)
	}
}

// abandon stops reading the array and returns an *arrayError that holds the
// input from ar.pos on, cut at max bytes.
func (ar *arrayReader) abandon(reason string) error {
	ar.done = true
	e := &arrayError{offset: ar.offset(), line: ar.line, reason: reason}
	for {
		avail := ar.buf[ar.pos:]
		keep := min(ar.max-len(e.rest), len(avail))
		if keep < len(avail) {
			e.truncated = true
		}
		e.rest = append(e.rest, avail[:keep]...)
		ar.advance(len(avail))

		err := ar.fill(1)
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return e
		}
		if err != nil {
			return err
		}
	}
}

// offset returns the input offset of buf[pos].
func (ar *arrayReader) offset() int64 { return ar.off + int64(ar.pos) }

// advance consumes n buffered bytes, counting the line ends among them.
func (ar *arrayReader) advance(n int) {
	ar.line += bytes.Count(ar.buf[ar.pos:ar.pos+n], []byte{'\n'})
	ar.pos += n
}

// fill reads until at least n bytes are buffered after pos. At the end of
// the input it returns io.ErrUnexpectedEOF, with what there is buffered. It
// moves the unread bytes to the front of the buffer first. Indexes into buf
// then become invalid, but indexes relative to pos stay valid.
func (ar *arrayReader) fill(n int) error {
	if ar.pos > 0 {
		unread := copy(ar.buf, ar.buf[ar.pos:])
		ar.off += int64(ar.pos)
		ar.buf = ar.buf[:unread]
		ar.pos = 0
	}
	for len(ar.buf) < n {
		if ar.err != nil {
			return ar.err
		}
		if ar.eof {
			return io.ErrUnexpectedEOF
		}
		if cap(ar.buf)-len(ar.buf) < readChunk {
			grown := make([]byte, len(ar.buf), max(2*cap(ar.buf), len(ar.buf)+readChunk))
			copy(grown, ar.buf)
			ar.buf = grown
		}
		k, err := ar.r.Read(ar.buf[len(ar.buf):cap(ar.buf)])
		ar.buf = ar.buf[:len(ar.buf)+k]
		if err == io.EOF {
			ar.eof = true
		} else if err != nil {
			ar.err = err
		}
	}
	return nil
}

// describeByte names the byte found where another was expected, without
// quoting message text.
func describeByte(c byte) string {
	if c >= 0x21 && c < 0x7f {
		return fmt.Sprintf("%q", c)
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

// skipState finds the end of one JSON value from its brackets and strings,
// over input that arrives in pieces.
type skipState struct {
	depth    int
	inString bool
	escaped  bool
	scalar   bool // a number, literal or invalid token, which ends at a delimiter
}

// start sets the state for a value whose first byte is c.
func (s *skipState) start(c byte) {
	*s = skipState{scalar: c != '{' && c != '[' && c != '"'}
}

// scan scans b from i on. It returns the index just after the value and
// true when the value ends within b, or len(b) and false when it goes on.
func (s *skipState) scan(b []byte, i int) (int, bool) {
	if s.scalar {
		for ; i < len(b); i++ {
			switch b[i] {
			case ',', ']', '}', ' ', '\t', '\n', '\r':
				return i, true
			}
		}
		return i, false
	}
	for i < len(b) {
		if s.inString {
			if s.escaped {
				s.escaped = false
				i++
				continue
			}
			rest := b[i:]
			quote := bytes.IndexByte(rest, '"')
			if quote >= 0 {
				rest = rest[:quote]
			}
			if backslash := bytes.IndexByte(rest, '\\'); backslash >= 0 {
				i += backslash + 1
				s.escaped = true
				continue
			}
			if quote < 0 {
				return len(b), false
			}
			i += quote + 1
			s.inString = false
			if s.depth == 0 {
				return i, true
			}
			continue
		}
		switch b[i] {
		case '"':
			s.inString = true
		case '{', '[':
			s.depth++
		case '}', ']':
			s.depth--
			if s.depth <= 0 {
				return i + 1, true
			}
		}
		i++
	}
	return i, false
}
