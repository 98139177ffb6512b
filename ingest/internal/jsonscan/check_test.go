package jsonscan

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
	"{\n        \"indented\": [\n                1,\n                2\n        ]\n}",
	strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
	strings.Repeat("[", 10000) + strings.Repeat("]", 10000),
}

func TestCheck_Examples(t *testing.T) {
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
		{name: "empty input", in: ``, end: 0, ok: false},
		{name: "leading white space", in: ` 1`, end: 0, ok: false},
		{name: "too deep", in: strings.Repeat("[", maxDepth+1), end: maxDepth, ok: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			end, ok := Check([]byte(tt.in))
			if end != tt.end || ok != tt.ok {
				t.Errorf("Check(%.40q) = %d, %v; want %d, %v", tt.in, end, ok, tt.end, tt.ok)
			}
		})
	}
}

func TestCheckObject_Examples(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		end     int
		ok      bool
		members []string // name=value, as written
	}{
		{name: "members in input order", in: `{"b": 1, "a" : [2], "b":"x"} tail`, end: 28, ok: true, members: []string{`b=1`, `a=[2]`, `b="x"`}},
		{name: "empty object", in: `{ }`, end: 3, ok: true},
		{name: "escaped name kept as written", in: `{"a\u0062": true}`, end: 17, ok: true, members: []string{`a\u0062=true`}},
		{name: "members before the fault", in: `{"a": 1, "b": x}`, end: 14, ok: false, members: []string{`a=1`}},
		{name: "array", in: `[1]`, end: 0, ok: false},
		{name: "empty input", in: ``, end: 0, ok: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var members []Member
			end, ok := CheckObject([]byte(tt.in), &members)
			if end != tt.end || ok != tt.ok {
				t.Errorf("CheckObject(%q) = %d, %v; want %d, %v", tt.in, end, ok, tt.end, tt.ok)
			}
			var got []string
			for _, m := range members {
				got = append(got, string(m.Name)+"="+string(m.Value))
			}
			if strings.Join(got, " ") != strings.Join(tt.members, " ") {
				t.Errorf("CheckObject(%q) members = %q, want %q", tt.in, got, tt.members)
			}
		})
	}
}

func TestCheckObject_NilMembers(t *testing.T) {
	end, ok := CheckObject([]byte(`{"a": {"b": 2}}`), nil)
	if end != 15 || !ok {
		t.Errorf("CheckObject with nil members = %d, %v; want 15, true", end, ok)
	}
}

func TestSkipSpace_Examples(t *testing.T) {
	tests := []struct {
		name string
		in   string
		from int
		want int
	}{
		{name: "no space", in: `{}`, from: 0, want: 0},
		{name: "mixed white space", in: " \t\r\n{", from: 0, want: 4},
		{name: "long run of spaces", in: "\n" + strings.Repeat(" ", 19) + "x", from: 0, want: 20},
		{name: "spaces to the end", in: strings.Repeat(" ", 17), from: 0, want: 17},
		{name: "from the middle", in: `[1,  2]`, from: 3, want: 5},
		{name: "at the end", in: `[]`, from: 2, want: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SkipSpace([]byte(tt.in), tt.from); got != tt.want {
				t.Errorf("SkipSpace(%q, %d) = %d, want %d", tt.in, tt.from, got, tt.want)
			}
		})
	}
}

// FuzzJSON checks the package against encoding/json: Check accepts exactly
// what json.Valid accepts, strings decode alike, an object's members are
// the ones json.Unmarshal finds, both from CheckObject and from Members, and
// an array's elements are the ones json.Unmarshal finds.
func FuzzJSON(f *testing.F) {
	for _, s := range jsonSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		start := SkipSpace(in, 0)
		end, ok := Check(in[start:])
		end += start
		valid := ok && SkipSpace(in, end) == len(in)
		if want := json.Valid(in); valid != want {
			t.Fatalf("Check says valid=%v, json.Valid says %v for %q", valid, want, in)
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
			if got := DecodeString(value); got != want {
				t.Fatalf("DecodeString(%q) = %q, want %q", value, got, want)
			}
		case '{':
			var want map[string]json.RawMessage
			if err := json.Unmarshal(value, &want); err != nil {
				t.Fatal(err)
			}
			var members []Member
			if end, ok := CheckObject(value, &members); end != len(value) || !ok {
				t.Fatalf("CheckObject = %d, %v; want %d, true", end, ok, len(value))
			}
			got := map[string][]byte{}
			for _, m := range members {
				got[string(m.DecodedName())] = m.Value
			}
			if len(got) != len(want) {
				t.Fatalf("got %d distinct members, want %d", len(got), len(want))
			}
			for name, raw := range want {
				if !bytes.Equal(got[name], raw) {
					t.Errorf("member %q = %q, want %q", name, got[name], raw)
				}
				if l := Lookup(value, name); !bytes.Equal(l, raw) {
					t.Errorf("Lookup(%q) = %q, want %q", name, l, raw)
				}
			}

			it := NewMembers(value)
			n := 0
			for m, ok := it.Next(); ok; m, ok = it.Next() {
				if n >= len(members) || !bytes.Equal(m.Name, members[n].Name) || !bytes.Equal(m.Value, members[n].Value) {
					t.Fatalf("Members: member %d = %q: %q, want the one CheckObject found", n, m.Name, m.Value)
				}
				n++
			}
			if n != len(members) {
				t.Fatalf("Members found %d members, CheckObject %d", n, len(members))
			}
		case '[':
			var want []json.RawMessage
			if err := json.Unmarshal(value, &want); err != nil {
				t.Fatal(err)
			}
			it := NewElements(value)
			n := 0
			for elem, ok := it.Next(); ok; elem, ok = it.Next() {
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
