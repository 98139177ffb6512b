package chat

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The tests in this file hold EncodeRecord and DecodeRecord to the
// reflection-based codec in record_reference_test.go: the same bytes, the
// same decoded messages and the same errors.

func ptr[T any](v T) *T { return &v }

// allControlBytes holds every byte below 0x20, DEL, and the characters that
// need escaping or that HTML escaping would change.
var allControlBytes = func() string {
	var b strings.Builder
	for c := range 0x20 {
		b.WriteByte(byte(c))
	}
	b.WriteString("\x7f\"\\/<>&'\u2028\u2029")
	return b.String()
}()

func fullMessage() *Message {
	ict := time.FixedZone("ICT", 7*3600)
	return &Message{
		ID:                "01HYF3Q8ZK4T6W9X2B5N7M1C3D",
		Seq:               math.MaxUint64,
		Tenant:            "acme",
		Source:            "zalo",
		SourceID:          "7100000000101",
		ClientID:          "1716000000100",
		Account:           "7712345678900000001",
		Conversation:      "zalo:group:5500000000000000001",
		ConversationKind:  Group,
		ConversationTitle: "Nhóm <CSKH> & bán hàng",
		SentAt:            time.Date(2024, 5, 18, 9, 40, 0, 123456789, ict),
		IngestedAt:        time.Date(2024, 6, 2, 8, 15, 42, 120000000, time.UTC),
		Sender:            Participant{ID: "7712345678901234567", Name: "Lan Phương", Phone: "+84901234567"},
		Direction:         Outbound,
		Kind:              KindImage,
		RawType:           "chat.photo",
		Text:              "Ảnh hoá đơn tháng 6 <b>&</b>",
		IndexText:         "anh hoa don thang 6",
		ReplyTo:           "7100000000100",
		Target:            "7100000000099",
		Reaction:          "/-heart",
		ReactionRemoved:   true,
		ThreadRoot:        "1712345678.000100",
		ForwardedFrom:     "Kênh \"Khuyến mãi\"",
		AuthorSignature:   "Admin",
		Edited:            true,
		EditedAt:          ptr(time.Date(2024, 5, 18, 9, 41, 0, 5, ict)),
		Flags:             []string{"unsent", ""},
		AliasIDs:          []string{"a1", "a2"},
		Entities: []Entity{
			{Type: "bold", Offset: 0, Length: 3},
			{Type: "text_link", Offset: 4, Length: math.MaxInt, Href: "https://example.com/?a=1&b=<2>", UserID: "9"},
		},
		Members:   []Participant{{ID: "1", Name: "Hà"}, {}},
		Reactions: []Reaction{{ActorID: "u1", Actor: "Hà", Reaction: "❤"}, {Reaction: ""}},
		Quote:     &Quote{OwnerID: "7712345678901234567", Text: "Chị ơi", FromName: "Lan", Attach: `{"href":"x"}`},
		Mentions: []Mention{
			{UserID: "7712345678901234567", Offset: 0, Length: 4},
			{AllMembers: true, Offset: -1, Length: math.MaxInt},
		},
		Contact:  &Contact{Name: "Minh", Phone: "0901", UserID: "42", RawParams: `{"qr":"…"}`},
		Call:     &Call{DurationSeconds: 0, RawCallType: -3},
		Location: &Location{Latitude: 10.762622, Longitude: 106.660172, Title: "Quận 3"},
		Attachments: []Attachment{
			{
				Kind: "image", Name: "hoá đơn.jpg", DisplayName: "Hoá đơn", Path: "media/hoá đơn.jpg", MIME: "image/jpeg", Size: ptr(int64(0)),
				SHA256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
				Object: "blobs/e3/b0", URI: "https://photo.example.com/p/abc_orig.jpg?a=1&b=2",
				AltURIs: []string{"https://photo.example.com/p/abc_hd.jpg", ""}, Present: ptr(false),
				AbsentReason: AbsentRemoteURLOnly, Width: 1280, Height: 960, DurationMS: math.MinInt64,
				ChecksumMD5: "d41d8cd98f00b204e9800998ecf8427e", Ext: "jpg", Title: "Ảnh",
				Description: "mô tả", StickerID: "12", CategoryID: "3",
			},
			{Kind: "link", Size: ptr(int64(math.MaxInt64)), Present: ptr(true)},
			{},
		},
		Warnings: []string{"mention_out_of_range", ""},
		Raw:      []byte(benchRaw),
	}
}

