package zalooa

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"chatseal/chat"
	"chatseal/ingest"
)

// FuzzReader checks that the reader never panics and accounts for every
// line: a line with content yields exactly one message or one bad record.
// Every message must have what the archive needs, keep its line in Raw and
// survive a record round trip.
func FuzzReader(f *testing.F) {
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "zalo", "oa-webhook.jsonl"))
	if err != nil {
		f.Fatal(err)
	}
	for _, line := range bytes.Split(data, []byte("\n")) {
		f.Add(line)
		if len(line) > 40 {
			f.Add(line[:len(line)/2]) // truncated
		}
	}
	for _, s := range []string{
		"", "\n\n", "not json", "[]", "{}", "\xEF\xBB\xBF{}",
		userEvent("user_send_text", `{"msg_id": "1", "text": "a"}`) + "\r\n" + oaEvent("oa_send_image", `{"msg_id": "2", "attachments": [{"type": "image", "payload": {"url": "u"}}]}`),
		userEvent("user_send_location", `{"msg_id": "1", "attachments": [{"type": "location", "payload": {"coordinates": {"latitude": "x", "longitude": 1e400}}}]}`),
		userEvent("user_reacted_message", `{"msg_id": 5, "react_icon": null}`),
		`{"event_name": "follow", "timestamp": -1, "follower": {"id": ""}}`,
		`{"event_name": "x", "timestamp": "1", "sender": 1, "message": [], "info": {"name": 5}}`,
	} {
		f.Add([]byte(s))
	}

	f.Fuzz(func(t *testing.T, input []byte) {
		want := countContentLines(input)
		r := NewReader(bytes.NewReader(input), "fuzz.jsonl", ingest.Options{Account: "fuzz"})
		got := 0
		for {
			m, err := r.Next()
			if err == io.EOF {
				break
			}
			got++
			if got > want {
				t.Fatalf("more results than lines with content (%d)", want)
			}
			var bad *ingest.BadRecord
			if errors.As(err, &bad) {
				if bad.Line < 1 || bad.Reason == "" || bad.Offset < 0 || !bytes.HasPrefix(input[bad.Offset:], bad.Raw) {
					t.Fatalf("bad record %v does not point at its line", bad)
				}
				continue
			}
			if err != nil {
				t.Fatalf("Next: %v", err)
			}
			checkFuzzMessage(t, input, m)
		}
		if got != want {
			t.Errorf("got %d results, want one per line with content (%d)", got, want)
		}
		if off := r.Offset(); off != int64(len(input)) {
			t.Errorf("Offset at the end = %d, want %d", off, len(input))
		}
	})
}

// countContentLines counts the lines that hold more than white space, the
// byte order mark of the first line aside.
func countContentLines(input []byte) int {
	n := 0
	for i, line := range bytes.Split(input, []byte("\n")) {
		if i == 0 {
			line = bytes.TrimPrefix(line, utf8BOM)
		}
		if len(bytes.Trim(line, " \t\r\n")) > 0 {
			n++
		}
	}
	return n
}

func checkFuzzMessage(t *testing.T, input []byte, m *chat.Message) {
	t.Helper()
	if m.SourceID == "" || m.Source != Source || m.Conversation == "" || m.Account == "" || m.Kind == "" || m.SentAt.IsZero() {
		t.Fatalf("message lacks an id, source, conversation, account, kind or time: %+v", m)
	}
	if len(m.Raw) == 0 || !bytes.Contains(input, m.Raw) || !json.Valid(m.Raw) {
		t.Fatalf("message %s: Raw %q is not a JSON line of the input", m.SourceID, m.Raw)
	}
	record, err := chat.EncodeRecord(nil, m)
	if err != nil {
		t.Fatalf("message %s: EncodeRecord: %v", m.SourceID, err)
	}
	back, err := chat.DecodeRecord(bytes.TrimSuffix(record, []byte("\n")))
	if err != nil {
		t.Fatalf("message %s: DecodeRecord of its own record: %v", m.SourceID, err)
	}
	if !bytes.Equal(back.Raw, m.Raw) || back.SourceID != m.SourceID || back.Text != m.Text {
		t.Errorf("message %s: changed in a record round trip", m.SourceID)
	}
}
