package zalooa

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

var jsonSeeds = []string{
	`{}`, `[]`, `""`, `0`, `-0.5e+10`, `true`, `false`, `null`,
	`{"a": [1, 2, {"b": null}], "c": "d"}`,
	`{"ts": "1709254800.000100", "text": "Đơn <https:\/\/example.com|#42> \u0110\u00e3"}`,
	`"\ud83d\ude00 pair"`, `"\ud83d alone"`, `"\ude00\ud83d reversed"`, `"\ud83d\u0041"`,
	"\"invalid \xff utf-8 \xed\xa0\x80\"",
	`"tab	inside"`, `"\x"`, `"\u12"`, `01`, `1.`, `1e`, `-`, `tru`, `nul`,
	`{"a" 1}`, `{"a": 1,}`, `[1,]`, `[1 2]`, `{"a": 1} x`, ` {"a": 1} `,
	`{"a\"b": 1, "a": 2, "a": 3}`,
	"{\"\xf7\": 0, \"\\u00e0\": 1}",
	strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
	strings.Repeat("[", 10000) + strings.Repeat("]", 10000),
}

func TestCheckValue_Examples(t *testing.T) {
	tests := []struct {
		name string
		in   string
		end  int
		ok   bool
	}{
		{name: "object", in: `{"a": 1}`, end: 8, ok: true},
		{name: "value followed by data", in: `{"a": 1} x`, end: 8, ok: true},
		{name: "missing colon", in: `{"a" 1}`, end: 5, ok: false},
		{name: "trailing comma", in: `[1,]`, end: 3, ok: false},
		{name: "leading zero", in: `01`, end: 1, ok: true},
		{name: "bad escape", in: `"\x"`, end: 2, ok: false},
		{name: "short unicode escape", in: `"\u12"`, end: 5, ok: false},
		{name: "control character in string", in: "\"a\tb\"", end: 2, ok: false},
		{name: "ends inside an object", in: `{"a": [1, 2`, end: 11, ok: false},
		{name: "ends inside a literal", in: `[tru`, end: 4, ok: false},
		{name: "too deep", in: strings.Repeat("[", maxDepth+1), end: maxDepth, ok: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			end, ok := checkValue([]byte(tt.in), 0, 0)
			if end != tt.end || ok != tt.ok {
				t.Errorf("checkValue(%.40q) = %d, %v; want %d, %v", tt.in, end, ok, tt.end, tt.ok)
			}
		})
	}
}

func TestDecodeString_Examples(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{name: "plain", in: `"Đã kiểm tra"`, want: "Đã kiểm tra"},
		{name: "escaped slashes", in: `"https:\/\/files.example.com\/F01"`, want: "https://files.example.com/F01"},
		{name: "simple escapes", in: `"a\"b\\c\/d\b\f\n\r\t"`, want: "a\"b\\c/d\b\f\n\r\t"},
		{name: "unicode escape", in: `"\u0110\u00e3"`, want: "Đã"},
		{name: "surrogate pair", in: `"\ud83d\ude00"`, want: "😀"},
		{name: "lone high surrogate", in: `"\ud83dx"`, want: "\uFFFDx"},
		{name: "lone low surrogate", in: `"\ude00"`, want: "\uFFFD"},
		{name: "high surrogate then non-surrogate escape", in: `"\ud83d\u0041"`, want: "\uFFFDA"},
		{name: "invalid UTF-8", in: "\"a\xffb\"", want: "a\uFFFDb"},
		{name: "UTF-8 encoded surrogate", in: "\"\xed\xa0\x80\"", want: "\uFFFD\uFFFD\uFFFD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := decodeString([]byte(tt.in)); got != tt.want {
				t.Errorf("decodeString(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzJSON checks the toolkit against encoding/json: checkValue accepts
// exactly what json.Valid accepts, strings decode alike, and an object's
// members are the ones json.Unmarshal finds.
func FuzzJSON(f *testing.F) {
	for _, s := range jsonSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		start := skipSpace(in, 0)
		end, ok := checkValue(in, start, 0)
		valid := ok && skipSpace(in, end) == len(in)
		if want := json.Valid(in); valid != want {
			t.Fatalf("checkValue says valid=%v, json.Valid says %v for %q", valid, want, in)
		}
		if !valid {
			return
		}

		value := in[start:end]
		if end := skipValue(value, 0); end != len(value) {
			t.Fatalf("skipValue ends at %d, want %d for %q", end, len(value), value)
		}
		switch value[0] {
		case '"':
			var want string
			if err := json.Unmarshal(value, &want); err != nil {
				t.Fatal(err)
			}
			if got := decodeString(value); got != want {
				t.Fatalf("decodeString(%q) = %q, want %q", value, got, want)
			}
		case '{':
			var want map[string]json.RawMessage
			if err := json.Unmarshal(value, &want); err != nil {
				t.Fatal(err)
			}
			var members []member
			checkObject(value, 0, 1, &members)
			got := map[string][]byte{}
			for _, m := range members {
				got[string(m.decodedName())] = m.value
			}
			if len(got) != len(want) {
				t.Fatalf("got %d distinct members, want %d", len(got), len(want))
			}
			for name, raw := range want {
				if !bytes.Equal(got[name], raw) {
					t.Errorf("member %q = %q, want %q", name, got[name], raw)
				}
				if l := lookup(value, name); !bytes.Equal(l, raw) {
					t.Errorf("lookup(%q) = %q, want %q", name, l, raw)
				}
			}
		case '[':
			var want []json.RawMessage
			if err := json.Unmarshal(value, &want); err != nil {
				t.Fatal(err)
			}
			it := newElements(value)
			n := 0
			for elem, ok := it.next(); ok; elem, ok = it.next() {
				if n >= len(want) || !bytes.Equal(elem, want[n]) {
					t.Fatalf("element %d = %q, want %q", n, elem, want)
				}
				n++
			}
			if n != len(want) {
				t.Fatalf("got %d elements, want %d", n, len(want))
			}
		}
	})
}
