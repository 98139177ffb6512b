package jsonl

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"chatseal/chat"
	"chatseal/ingest"
)

// sampleMessages returns messages as an archive stores them, with the ids the
// archive assigns, and raw payloads in each of the three raw formats.
func sampleMessages() []*chat.Message {
	hcm := time.FixedZone("+07", 7*3600)
	size := int64(48213)
	present := false
	return []*chat.Message{
		{
			ID:               "01J0000000000000000000000A",
			Seq:              41,
			Tenant:           chat.DefaultTenant,
			Source:           "zalo",
			SourceID:         "7100000000101",
			ClientID:         "1716000000100",
			Account:          "cskh-hn-01",
			Conversation:     "7712345678901234567",
			ConversationKind: chat.Direct,
			SentAt:           time.Date(2024, 5, 18, 9, 40, 0, 123e6, hcm),
			IngestedAt:       time.Date(2024, 5, 18, 9, 41, 0, 0, time.UTC),
			Sender:           chat.Participant{ID: "7712345678901234567", Name: "Lan Phương"},
			Direction:        chat.Inbound,
			Kind:             chat.KindText,
			RawType:          "webchat",
			Text:             "Chị ơi còn size L không ạ\n😍",
			Raw:              []byte(`{"event": "message", "data": {"msgId": "7100000000101"}}`),
		},
		{
			ID:               "01J0000000000000000000000B",
			Seq:              42,
			Tenant:           chat.DefaultTenant,
			Source:           "zalo",
			SourceID:         "7100000000303",
			Account:          "cskh-hn-01",
			Conversation:     "7712345678901234567",
			ConversationKind: chat.Direct,
			SentAt:           time.Date(2024, 6, 2, 14, 2, 0, 0, hcm),
			Sender:           chat.Participant{ID: "8123456789012345678"},
			Direction:        chat.Outbound,
			Kind:             chat.KindFile,
			Attachments: []chat.Attachment{{
				Kind: "file", Name: "Báo giá.xlsx", Size: &size, Present: &present,
				AbsentReason: chat.AbsentRemoteURLOnly, URI: "https://file.example.com/f/9ab3",
			}},
			Warnings: []string{ingest.WarnUnparseableParams},
			// Not embeddable JSON: stored as RawText.
			Raw: []byte("line one\r\nline two "),
		},
		{
			Source:           "zalo",
			SourceID:         "7100000000202",
			Account:          "cskh-hn-01",
			Conversation:     "7712345678901234567",
			ConversationKind: chat.Direct,
			SentAt:           time.Date(2024, 6, 5, 10, 1, 0, 0, time.UTC),
			Sender:           chat.Participant{ID: "7712345678901234567"},
			Direction:        chat.Inbound,
			Kind:             chat.KindRecall,
			Target:           "7100000000201",
			// Not valid UTF-8: stored as RawBase64.
			Raw: []byte{0xff, 0xfe, 0x00, 'x'},
		},
	}
}

func encodeRecords(t testing.TB, msgs []*chat.Message) []byte {
	t.Helper()
	var out []byte
	for _, m := range msgs {
		var err error
		out, err = chat.EncodeRecord(out, m)
		if err != nil {
			t.Fatalf("EncodeRecord %s: %v", m.SourceID, err)
		}
	}
	return out
}

