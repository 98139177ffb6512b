package slack

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// arrayResult is one outcome of arrayReader.next, flattened for comparison.
type arrayResult struct {
	raw        string
	index      int
	offset     int64
	line       int
	length     int64
	truncated  bool
	incomplete bool
	fault      string // the reason of an *arrayError
	rest       string // the rest of an *arrayError
}

// readArray reads every element of in, with reads of one byte when oneByte
// is set, and returns the outcomes up to io.EOF.
func readArray(t *testing.T, in string, max int, oneByte bool) []arrayResult {
	t.Helper()
	var r io.Reader = strings.NewReader(in)
	if oneByte {
		r = iotest.OneByteReader(r)
	}
	ar := newArrayReader(r, "messages", max, nil)
	var out []arrayResult
	for range len(in) + 2 {
		el, err := ar.next()
		if err == io.EOF {
			if off := ar.offset(); off != int64(len(in)) {
				t.Errorf("offset at the end = %d, want %d", off, len(in))
			}
			return out
		}
		var ae *arrayError
		if errors.As(err, &ae) {
			out = append(out, arrayResult{offset: ae.offset, line: ae.line, fault: ae.reason, rest: string(ae.rest), truncated: ae.truncated})
			continue
		}
		if err != nil {
			t.Fatalf("next: %v", err)
		}
		out = append(out, arrayResult{raw: string(el.raw), index: el.index, offset: el.offset, line: el.line,
			length: el.length, truncated: el.truncated, incomplete: el.incomplete})
	}
	t.Fatalf("the reader does not reach io.EOF")
	return nil
}

func TestArrayReader_Examples(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want []arrayResult
	}{
		{
			name: "two objects over several lines",
			in:   "[\n  {\"a\": 1},\n  {\"b\": \"]}\\\"\"}\n]\n",
			want: []arrayResult{
				{raw: `{"a": 1}`, index: 0, offset: 4, line: 2, length: 8},
				{raw: `{"b": "]}\""}`, index: 1, offset: 16, line: 3, length: 13},
			},
		},
		{
			name: "byte order mark and empty array",
			in:   "\xEF\xBB\xBF [ ] ",
		},
		{
			name: "scalars and invalid objects are elements too",
			in:   `[1, "x", {"a" 1}, {"b": 2}]`,
			want: []arrayResult{
				{raw: `1`, index: 0, offset: 1, line: 1, length: 1},
				{raw: `"x"`, index: 1, offset: 4, line: 1, length: 3},
				{raw: `{"a" 1}`, index: 2, offset: 9, line: 1, length: 7},
				{raw: `{"b": 2}`, index: 3, offset: 18, line: 1, length: 8},
			},
		},
		{
			name: "empty file",
			in:   " \n",
			want: []arrayResult{{offset: 2, line: 2, fault: "the file is empty; want a JSON array of messages"}},
		},
		{
			name: "an object, not an array",
			in:   `{"messages": []}`,
			want: []arrayResult{{offset: 0, line: 1, fault: `want a JSON array of messages, got '{'`, rest: `{"messages": []}`}},
		},
		{
			name: "missing comma",
			in:   `[{"a": 1} {"b": 2}]`,
			want: []arrayResult{
				{raw: `{"a": 1}`, index: 0, offset: 1, line: 1, length: 8},
				{offset: 10, line: 1, fault: `want ',' or ']' after element 0 of the array, got '{'`, rest: `{"b": 2}]`},
			},
		},
		{
			name: "trailing comma",
			in:   `[{"a": 1},]`,
			want: []arrayResult{
				{raw: `{"a": 1}`, index: 0, offset: 1, line: 1, length: 8},
				{offset: 10, line: 1, fault: `want element 1 of the array, got ']'`, rest: `]`},
			},
		},
		{
			name: "data after the array",
			in:   "[{\"a\": 1}]\n[]",
			want: []arrayResult{
				{raw: `{"a": 1}`, index: 0, offset: 1, line: 1, length: 8},
				{offset: 11, line: 2, fault: `unexpected '[' after the end of the array`, rest: `[]`},
			},
		},
		{
			name: "cut inside an element",
			in:   `[{"a": 1}, {"b": "cut`,
			want: []arrayResult{
				{raw: `{"a": 1}`, index: 0, offset: 1, line: 1, length: 8},
				{raw: `{"b": "cut`, index: 1, offset: 11, line: 1, length: 10, incomplete: true},
			},
		},
		{
			name: "cut between elements",
			in:   "[{\"a\": 1},\n",
			want: []arrayResult{
				{raw: `{"a": 1}`, index: 0, offset: 1, line: 1, length: 8},
				{offset: 11, line: 2, fault: "the file ends after 1 elements, before the closing ']' of the array; it may be truncated"},
			},
		},
		{
			name: "number at the very end",
			in:   `[12`,
			want: []arrayResult{
				{raw: `12`, index: 0, offset: 1, line: 1, length: 2},
				{offset: 3, line: 1, fault: "the file ends after 1 elements, before the closing ']' of the array; it may be truncated"},
			},
		},
		{
			name: "element longer than max",
			in:   `[{"a": "0123456789"}, {"b": 2}]`,
			max:  10,
			want: []arrayResult{
				{raw: `{"a": "012`, index: 0, offset: 1, line: 1, length: 19, truncated: true},
				{raw: `{"b": 2}`, index: 1, offset: 22, line: 1, length: 8},
			},
		},
		{
			name: "rest longer than max",
			in:   `["a" "0123456789"]`,
			max:  5,
			want: []arrayResult{
				{raw: `"a"`, index: 0, offset: 1, line: 1, length: 3},
				{offset: 5, line: 1, fault: `want ',' or ']' after element 0 of the array, got '"'`, rest: `"0123`, truncated: true},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			max := tt.max
			if max == 0 {
				max = 1 << 20
			}
			for _, oneByte := range []bool{false, true} {
				got := readArray(t, tt.in, max, oneByte)
				if len(got) != len(tt.want) {
					t.Fatalf("oneByte=%v: got %d results %+v, want %d %+v", oneByte, len(got), got, len(tt.want), tt.want)
				}
				for i := range got {
					if got[i] != tt.want[i] {
						t.Errorf("oneByte=%v: result %d = %+v, want %+v", oneByte, i, got[i], tt.want[i])
					}
				}
			}
		})
	}
}

