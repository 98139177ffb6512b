package whatsapp

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"chatseal/chat"
	"chatseal/index"
	"chatseal/ingest"
	"chatseal/internal/chatcase"
)

func TestReader_Cases(t *testing.T) {
	for _, c := range chatcase.Load(t, chatcase.Dir("whatsapp"), "whatsapp_txt") {
		t.Run(c.Name, func(t *testing.T) {
			opts := caseOptions(t, c)
			res := &chatcase.Result{}
			opts.Warn = func(w ingest.Warning) { res.Warnings = append(res.Warnings, w) }

			var plan []importStep
			if !c.Option(t, "import_plan", &plan) {
				for _, input := range c.Inputs {
					plan = append(plan, importStep{File: input})
				}
			}
			stored := map[[2]string]bool{}
			for _, step := range plan {
				stepOpts := opts
				stepOpts.Conversation = step.Label
				msgs, bad := openAll(t, filepath.Join(c.Dir, filepath.FromSlash(step.File)), stepOpts)
				res.Bad = append(res.Bad, bad...)
				for _, m := range msgs {
					key := [2]string{m.Conversation, m.SourceID}
					if !stored[key] {
						stored[key] = true
						res.Messages = append(res.Messages, m)
					}
				}
				res.Totals = append(res.Totals, len(stored))
			}

			c.Check(t, res, chatcase.Config{
				Message:      checkMessageKey,
				Conversation: checkConversationKey,
				Case:         checkCaseKey,
			})
		})
	}
}

// importStep is one entry of the import_plan option.
type importStep struct {
	File  string `json:"file"`
	Label string `json:"conversation_label"`
}

// caseOptions returns the importer options of a case.
func caseOptions(t *testing.T, c *chatcase.Case) ingest.Options {
	t.Helper()
	opts := ingest.Options{Account: "test"}
	var zone string
	if c.Option(t, "source_timezone", &zone) {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatalf("source_timezone %q: %v", zone, err)
		}
		opts.Location = loc
	}
	c.Option(t, "date_order", &opts.DateOrder)
	return opts
}

// checkMessageKey checks the message keys of the WhatsApp cases that the
// common checker does not know.
func checkMessageKey(t *testing.T, key string, want json.RawMessage, got chat.ThreadView) bool {
	switch key {
	case "sender_name_nfc":
		chatcase.CheckString(t, key, norm.NFC.String(got.Sender.Name), want)
	case "chat_name_in_author_slot":
		// The name in the author slot of an iOS system line is the chat's
		// title, never the sender.
		chatcase.CheckString(t, key, got.ConversationTitle, want)
		if got.Kind != chat.KindSystem || got.Sender.Name != "" {
			t.Errorf("%s: kind %q, sender %q; want a system line without a sender", key, got.Kind, got.Sender.Name)
		}
	default:
		return false
	}
	return true
}

// checkConversationKey checks conversation_label: the label the user gave
// the chat is the conversation of every message.
func checkConversationKey(t *testing.T, key string, want json.RawMessage, got []chat.ThreadView) bool {
	if key != "conversation_label" {
		return false
	}
	for i, v := range got {
		chatcase.CheckString(t, fmt.Sprintf("message %d: conversation", i+1), v.Conversation, want)
	}
	return true
}

// searchAssertion is one entry of a case's search key.
type searchAssertion struct {
	Mode    string `json:"mode"`
	Query   string `json:"query"`
	Matches []int  `json:"matches"`
}

// checkCaseKey checks the search key. Each query must match exactly the
// listed messages (by seq), as a run of whole tokens. Text and query are
// normalised the way the index does it: index.Exact for mode exact and
// index.Fold for mode folded.
func checkCaseKey(t *testing.T, key string, want json.RawMessage, res *chatcase.Result, views [][]chat.ThreadView) bool {
	if key != "search" {
		return false
	}
	var queries []searchAssertion
	chatcase.Decode(t, key, want, &queries)
	for _, q := range queries {
		normalise := index.Exact
		switch q.Mode {
		case "exact":
		case "folded":
			normalise = index.Fold
		default:
			t.Errorf("search mode %q is not known", q.Mode)
			continue
		}
		query := strings.Fields(normalise(q.Query))
		var got []int
		for _, thread := range views {
			for i, v := range thread {
				if containsPhrase(strings.Fields(normalise(v.Text)), query) {
					got = append(got, i+1)
				}
			}
		}
		if !slices.Equal(got, q.Matches) && !(len(got) == 0 && len(q.Matches) == 0) {
			t.Errorf("search %s %q matches seq %v, want %v", q.Mode, q.Query, got, q.Matches)
		}
	}
	return true
}

// containsPhrase reports whether phrase occurs in tokens as a run of whole
// tokens.
func containsPhrase(tokens, phrase []string) bool {
	if len(phrase) == 0 {
		return false
	}
	for i := 0; i+len(phrase) <= len(tokens); i++ {
		if slices.Equal(tokens[i:i+len(phrase)], phrase) {
			return true
		}
	}
	return false
}

// openAll reads every message and bad record of the export at path through
// Open. Any other error ends the test.
func openAll(t testing.TB, path string, opts ingest.Options) ([]*chat.Message, []*ingest.BadRecord) {
	t.Helper()
	r, err := Open(path, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer r.(io.Closer).Close()
	return drain(t, r)
}

// readAll reads every message and bad record of input through NewReader.
func readAll(t testing.TB, input io.Reader, name string, opts ingest.Options) ([]*chat.Message, []*ingest.BadRecord) {
	t.Helper()
	return drain(t, NewReader(input, name, opts))
}

func drain(t testing.TB, r ingest.Reader) ([]*chat.Message, []*ingest.BadRecord) {
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
		if len(msgs) > 10_000_000 {
			t.Fatal("reader does not stop")
		}
	}
}
