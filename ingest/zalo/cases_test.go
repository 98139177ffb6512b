package zalo

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"testing"

	"chatseal/chat"
	"chatseal/ingest"
	"chatseal/internal/chatcase"
)

func TestReader_Cases(t *testing.T) {
	for _, c := range chatcase.Load(t, chatcase.Dir("zalo"), "zalo_zca_event_jsonl") {
		t.Run(c.Name, func(t *testing.T) {
			var uid string
			c.Option(t, "account_uid", &uid)
			opts := ingest.Options{Account: "test", AccountUID: uid}
			res := &chatcase.Result{}
			var lines [][]byte
			for i, input := range c.Inputs {
				data, err := os.ReadFile(c.InputPath(i))
				if err != nil {
					t.Fatal(err)
				}
				lines = append(lines, bytes.Split(data, []byte("\n"))...)
				msgs, bad := readAll(t, bytes.NewReader(data), input, opts)
				res.Messages = append(res.Messages, msgs...)
				res.Bad = append(res.Bad, bad...)
			}
			c.Check(t, res, chatcase.Config{
				Unchecked: map[string]string{
					"message.reaction_unicode": "Reaction keeps Zalo's own code; mapping it to an emoji is left to display",
					"conversation.thread_type": "the input's threadType, checked through kind",
				},
				Message: func(t *testing.T, key string, want json.RawMessage, got chat.ThreadView) bool {
					if key != "raw_preserved" {
						return false
					}
					var preserved bool
					chatcase.Decode(t, key, want, &preserved)
					if preserved {
						checkRawPreserved(t, got.Message, lines)
					}
					return true
				},
			})
		})
	}
}

// checkRawPreserved checks that Raw is the input line that holds the
// message, byte for byte.
func checkRawPreserved(t *testing.T, m *chat.Message, lines [][]byte) {
	t.Helper()
	if len(m.Raw) == 0 {
		t.Errorf("raw is empty, want the input line")
		return
	}
	marker := []byte(`"msgId": "` + m.SourceID + `"`)
	for _, line := range lines {
		if bytes.Contains(line, marker) {
			if !bytes.Equal(m.Raw, line) {
				t.Errorf("raw differs from the input line:\n got  %s\n want %s", m.Raw, line)
			}
			return
		}
	}
	t.Errorf("no input line holds msgId %s", m.SourceID)
}

// readAll reads every message and bad record of input. Any other error ends
// the test.
func readAll(t testing.TB, input io.Reader, file string, opts ingest.Options) ([]*chat.Message, []*ingest.BadRecord) {
	t.Helper()
	r := NewReader(input, file, opts)
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
			t.Fatalf("%s: Next: %v", file, err)
		}
		msgs = append(msgs, m)
	}
}

// casesDir holds the zca-js capture cases (and the OA webhook case, which
// the zalo_oa importer reads).
var casesDir = chatcase.Dir("zalo")

func readJSONFile(t *testing.T, path string, dst any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, dst); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
