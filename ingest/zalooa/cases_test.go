package zalooa

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"testing"

	"chatseal/chat"
	"chatseal/ingest"
	"chatseal/internal/chatcase"
)

func TestReader_Cases(t *testing.T) {
	for _, c := range chatcase.Load(t, chatcase.Dir("zalo"), "zalo_oa_webhook_jsonl") {
		t.Run(c.Name, func(t *testing.T) {
			var oaID string
			c.Option(t, "oa_id", &oaID)
			times := 1
			c.Option(t, "import_times", &times)

			res := &chatcase.Result{}
			var lines [][]byte
			stored := map[[2]string]bool{}
			for range times {
				for i, input := range c.Inputs {
					data, err := os.ReadFile(c.InputPath(i))
					if err != nil {
						t.Fatal(err)
					}
					lines = append(lines, bytes.Split(data, []byte("\n"))...)
					opts := ingest.Options{Account: "test", AccountUID: oaID, Warn: func(w ingest.Warning) { res.Warnings = append(res.Warnings, w) }}
					msgs, bad := readAll(t, NewReader(bytes.NewReader(data), input, opts))
					for _, m := range msgs {
						// The archive stores a message once per
						// conversation and source id, which is how a
						// retried webhook is stored once.
						key := [2]string{m.Conversation, m.SourceID}
						if !stored[key] {
							stored[key] = true
							res.Messages = append(res.Messages, m)
						}
					}
					res.Bad = append(res.Bad, bad...)
				}
				res.Totals = append(res.Totals, len(stored))
			}

			c.Check(t, res, chatcase.Config{
				Unchecked: map[string]string{
					"message.source_id": "null means the event has no native id, while the importer derives one (a message " +
						"needs a source id); checkSourceIDs checks every source_id instead",
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
			checkSourceIDs(t, c, res.Messages)
		})
	}
}

// checkSourceIDs checks the source_id of every expected message: a native
// id must be the message's SourceID, and null must be the id derived from
// the event name, the sender and the time.
func checkSourceIDs(t *testing.T, c *chatcase.Case, msgs []*chat.Message) {
	t.Helper()
	type expected struct {
		SourceID *string `json:"source_id"`
	}
	var conversations []struct {
		SourceID string     `json:"source_id"`
		Messages []expected `json:"messages"`
	}
	if raw, ok := c.Expected["conversations"]; ok {
		chatcase.Decode(t, "conversations", raw, &conversations)
	} else {
		conversations = append(conversations, struct {
			SourceID string     `json:"source_id"`
			Messages []expected `json:"messages"`
		}{})
		chatcase.Decode(t, "conversation", c.Expected["conversation"], &conversations[0])
		chatcase.Decode(t, "messages", c.Expected["messages"], &conversations[0].Messages)
	}

	threads := chatcase.Threads(msgs)
	for _, conv := range conversations {
		var views []chat.ThreadView
		for _, th := range threads {
			if th.ID == conv.SourceID {
				views = th.Views
			}
		}
		if len(views) != len(conv.Messages) {
			t.Errorf("conversation %s: got %d messages, want %d", conv.SourceID, len(views), len(conv.Messages))
			continue
		}
		for i, w := range conv.Messages {
			got := views[i]
			want := fmt.Sprintf("%s:%s:%d", got.RawType, got.Sender.ID, got.SentAt.UnixMilli())
			if w.SourceID != nil {
				want = *w.SourceID
			}
			if got.SourceID != want {
				t.Errorf("conversation %s seq %d: source_id = %q, want %q", conv.SourceID, i+1, got.SourceID, want)
			}
		}
	}
}

// checkRawPreserved checks that Raw is one input line, byte for byte, and
// the line of the message's event.
func checkRawPreserved(t *testing.T, m *chat.Message, lines [][]byte) {
	t.Helper()
	for _, line := range lines {
		if bytes.Equal(m.Raw, line) {
			if !bytes.Contains(line, []byte(`"event_name": "`+m.RawType+`"`)) {
				t.Errorf("raw is the line of another event: %s", line)
			}
			return
		}
	}
	t.Errorf("raw is no input line: %s", m.Raw)
}

// readAll reads every message and bad record of r. Any other error ends the
// test.
func readAll(t testing.TB, r ingest.Reader) ([]*chat.Message, []*ingest.BadRecord) {
	t.Helper()
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
