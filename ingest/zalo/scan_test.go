package zalo

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The scanner must accept, reject and decode exactly as encoding/json does,
// because decodeLine takes its bad-record reasons from encoding/json, and a
// line must read the same whichever of the two reads it. These tests compare
// the two.

func TestValidJSON_MatchesEncodingJSON(t *testing.T) {
	tests := []struct {
		name  string
		input string
	}{
		{"empty", ""},
		{"white space only", " \t\r\n"},
		{"object", `{"a": 1, "b": [true, false, null], "c": {"d": "e"}}`},
		{"empty containers", `{"a": {}, "b": []}`},
		{"white space everywhere", " { \"a\" : [ 1 , 2 ] , \"b\" : { } } \r\n"},
		{"top-level string", `"text"`},
		{"top-level number", `-12.5e+3`},
		{"zero", `0`},
		{"negative zero", `-0`},
		{"leading zero", `01`},
		{"minus alone", `-`},
		{"fraction without digits", `1.`},
		{"fraction without integer", `.5`},
		{"exponent without digits", `1e`},
		{"exponent sign without digits", `1e+`},
		{"capital exponent", `1E5`},
		{"literal cut short", `tru`},
		{"literal with extra letters", `truex`},
		{"unknown literal", `nil`},
		{"missing colon", `{"a" 1}`},
		{"member name not a string", `{a: 1}`},
		{"trailing comma in object", `{"a": 1,}`},
		{"trailing comma in array", `[1,]`},
		{"comma alone", `{,}`},
		{"unclosed object", `{"a": 1`},
		{"unclosed string", `{"a": "b}`},
		{"mismatched brackets", `{"a": [1}]`},
		{"two values", `{} {}`},
		{"value then text", `{}x`},
		{"number then text", `42x`},
		{"string then text", `"s"x`},
		{"control character in string", "\"a\x01b\""},
		{"tab in string", "\"a\tb\""},
		{"DEL in string", "\"a\x7fb\""},
		{"invalid UTF-8 in string", "\"a\xff\xfeb\""},
		{"all escapes", `"\" \\ \/ \b \f \n \r \t \u00e9 \uD83D\uDE00"`},
		{"single-quote escape", `"\'"`},
		{"unknown escape", `"\x41"`},
		{"short unicode escape", `"\u12"`},
		{"non-hex unicode escape", `"\u12g4"`},
		{"backslash at end", `"\`},
		{"byte order mark", "\xEF\xBB\xBF{}"},
		{"nested within the scan limit", strings.Repeat("[", maxScanDepth) + strings.Repeat("]", maxScanDepth)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkValidJSON(t, []byte(tt.input))
		})
	}
}

func TestDecodeLine_DeeperThanScanLimit(t *testing.T) {
	deep := strings.Repeat("[", maxScanDepth+1) + strings.Repeat("]", maxScanDepth+1)
	if _, _, ok := validJSON([]byte(deep)); ok {
		t.Fatalf("validJSON accepts %d levels, more than maxScanDepth", maxScanDepth+1)
	}

	// encoding/json accepts the value, so the line is still read.
	line := messageLine("user", "1", "1716000000000",
		`"msgType": "webchat", "uidFrom": "`+testCustomerUID+`", "idTo": "0", "content": "x", "extra": `+deep)
	m := readOne(t, line, testOptions)
	if m.Text != "x" {
		t.Errorf("Text = %q, want %q", m.Text, "x")
	}
}

func TestUnquote_MatchesEncodingJSON(t *testing.T) {
	tests := []struct {
		name  string
		token string
	}{
		{"empty", `""`},
		{"ASCII", `"msgId"`},
		{"Vietnamese", `"Chị ơi, thẻ của tôi bị khóa"`},
		{"simple escapes", `"a\"b\\c\/d\be\ff\ng\rh\ti"`},
		{"BMP escape", `"\u0110\u1ea1"`},
		{"surrogate pair", `"\ud83d\ude00"`},
		{"high surrogate alone", `"\ud83dx"`},
		{"high surrogate at end", `"\ud83d"`},
		{"low surrogate alone", `"\ude00"`},
		{"two high surrogates", `"\ud83d\ud83d\ude00"`},
		{"high surrogate then simple escape", `"\ud83d\n"`},
		{"invalid UTF-8", "\"a\xffb\xc3\""},
		{"invalid UTF-8 and escape", "\"\xff\\n\""},
		{"encoded surrogate", "\"\xed\xa0\x80\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkUnquote(t, []byte(tt.token))
		})
	}
}

func TestDecodeObject_LookupMatchesMap(t *testing.T) {
	tests := []struct {
		name   string
		object string
	}{
		{"empty", `{}`},
		{"message object", `{"msgId": "1", "ts": "1716000000000", "content": {"a": [1, {"b": "}"}]}, "cmd": 501}`},
		{"duplicate names", `{"msgId": "1", "msgId": "2", "dName": null, "dName": "Lan"}`},
		{"case variants", `{"msgId": "1", "MsgId": "2", "MSGID": "3"}`},
		{"escaped names", `{"msg\u0049d": "1", "\u0074s": "2", "a\"b": 3}`},
		{"invalid UTF-8 names", "{\"\xff\": 1, \"a\xfe\": 2}"},
		{"strings with brackets and quotes", `{"a": "{[\"]}", "b": "\\", "c": "\\\""}`},
		{"white space", " { \"a\" :\t1 ,\r\n\"b\" : [ ] } "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkDecoded(t, []byte(strings.TrimSpace(tt.object)))
		})
	}
}

// FuzzScanner checks validJSON, decodeObject, decodeArray and unquote
// against encoding/json on any input.
func FuzzScanner(f *testing.F) {
	paths, err := filepath.Glob(filepath.Join(casesDir, "zca-*.jsonl"))
	if err != nil {
		f.Fatal(err)
	}
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		for _, line := range bytes.Split(data, []byte("\n")) {
			f.Add(line)
		}
	}
	for _, s := range []string{
		`{"msg\u0049d": "1", "msgId": "2", "msgId": [1, {"a": "\ud83d\ude00"}]}`,
		`["\ud83d", "\ude00", "\ud83d\n", "a\/b", -0.5e-3, true, null]`,
		"\"\xff\xfe\\u0041\"",
		`{"a": 01}`,
		`{"a": 1,}`,
		`{} x`,
	} {
		f.Add([]byte(s))
	}

	f.Fuzz(func(t *testing.T, input []byte) {
		checkValidJSON(t, input)
	})
}

// checkValidJSON checks that validJSON accepts input exactly when
// encoding/json does, apart from nesting deeper than maxScanDepth, and then
// checks the decoding of the value it returns.
func checkValidJSON(t *testing.T, input []byte) {
	t.Helper()
	start, end, ok := validJSON(input)
	want, reason := decodeLineSlow(input)
	switch {
	case ok && reason != "":
		t.Fatalf("validJSON accepts %q, which encoding/json rejects: %s", input, reason)
	case !ok && reason == "" && len(input) <= maxScanDepth:
		t.Fatalf("validJSON rejects %q, which encoding/json accepts", input)
	case !ok:
		return
	}
	if got := input[start:end]; !bytes.Equal(got, want) {
		t.Fatalf("validJSON returns the value %q, want %q", got, want)
	}
	checkDecoded(t, want)
}

// checkDecoded compares the decoding of the valid JSON value raw, and of
// every value inside it, with encoding/json.
func checkDecoded(t *testing.T, raw json.RawMessage) {
	t.Helper()
	if end := skipValue(raw, 0); end != len(raw) {
		t.Fatalf("skipValue(%q) = %d, want %d", raw, end, len(raw))
	}
	switch jsonType(raw) {
	case "string":
		checkUnquote(t, raw)
	case "object":
		checkObject(t, raw)
	case "array":
		elems, ferr := decodeArray("a", raw)
		if ferr != nil {
			t.Fatalf("decodeArray(%q): %v", raw, ferr)
		}
		var want []json.RawMessage
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Fatalf("json.Unmarshal(%q): %v", raw, err)
		}
		if len(elems) != len(want) {
			t.Fatalf("decodeArray(%q) returns %d elements, want %d", raw, len(elems), len(want))
		}
		for i := range want {
			if !bytes.Equal(elems[i], want[i]) {
				t.Fatalf("decodeArray(%q) element %d = %q, want %q", raw, i, elems[i], want[i])
			}
			checkDecoded(t, elems[i])
		}
	}
}

// checkObject compares the lookups of decodeObject with the map that
// json.Unmarshal fills.
func checkObject(t *testing.T, raw json.RawMessage) {
	t.Helper()
	obj, ferr := decodeObject("o", raw)
	if ferr != nil {
		t.Fatalf("decodeObject(%q): %v", raw, ferr)
	}
	var want map[string]json.RawMessage
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatalf("json.Unmarshal(%q): %v", raw, err)
	}
	for name, value := range want {
		got, ok := obj.lookup(name)
		if !ok {
			t.Fatalf("decodeObject(%q) has no member %q", raw, name)
		}
		if !bytes.Equal(got, value) {
			t.Fatalf("decodeObject(%q) member %q = %q, want %q", raw, name, got, value)
		}
		if _, ok := want[name+"x"]; !ok && obj.has(name+"x") {
			t.Fatalf("decodeObject(%q) has a member %q, which the map lacks", raw, name+"x")
		}
		checkDecoded(t, got)
	}
	for _, name := range []string{"msgId", "MsgId", "ts", ""} {
		if _, ok := want[name]; !ok && obj.has(name) {
			t.Fatalf("decodeObject(%q) has a member %q, which the map lacks", raw, name)
		}
	}
}

// checkUnquote compares unquote with json.Unmarshal of the string token.
func checkUnquote(t *testing.T, token []byte) {
	t.Helper()
	var want string
	if err := json.Unmarshal(token, &want); err != nil {
		t.Fatalf("json.Unmarshal(%q): %v", token, err)
	}
	if got := unquote(token); got != want {
		t.Fatalf("unquote(%q) = %q, want %q", token, got, want)
	}
}
