package ingest

import (
	"bufio"
	"errors"
	"io"
)

// Line is one line of a line-based input.
type Line struct {
	// Bytes is the line without its "\n" and without one trailing "\r". It
	// aliases the reader's buffer and is valid only until the next call to
	// Next; copy it to keep it. When TooLong is set it holds only the first
	// MaxRecordBytes bytes of the line.
	Bytes []byte
	// Number is the 1-based line number.
	Number int
	// Offset is the byte offset of the line's first byte in the input.
	Offset int64
	// Length is the full length of the line in bytes, without "\n" and the
	// trailing "\r". It is larger than len(Bytes) only when TooLong is set.
	Length int64
	// TooLong is set when the line is longer than MaxRecordBytes. The bytes
	// after the first MaxRecordBytes were read and discarded.
	TooLong bool
}

// LineReader splits an input into lines of any length while holding at most
// MaxRecordBytes of one line in memory. Lines end with "\n" or "\r\n"; the
// last line may lack its line end. Unlike bufio.Scanner it has no 64 KiB
// limit and does not stop at an overlong line: the line is returned with
// TooLong set and reading goes on at the next line.
type LineReader struct {
	r      *bufio.Reader
	max    int // MaxRecordBytes, smaller in tests
	buf    []byte
	number int
	offset int64
	err    error // sticky error, io.EOF once the input is exhausted
}

// NewLineReader returns a LineReader that reads from r.
func NewLineReader(r io.Reader) *LineReader {
	return &LineReader{r: bufio.NewReaderSize(r, 64<<10), max: MaxRecordBytes}
}

// shrinkAbove is the buffer capacity above which Next drops the buffer
// before reading, so that one huge line does not pin MaxRecordBytes of memory
// for the rest of a long input.
const shrinkAbove = 1 << 20

// Next returns the next line. At the end of the input it returns io.EOF. Any
// other error comes from the underlying reader and ends the input, so every
// later call returns it again. A partial line read before such an error is
// lost.
func (lr *LineReader) Next() (Line, error) {
	if lr.err != nil {
		return Line{}, lr.err
	}
	if cap(lr.buf) > shrinkAbove {
		lr.buf = nil
	}
	lr.buf = lr.buf[:0]

	start := lr.offset
	var length int64 // bytes of the line so far, without "\n"
	var last byte    // last byte of the line so far, to strip a final "\r"
	for {
		chunk, err := lr.r.ReadSlice('\n')
		lr.offset += int64(len(chunk))
		ended := err == nil // ReadSlice returns nil only with the delimiter
		if ended {
			chunk = chunk[:len(chunk)-1]
		}
		if len(chunk) > 0 {
			length += int64(len(chunk))
			last = chunk[len(chunk)-1]
			// Keep one byte beyond max so that a line of exactly max bytes
			// followed by "\r\n" is not reported as too long.
			if room := lr.max + 1 - len(lr.buf); room > 0 {
				lr.appendCapped(chunk[:min(room, len(chunk))])
			}
		}

		if ended {
			break
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err == io.EOF {
			if lr.offset == start {
				lr.err = io.EOF
				return Line{}, io.EOF
			}
			// A last line without a line end; the next call returns io.EOF.
			lr.err = io.EOF
			break
		}
		lr.err = err
		return Line{}, err
	}

	lr.number++
	if length > 0 && last == '\r' {
		length--
	}
	line := Line{Number: lr.number, Offset: start, Length: length}
	if length > int64(lr.max) {
		line.TooLong = true
		line.Bytes = lr.buf[:lr.max]
	} else {
		line.Bytes = lr.buf[:length]
	}
	return line, nil
}

// appendCapped appends p to the buffer. It doubles the capacity when it
// grows, never beyond max+1 bytes, because append's 1.25× growth for large
// slices would allocate about five times the final size on the way to it.
func (lr *LineReader) appendCapped(p []byte) {
	need := len(lr.buf) + len(p)
	if need > cap(lr.buf) {
		size := max(2*cap(lr.buf), need, 4096)
		if size >= lr.max {
			size = lr.max + 1
		}
		grown := make([]byte, len(lr.buf), size)
		copy(grown, lr.buf)
		lr.buf = grown
	}
	lr.buf = append(lr.buf, p...)
}

// Offset returns how many bytes of the input have been consumed.
func (lr *LineReader) Offset() int64 { return lr.offset }
