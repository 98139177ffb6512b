package ingest

import (
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
)

// wantLine is the part of a Line that the table tests compare.
type wantLine struct {
	text    string
	number  int
	offset  int64
	length  int64
	tooLong bool
}

// readAllLines reads lr to the end and returns copies of its lines.
func readAllLines(t *testing.T, lr *LineReader) []wantLine {
	t.Helper()
	var got []wantLine
	for {
		line, err := lr.Next()
		if err == io.EOF {
			return got
		}
		if err != nil {
			t.Fatalf("Next after %d lines: %v", len(got), err)
		}
		got = append(got, wantLine{
			text:    string(line.Bytes),
			number:  line.Number,
			offset:  line.Offset,
			length:  line.Length,
			tooLong: line.TooLong,
		})
	}
}

func compareLines(t *testing.T, got, want []wantLine) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d lines %+v, want %d lines %+v", len(got), got, len(want), want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d: got %+v, want %+v", i+1, got[i], want[i])
		}
	}
}

func TestLineReader_Lines(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  []wantLine
	}{
		{name: "empty input", input: "", want: nil},
		{
			name:  "single line without line end",
			input: "abc",
			want:  []wantLine{{text: "abc", number: 1, offset: 0, length: 3}},
		},
		{
			name:  "LF line ends",
			input: "ab\ncde\n",
			want: []wantLine{
				{text: "ab", number: 1, offset: 0, length: 2},
				{text: "cde", number: 2, offset: 3, length: 3},
			},
		},
		{
			name:  "CRLF line ends",
			input: "ab\r\ncde\r\nf",
			want: []wantLine{
				{text: "ab", number: 1, offset: 0, length: 2},
				{text: "cde", number: 2, offset: 4, length: 3},
				{text: "f", number: 3, offset: 9, length: 1},
			},
		},
		{
			name:  "empty lines are returned",
			input: "\n\r\nx\n\n",
			want: []wantLine{
				{text: "", number: 1, offset: 0, length: 0},
				{text: "", number: 2, offset: 1, length: 0},
				{text: "x", number: 3, offset: 3, length: 1},
				{text: "", number: 4, offset: 5, length: 0},
			},
		},
		{
			name:  "only the last CR is stripped",
			input: "a\rb\r\r\nc\r",
			want: []wantLine{
				{text: "a\rb\r", number: 1, offset: 0, length: 4},
				{text: "c", number: 2, offset: 6, length: 1},
			},
		},
		{
			name:  "multi-byte UTF-8 is left alone",
			input: "Chào 👋\nđ",
			want: []wantLine{
				{text: "Chào 👋", number: 1, offset: 0, length: int64(len("Chào 👋"))},
				{text: "đ", number: 2, offset: int64(len("Chào 👋\n")), length: 2},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lr := NewLineReader(strings.NewReader(tt.input))
			compareLines(t, readAllLines(t, lr), tt.want)
			if got := lr.Offset(); got != int64(len(tt.input)) {
				t.Errorf("Offset at end = %d, want %d", got, len(tt.input))
			}
		})
	}
}

func TestLineReader_OneByteReads(t *testing.T) {
	input := "first\r\nsecond\nthird"
	lr := NewLineReader(iotest.OneByteReader(strings.NewReader(input)))
	compareLines(t, readAllLines(t, lr), []wantLine{
		{text: "first", number: 1, offset: 0, length: 5},
		{text: "second", number: 2, offset: 7, length: 6},
		{text: "third", number: 3, offset: 14, length: 5},
	})
}

func TestLineReader_LineLongerThanBuffer(t *testing.T) {
	long := strings.Repeat("0123456789", 30_000) // 300 kB, several bufio buffers
	input := long + "\nnext\n"
	lr := NewLineReader(strings.NewReader(input))
	compareLines(t, readAllLines(t, lr), []wantLine{
		{text: long, number: 1, offset: 0, length: int64(len(long))},
		{text: "next", number: 2, offset: int64(len(long) + 1), length: 4},
	})
}