// readAll reads every message and bad record of input. Any other error ends
// the test.
func readAll(t testing.TB, input io.Reader, opts ingest.Options) ([]*chat.Message, []*ingest.BadRecord) {
	t.Helper()
	r := NewReader(input, "records.jsonl", opts)
	var msgs []*chat.Message
	var bad []*ingest.BadRecord
	for {
		m, err := r.Next()
		if err == io.EOF {
			return msgs, bad
		}
		var br *ingest.BadRecord
		if errors.As(err, &br) {
			bad = append(bad, br)
			continue
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		msgs = append(msgs, m)
	}
}

func TestReader_RoundTrip(t *testing.T) {
	originals := sampleMessages()
	input := encodeRecords(t, originals)
	msgs, bad := readAll(t, bytes.NewReader(input), ingest.Options{})
	for _, b := range bad {
		t.Errorf("unexpected bad record: %v", b)
	}
	if len(msgs) != len(originals) {
		t.Fatalf("got %d messages, want %d", len(msgs), len(originals))
	}

	for i, got := range msgs {
		want := *originals[i]
		if got.ID != "" || got.Seq != 0 || got.Tenant != "" || !got.IngestedAt.IsZero() {
			t.Errorf("message %s: id %q, seq %d, tenant %q, ingested_at %v; want all cleared",
				want.SourceID, got.ID, got.Seq, got.Tenant, got.IngestedAt)
		}
		if !bytes.Equal(got.Raw, want.Raw) {
			t.Errorf("message %s: Raw = %q, want %q", want.SourceID, got.Raw, want.Raw)
		}

		// Every other field must survive: compare the records of both with
		// the archive's fields cleared.
		want.ID, want.Seq, want.Tenant, want.IngestedAt = "", 0, "", time.Time{}
		gotRecord, err := chat.EncodeRecord(nil, got)
		if err != nil {
			t.Fatalf("EncodeRecord: %v", err)
		}
		wantRecord, err := chat.EncodeRecord(nil, &want)
		if err != nil {
			t.Fatalf("EncodeRecord: %v", err)
		}
		if !bytes.Equal(gotRecord, wantRecord) {
			t.Errorf("message %s: record differs after import:\n got  %s want %s", want.SourceID, gotRecord, wantRecord)
		}
	}
}

func TestReader_Account(t *testing.T) {
	withAccount := encodeRecords(t, sampleMessages()[:1])
	m := *sampleMessages()[0]
	m.Account = ""
	withoutAccount := encodeRecords(t, []*chat.Message{&m})

	tests := []struct {
		name    string
		record  []byte
		account string
		want    string
	}{
		{name: "record account kept without option", record: withAccount, account: "", want: "cskh-hn-01"},
		{name: "record account matches option", record: withAccount, account: "cskh-hn-01", want: "cskh-hn-01"},
		{name: "option fills missing account", record: withoutAccount, account: "cskh-hn-02", want: "cskh-hn-02"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs, bad := readAll(t, bytes.NewReader(tt.record), ingest.Options{Account: tt.account})
			if len(bad) != 0 || len(msgs) != 1 {
				t.Fatalf("got %d messages and bad records %v, want 1 message", len(msgs), bad)
			}
			if msgs[0].Account != tt.want {
				t.Errorf("Account = %q, want %q", msgs[0].Account, tt.want)
			}
		})
	}
}

