package whatsapp

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"chatseal/chat"
	"chatseal/ingest"
	"chatseal/internal/chatcase"
)

// FuzzReader checks that the reader never panics, always stops, and loses no
// byte: every message has the fields the archive needs, and the raw bytes of
// the messages and bad records, joined by the input's line ends, are the
// input.
func FuzzReader(f *testing.F) {
	paths, err := filepath.Glob(filepath.Join(chatcase.Dir("whatsapp"), "*", "*.txt"))
	if err != nil {
		f.Fatal(err)
	}
	more, err := filepath.Glob(filepath.Join(chatcase.Dir("whatsapp"), "*.txt"))
	if err != nil {
		f.Fatal(err)
	}
	for _, path := range append(paths, more...) {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		f.Add(data[:len(data)/2]) // truncated
	}
	seeds := []string{
		"",
		"\n",
		"\ufeff15/03/2024, 08:59 - A: x\r\n\r\ny",
		"junk\n15/03/2024, 08:59 - A: x",
		"31/03/2024, 02:30 - A: gap\n27/10/2024, 02:30 - A: repeat\n",
		"31/02/2024, 09:00 - A: bad date\n15/03/2024, 09:01 - A: ok",
		"01/02/2024, 10:00 - A: x\n01/15/2024, 10:00 - A: y\n13/01/2024, 10:00 - B: z\n",
		"[1/2/24, 12:00:00\u202fPM] G: \u200eA added B\n[1/2/24, 12:00:01\u202fPM] A: \u200e<attached: 00000001-PHOTO-x.jpg>\ncap <This message was edited>",
		"15/03/2024, 08:59 - A: ../../x.jpg (file attached)\n15/03/2024, 08:59 - A: <Media omitted>",
		"2024/3/15 下午3:45 - A: x",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}

	f.Fuzz(func(t *testing.T, input []byte) {
		opts := ingest.Options{Account: "fuzz", SelfName: "A", Location: fuzzLocation}
		r := NewReader(bytes.NewReader(input), "fuzz.txt", opts)
		var raws [][]byte
		for count := 0; ; count++ {
			if count > len(input)+1 {
				t.Fatalf("more results than input bytes; the reader does not advance")
			}
			m, err := r.Next()
			if err == io.EOF {
				break
			}
			var bad *ingest.BadRecord
			if errors.As(err, &bad) {
				checkFuzzBadRecord(t, input, bad)
				raws = append(raws, bad.Raw)
				continue
			}
			if err != nil {
				if count > 0 {
					t.Fatalf("Next failed after %d results: %v", count, err)
				}
				return // not a WhatsApp export
			}
			checkFuzzMessage(t, m)
			raws = append(raws, m.Raw)
		}

		if off := r.Offset(); off != int64(len(input)) {
			t.Errorf("Offset at end = %d, want %d", off, len(input))
		}
		lineEnd := []byte("\n")
		if bytes.Contains(input, []byte("\r")) {
			return // line ends mix "\n" and "\r\n"; the join below assumes one
		}
		if got, want := bytes.Join(raws, lineEnd), bytes.TrimSuffix(input, lineEnd); !bytes.Equal(got, want) {
			t.Errorf("raw bytes joined = %q, want the input %q", got, want)
		}
	})
}

// fuzzLocation has daylight saving time, so that the fuzzer reaches the
// nonexistent and ambiguous times.
var fuzzLocation = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err) // time/tzdata is linked into the test binary
	}
	return loc
}()

func checkFuzzBadRecord(t *testing.T, input []byte, bad *ingest.BadRecord) {
	t.Helper()
	if bad.Line < 1 || bad.Reason == "" || bad.File != "fuzz.txt" {
		t.Errorf("bad record %+v lacks a line, reason or file", bad)
	}
	if bad.Offset < 0 || bad.Offset > int64(len(input)) || !bytes.HasPrefix(input[bad.Offset:], bad.Raw) {
		t.Fatalf("bad record Raw is not the input at its offset %d", bad.Offset)
	}
}

func checkFuzzMessage(t *testing.T, m *chat.Message) {
	t.Helper()
	if m.SourceID == "" || m.Source != Source || m.Conversation == "" || m.Account != "fuzz" {
		t.Errorf("message lacks an identity: source %q, id %q, conversation %q, account %q", m.Source, m.SourceID, m.Conversation, m.Account)
	}
	if m.SentAt.IsZero() {
		t.Errorf("message %s has no time", m.SourceID)
	}
	if len(m.Raw) == 0 || m.Kind == "" || m.ConversationKind == "" {
		t.Errorf("message %s: raw %d bytes, kind %q, conversation kind %q", m.SourceID, len(m.Raw), m.Kind, m.ConversationKind)
	}
	if (m.Kind == chat.KindSystem) != (m.Sender.Name == "") {
		t.Errorf("message %s: kind %q with sender %q", m.SourceID, m.Kind, m.Sender.Name)
	}
	for _, a := range m.Attachments {
		if a.Path != "" && !fs.ValidPath(a.Path) {
			t.Errorf("message %s: attachment path %q leaves the export", m.SourceID, a.Path)
		}
	}
	if _, err := chat.EncodeRecord(nil, m); err != nil {
		t.Errorf("message %s: EncodeRecord: %v", m.SourceID, err)
	}
}