func TestLineReader_TooLong(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  []wantLine
	}{
		{
			name:  "one byte over the maximum",
			input: "abcdefghi\nok\n",
			want: []wantLine{
				{text: "abcdefgh", number: 1, offset: 0, length: 9, tooLong: true},
				{text: "ok", number: 2, offset: 10, length: 2},
			},
		},
		{
			name:  "exactly the maximum with CRLF",
			input: "abcdefgh\r\nok",
			want: []wantLine{
				{text: "abcdefgh", number: 1, offset: 0, length: 8},
				{text: "ok", number: 2, offset: 10, length: 2},
			},
		},
		{
			name:  "over the maximum with CRLF",
			input: "abcdefghij\r\nok",
			want: []wantLine{
				{text: "abcdefgh", number: 1, offset: 0, length: 10, tooLong: true},
				{text: "ok", number: 2, offset: 12, length: 2},
			},
		},
		{
			name:  "last line too long without line end",
			input: "ok\nabcdefghijklmnop",
			want: []wantLine{
				{text: "ok", number: 1, offset: 0, length: 2},
				{text: "abcdefgh", number: 2, offset: 3, length: 16, tooLong: true},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lr := NewLineReader(iotest.HalfReader(strings.NewReader(tt.input)))
			lr.max = 8
			compareLines(t, readAllLines(t, lr), tt.want)
		})
	}
}

// repeatReader yields n copies of b.
type repeatReader struct {
	b byte
	n int64
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	k := min(int64(len(p)), r.n)
	for i := range p[:k] {
		p[i] = r.b
	}
	r.n -= k
	return int(k), nil
}

func TestLineReader_TooLongFullSize(t *testing.T) {
	const lineLength = 17 << 20
	input := io.MultiReader(
		&repeatReader{b: 'x', n: lineLength},
		strings.NewReader("\r\nnext"),
	)
	lr := NewLineReader(input)

	line, err := lr.Next()
	if err != nil {
		t.Fatalf("Next: %v", err)
	}
	if !line.TooLong {
		t.Errorf("TooLong = false, want true")
	}
	if len(line.Bytes) != MaxRecordBytes {
		t.Errorf("len(Bytes) = %d, want %d", len(line.Bytes), MaxRecordBytes)
	}
	if line.Length != lineLength {
		t.Errorf("Length = %d, want %d", line.Length, lineLength)
	}

	line, err = lr.Next()
	if err != nil {
		t.Fatalf("Next after the long line: %v", err)
	}
	if got := string(line.Bytes); got != "next" {
		t.Errorf("second line = %q, want %q", got, "next")
	}
	if line.Number != 2 {
		t.Errorf("second line Number = %d, want 2", line.Number)
	}
	if line.Offset != lineLength+2 {
		t.Errorf("second line Offset = %d, want %d", line.Offset, lineLength+2)
	}
}

// TestLineReader_OverlongLineStreamed reads a line six times MaxRecordBytes
// long and checks that the reader allocated far less than the line's size,
// which it could not do if it buffered the whole line.
func TestLineReader_OverlongLineStreamed(t *testing.T) {
	const lineLength = 6 * MaxRecordBytes
	input := io.MultiReader(&repeatReader{b: 'x', n: lineLength}, strings.NewReader("\nnext\n"))
	lr := NewLineReader(input)

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	lines := readAllLines(t, lr)
	runtime.ReadMemStats(&after)

	if len(lines) != 2 {
		t.Fatalf("got %d lines, want 2", len(lines))
	}
	if !lines[0].tooLong {
		t.Errorf("first line TooLong = false, want true")
	}
	if lines[1].text != "next" {
		t.Errorf("second line = %q, want %q", lines[1].text, "next")
	}
	// readAllLines copies the kept MaxRecordBytes into a string, and the
	// buffer grows by appending, so about 3×MaxRecordBytes is expected.
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("allocated %d bytes for a %d-byte line", allocated, lineLength)
	if limit := uint64(4 * MaxRecordBytes); allocated > limit {
		t.Errorf("allocated %d bytes for a %d-byte line, want at most %d", allocated, lineLength, limit)
	}
}

func TestLineReader_ReadErrorIsSticky(t *testing.T) {
	failure := errors.New("disk failed")
	input := io.MultiReader(strings.NewReader("good\npartial"), iotest.ErrReader(failure))
	lr := NewLineReader(input)

	line, err := lr.Next()
	if err != nil {
		t.Fatalf("first Next: %v", err)
	}
	if got := string(line.Bytes); got != "good" {
		t.Errorf("first line = %q, want %q", got, "good")
	}
	for i := range 2 {
		if _, err := lr.Next(); !errors.Is(err, failure) {
			t.Errorf("Next call %d after the failure: err = %v, want %v", i+1, err, failure)
		}
	}
}
