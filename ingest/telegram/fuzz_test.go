package telegram

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"chatseal/chat"
	"chatseal/ingest"
	"chatseal/internal/chatcase"
)

// FuzzReader checks that the reader never panics, ends, returns only
// messages that keep their bytes and have the members every importer must
// fill, and accepts only input that encoding/json accepts once \xHH
// escapes are written as \u00HH.
func FuzzReader(f *testing.F) {
	paths, err := filepath.Glob(filepath.Join(chatcase.Dir("telegram"), "*", resultName))
	if err != nil {
		f.Fatal(err)
	}
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		f.Add(data[:len(data)/2]) // truncated
	}
	seeds := []string{
		"",
		"[]",
		"{}",
		`{"name": "A", "type": "personal_chat", "id": 1, "messages": []}`,
		chatJSON(msgJSON(1, `, "text": "chuông\x07", "reply_to_message_id": 9`)),
		chatJSON(`{"id": 1, "type": "unsupported"}`, msgJSON(2, `, "text": ["😀", {"type": "bold", "text": "đậm"}]`)),
		chatJSON(`7`, `{"id": "x"}`, msgJSON(3, `, "file": "(File unavailable, please try again later)"`)),
		"\xEF\xBB\xBF" + chatJSON(msgJSON(1, `, "photo": "../x.jpg", "reactions": [{"type": "emoji", "emoji": "👍", "recent": [{"from_id": "user1"}]}]`)),
		`{"personal_information": {"user_id": 1}, "chats": {"list": [{"type": "saved_messages", "id": 1, "messages": [` + msgJSON(1, `, "from_id": "user1"`) + `]}, 5]}}`,
		`{"type": "x", "id": 1, "messages": [{"id": 1, "type": "service", "action": "invite_members", "members": [null, "A"], "date_unixtime": "1"}]} trailing`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}

	f.Fuzz(func(t *testing.T, input []byte) {
		r := NewReader(bytes.NewReader(input), "fuzz.json", ingest.Options{Account: "fuzz"})
		var lastOffset int64
		results := 0
		var end error
		for {
			m, err := r.Next()
			results++
			if results > len(input)+2 {
				t.Fatalf("more results than input bytes; the reader does not advance")
			}
			if off := r.Offset(); off < lastOffset || off > int64(len(input)) {
				t.Fatalf("Offset = %d after %d, input of %d bytes", off, lastOffset, len(input))
			} else {
				lastOffset = off
			}
			var bad *ingest.BadRecord
			if errors.As(err, &bad) {
				if bad.Offset < 0 || bad.Offset+int64(len(bad.Raw)) > int64(len(input)) || !bytes.Equal(input[bad.Offset:bad.Offset+int64(len(bad.Raw))], bad.Raw) {
					t.Fatalf("bad record at offset %d does not hold the input's bytes there", bad.Offset)
				}
				continue
			}
			if err != nil {
				end = err
				break
			}
			checkFuzzMessage(t, m, input)
		}
		if end == io.EOF && !json.Valid(repairEscapes(bytes.TrimPrefix(input, utf8BOM))) {
			t.Fatalf("the reader accepted input that encoding/json rejects")
		}
	})
}

// checkFuzzMessage checks the invariants of one message read from input.
func checkFuzzMessage(t *testing.T, m *chat.Message, input []byte) {
	t.Helper()
	if m.Source != Source || m.SourceID == "" || m.Conversation == "" || m.Account != "fuzz" {
		t.Fatalf("message lacks an identity: source %q id %q conversation %q account %q", m.Source, m.SourceID, m.Conversation, m.Account)
	}
	if m.SentAt.IsZero() {
		t.Fatalf("message %s has no time", m.SourceID)
	}
	if len(m.Raw) == 0 || !bytes.Contains(input, m.Raw) {
		t.Fatalf("message %s: raw is not part of the input", m.SourceID)
	}
	if !json.Valid(repairEscapes(m.Raw)) {
		t.Fatalf("message %s: raw is not a JSON value", m.SourceID)
	}
	if m.Direction != chat.Inbound && m.Direction != chat.Outbound {
		t.Fatalf("message %s: direction %q", m.SourceID, m.Direction)
	}
	if !slices.Contains(chat.Kinds, m.Kind) {
		t.Fatalf("message %s: kind %q", m.SourceID, m.Kind)
	}
	checkSpans(t, m)

	record, err := chat.EncodeRecord(nil, m)
	if err != nil {
		// Times outside the years 0 to 9999 cannot be encoded; Telegram
		// writes none, but a fuzzed date_unixtime can.
		if y := m.SentAt.Year(); y < 0 || y > 9999 {
			return
		}
		if m.EditedAt != nil {
			if y := m.EditedAt.Year(); y < 0 || y > 9999 {
				return
			}
		}
		t.Fatalf("message %s: EncodeRecord: %v", m.SourceID, err)
	}
	back, err := chat.DecodeRecord(bytes.TrimSuffix(record, []byte("\n")))
	if err != nil || !bytes.Equal(back.Raw, m.Raw) {
		t.Fatalf("message %s: raw does not survive a record round trip: %v", m.SourceID, err)
	}
}

// repairEscapes returns b with every \xHH escape written as \u00HH,
// independently of the reader. A backslash pairs with the byte after it.
func repairEscapes(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' || i+1 >= len(b) {
			out = append(out, b[i])
			continue
		}
		if b[i+1] == 'x' && i+3 < len(b) && isHex(b[i+2]) && isHex(b[i+3]) {
			out = append(out, '\\', 'u', '0', '0', b[i+2], b[i+3])
			i += 3
			continue
		}
		out = append(out, b[i], b[i+1])
		i++
	}
	return out
}

// FuzzValidate checks that validate agrees with encoding/json on any
// value, once \xHH escapes are written as \u00HH.
func FuzzValidate(f *testing.F) {
	for _, tc := range validateCases {
		f.Add([]byte(tc.value))
	}
	f.Add([]byte(`{"a": "\x07", "b": [1.5e3, -0, true, null]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		want := json.Valid(repairEscapes(b))
		if got := validWhole(bytes.TrimLeft(b, " \t\r\n")); got != want {
			t.Fatalf("validate(%q) = %v, encoding/json says %v", b, got, want)
		}
		if want {
			if s, ok := decodeString(b); ok {
				var ref string
				if json.Unmarshal(repairEscapes(b), &ref) == nil && s != ref {
					t.Fatalf("decodeString(%q) = %q, encoding/json %q", b, s, ref)
				}
			}
		}
	})
}