// FuzzArrayReader checks that the reader terminates on any input and that
// each element it returns is the input at its offset. On a valid JSON array
// it must return exactly the elements that encoding/json finds, whether the
// input arrives at once or one byte at a time.
func FuzzArrayReader(f *testing.F) {
	for _, s := range []string{
		`[]`, `[{"a": 1}, {"b": [2, "]"]}]`, `[1, "x", null]`, `[{"a": "\"}"}]`, "[\n{}\n,\n{}\n]\n",
		`[{"a": 1} {"b": 2}]`, `[{"a": 1},]`, `[{"a`, `{"a": 1}`, ``, `[{"a": 1}] x`,
	} {
		f.Add([]byte(s), false)
	}
	f.Fuzz(func(t *testing.T, in []byte, oneByte bool) {
		const max = 64
		got := readArray(t, string(in), max, oneByte)
		for _, r := range got {
			if r.fault != "" {
				if !strings.HasPrefix(string(in[r.offset:]), r.rest) {
					t.Fatalf("fault rest %q is not the input at offset %d", r.rest, r.offset)
				}
				continue
			}
			if !strings.HasPrefix(string(in[r.offset:]), r.raw) {
				t.Fatalf("element %d %q is not the input at offset %d", r.index, r.raw, r.offset)
			}
			if !r.truncated && int64(len(r.raw)) != r.length {
				t.Fatalf("element %d: length %d, but raw has %d bytes", r.index, r.length, len(r.raw))
			}
			if wantLine := 1 + bytes.Count(in[:r.offset], []byte("\n")); r.line != wantLine {
				t.Fatalf("element %d: line %d, want %d", r.index, r.line, wantLine)
			}
		}

		var elems []json.RawMessage
		if json.Unmarshal(bytes.TrimPrefix(in, utf8BOM), &elems) != nil || elems == nil { // null is no array
			return
		}
		if len(got) != len(elems) {
			t.Fatalf("got %d results, json.Unmarshal finds %d elements", len(got), len(elems))
		}
		for i, e := range elems {
			if len(e) > max {
				if !got[i].truncated || got[i].raw != string(e[:max]) {
					t.Errorf("element %d: got %+v, want the first %d bytes of %q, truncated", i, got[i], max, e)
				}
				continue
			}
			if got[i].raw != string(e) || got[i].truncated || got[i].incomplete {
				t.Errorf("element %d: got %+v, want %q", i, got[i], e)
			}
		}
	})
}
