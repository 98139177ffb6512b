package jsonscan

import (
	"strings"
	"testing"
)

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
			if got := DecodeString([]byte(tt.in)); got != tt.want {
				t.Errorf("DecodeString(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestMember_DecodedName(t *testing.T) {
	tests := []struct {
		name string
		in   string // the name as written between the quotes
		want string
	}{
		{name: "plain", in: `ts`, want: "ts"},
		{name: "escaped", in: `t\u0073`, want: "ts"},
		{name: "invalid UTF-8", in: "t\xff", want: "t\uFFFD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(Member{Name: []byte(tt.in)}.DecodedName()); got != tt.want {
				t.Errorf("DecodedName of %q = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestLookup_Examples(t *testing.T) {
	const object = `{"user": "U01", "ts": "1.1", "us\u0065r": "U02", "n": null}`
	tests := []struct {
		name   string
		member string
		want   string
		isNil  bool
	}{
		{name: "last of duplicates, escaped", member: "user", want: `"U02"`},
		{name: "single", member: "ts", want: `"1.1"`},
		{name: "null", member: "n", want: `null`},
		{name: "absent", member: "text", isNil: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Lookup([]byte(object), tt.member)
			if string(got) != tt.want || (got == nil) != tt.isNil {
				t.Errorf("Lookup(%q) = %q (nil %v), want %q (nil %v)", tt.member, got, got == nil, tt.want, tt.isNil)
			}
		})
	}
}

func TestTypeName_Examples(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{in: ``, want: "nothing"},
		{in: `{}`, want: "object"},
		{in: `[]`, want: "array"},
		{in: `""`, want: "string"},
		{in: `true`, want: "boolean"},
		{in: `false`, want: "boolean"},
		{in: `null`, want: "null"},
		{in: `-1`, want: "number"},
	}
	for _, tt := range tests {
		t.Run(tt.want+" "+tt.in, func(t *testing.T) {
			if got := TypeName([]byte(tt.in)); got != tt.want {
				t.Errorf("TypeName(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestStringValue_Examples(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
		ok   bool
	}{
		{name: "string", in: `"Đ\u00e3"`, want: "Đã", ok: true},
		{name: "absent", in: ``, want: "", ok: true},
		{name: "null", in: `null`, want: "", ok: true},
		{name: "number", in: `12`, want: "", ok: false},
		{name: "object", in: `{"a": "b"}`, want: "", ok: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := StringValue([]byte(tt.in))
			if got != tt.want || ok != tt.ok {
				t.Errorf("StringValue(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestIDValue_Examples(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
		ok   bool
	}{
		{name: "string", in: `"8f1c\u0032"`, want: "8f1c2", ok: true},
		{name: "number kept as written", in: `12345678901234567890123`, want: "12345678901234567890123", ok: true},
		{name: "negative number", in: `-5`, want: "-5", ok: true},
		{name: "fraction kept as written", in: `1.50`, want: "1.50", ok: true},
		{name: "null", in: `null`, want: "", ok: true},
		{name: "boolean", in: `true`, want: "", ok: false},
		{name: "array", in: `[1]`, want: "", ok: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := IDValue([]byte(tt.in))
			if got != tt.want || ok != tt.ok {
				t.Errorf("IDValue(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestIntValue_Examples(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    int64
		present bool
		ok      bool
	}{
		{name: "number", in: `1709254800000`, want: 1709254800000, present: true, ok: true},
		{name: "negative", in: `-42`, want: -42, present: true, ok: true},
		{name: "string of digits", in: `"1709254800000"`, want: 1709254800000, present: true, ok: true},
		{name: "escaped digits", in: `"\u0031\u0032"`, want: 12, present: true, ok: true},
		{name: "18 digits", in: `999999999999999999`, want: 999999999999999999, present: true, ok: true},
		{name: "19 digits", in: `1000000000000000000`, present: true, ok: false},
		{name: "fraction", in: `1.5`, present: true, ok: false},
		{name: "exponent", in: `1e3`, present: true, ok: false},
		{name: "empty string", in: `""`, present: true, ok: false},
		{name: "space in string", in: `" 12"`, present: true, ok: false},
		{name: "boolean", in: `true`, present: true, ok: false},
		{name: "null", in: `null`, present: false, ok: true},
		{name: "absent", in: ``, present: false, ok: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, present, ok := IntValue([]byte(tt.in))
			if n != tt.want || present != tt.present || ok != tt.ok {
				t.Errorf("IntValue(%q) = %d, %v, %v; want %d, %v, %v", tt.in, n, present, ok, tt.want, tt.present, tt.ok)
			}
		})
	}
}

func TestQuoteShort_Examples(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{name: "short", in: "1709254800.000100", want: `"1709254800.000100"`},
		{name: "40 bytes", in: strings.Repeat("a", 40), want: `"` + strings.Repeat("a", 40) + `"`},
		{name: "41 bytes cut", in: strings.Repeat("a", 41), want: `"` + strings.Repeat("a", 40) + `"...`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := QuoteShort(tt.in); got != tt.want {
				t.Errorf("QuoteShort(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}
