package zalo

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
// line: a non-empty line yields exactly one message or one bad record,
// except an old_messages line with an array, which yields one per element.
// Every message must also survive a record round trip.
func FuzzReader(f *testing.F) {
	paths, err := filepath.Glob(filepath.Join(casesDir, "zca-*.jsonl"))
	if err != nil {
		f.Fatal(err)
	}
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		// Whole files are not seeds: the fuzzer spends its time minimizing
		// inputs that large. The multi-line seeds below cover line splitting.
		for _, line := range bytes.Split(data, []byte("\n")) {
			f.Add(line)
			if len(line) > 40 {
				f.Add(line[:len(line)/2]) // truncated
			}
		}
	}
	seeds := []string{
		"",
		"\n\n",
		"not json at all",
		"\xEF\xBB\xBF" + textLine("1", "1716000000000"),
		textLine("1", "1716000000000") + "\r\n" + textLine("2", "1716000001000"),
		`{"event": "message", "threadType": "user", "data": "x"}`,
		`{"event": "message", "threadType": "user", "data": {"msgId": "1", "ts": 1716000000000}}`,
		`{"event": "old_messages", "threadType": "group", "data": [{"msgId": "1"}, 7, null]}`,
		`{"event": "old_messages", "threadType": "user", "data": []}`,
		`{"event": "reaction", "threadType": "user", "data": {"msgId": "2", "ts": "1", "uidFrom": "0", "idTo": "5", "content": "{\"rMsg\": [{\"gMsgID\": 1}], \"rIcon\": \"\"}"}}`,
		`{"event": "undo", "data": {"msgId": "2", "ts": "1", "cmd": 521, "uidFrom": "0", "idTo": "5", "content": {"globalMsgId": 123456789012345678901234567890}}}`,
		`{"event": "message", "threadType": "group", "data": {"msgId": "1", "ts": "1", "uidFrom": "3", "idTo": "4", "msgType": "webchat", "content": "a😀b", "mentions": [{"uid": "-1", "pos": 2, "len": 1, "type": 1}]}}`,
		`{"event": "message", "threadType": "user", "data": {"msgId": "1", "ts": "1", "uidFrom": "3", "idTo": "0", "msgType": "chat.photo", "content": {"href": 5, "params": {"width": -1}}}}`,
		`[]`,
		`{}`,
		`{"event": "message"} trailing`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}

	f.Fuzz(func(t *testing.T, input []byte) {
		want := countExpectedResults(input)
		r := NewReader(bytes.NewReader(input), "fuzz.jsonl", testOptions)
		var got int
		for {
			m, err := r.Next()
			if err == io.EOF {
				break
			}
			got++
			if got > len(input)+1 {
				t.Fatalf("more results than input bytes; the reader does not advance")
			}
			var bad *ingest.BadRecord
			if errors.As(err, &bad) {
				checkFuzzBadRecord(t, input, bad)
				continue
			}
			if err != nil {
				t.Fatalf("Next: %v", err)
			}
			checkFuzzMessage(t, m)
		}
		if got != want {
			t.Errorf("got %d results, want %d", got, want)
		}
		if off := r.Offset(); off != int64(len(input)) {
			t.Errorf("Offset at end = %d, want %d", off, len(input))
		}
	})
}

// countExpectedResults returns how many messages and bad records input must
// yield, decided with plain encoding/json independently of the reader.
func countExpectedResults(input []byte) int {
	total := 0
	for i, line := range bytes.Split(input, []byte("\n")) {
		line = bytes.TrimSuffix(line, []byte("\r"))
		if i == 0 {
			line = bytes.TrimPrefix(line, []byte("\xEF\xBB\xBF"))
		}
		if len(bytes.TrimLeft(line, " \t\r")) == 0 {
			continue
		}
		total += countLineResults(line)
	}
	return total
}

// countLineResults returns the number of elements of a well-formed
// old_messages line, and 1 for any other line.
func countLineResults(line []byte) int {
	var top map[string]json.RawMessage
	if json.Unmarshal(line, &top) != nil {
		return 1
	}
	var event string
	if json.Unmarshal(top["event"], &event) != nil || event != eventOldMessages {
		return 1
	}
	if tt, ok := top["threadType"]; ok && string(tt) != "null" {
		var threadType string
		if json.Unmarshal(tt, &threadType) != nil {
			return 1
		}
		if threadType != "" && threadType != threadUser && threadType != threadGroup {
			return 1
		}
	}
	var elems []json.RawMessage
	if json.Unmarshal(top["data"], &elems) != nil || elems == nil {
		return 1
	}
	return len(elems)
}

func checkFuzzBadRecord(t *testing.T, input []byte, bad *ingest.BadRecord) {
	t.Helper()
	if bad.Line < 1 {
		t.Errorf("bad record Line = %d, want >= 1", bad.Line)
	}
	if bad.Offset < 0 || bad.Offset >= int64(len(input)) {
		t.Fatalf("bad record Offset = %d, outside the %d-byte input", bad.Offset, len(input))
	}
	if bad.Reason == "" {
		t.Errorf("bad record at line %d has no reason", bad.Line)
	}
	if !bytes.HasPrefix(input[bad.Offset:], bad.Raw) {
		t.Errorf("bad record Raw is not the input at its offset %d", bad.Offset)
	}
}

func checkFuzzMessage(t *testing.T, m *chat.Message) {
	t.Helper()
	if m.SourceID == "" {
		t.Errorf("message without SourceID")
	}
	if m.Conversation == "" || m.Sender.ID == "" {
		t.Errorf("message %s: Conversation %q, Sender.ID %q; want both set", m.SourceID, m.Conversation, m.Sender.ID)
	}
	if len(m.Raw) == 0 {
		t.Errorf("message %s: Raw is empty", m.SourceID)
	}
	if m.Kind == "" {
		t.Errorf("message %s: Kind is empty", m.SourceID)
	}
	runes := len([]rune(m.Text))
	for _, mention := range m.Mentions {
		if mention.Offset < 0 || mention.Length < 0 || mention.Offset+mention.Length > runes {
			t.Errorf("message %s: mention %+v outside the text of %d code points", m.SourceID, mention, runes)
		}
	}

	record, err := chat.EncodeRecord(nil, m)
	if err != nil {
		t.Fatalf("message %s: EncodeRecord: %v", m.SourceID, err)
	}
	back, err := chat.DecodeRecord(bytes.TrimSuffix(record, []byte("\n")))
	if err != nil {
		t.Fatalf("message %s: DecodeRecord of its own record: %v", m.SourceID, err)
	}
	if !bytes.Equal(back.Raw, m.Raw) {
		t.Errorf("message %s: Raw changed in a record round trip", m.SourceID)
	}
}