func TestReader_BadRecords(t *testing.T) {
	valid := strings.TrimSuffix(string(encodeRecords(t, sampleMessages()[:1])), "\n")
	replace := func(old, new string) string {
		if !strings.Contains(valid, old) {
			t.Fatalf("sample record does not contain %q", old)
		}
		return strings.Replace(valid, old, new, 1)
	}
	tests := []struct {
		name    string
		line    string
		account string
		reason  string
	}{
		{
			name:   "not JSON",
			line:   "Lan: hello",
			reason: "invalid JSON: syntax error at byte 1 of the line, counting from 1",
		},
		{
			name:   "truncated",
			line:   valid[:80],
			reason: "invalid JSON: the line ends inside a value after 80 bytes; it may be truncated",
		},
		{
			name:   "array",
			line:   `[{"source_id": "1"}]`,
			reason: "line: want a JSON object, got array",
		},
		{
			name:   "source_id missing",
			line:   replace(`"source_id":"7100000000101",`, ""),
			reason: `field "source_id": missing`,
		},
		{
			name:   "source_id a number",
			line:   replace(`"source_id":"7100000000101"`, `"source_id":7100000000101`),
			reason: `field "source_id": want a string, got number`,
		},
		{
			name:   "source_id empty",
			line:   replace(`"source_id":"7100000000101"`, `"source_id":""`),
			reason: `field "source_id": empty`,
		},
		{
			name:   "sent_at missing",
			line:   replace(`"sent_at":"2024-05-18T09:40:00.123+07:00",`, ""),
			reason: `field "sent_at": missing`,
		},
		{
			name:   "sent_at a number",
			line:   replace(`"sent_at":"2024-05-18T09:40:00.123+07:00"`, `"sent_at":1716000000123`),
			reason: `field "sent_at": want an RFC 3339 time string, got number`,
		},
		{
			name:   "sent_at not RFC 3339",
			line:   replace(`"sent_at":"2024-05-18T09:40:00.123+07:00"`, `"sent_at":"18/05/2024 09:40"`),
			reason: `field "sent_at": want an RFC 3339 time, got "18/05/2024 09:40"`,
		},
		{
			name:   "sent_at zero",
			line:   replace(`"sent_at":"2024-05-18T09:40:00.123+07:00"`, `"sent_at":"0001-01-01T00:00:00Z"`),
			reason: `field "sent_at": zero time; the record has no send time`,
		},
		{
			name:   "ingested_at invalid",
			line:   replace(`"ingested_at":"2024-05-18T09:41:00Z"`, `"ingested_at":true`),
			reason: `field "ingested_at": want an RFC 3339 time string, got boolean`,
		},
		{
			name:   "account missing without option",
			line:   replace(`"account":"cskh-hn-01",`, ""),
			reason: `field "account": missing, and ingest.Options.Account is empty; name the account in the record or in the import options`,
		},
		{
			name:   "account a number",
			line:   replace(`"account":"cskh-hn-01"`, `"account":7`),
			reason: `field "account": want a string, got number`,
		},
		{
			name:    "account differs from option",
			line:    valid,
			account: "cskh-hcm-02",
			reason:  `field "account": record is for account "cskh-hn-01", but the import is for account "cskh-hcm-02"`,
		},
		{
			name:   "text a number",
			line:   replace(`"text":"Chị ơi còn size L không ạ\n😍"`, `"text":5`),
			reason: `field "text": want string, got number`,
		},
		{
			name:   "unknown raw_format",
			line:   replace(`"conversation_kind":"direct"`, `"conversation_kind":"direct","raw_format":"zip"`),
			reason: `invalid record: chat: record 01J0000000000000000000000A has unknown raw_format "zip"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The lines around the bad one belong to the import's account.
			good := valid
			if tt.account != "" {
				good = strings.Replace(valid, `"account":"cskh-hn-01"`, `"account":"`+tt.account+`"`, 1)
			}
			input := good + "\n" + tt.line + "\n" + good + "\n"
			opts := ingest.Options{Account: tt.account}
			r := NewReader(strings.NewReader(input), "bad.jsonl", opts)

			if _, err := r.Next(); err != nil {
				t.Fatalf("line 1: %v", err)
			}
			_, err := r.Next()
			var bad *ingest.BadRecord
			if !errors.As(err, &bad) {
				t.Fatalf("line 2: err = %v, want *ingest.BadRecord", err)
			}
			if bad.Reason != tt.reason {
				t.Errorf("Reason = %q, want %q", bad.Reason, tt.reason)
			}
			if bad.Line != 2 {
				t.Errorf("Line = %d, want 2", bad.Line)
			}
			if want := int64(len(good) + 1); bad.Offset != want {
				t.Errorf("Offset = %d, want %d", bad.Offset, want)
			}
			if string(bad.Raw) != tt.line {
				t.Errorf("Raw = %q, want the line %q", bad.Raw, tt.line)
			}
			if _, err := r.Next(); err != nil {
				t.Errorf("line 3 after the bad line: %v", err)
			}
		})
	}
}

func TestReader_EmptyInput(t *testing.T) {
	for _, input := range []string{"", "\n", "\r\n \n\t\n"} {
		r := NewReader(strings.NewReader(input), "empty.jsonl", ingest.Options{})
		if m, err := r.Next(); err != io.EOF {
			t.Errorf("input %q: Next = %v, %v; want nil, io.EOF", input, m, err)
		}
	}
}

func TestReader_CRLF(t *testing.T) {
	input := encodeRecords(t, sampleMessages())
	crlf := bytes.ReplaceAll(input, []byte("\n"), []byte("\r\n"))
	msgs, bad := readAll(t, bytes.NewReader(crlf), ingest.Options{})
	if len(bad) != 0 {
		t.Errorf("got bad records %v, want none", bad)
	}
	if len(msgs) != 3 {
		t.Fatalf("got %d messages, want 3", len(msgs))
	}
	// The RawText payload holds its own CRLF, escaped inside the record.
	if got, want := string(msgs[1].Raw), "line one\r\nline two "; got != want {
		t.Errorf("Raw = %q, want %q", got, want)
	}
}

func TestReader_LineTooLong(t *testing.T) {
	long := strings.Repeat("x", ingest.MaxRecordBytes+10)
	valid := string(encodeRecords(t, sampleMessages()[:1]))
	input := valid + long + "\n" + valid
	msgs, bad := readAll(t, strings.NewReader(input), ingest.Options{})
	if len(msgs) != 2 {
		t.Errorf("got %d messages, want 2", len(msgs))
	}
	if len(bad) != 1 {
		t.Fatalf("got %d bad records, want 1", len(bad))
	}
	if !bad[0].Truncated || len(bad[0].Raw) != ingest.MaxRecordBytes {
		t.Errorf("bad record Truncated = %v with %d raw bytes, want true with %d", bad[0].Truncated, len(bad[0].Raw), ingest.MaxRecordBytes)
	}
	want := fmt.Sprintf("line is %d bytes long, more than the limit of %d bytes; only its start is kept", len(long), ingest.MaxRecordBytes)
	if bad[0].Reason != want {
		t.Errorf("Reason = %q, want %q", bad[0].Reason, want)
	}
}

func TestReader_Offset(t *testing.T) {
	input := encodeRecords(t, sampleMessages())
	r := NewReader(bytes.NewReader(input), "offset.jsonl", ingest.Options{})
	for {
		if _, err := r.Next(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("Next: %v", err)
		}
	}
	if got := r.Offset(); got != int64(len(input)) {
		t.Errorf("Offset at end = %d, want %d", got, len(input))
	}
}
