package messenger

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"chatseal/chat"
	"chatseal/ingest"
)

// FuzzReader reads one file, named as a DYI message file or as an E2EE
// export, and checks that the reader never panics, ends, and returns only
// well-formed messages and bad records that point into the input.
func FuzzReader(f *testing.F) {
	dir := filepath.Join("..", "..", "testdata", "messenger")
	inputs, err := filepath.Glob(filepath.Join(dir, "*", "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	dyiInputs, err := filepath.Glob(filepath.Join(dir, "*", "your_facebook_activity", "messages", "inbox", "*", "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	for _, path := range append(inputs, dyiInputs...) {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		_, dyi := messageFileNumber(filepath.Base(path))
		f.Add(data, dyi)
		f.Add(data[:len(data)/2], dyi)
	}
	seeds := []struct {
		data string
		dyi  bool
	}{
		{"", true},
		{"{}", false},
		{`{"messages": []}`, true},
		{`{"messages": [], "thread_path": "inbox/x"}`, true},
		{`{"messages": [{"sender_name": "a", "timestamp_ms": 1, "content": "\u00c3\u00a1"}], "title": 5}`, true},
		{`{"messages": [{"sender_name": "a", "timestamp_ms": 1}, {"sender_name": "a", "timestamp_ms": 1}], "thread_path": "inbox/x"}`, true},
		{`{"threadName": "x", "participants": ["a"], "messages": [{"senderName": "a", "timestamp": 99999999999999999, "media": [{"uri": "../x"}]}]}`, false},
		{`{"threadName": "x", "messages": [null, {"timestamp": 1}, {"senderName": "a", "timestamp": 2, "type": "media", "media": [{"uri": "Failed to download media"}]}]}`, false},
		{"\xEF\xBB\xBF{\"messages\": [{\"sender_name\": \"\\u00e1\\u00ba\", \"timestamp_ms\": 3}] , \"thread_path\": \"\"}", true},
		{`{"messages": [{"sender_name": "a", "timestamp_ms": 1, "content": "x"}] "title": "t"}`, true},
	}
	for _, s := range seeds {
		f.Add([]byte(s.data), s.dyi)
	}

	f.Fuzz(func(t *testing.T, data []byte, dyi bool) {
		name := "t/chat.json"
		if dyi {
			name = "t/message_1.json"
		}
		var warnings []ingest.Warning
		opts := ingest.Options{Account: "fuzz", SelfName: "a", Warn: func(w ingest.Warning) { warnings = append(warnings, w) }}
		r := openMemory(memTree{name: data}, opts)

		results := 0
		for {
			m, err := r.Next()
			if err == io.EOF {
				if off := r.Offset(); off != int64(len(data)) {
					t.Errorf("Offset at the end = %d, want %d", off, len(data))
				}
				break
			}
			results++
			if results > len(data)+2 {
				t.Fatalf("more results than input bytes; the reader does not advance")
			}
			var bad *ingest.BadRecord
			if errors.As(err, &bad) {
				checkFuzzBadRecord(t, data, bad)
				continue
			}
			if err != nil {
				if _, again := r.Next(); again == nil || again.Error() != err.Error() {
					t.Errorf("Next after error %v = %v, want the same error", err, again)
				}
				break
			}
			checkFuzzMessage(t, data, m)
		}
		r.Close()
		for _, w := range warnings {
			if w.Code == "" {
				t.Errorf("warning without a code: %+v", w)
			}
		}
	})
}

func checkFuzzBadRecord(t *testing.T, input []byte, bad *ingest.BadRecord) {
	t.Helper()
	if bad.Reason == "" {
		t.Errorf("bad record without a reason")
	}
	if bad.Line < 1 {
		t.Errorf("bad record Line = %d, want >= 1", bad.Line)
	}
	if bad.Offset < 0 || bad.Offset > int64(len(input)) {
		t.Fatalf("bad record Offset = %d, outside the %d-byte input", bad.Offset, len(input))
	}
	if !bytes.HasPrefix(input[bad.Offset:], bad.Raw) {
		t.Errorf("bad record Raw is not the input at its offset %d", bad.Offset)
	}
}

func checkFuzzMessage(t *testing.T, input []byte, m *chat.Message) {
	t.Helper()
	if m.SourceID == "" || m.Source != Source || m.Conversation == "" || m.Account != "fuzz" {
		t.Errorf("message %+v lacks SourceID, Source, Conversation or Account", m)
	}
	if m.SentAt.IsZero() {
		t.Errorf("message %s: SentAt is zero", m.SourceID)
	}
	if m.Kind == "" || m.Direction == "" || m.ConversationKind == "" {
		t.Errorf("message %s: Kind %q, Direction %q, ConversationKind %q; want all set", m.SourceID, m.Kind, m.Direction, m.ConversationKind)
	}
	if len(m.Raw) == 0 || !bytes.Contains(input, m.Raw) {
		t.Errorf("message %s: Raw is not a part of the input", m.SourceID)
	}
	for _, a := range m.Attachments {
		if a.Path != "" && !filepath.IsLocal(a.Path) {
			t.Errorf("message %s: attachment path %q leaves the export", m.SourceID, a.Path)
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