// encodeCases are messages that exercise every member, every omitempty
// rule, string escaping, times, numbers and every RawFormat.
func encodeCases() []struct {
	name string
	m    *Message
} {
	withRaw := func(raw []byte) *Message {
		m := benchMessage()
		m.Raw = raw
		return m
	}
	return []struct {
		name string
		m    *Message
	}{
		{"empty message", &Message{}},
		{"typical text message", benchMessage()},
		{"all fields set", fullMessage()},
		{"vietnamese NFC and NFD", &Message{
			Text:      "Tiếng Việt có dấu: ăâđêôơư ẠẢÃ",
			IndexText: "Tie\u0302\u0301ng Vie\u0323\u0302t co\u0301 da\u0302\u0301u",
		}},
		{"emoji and astral planes", &Message{
			Text:   "👍🏽 👨‍👩‍👧 🇻🇳 𝄞 \U0010FFFF \uFFFD \uFEFF",
			Sender: Participant{ID: "😀", Name: "Ｆｕｌｌ"},
		}},
		{"control and special characters", &Message{
			ID: allControlBytes, Text: allControlBytes, Tenant: "a\x00b",
			Quote:       &Quote{Text: allControlBytes},
			Warnings:    []string{allControlBytes},
			Attachments: []Attachment{{Kind: allControlBytes, AltURIs: []string{allControlBytes}}},
		}},
		{"invalid UTF-8 in strings", &Message{
			ID:        "\xff",
			Text:      "a\xffb\xe1\xbbc\xed\xa0\x80d\xc0\xafe\xf4\x90\x80\x80f\xe2\x80",
			IndexText: "\xe2\x80\xa8\xe2\x80\xa9\xe2\x80",
			Sender:    Participant{ID: "\x80", Name: "Lan\xfe"},
			Contact:   &Contact{Name: "\xc3"},
			Location:  &Location{Title: "\xf0\x9f\x98"},
		}},
		{"nil slices", &Message{Mentions: nil, Attachments: nil, Warnings: nil}},
		{"empty slices", &Message{
			Mentions: []Mention{}, Attachments: []Attachment{{Kind: "file", AltURIs: []string{}}},
			Warnings: []string{},
		}},
		{"empty nested structs", &Message{
			Quote: &Quote{}, Contact: &Contact{}, Call: &Call{}, Location: &Location{},
			Mentions: []Mention{{}}, Attachments: []Attachment{{}},
		}},
		{"zero times", &Message{SentAt: time.Time{}, IngestedAt: time.Time{}.In(time.FixedZone("X", 3600))}},
		{"times in other zones", &Message{
			SentAt:     time.Date(2024, 2, 29, 23, 59, 59, 999999999, time.FixedZone("NST", -(3*3600+30*60))),
			IngestedAt: time.Date(1970, 1, 1, 0, 0, 0, 1000, time.FixedZone("LMT", 7*3600+6*60+40)),
		}},
		{"times at the edges", &Message{
			SentAt:     time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC),
			IngestedAt: time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.FixedZone("", -(23*3600+59*60))),
		}},
		{"local time", &Message{SentAt: time.Unix(1716000000, 500000000), IngestedAt: time.Now()}},
		{"float formats", &Message{Location: &Location{Latitude: 1e-7, Longitude: 1e21}}},
		{"float formats small", &Message{Location: &Location{Latitude: -5e-324, Longitude: 0.000001}}},
		{"float formats large", &Message{Location: &Location{Latitude: math.MaxFloat64, Longitude: 1e20}}},
		{"float negative zero", &Message{Location: &Location{Latitude: math.Copysign(0, -1), Longitude: -123.456}}},
		{"raw JSON object", withRaw([]byte(`{"a":[1,2.5e-3,true,false,null,"\u00e9\/"]}`))},
		{"raw JSON scalar", withRaw([]byte(`-0.5E+10`))},
		{"raw JSON string", withRaw([]byte(`"x\ty"`))},
		{"raw JSON with inner spaces", withRaw([]byte(`[ 1 , { "b" : 2 } ]`))},
		{"raw text with line breaks", withRaw([]byte("line one\r\nline two "))},
		{"raw text with leading space", withRaw([]byte(` {"a":1}`))},
		{"raw text not JSON", withRaw([]byte(`{"a":1`))},
		{"raw text with escapes", withRaw([]byte(allControlBytes))},
		{"raw base64", withRaw([]byte{0xff, 0xfe, 0x00, 'x'})},
		{"raw base64 truncated rune", withRaw([]byte("Phương\xe1"))},
		{"raw empty not nil", withRaw([]byte{})},
		{"raw nil", withRaw(nil)},
		{"raw format ignored", &Message{RawFormat: RawBase64, Raw: []byte(`{}`)}},
		{"raw format without raw", &Message{RawFormat: RawText}},
	}
}

