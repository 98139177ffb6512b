package slack

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"chatseal/chat"
	"chatseal/ingest"
)

// newDayReader returns a reader of an export whose only day file holds day,
// with the users and channel of the reader tests, without touching the file
// system.
func newDayReader(day []byte, opts ingest.Options) *reader {
	var users []slackUser
	if err := json.Unmarshal([]byte(testUsers), &users); err != nil {
		panic(err)
	}
	dir := &directory{users: map[string]user{}, channelNames: map[string]string{"C01": "don-hang"}}
	for _, u := range users {
		dir.users[u.ID] = user{name: firstNonEmpty(u.RealName, u.Profile.RealName, u.Profile.DisplayName, u.Name)}
	}
	return &reader{
		opts: opts,
		loc:  ingest.DefaultLocation(opts.Location),
		dir:  dir,
		open: func(string) (io.ReadCloser, int64, error) {
			return io.NopCloser(bytes.NewReader(day)), int64(len(day)), nil
		},
		display: func(name string) string { return name },
		names:   interner{},
		days:    []dayFile{{name: testDay, conv: conversation{id: "C01", title: "don-hang", kind: chat.Channel}}},
	}
}

// FuzzReader checks that reading any day file terminates without a panic.
// Every message must have what the archive needs (ids, a time, its raw
// object found in the input) and survive a record round trip, and its
// mention spans must lie inside the text. Bad records must point at their
// bytes.
func FuzzReader(f *testing.F) {
	days, err := filepath.Glob(filepath.Join("..", "..", "testdata", "slack", "*", "*", "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	for _, path := range days {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		f.Add(data[:len(data)/2]) // cut in the middle
	}
	for _, s := range []string{
		``, `[]`, `{}`, `[1, "x", null, []]`,
		`[{"ts": "1.5", "text": "<@U01> <!here> <https://a|b> &amp;", "user": "U02", "thread_ts": "1.4", "edited": {"ts": "2"}}]`,
		`[{"ts": 1.5, "files": [{"mimetype": "image/png", "size": -1}], "reactions": [{"name": "ok", "users": ["U01"]}]}]`,
		`[{"ts": "99999999999999.1"}, {"ts": {}}, {"user": "U01"}]`,
		`[{"ts": "1.0", "text": "<@U01|` + "\xff" + `>\u00e0"}]`,
	} {
		f.Add([]byte(s))
	}

	f.Fuzz(func(t *testing.T, day []byte) {
		r := newDayReader(day, ingest.Options{Account: "fuzz"})
		for steps := 0; ; steps++ {
			if steps > len(day)+2 {
				t.Fatalf("more results than input bytes; the reader does not advance")
			}
			m, err := r.Next()
			if err == io.EOF {
				break
			}
			var bad *ingest.BadRecord
			if errors.As(err, &bad) {
				if bad.Reason == "" || bad.Offset < 0 || bad.Offset > int64(len(day)) || !bytes.HasPrefix(day[bad.Offset:], bad.Raw) {
					t.Fatalf("bad record %v does not point at its %d raw bytes", bad, len(bad.Raw))
				}
				continue
			}
			if err != nil {
				t.Fatalf("Next: %v", err)
			}
			checkFuzzMessage(t, day, m)
		}
		if off := r.Offset(); off != int64(len(day)) {
			t.Errorf("Offset at the end = %d, want %d", off, len(day))
		}
	})
}

func checkFuzzMessage(t *testing.T, day []byte, m *chat.Message) {
	t.Helper()
	if m.SourceID == "" || m.Source != Source || m.Conversation == "" || m.Account == "" || m.SentAt.IsZero() || m.Kind == "" {
		t.Fatalf("message lacks an id, source, conversation, account, time or kind: %+v", m)
	}
	if len(m.Raw) == 0 || m.Raw[0] != '{' || !json.Valid(m.Raw) || !bytes.Contains(day, m.Raw) {
		t.Fatalf("message %s: Raw %q is not a JSON object of the input", m.SourceID, m.Raw)
	}
	runes := utf8.RuneCountInString(m.Text)
	for _, mention := range m.Mentions {
		if mention.Offset < 0 || mention.Length <= 0 || mention.Offset+mention.Length > runes {
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
	if !bytes.Equal(back.Raw, m.Raw) || back.SourceID != m.SourceID || back.Text != m.Text {
		t.Errorf("message %s: changed in a record round trip", m.SourceID)
	}
}
