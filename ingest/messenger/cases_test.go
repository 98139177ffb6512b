package messenger

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"chatseal/chat"
	"chatseal/ingest"
	"chatseal/internal/chatcase"
)

func TestOpen_Cases(t *testing.T) {
	for _, c := range chatcase.Load(t, chatcase.Dir("messenger"), "messenger_dyi_json", "messenger_e2ee_json") {
		t.Run(c.Name, func(t *testing.T) {
			var self string
			c.Option(t, "self_name", &self)
			res := &chatcase.Result{}
			opts := ingest.Options{
				Account:  "test",
				SelfName: self,
				Warn:     func(w ingest.Warning) { res.Warnings = append(res.Warnings, w) },
			}

			r := openCase(t, c, opts)
			res.Messages, res.Bad = readAll(t, r)
			conversations := r.Conversations()

			c.Check(t, res, chatcase.Config{
				Conversation: func(t *testing.T, key string, want json.RawMessage, got []chat.ThreadView) bool {
					if len(got) == 0 {
						t.Errorf("conversation key %s: the conversation has no messages", key)
						return true
					}
					conv, ok := findConversation(conversations, got[0].Conversation)
					if !ok {
						t.Errorf("conversation %s: not listed by Reader.Conversations", got[0].Conversation)
						return true
					}
					switch key {
					case "participants":
						var names []string
						chatcase.Decode(t, key, want, &names)
						if !slices.Equal(conv.Participants, names) {
							t.Errorf("participants = %q, want %q", conv.Participants, names)
						}
					case "thread_path":
						chatcase.CheckString(t, key, conv.ThreadPath, want)
						// The conversation id is the thread folder's name,
						// which stays the same when the thread is archived.
						var threadPath string
						chatcase.Decode(t, key, want, &threadPath)
						for _, v := range got {
							if v.Conversation != path.Base(threadPath) {
								t.Errorf("conversation of message %s = %q, want %q", v.SourceID, v.Conversation, path.Base(threadPath))
							}
						}
					default:
						return false
					}
					return true
				},
			})
		})
	}
}

// openCase opens the inputs of c the way a user hands them over. Several
// message_N.json files of one thread are the thread folder, which must hold
// exactly those files.
func openCase(t *testing.T, c *chatcase.Case, opts ingest.Options) *Reader {
	t.Helper()
	input := c.InputPath(0)
	if len(c.Inputs) > 1 {
		input = filepath.Dir(c.InputPath(0))
		var want []string
		for i := range c.Inputs {
			if filepath.Dir(c.InputPath(i)) != input {
				t.Fatalf("inputs %s and %s are in different folders; want the files of one thread", c.Inputs[0], c.Inputs[i])
			}
			want = append(want, filepath.Base(c.InputPath(i)))
		}
		entries, err := os.ReadDir(input)
		if err != nil {
			t.Fatal(err)
		}
		var have []string
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".json") {
				have = append(have, e.Name())
			}
		}
		slices.Sort(want)
		if !slices.Equal(have, want) {
			t.Fatalf("thread folder %s holds %q, want exactly the inputs %q", input, have, want)
		}
	}
	r, err := Open(input, opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", input, err)
	}
	t.Cleanup(func() { r.(io.Closer).Close() })
	return r.(*Reader)
}

func findConversation(list []Conversation, id string) (Conversation, bool) {
	for _, c := range list {
		if c.ID == id {
			return c, true
		}
	}
	return Conversation{}, false
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