// errorCases are messages that encoding/json cannot encode.
func errorCases() []struct {
	name string
	m    *Message
} {
	return []struct {
		name string
		m    *Message
	}{
		{"year after 9999", &Message{ID: "A", SentAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}},
		{"year before 0", &Message{ID: "B", IngestedAt: time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)}},
		{"zone offset of 24 hours", &Message{ID: "C", SentAt: time.Date(2024, 1, 1, 0, 0, 0, 0, time.FixedZone("", 24*3600))}},
		{"NaN latitude", &Message{ID: "D", Location: &Location{Latitude: math.NaN()}}},
		{"infinite longitude", &Message{ID: "E", Location: &Location{Longitude: math.Inf(-1)}}},
		{"first error wins", &Message{
			ID:         "F",
			IngestedAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
			Location:   &Location{Latitude: math.Inf(1)},
		}},
	}
}

func TestEncodeRecord_MatchesReference(t *testing.T) {
	for _, c := range encodeCases() {
		t.Run(c.name, func(t *testing.T) {
			checkEncode(t, c.m)
		})
	}
}

func TestEncodeRecord_ErrorsMatchReference(t *testing.T) {
	for _, c := range errorCases() {
		t.Run(c.name, func(t *testing.T) {
			prefix := []byte("previous record\n")
			want, wantErr := referenceEncodeRecord(bytes.Clone(prefix), c.m)
			got, err := EncodeRecord(bytes.Clone(prefix), c.m)
			if wantErr == nil {
				t.Fatalf("reference encoder accepted the message: %s", want)
			}
			if err == nil {
				t.Fatalf("EncodeRecord accepted the message: %s", got)
			}
			if err.Error() != wantErr.Error() {
				t.Errorf("error = %q, want %q", err, wantErr)
			}
			if !bytes.Equal(got, prefix) {
				t.Errorf("buffer after error = %q, want the unchanged %q", got, prefix)
			}
		})
	}
}

func TestEncodeRecord_AppendsToBuffer(t *testing.T) {
	m := benchMessage()
	first, err := EncodeRecord(nil, m)
	if err != nil {
		t.Fatal(err)
	}
	both, err := EncodeRecord(bytes.Clone(first), fullMessage())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(both, first) {
		t.Errorf("second record overwrote the first: %q", both)
	}
	if n := bytes.Count(both, []byte("\n")); n != 2 {
		t.Errorf("buffer has %d newlines, want 2", n)
	}
}

func TestEncodeRecord_NoAllocations(t *testing.T) {
	for _, c := range []struct {
		name string
		raw  []byte
	}{
		{"raw JSON", []byte(benchRaw)},
		{"raw text", []byte("line\n" + strings.Repeat("Tiếng Việt \x01\u2028", 50))},
		{"raw base64", bytes.Repeat([]byte{0xff, 0x00}, 300)},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := fullMessage()
			m.Raw = c.raw
			m.Text = "a\xffb " + allControlBytes
			buf := make([]byte, 0, 16<<10)
			allocs := testing.AllocsPerRun(100, func() {
				buf, _ = EncodeRecord(buf[:0], m)
			})
			if allocs != 0 {
				t.Errorf("EncodeRecord into a large enough buffer made %v allocations, want 0", allocs)
			}
		})
	}
}

// checkEncode checks that EncodeRecord writes the reference bytes for m and
// that DecodeRecord reads them back as the reference decoder does.
func checkEncode(t *testing.T, m *Message) {
	t.Helper()
	want, wantErr := referenceEncodeRecord(nil, m)
	got, err := EncodeRecord(nil, m)
	if (err == nil) != (wantErr == nil) {
		t.Fatalf("error = %v, want %v", err, wantErr)
	}
	if err != nil {
		if err.Error() != wantErr.Error() {
			t.Errorf("error = %q, want %q", err, wantErr)
		}
		return
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("record differs from the reference\n got: %q\nwant: %q", got, want)
	}

	line := bytes.TrimSuffix(got, []byte("\n"))
	var scanned Message
	if !scanRecord(line, &scanned) {
		t.Errorf("fast path rejected EncodeRecord's output %q", line)
	}
	back := checkDecode(t, line)
	if back == nil {
		return
	}
	if !bytes.Equal(back.Raw, m.Raw) {
		t.Errorf("raw after round trip = %q, want %q", back.Raw, m.Raw)
	}

	// The decoded message need not encode to the same line: invalid UTF-8
	// comes back as U+FFFD and a zero offset named other than UTC comes
	// back as "Z". It must still encode as the reference encodes it.
	again, err := EncodeRecord(nil, back)
	if err != nil {
		t.Fatalf("EncodeRecord of the decoded message: %v", err)
	}
	wantAgain, err := referenceEncodeRecord(nil, back)
	if err != nil {
		t.Fatalf("reference encoder on the decoded message: %v", err)
	}
	if !bytes.Equal(again, wantAgain) {
		t.Errorf("record of the decoded message differs from the reference\n got: %q\nwant: %q", again, wantAgain)
	}
}

