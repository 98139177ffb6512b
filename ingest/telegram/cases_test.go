package telegram

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
	"time"

	"chatseal/chat"
	"chatseal/ingest"
	"chatseal/internal/chatcase"
)

func TestReader_Cases(t *testing.T) {
	for _, c := range chatcase.Load(t, chatcase.Dir("telegram"), "telegram_json") {
		t.Run(c.Name, func(t *testing.T) {
			res := &chatcase.Result{}
			opts := ingest.Options{
				Account: "test",
				// exporter_timezone is information only. A Location that is
				// wrong for every case shows that no time comes from "date".
				Location: time.FixedZone("wrong", -11*3600),
				Warn:     func(w ingest.Warning) { res.Warnings = append(res.Warnings, w) },
			}
			c.Option(t, "self_name", &opts.SelfName)

			var inputs [][]byte
			var readers []*Reader
			for i := range c.Inputs {
				data, err := os.ReadFile(c.InputPath(i))
				if err != nil {
					t.Fatal(err)
				}
				inputs = append(inputs, data)
				r := openReader(t, c.InputPath(i), opts)
				msgs, bad := readAll(t, r)
				res.Messages = append(res.Messages, msgs...)
				res.Bad = append(res.Bad, bad...)
				readers = append(readers, r)
			}

			c.Check(t, res, chatcase.Config{
				Unchecked: map[string]string{
					"message.sent_at": "chatcase reads sent_at null as no time, but an unsupported stub borrows its neighbour's time to keep its place; checkSentAt below checks every sent_at",
					"message.call":    "chat.Call has no discard reason; checkCalls below checks duration_seconds against Call and discard_reason against Raw",
				},
				Message: func(t *testing.T, key string, want json.RawMessage, got chat.ThreadView) bool {
					if key != "raw_preserved" {
						return false
					}
					var preserved bool
					chatcase.Decode(t, key, want, &preserved)
					if preserved {
						checkRawPreserved(t, got.Message, inputs)
					}
					return true
				},
				Case: func(t *testing.T, key string, want json.RawMessage, res *chatcase.Result, _ [][]chat.ThreadView) bool {
					if key != "self" {
						return false
					}
					checkSelf(t, want, readers, res.Messages)
					return true
				},
			})
			checkSentAt(t, c, res.Messages)
			checkCalls(t, c, res.Messages)
		})
	}
}

// expectedMessages returns the expected messages of c by conversation
// source id and message source id.
func expectedMessages(t *testing.T, c *chatcase.Case) map[[2]string]chatcase.Object {
	t.Helper()
	var convs []chatcase.Object
	if raw, ok := c.Expected["conversations"]; ok {
		chatcase.Decode(t, "conversations", raw, &convs)
	} else {
		conv := chatcase.Object{}
		chatcase.Decode(t, "conversation", c.Expected["conversation"], &conv)
		conv["messages"] = c.Expected["messages"]
		convs = []chatcase.Object{conv}
	}
	out := map[[2]string]chatcase.Object{}
	for _, conv := range convs {
		var convID string
		chatcase.Decode(t, "conversation.source_id", conv["source_id"], &convID)
		var msgs []chatcase.Object
		chatcase.Decode(t, "messages", conv["messages"], &msgs)
		for _, m := range msgs {
			var id string
			chatcase.Decode(t, "source_id", m["source_id"], &id)
			out[[2]string{convID, id}] = m
		}
	}
	return out
}

// checkSentAt checks every expected sent_at. A null sent_at, which
// chatcase cannot check, marks a message without a time of its own. Such a
// message must carry the time of the message before it in its
// conversation.
func checkSentAt(t *testing.T, c *chatcase.Case, got []*chat.Message) {
	t.Helper()
	want := expectedMessages(t, c)
	previous := map[string]*chat.Message{}
	for _, m := range got {
		exp, ok := want[[2]string{m.Conversation, m.SourceID}]
		before := previous[m.Conversation]
		previous[m.Conversation] = m
		if !ok {
			continue
		}
		raw, ok := exp["sent_at"]
		if !ok {
			continue
		}
		if chatcase.IsNull(raw) {
			if before == nil || !m.SentAt.Equal(before.SentAt) {
				t.Errorf("message %s/%s has no time of its own: SentAt = %v, want the time of the message before it", m.Conversation, m.SourceID, m.SentAt)
			}
			continue
		}
		var text string
		chatcase.Decode(t, "sent_at", raw, &text)
		at, err := time.Parse(time.RFC3339, text)
		if err != nil {
			t.Fatalf("expected sent_at %q: %v", text, err)
		}
		if !m.SentAt.Equal(at) {
			t.Errorf("message %s/%s: sent_at = %s, want %s", m.Conversation, m.SourceID, m.SentAt.Format(time.RFC3339), text)
		}
	}
}

