package messenger

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestDecoder_Validity(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"object", `{"a": [1, -2.5e+3, true, false, null, "x"], "b": {}}`},
		{"empty array", `[ ]`},
		{"escapes", `"\" \\ \/ \b \f \n \r \t \u00e1 \ud83d\ude00 \ud800"`},
		{"trailing comma in object", `{"a": 1,}`},
		{"trailing comma in array", `[1,]`},
		{"leading zero", `01`},
		{"bare minus", `-`},
		{"fraction without digits", `1.`},
		{"exponent without digits", `1e+`},
		{"control character in string", "\"a\tb\""},
		{"invalid escape", `"\x41"`},
		{"short unicode escape", `"\u12"`},
		{"unterminated string", `"abc`},
		{"missing colon", `{"a" 1}`},
		{"unquoted name", `{a: 1}`},
		{"data after the value", `{} {}`},
		{"misspelt literal", `nul`},
		{"empty input", ``},
		{"invalid UTF-8 in a string", "\"a\xffb\""},
		{"mismatched brackets", `[1}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d decoder
			d.reset([]byte(tt.in))
			d.skip()
			d.end()
			got := d.err == ""
			if want := json.Valid([]byte(tt.in)); got != want {
				t.Errorf("decoder accepts %q: %v (error %q), encoding/json: %v", tt.in, got, d.err, want)
			}
		})
	}
}

func TestDecoder_Strings(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"ascii", `"Shop ơi"`},
		{"meta escapes", `"Nguy\u00e1\u00bb\u0085n"`},
		{"surrogate pair", `"\ud83d\udc4d"`},
		{"lone high surrogate", `"\ud83d x"`},
		{"high surrogate before another escape", `"\ud83d\u0041"`},
		{"lone low surrogate", `"\udc4d"`},
		{"invalid UTF-8", "\"a\xc3\x28b\xff\""},
		{"escaped quote at the end", `"a\\\"b\\"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d decoder
			d.reset([]byte(tt.in))
			got := string(d.stringBytes())
			var want string
			if err := json.Unmarshal([]byte(tt.in), &want); err != nil {
				t.Fatal(err)
			}
			if d.err != "" || got != want {
				t.Errorf("stringBytes(%s) = %q (error %q), encoding/json: %q", tt.in, got, d.err, want)
			}
		})
	}
}

func TestDecoder_Text(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string
		outcome repairOutcome
	}{
		{"ascii", `"Shop"`, "Shop", repairNone},
		{"ascii with escapes", `"a\n\"b\""`, "a\n\"b\"", repairNone},
		{"meta escapes", `"Nguy\u00e1\u00bb\u0085n"`, "Nguyễn", repairDone},
		{"raw mojibake bytes", `"` + latin1("Phúc") + `"`, "Phúc", repairDone},
		{"correct vietnamese", `"Còn màu xanh rêu"`, "Còn màu xanh rêu", repairNone},
		{"latin-1 text", `"Cà phê"`, "Cà phê", repairNone},
		{"cut mojibake", `"Tr\u00e1\u00ba\u00a7n \u00e1\u00ba"`, latin1("Trần") + " " + cutRunes(latin1("ạ"), 2), repairFailed},
		{"mojibake beside an escaped emoji", `"\u00c3\u00a9 \ud83d\ude00"`, "Ã© 😀", repairNone},
		{"invalid UTF-8", "\"\u00c3\u00a9 \xff\"", "Ã© \uFFFD", repairNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d decoder
			d.reset([]byte(tt.in))
			got := d.text()
			if d.err != "" || got != tt.want {
				t.Errorf("text(%s) = %q (error %q), want %q", tt.in, got, d.err, tt.want)
			}
			if (d.fix.repaired == 1) != (tt.outcome == repairDone) || d.fix.failed != (tt.outcome == repairFailed) {
				t.Errorf("text(%s) counted %+v, want outcome %d", tt.in, d.fix, tt.outcome)
			}
		})
	}
}

func TestDecodeDYI_WrongTypes(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		invalid bool
	}{
		{"all mapped members", `{"sender_name": "a", "content": "b", "type": "Generic", "is_unsent": false, "photos": [{"uri": "p"}], "sticker": {"uri": "s"}, "share": {"link": "l"}, "reactions": [{"reaction": "r", "actor": "a"}], "call_duration": 5, "users": [{"name": "u"}]}`, false},
		{"nulls", `{"sender_name": null, "content": null, "photos": null, "sticker": null, "share": null, "reactions": null, "call_duration": null, "users": null}`, false},
		{"content number", `{"content": 5}`, true},
		{"photos object", `{"photos": {"uri": "p"}}`, true},
		{"photo string", `{"photos": ["p"]}`, true},
		{"fractional call duration", `{"call_duration": 1.5}`, true},
		{"is_unsent string", `{"is_unsent": "yes"}`, true},
		{"unknown members of any type", `{"x": {"y": [1, {"z": null}]}, "is_geoblocked_for_viewer": false}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d decoder
			var dm dyiMessage
			if reason := decodeDYI(&d, []byte(tt.in), &dm); reason != "" {
				t.Fatalf("decodeDYI: %s", reason)
			}
			if d.invalid != tt.invalid {
				t.Errorf("invalid = %v, want %v", d.invalid, tt.invalid)
			}
		})
	}
}

// FuzzDecoder checks the decoder against encoding/json: it accepts the
// same values, and decodes strings to the same text.
func FuzzDecoder(f *testing.F) {
	for _, s := range []string{
		`{"a": [1, -2.5e+3, true, false, null, "x"]}`,
		`"\u00e1\u00bb\u0085 \ud83d\ude00 \ud800"`,
		"\"a\xffb\"",
		`[1,]`,
		` null `,
		`"Tr\u00e1\u00ba\u00a7n \u00e1\u00ba"`,
		`"Cà phê \u00e9"`,
		`"\u00c3\u00a9\ud83d\ude00"`,
		`{"sender_name": "a", "photos": [{"uri": "p"}], "call_duration": 1e3}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var d decoder
		d.reset(data)
		d.skip()
		d.end()
		accepted := d.err == ""
		tooDeep := strings.Contains(d.err, "nested more than")
		if valid := json.Valid(data); accepted != valid && !tooDeep {
			t.Fatalf("decoder accepts %q: %v (error %q), encoding/json: %v", data, accepted, d.err, valid)
		}

		var want string
		if json.Unmarshal(data, &want) != nil {
			return
		}
		d.reset(data)
		if d.peek() != '"' {
			return // null
		}
		got := string(d.stringBytes())
		if d.err != "" || got != want {
			t.Fatalf("string %q decodes to %q (error %q), encoding/json: %q", data, got, d.err, want)
		}

		// text is stringBytes followed by repairMojibake, in one pass.
		d.reset(data)
		d.peek()
		repaired := d.text()
		wantRepaired, outcome := repairMojibake(want)
		if d.err != "" || repaired != wantRepaired {
			t.Fatalf("text of %q = %q (error %q), want %q", data, repaired, d.err, wantRepaired)
		}
		if wantDone := outcome == repairDone; (d.fix.repaired == 1) != wantDone || d.fix.failed != (outcome == repairFailed) {
			t.Fatalf("text of %q counted %+v, want outcome %d", data, d.fix, outcome)
		}

		var dm dyiMessage
		decodeDYI(&d, data, &dm)
	})
}