// checkDecode checks that DecodeRecord returns what the reference decoder
// returns for line, and returns the decoded message.
func checkDecode(t *testing.T, line []byte) *Message {
	t.Helper()
	want, wantErr := referenceDecodeRecord(line)
	got, err := DecodeRecord(line)
	if (err == nil) != (wantErr == nil) {
		t.Fatalf("DecodeRecord(%q) error = %v, want %v", line, err, wantErr)
	}
	if err != nil {
		if err.Error() != wantErr.Error() {
			t.Errorf("DecodeRecord(%q) error = %q, want %q", line, err, wantErr)
		}
		return nil
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("DecodeRecord(%q) differs from the reference\n got: %+v\nwant: %+v", line, got, want)
	}
	return got
}

// TestDecodeRecord_CopiesLine checks that the decoded message shares no
// memory with the line, because segment readers reuse their line buffer.
func TestDecodeRecord_CopiesLine(t *testing.T) {
	for _, c := range encodeCases() {
		t.Run(c.name, func(t *testing.T) {
			record, err := EncodeRecord(nil, c.m)
			if err != nil {
				t.Fatal(err)
			}
			line := bytes.TrimSuffix(record, []byte("\n"))
			m, err := DecodeRecord(line)
			if err != nil {
				t.Fatal(err)
			}
			want, err := EncodeRecord(nil, m)
			if err != nil {
				t.Fatal(err)
			}
			for i := range line {
				line[i] = 'X'
			}
			got, err := EncodeRecord(nil, m)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("message changed when the line was overwritten\n got: %q\nwant: %q", got, want)
			}
		})
	}
}

