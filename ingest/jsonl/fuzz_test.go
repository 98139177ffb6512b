package jsonl

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"chatseal/chat"
	"chatseal/ingest"
)

// FuzzReader checks that the reader never panics, that every non-empty line
// yields exactly one message or one bad record, and that every message it
// accepts has what the archive relies on and encodes again.
func FuzzReader(f *testing.F) {
	records := encodeRecords(f, sampleMessages())
	for _, line := range bytes.Split(records, []byte("\n")) {
		f.Add(line, "")
		f.Add(line, "cskh-hn-01")
		f.Add(line[:len(line)/2], "")
	}
	f.Add(records, "")
	f.Add([]byte(`{"source_id":"1","sent_at":"2024-01-01T00:00:00Z"}`), "acc")
	f.Add([]byte(`{"source_id":"1","sent_at":"2024-01-01T00:00:00Z","account":"a","raw_format":"base64","raw":"!!"}`), "")
	f.Add([]byte("\r\n\n{}\n[]\nnull\n\"x\""), "")

	f.Fuzz(func(t *testing.T, input []byte, account string) {
		want := 0
		for _, line := range bytes.Split(input, []byte("\n")) {
			if len(bytes.TrimLeft(line, " \t\r")) != 0 {
				want++
			}
		}

		r := NewReader(bytes.NewReader(input), "fuzz.jsonl", ingest.Options{Account: account})
		got := 0
		for {
			m, err := r.Next()
			if err == io.EOF {
				break
			}
			got++
			var bad *ingest.BadRecord
			if errors.As(err, &bad) {
				if bad.Reason == "" {
					t.Errorf("bad record at line %d has no reason", bad.Line)
				}
				if bad.Offset < 0 || !bytes.HasPrefix(input[bad.Offset:], bad.Raw) {
					t.Errorf("bad record Raw is not the input at its offset %d", bad.Offset)
				}
				continue
			}
			if err != nil {
				t.Fatalf("Next: %v", err)
			}
			checkFuzzMessage(t, m, account)
		}
		if got != want {
			t.Errorf("got %d results, want %d", got, want)
		}
	})
}

func checkFuzzMessage(t *testing.T, m *chat.Message, account string) {
	t.Helper()
	if m.SourceID == "" {
		t.Errorf("message without SourceID")
	}
	if m.SentAt.IsZero() {
		t.Errorf("message %s: zero SentAt", m.SourceID)
	}
	if m.Account == "" || (account != "" && m.Account != account) {
		t.Errorf("message %s: Account %q, want %q or the record's own when that is empty", m.SourceID, m.Account, account)
	}
	if m.ID != "" || m.Seq != 0 || m.Tenant != "" || !m.IngestedAt.IsZero() {
		t.Errorf("message %s: archive fields not cleared", m.SourceID)
	}
	if _, err := chat.EncodeRecord(nil, m); err != nil {
		t.Errorf("message %s: EncodeRecord: %v", m.SourceID, err)
	}
}
