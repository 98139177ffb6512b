package telegram

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"
)

// validateCases are JSON values on which validate must agree with
// encoding/json.
var validateCases = []struct {
	name, value string
}{
	{"empty object", `{}`},
	{"empty array", `[ ]`},
	{"nested", `{"a": [1, {"b": null}, "c"], "d": {"e": true}}`},
	{"number zero", `0`},
	{"negative fraction exponent", `-12.5e+3`},
	{"leading zero", `01`},
	{"bare minus", `-`},
	{"dot without digits", `1.`},
	{"exponent without digits", `1e`},
	{"plus sign", `+1`},
	{"true", `true`},
	{"truncated literal", `tru`},
	{"literal with tail", `nullx`},
	{"string escapes", `"a\"b\\c\/d\b\f\n\r\t\u00e9"`},
	{"surrogate pair", `"\ud83d\ude00"`},
	{"bad escape", `"\q"`},
	{"short unicode escape", `"\u12"`},
	{"raw control character", "\"a\x01b\""},
	{"raw tab in string", "\"a\tb\""},
	{"invalid UTF-8 in string", "\"a\xffb\""},
	{"unterminated string", `"abc`},
	{"trailing comma in array", `[1,]`},
	{"trailing comma in object", `{"a":1,}`},
	{"missing colon", `{"a" 1}`},
	{"number as name", `{1: 2}`},
	{"missing comma", `[1 2]`},
	{"mismatched brackets", `[1}`},
	{"unclosed object", `{"a": 1`},
	{"two values", `1 2`},
	{"white space around", " {\"a\" : [ 1 , 2 ] } "},
	{"empty", ``},
	{"only space", `   `},
	{"single quote", `'a'`},
}

func TestValidate(t *testing.T) {
	for _, tc := range validateCases {
		t.Run(tc.name, func(t *testing.T) {
			// validate takes a value without leading white space.
			b := []byte(strings.TrimLeft(tc.value, " \t\r\n"))
			want := json.Valid([]byte(tc.value))
			if got := validWhole(b); got != want {
				_, _, at, msg := validate(b, 0, nil)
				t.Errorf("validate(%q): valid = %v (%q at %d), want %v as encoding/json", tc.value, got, msg, at, want)
			}
		})
	}
}

// validWhole reports whether validate accepts b as one value followed only
// by white space.
func validWhole(b []byte) bool {
	end, _, _, msg := validate(b, 0, nil)
	return msg == "" && skipSpace(b, end) == len(b)
}

func TestValidate_DepthLimit(t *testing.T) {
	deep := strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1)
	if _, _, _, msg := validate([]byte(deep), 0, nil); msg == "" {
		t.Errorf("validate accepted %d levels of nesting, want an error past %d", maxDepth+1, maxDepth)
	}
	ok := strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth)
	if _, _, _, msg := validate([]byte(ok), 0, nil); msg != "" {
		t.Errorf("validate rejected %d levels of nesting: %s", maxDepth, msg)
	}
}

func TestValidate_Escapes(t *testing.T) {
	tests := []struct {
		name    string
		value   string
		repairs int
		valid   bool
	}{
		{"control character", `"a\x07b"`, 1, true},
		{"two escapes", `{"t\x01": "\x1F\x1f"}`, 3, true},
		{"escaped backslash before x", `"C:\\x41"`, 0, true},
		{"one hex digit", `"\x7"`, 0, false},
		{"not hex", `"\xZZ"`, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, repairs, at, msg := validate([]byte(tc.value), 0, nil)
			if (msg == "") != tc.valid {
				t.Fatalf("validate(%s): msg %q at %d, want valid %v", tc.value, msg, at, tc.valid)
			}
			if repairs != tc.repairs {
				t.Errorf("validate(%s): %d repairs, want %d", tc.value, repairs, tc.repairs)
			}
		})
	}
}

func TestValidate_MemberSpans(t *testing.T) {
	obj := []byte(`{"id": 5, "text": ["a", {"type": "bold"}], "from": null}`)
	var members []memberSpan
	if _, _, at, msg := validate(obj, 0, &members); msg != "" {
		t.Fatalf("validate: %s at %d", msg, at)
	}
	want := [][2]string{{"id", "5"}, {"text", `["a", {"type": "bold"}]`}, {"from", "null"}}
	if len(members) != len(want) {
		t.Fatalf("got %d members, want %d", len(members), len(want))
	}
	for i, m := range members {
		name := string(obj[m.nameStart:m.nameEnd])
		value := string(obj[m.valueStart:m.valueEnd])
		if name != want[i][0] || value != want[i][1] {
			t.Errorf("member %d = %q: %q, want %q: %q", i, name, value, want[i][0], want[i][1])
		}
	}
}

func TestDecodeString(t *testing.T) {
	tests := []struct {
		name, value string
	}{
		{"plain", `"Xin chào"`},
		{"escapes", `"dòng 1\ndòng 2 \"trích\" \/ \\ \t"`},
		{"unicode escapes", `"\u00e9\u1ea1 \ud83d\ude00"`},
		{"lone high surrogate", `"a\ud83db"`},
		{"lone low surrogate", `"\ude00"`},
		{"high surrogate then escape", `"\ud83d\u0041"`},
		{"invalid UTF-8", "\"a\xff\xfeb\""},
		{"encoded surrogate", "\"\xed\xa0\x80\""},
		{"invalid UTF-8 with escape", "\"\xff\\n\""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var want string
			if err := json.Unmarshal([]byte(tc.value), &want); err != nil {
				t.Fatal(err)
			}
			got, ok := decodeString([]byte(tc.value))
			if !ok || got != want {
				t.Errorf("decodeString(%q) = %q, %v; want %q as encoding/json", tc.value, got, ok, want)
			}
		})
	}
}