// TestDecodeRecord_MatchesReference feeds lines that EncodeRecord does not
// write. The fast path must decode them as json.Unmarshal does or leave them
// to it.
func TestDecodeRecord_MatchesReference(t *testing.T) {
	cases := []struct {
		name string
		line string
		fast bool // whether scanRecord decodes the line itself
	}{
		{"empty object", `{}`, true},
		{"only raw", `{"raw":{"a":1}}`, true},
		{"white space", `{ "id" : "A" , "raw" : [1] }`, false},
		{"white space around raw", `{"id":"A","raw": [1]}`, false},
		{"white space after raw", `{"id":"A","raw":[1] }`, false},
		{"white space after record", `{"id":"A"} `, false},
		{"keys out of order", `{"seq":1,"id":"A"}`, false},
		{"key in other case", `{"ID":"A","Seq":2}`, false},
		{"unknown key", `{"id":"A","colour":"red","seq":3}`, false},
		{"duplicate key", `{"id":"A","id":"B"}`, false},
		{"escaped key", `{"\u0069d":"A"}`, false},
		{"null values", `{"id":null,"quote":null,"mentions":null,"sender":null,"sent_at":null}`, false},
		{"null raw", `{"raw":null}`, true},
		{"escapes in strings", `{"id":"\"\\\/\b\f\n\r\t\u00e9\u4e2d","text":"\ud83d\ude00 \ud83d x \ude00 \ud83d\u0041 \uD83D\uDE00"}`, true},
		{"lone surrogate at end", `{"text":"a\ud800"}`, true},
		{"invalid escape", `{"text":"\x41"}`, false},
		{"short unicode escape", `{"text":"\u12"}`, false},
		{"control character in string", "{\"text\":\"a\tb\"}", false},
		{"invalid UTF-8 in string", "{\"text\":\"a\xffb\"}", false},
		{"invalid UTF-8 in raw text", "{\"raw_format\":\"text\",\"raw\":\"a\xffb\"}", false},
		{"seq negative", `{"seq":-1}`, false},
		{"seq negative zero", `{"seq":-0}`, false},
		{"seq fraction", `{"seq":1.0}`, false},
		{"seq exponent", `{"seq":1e3}`, false},
		{"seq max", `{"seq":18446744073709551615}`, true},
		{"seq overflow", `{"seq":18446744073709551616}`, false},
		{"seq leading zero", `{"seq":01}`, false},
		{"seq as string", `{"seq":"1"}`, false},
		{"int64 min", `{"call":{"duration_seconds":-9223372036854775808}}`, true},
		{"int64 overflow", `{"call":{"duration_seconds":9223372036854775808}}`, false},
		{"int64 negative overflow", `{"call":{"duration_seconds":-9223372036854775809}}`, false},
		{"float overflow", `{"location":{"latitude":1e400}}`, false},
		{"float underflow", `{"location":{"latitude":1e-400,"longitude":-0}}`, true},
		{"float forms", `{"location":{"latitude":-0.5E+3,"longitude":12e-2}}`, true},
		{"bool as number", `{"reaction_removed":1}`, false},
		{"bool false", `{"reaction_removed":false,"mentions":[{"all_members":false}]}`, true},
		{"pointer members", `{"attachments":[{"size":0,"present":false},{"size":-1,"present":true}]}`, true},
		{"empty arrays", `{"mentions":[],"attachments":[{"alt_uris":[]}],"warnings":[]}`, true},
		{"trailing comma in array", `{"warnings":["a",]}`, false},
		{"leading comma in array", `{"warnings":[,"a"]}`, false},
		{"trailing comma in object", `{"id":"A",}`, false},
		{"bad time", `{"sent_at":"2024-13-01T00:00:00Z"}`, false},
		{"time with escape", `{"sent_at":"2024-01-01T00:00:00\u005a"}`, false},
		{"time as number", `{"sent_at":0}`, false},
		{"time with offset", `{"sent_at":"2024-01-01T07:00:00+07:00","ingested_at":"2024-01-01T00:00:00.5-03:30"}`, true},
		{"raw format text", `{"raw_format":"text","raw":"line\r\n"}`, true},
		{"raw format text empty", `{"raw_format":"text","raw":""}`, true},
		{"raw format text not a string", `{"raw_format":"text","raw":123}`, false},
		{"raw format base64", `{"raw_format":"base64","raw":"//4AeA=="}`, true},
		{"raw format base64 empty", `{"raw_format":"base64","raw":""}`, true},
		{"raw format base64 with escaped newline", `{"raw_format":"base64","raw":"//4A\neA=="}`, true},
		{"raw format base64 invalid", `{"raw_format":"base64","raw":"!!"}`, false},
		{"raw format unknown", `{"id":"A","raw_format":"hex","raw":"00"}`, false},
		{"raw format empty string", `{"raw_format":"","raw":1}`, true},
		{"raw format without raw", `{"id":"A","raw_format":"text"}`, false},
		{"raw format after raw", `{"raw":"x","raw_format":"text"}`, false},
		{"raw not last", `{"raw":{"a":1},"id":"A"}`, false},
		{"raw invalid JSON", `{"raw":{"a":}}`, false},
		{"raw number then brace", `{"raw":1}}`, false},
		{"not an object", `[1]`, false},
		{"null record", `null`, false},
		{"empty line", ``, false},
		{"truncated", `{"id":"A"`, false},
		{"trailing garbage", `{"id":"A"}x`, false},
		{"trailing newline", "{\"id\":\"A\"}\n", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkDecode(t, []byte(c.line))
			var m Message
			if got := scanRecord([]byte(c.line), &m); got != c.fast {
				t.Errorf("fast path taken = %v, want %v", got, c.fast)
			}
		})
	}
}

func TestValidJSON_MatchesJSONValid(t *testing.T) {
	inputs := []string{
		``, ` `, `1`, ` 1 `, `-`, `-0`, `-01`, `01`, `1.`, `1.e1`, `1e`, `1e+`, `1E-0`, `.5`,
		`true`, `tru`, `truex`, `null`, `nul`, `false`, `"`, `"\"`, `"\u00zz"`, `"\u00e9"`,
		`"\'"`, "\"\x1f\"", "\"\x7f\"", "\"\xff\"", `[]`, `[,]`, `[1,]`, `[1 2]`, `{}`,
		`{"a"}`, `{"a":}`, `{"a":1,}`, `{1:1}`, `{"a":1 "b":2}`, "\t{\r\n\"a\" :\n[ ] }\n",
		`{"a":[{"b":{}}]}`, `{"a":1}}`, `[[]`, `"a" "b"`,
	}
	for _, in := range inputs {
		if got, want := validJSON([]byte(in)), json.Valid([]byte(in)); got != want {
			t.Errorf("validJSON(%q) = %v, json.Valid = %v", in, got, want)
		}
	}
}