// checkCalls checks every expected call object: duration_seconds against
// chat.Call and discard_reason, which chat.Call has no field for, against
// the raw object.
func checkCalls(t *testing.T, c *chatcase.Case, got []*chat.Message) {
	t.Helper()
	want := expectedMessages(t, c)
	for _, m := range got {
		exp, ok := want[[2]string{m.Conversation, m.SourceID}]
		if !ok || exp["call"] == nil {
			continue
		}
		var call struct {
			DurationSeconds *int64  `json:"duration_seconds"`
			DiscardReason   *string `json:"discard_reason"`
		}
		chatcase.Decode(t, "call", exp["call"], &call)
		if m.Call == nil {
			t.Errorf("message %s: call = nil, want %s", m.SourceID, exp["call"])
			continue
		}
		if call.DurationSeconds != nil && m.Call.DurationSeconds != *call.DurationSeconds {
			t.Errorf("message %s: call.duration_seconds = %d, want %d", m.SourceID, m.Call.DurationSeconds, *call.DurationSeconds)
		}
		if call.DiscardReason != nil {
			var raw struct {
				DiscardReason string `json:"discard_reason"`
			}
			if err := json.Unmarshal(m.Raw, &raw); err != nil {
				t.Fatalf("message %s: raw: %v", m.SourceID, err)
			}
			if raw.DiscardReason != *call.DiscardReason {
				t.Errorf("message %s: raw discard_reason = %q, want %q", m.SourceID, raw.DiscardReason, *call.DiscardReason)
			}
		}
	}
}

// checkRawPreserved checks that Raw is the message's object exactly as the
// input holds it.
func checkRawPreserved(t *testing.T, m *chat.Message, inputs [][]byte) {
	t.Helper()
	if len(m.Raw) == 0 || m.Raw[0] != '{' || m.Raw[len(m.Raw)-1] != '}' {
		t.Fatalf("raw = %q, want the message object", m.Raw)
	}
	var obj struct {
		ID json.Number `json:"id"`
	}
	if err := json.Unmarshal(m.Raw, &obj); err != nil {
		t.Fatalf("raw does not decode: %v", err)
	}
	if obj.ID.String() != m.SourceID {
		t.Errorf("raw holds message %s, want %s", obj.ID, m.SourceID)
	}
	for _, input := range inputs {
		if bytes.Contains(input, m.Raw) {
			return
		}
	}
	t.Errorf("raw of message %s is not a byte-for-byte part of the input", m.SourceID)
}

// checkSelf checks the archive owner the readers found, and that exactly
// the owner's messages are outbound.
func checkSelf(t *testing.T, raw json.RawMessage, readers []*Reader, msgs []*chat.Message) {
	t.Helper()
	var want struct {
		UserID string `json:"user_id"`
		Name   string `json:"name"`
	}
	chatcase.Decode(t, "self", raw, &want)
	for _, r := range readers {
		self, ok := r.Self()
		if !ok {
			t.Errorf("%s: Self not known, want %+v", r.file, want)
			continue
		}
		if self.ID != want.UserID || self.Name != want.Name {
			t.Errorf("%s: Self = %+v, want id %q name %q", r.file, self, want.UserID, want.Name)
		}
	}
	for _, m := range msgs {
		if out := m.Sender.ID == want.UserID; m.IsSelf() != out {
			t.Errorf("message %s/%s from %q: direction = %q, want outbound %v", m.Conversation, m.SourceID, m.Sender.ID, m.Direction, out)
		}
	}
}