func TestDecodeString_HexEscape(t *testing.T) {
	tests := []struct {
		name, value, want string
	}{
		{"bell", `"a\x07b"`, "a\x07b"},
		{"upper-case hex", `"\x1F"`, "\x1f"},
		{"above ASCII reads as Latin-1", `"\xE9"`, "é"},
		{"escaped backslash", `"\\x41"`, `\x41`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := decodeString([]byte(tc.value))
			if !ok || got != tc.want {
				t.Errorf("decodeString(%s) = %q, %v; want %q", tc.value, got, ok, tc.want)
			}
		})
	}
}

func TestStream_ValueAcrossReads(t *testing.T) {
	input := `  {"a": "xyz\x01", "b": [1, 2, 30]} 12345 "tail"`
	s := newStream(iotest.OneByteReader(strings.NewReader(input)))
	raw, repairs, err := s.value(maxItemBytes, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"a": "xyz\x01", "b": [1, 2, 30]}`; string(raw) != want || repairs != 1 {
		t.Errorf("value = %q, %d repairs; want %q, 1", raw, repairs, want)
	}
	if raw, _, err = s.value(maxItemBytes, 0, nil); err != nil || string(raw) != "12345" {
		t.Errorf("value = %q, %v; want the whole number 12345", raw, err)
	}
	if raw, _, err = s.value(maxItemBytes, 0, nil); err != nil || string(raw) != `"tail"` {
		t.Errorf("value = %q, %v; want \"tail\"", raw, err)
	}
	if _, err := s.peek(); err != io.EOF {
		t.Errorf("peek at the end = %v, want io.EOF", err)
	}
}

func TestStream_TooLarge(t *testing.T) {
	input := `["` + strings.Repeat("a", 3*minWindow) + `"]`
	s := newStream(strings.NewReader(input))
	_, _, err := s.value(minWindow, 0, nil)
	if !errors.Is(err, errItemTooLarge) {
		t.Errorf("value of %d bytes with max %d: err = %v, want errItemTooLarge", len(input), minWindow, err)
	}
}

func TestStream_SyntaxErrorOffset(t *testing.T) {
	input := `{"a": [1, 2,, 3]}`
	s := newStream(strings.NewReader(input))
	_, _, err := s.value(maxItemBytes, 0, nil)
	var syntax *syntaxError
	if !errors.As(err, &syntax) {
		t.Fatalf("err = %v, want a syntax error", err)
	}
	if want := int64(strings.Index(input, ",,") + 1); syntax.offset != want {
		t.Errorf("offset = %d, want %d (the second comma)", syntax.offset, want)
	}
}

func TestStream_Skip(t *testing.T) {
	input := `{"contacts": {"list": [{"a": 1}, {"b": [true, false, null]}]}, "x": "y"} 7`
	s := newStream(iotest.HalfReader(strings.NewReader(input)))
	if err := s.skip(0); err != nil {
		t.Fatalf("skip: %v", err)
	}
	raw, _, err := s.value(maxItemBytes, 0, nil)
	if err != nil || string(raw) != "7" {
		t.Errorf("value after skip = %q, %v; want 7", raw, err)
	}
	for _, bad := range []string{`{"a" 1}`, `[1,]`, `{"a": 1,}`, `[1 2]`, `{"a": [}`} {
		s := newStream(strings.NewReader(bad))
		if err := s.skip(0); err == nil {
			t.Errorf("skip(%s) = nil, want an error", bad)
		}
	}
}

func TestStream_BOM(t *testing.T) {
	s := newStream(bytes.NewReader(append(append([]byte{}, utf8BOM...), `{"a":1}`...)))
	s.skipBOM()
	raw, _, err := s.value(maxItemBytes, 0, nil)
	if err != nil || string(raw) != `{"a":1}` {
		t.Fatalf("value = %q, %v", raw, err)
	}
	if s.offset() != int64(len(utf8BOM)+len(`{"a":1}`)) {
		t.Errorf("offset = %d, want the byte order mark counted", s.offset())
	}
}

func TestPlainWord(t *testing.T) {
	check := func(word [8]byte) {
		want := true
		for _, c := range word {
			want = want && plainStringByte[c]
		}
		if got := plainWord(binary.LittleEndian.Uint64(word[:])); got != want {
			t.Fatalf("plainWord(% x) = %v, want %v", word, got, want)
		}
	}
	// Every byte value in every position, among plain and borderline
	// neighbours.
	for _, fill := range []byte{'a', 0x20, 0x21, 0x7F, 0x80, 0xFF, 0x1F, '"' + 1, '\\' + 1} {
		for pos := range 8 {
			for c := range 256 {
				var word [8]byte
				for i := range word {
					word[i] = fill
				}
				word[pos] = byte(c)
				check(word)
			}
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 200000 {
		var word [8]byte
		binary.LittleEndian.PutUint64(word[:], rng.Uint64())
		check(word)
	}
}