func TestValidJSON_MaxNestingDepth(t *testing.T) {
	for _, depth := range []int{maxNestingDepth, maxNestingDepth + 1} {
		for _, open := range []string{"[", `{"a":`} {
			closing := map[string]string{"[": "]", `{"a":`: "}"}[open]
			in := []byte(strings.Repeat(open, depth) + "1" + strings.Repeat(closing, depth))
			if got, want := validJSON(in), json.Valid(in); got != want {
				t.Errorf("validJSON of %d nested %q = %v, json.Valid = %v", depth, open, got, want)
			}
		}
	}
}

func TestAppendString_MatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", allControlBytes, "\xff\xe1\xbb\xed\xa0\x80\u2028x\u2029", "Tiếng Việt 👍"} {
		checkAppendString(t, s)
	}
}

func checkAppendString(t *testing.T, s string) {
	t.Helper()
	want, err := referenceMarshalNoEscape(s)
	if err != nil {
		t.Fatal(err)
	}
	if got := appendString(nil, s); !bytes.Equal(got, want) {
		t.Errorf("appendString(%q) = %s, want %s", s, got, want)
	}
	if got := appendString(nil, []byte(s)); !bytes.Equal(got, want) {
		t.Errorf("appendString([]byte(%q)) = %s, want %s", s, got, want)
	}
}

func FuzzAppendString(f *testing.F) {
	f.Add("Chị ơi còn size L không ạ")
	f.Add(allControlBytes)
	f.Add("\xff\xe2\x80\xa8\xe2\x80")
	f.Fuzz(func(t *testing.T, s string) {
		checkAppendString(t, s)
	})
}

func FuzzValidJSON(f *testing.F) {
	f.Add([]byte(benchRaw))
	f.Add([]byte(`{"a":[1,-2.5e+3,true,null,"\u00e9"]}`))
	f.Add([]byte(` [ ] `))
	f.Fuzz(func(t *testing.T, data []byte) {
		if got, want := validJSON(data), json.Valid(data); got != want {
			t.Errorf("validJSON(%q) = %v, json.Valid = %v", data, got, want)
		}
	})
}

// FuzzUnescapeString checks the fast path's string decoding against
// json.Unmarshal: any string body it accepts must decode to the same text.
func FuzzUnescapeString(f *testing.F) {
	f.Add([]byte(`a\"\\\/\b\f\n\r\t\u00e9`))
	f.Add([]byte(`\ud83d\ude00 \ud83d \ude00x \uDBFF\uDFFF \ud800\u0041`))
	f.Add([]byte("Tiếng Việt"))
	f.Fuzz(func(t *testing.T, body []byte) {
		literal := append(append([]byte{'"'}, body...), '"')
		s := recordScanner{data: literal}
		got := s.stringBytes()
		if s.failed || s.pos != len(literal) {
			return
		}
		var want string
		if err := json.Unmarshal(literal, &want); err != nil {
			t.Fatalf("fast path accepted %s, which json.Unmarshal rejects: %v", literal, err)
		}
		if string(got) != want {
			t.Errorf("decoded %s = %q, json.Unmarshal gives %q", literal, got, want)
		}
	})
}

func FuzzAppendFloat(f *testing.F) {
	for _, v := range []float64{0, 1, -1.5, 1e-7, 1e21, 1e20, 5e-324, math.MaxFloat64, 10.762622} {
		f.Add(math.Float64bits(v))
	}
	f.Fuzz(func(t *testing.T, bits uint64) {
		v := math.Float64frombits(bits)
		want, wantErr := json.Marshal(v)
		got, err := appendFloat(nil, v)
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("appendFloat(%v) error = %v, want %v", v, err, wantErr)
		}
		if err != nil {
			if err.Error() != wantErr.Error() {
				t.Errorf("appendFloat(%v) error = %q, want %q", v, err, wantErr)
			}
			return
		}
		if !bytes.Equal(got, want) {
			t.Errorf("appendFloat(%v) = %s, want %s", v, got, want)
		}
	})
}

// FuzzEncodeRecord builds a message from fuzzed values. flags chooses which
// optional parts are present.
func FuzzEncodeRecord(f *testing.F) {
	f.Add("01HYF3Q8ZK4T6W9X2B5N7M1C3D", "Chị ơi còn size L không ạ", "Lan Phương", []byte(benchRaw),
		uint64(184467), int64(1716000000), int64(123000000), int32(7*3600), math.Float64bits(10.76), int64(1280), uint32(0))
	f.Add("", "", "", []byte(nil), uint64(0), int64(0), int64(0), int32(0), uint64(0), int64(0), uint32(0xffffffff))
	f.Add("\xff", allControlBytes, "\u2028", []byte("a\r\nb"), uint64(math.MaxUint64), int64(253402300800), int64(-1),
		int32(24*3600), math.Float64bits(math.NaN()), int64(math.MinInt64), uint32(0x5555))
	f.Add("x", "y", "z", []byte{0xff, 0x00}, uint64(1), int64(-62135596801), int64(999999999), int32(-1),
		math.Float64bits(1e21), int64(-1), uint32(0xaaaa))
	f.Fuzz(func(t *testing.T, id, text, name string, raw []byte, seq uint64, sec, nsec int64, zone int32, floatBits uint64, number int64, flags uint32) {
		checkEncode(t, fuzzMessage(id, text, name, raw, seq, sec, nsec, zone, floatBits, number, flags))
	})
}

func fuzzMessage(id, text, name string, raw []byte, seq uint64, sec, nsec int64, zone int32, floatBits uint64, number int64, flags uint32) *Message {
	flag := func(bit uint) bool { return flags&(1<<bit) != 0 }
	// Offsets up to ±48 hours reach both sides of the 24-hour limit.
	loc := time.FixedZone(name, int(zone%(48*3600)))
	float := math.Float64frombits(floatBits)
	m := &Message{
		ID: id, Seq: seq, Tenant: name, Source: text, SourceID: id, Account: name,
		Conversation: id, ConversationKind: ConversationKind(name), Direction: Direction(id),
		Kind: Kind(name), Text: text, Raw: raw,
		SentAt:     time.Unix(sec, nsec).In(loc),
		IngestedAt: time.Unix(sec/3, 0).UTC(),
		Sender:     Participant{ID: id, Name: name, Phone: text},
	}

	if flag(0) {
		m.ClientID, m.RawType, m.IndexText, m.ReplyTo, m.Target, m.Reaction = id, name, text, id, name, text
	}
	if flag(1) {
		m.ReactionRemoved = true
		m.RawFormat = RawFormat(name)
	}

	if flag(2) {
		m.Quote = &Quote{OwnerID: id, Text: text, FromName: name}
	}
	if flag(3) {
		m.Mentions = []Mention{}
	}
	if flag(4) {
		m.Mentions = append(m.Mentions, Mention{UserID: id, AllMembers: flag(5), Offset: int(number), Length: int(nsec)})
	}
	if flag(6) {
		m.Contact = &Contact{Name: name, Phone: id, UserID: text, RawParams: string(raw)}
	}
	if flag(7) {
		m.Call = &Call{DurationSeconds: number, RawCallType: sec}
	}
	if flag(8) {
		m.Location = &Location{Latitude: float, Longitude: -float / 3, Title: text}
	}

	if flag(9) {
		m.Attachments = []Attachment{}
	}
	if flag(10) {
		a := Attachment{
			Kind: name, Name: text, MIME: id, SHA256: id, Object: name, URI: text,
			AbsentReason: name, Width: int(number), Height: int(sec), DurationMS: nsec,
			ChecksumMD5: id, Ext: name, Title: text, Description: text, StickerID: id, CategoryID: name,
		}
		if flag(11) {
			a.Size = &number
		}
		if flag(12) {
			present := flag(13)
			a.Present = &present
		}
		if flag(14) {
			a.AltURIs = []string{}
		}
		if flag(15) {
			a.AltURIs = append(a.AltURIs, text, id)
		}
		m.Attachments = append(m.Attachments, a, Attachment{})
	}

	if flag(16) {
		m.Warnings = []string{}
	}
	if flag(17) {
		m.Warnings = append(m.Warnings, name, text)
	}
	return m
}

// FuzzDecodeRecord feeds arbitrary lines to DecodeRecord and to the
// reference decoder: both must return the same message or the same error.
func FuzzDecodeRecord(f *testing.F) {
	for _, c := range encodeCases() {
		if line, err := referenceEncodeRecord(nil, c.m); err == nil {
			f.Add(bytes.TrimSuffix(line, []byte("\n")))
		}
	}
	f.Add([]byte(`{"raw_format":"base64","raw":"//4A\neA=="}`))
	f.Add([]byte(`{"text":"\ud83d\ude00 \ud83d x","seq":-0}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		checkDecode(t, line)
	})
}

// TestRecordSizeHint_CoversTypicalRecords checks that a buffer of
// RecordSizeHint bytes holds the record of a typical message, the full
// message, and the typical message without its raw payload (the catalog's
// row). The buffers and batches sized by the hint are then allocated once.
func TestRecordSizeHint_CoversTypicalRecords(t *testing.T) {
	noRaw := benchMessage()
	noRaw.Raw = nil
	for _, c := range []struct {
		name string
		m    *Message
	}{
		{"typical", benchMessage()},
		{"full", fullMessage()},
		{"without raw", noRaw},
		{"empty", &Message{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			hint := RecordSizeHint(c.m)
			rec, err := EncodeRecord(make([]byte, 0, hint), c.m)
			if err != nil {
				t.Fatal(err)
			}
			if len(rec) > hint {
				t.Errorf("record is %d bytes, hint %d", len(rec), hint)
			}
			if hint > 3*len(rec)+512 {
				t.Errorf("hint %d is far above the record's %d bytes", hint, len(rec))
			}
		})
	}
}

// TestEncodeRecordSplit_CutsRaw checks, for every encoding case, that
// EncodeRecordSplit writes what EncodeRecord writes, and that the record
// cut at the returned offset and closed is the record of the message
// without its raw payload.
func TestEncodeRecordSplit_CutsRaw(t *testing.T) {
	prefix := []byte("previous record\n")
	for _, c := range encodeCases() {
		t.Run(c.name, func(t *testing.T) {
			want, err := EncodeRecord(bytes.Clone(prefix), c.m)
			if err != nil {
				t.Fatal(err)
			}
			got, raw, err := EncodeRecordSplit(bytes.Clone(prefix), c.m)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("record = %s, want %s", got, want)
			}
			slim := *c.m
			slim.Raw, slim.RawFormat = nil, ""
			wantCut, err := EncodeRecord(nil, &slim)
			if err != nil {
				t.Fatal(err)
			}
			cut := append(bytes.Clone(got[len(prefix):raw]), '}', '\n')
			if !bytes.Equal(cut, wantCut) {
				t.Errorf("record cut at %d = %s, want %s", raw, cut, wantCut)
			}
		})
	}
}

// TestAppendWithSeq_MatchesEncode sets the seq of every encoding case's
// record, encoded with seq 0, and checks the result against the record
// encoded with that seq, and the raw offset moved by the growth.
func TestAppendWithSeq_MatchesEncode(t *testing.T) {
	prefix := []byte("previous record\n")
	for _, c := range encodeCases() {
		for _, seq := range []uint64{0, 7, 1234567890123} {
			m := *c.m
			if m.ID == "" || indexStringSpecial(m.ID, 0) != len(m.ID) || needsRuneChecks(m.ID) {
				m.ID = "01J0000000000000000000SEQ0"
			}
			m.Seq = 0
			spooled, raw, err := EncodeRecordSplit(nil, &m)
			if err != nil {
				t.Fatal(err)
			}
			m.Seq = seq
			want, wantRaw, err := EncodeRecordSplit(bytes.Clone(prefix), &m)
			if err != nil {
				t.Fatal(err)
			}
			got, grew, err := AppendWithSeq(bytes.Clone(prefix), spooled, m.ID, seq)
			if err != nil {
				t.Fatalf("%s, seq %d: %v", c.name, seq, err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s, seq %d: record = %s, want %s", c.name, seq, got, want)
			}
			if len(prefix)+raw+grew != wantRaw {
				t.Errorf("%s, seq %d: raw offset %d+%d, want %d", c.name, seq, raw, grew, wantRaw-len(prefix))
			}
		}
	}
}

// TestAppendWithSeq_RejectsOtherRecords checks that a record of another
// message, or bytes that are not such a record, leave dst unchanged with
// an error.
func TestAppendWithSeq_RejectsOtherRecords(t *testing.T) {
	line, err := EncodeRecord(nil, &Message{ID: "01J0000000000000000000SEQ1", Seq: 3})
	if err != nil {
		t.Fatal(err)
	}
	invalidID, err := EncodeRecord(nil, &Message{ID: "\xff"})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		line []byte
		id   string
	}{
		{"other id", line, "01J0000000000000000000SEQ2"},
		{"id prefix", line, "01J0000000000000000000SEQ"},
		{"id needing escapes", []byte(`{"id":"a\"b","seq":0}`), `a"b`},
		{"no seq", []byte(`{"id":"x","tenant":"t"}`), "x"},
		{"seq without digits", []byte(`{"id":"x","seq":,"tenant":"t"}`), "x"},
		{"empty", nil, "x"},
		{"id not valid UTF-8", invalidID, "\xff"},
	}
	for _, c := range cases {
		dst := []byte("kept")
		got, grew, err := AppendWithSeq(dst, c.line, c.id, 9)
		if err == nil {
			t.Errorf("%s: no error, got %s", c.name, got)
		}
		if string(got) != "kept" || grew != 0 {
			t.Errorf("%s: dst = %q, grew %d; want it unchanged", c.name, got, grew)
		}
	}
}
