package zalooa

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"chatseal/chat"
	"chatseal/ingest"
)

const (
	testOA   = "4400556677889900112"
	testUser = "8800112233445566778"
)

var testOptions = ingest.Options{Account: "test", AccountUID: testOA}

// userEvent returns a webhook body of event name from the test user to the
// OA, with the given message object written as JSON text.
func userEvent(name, message string) string {
	return fmt.Sprintf(`{"app_id": "1234567890123456789", "event_name": %q, "timestamp": "1717984800456", "sender": {"id": %q}, "recipient": {"id": %q}, "message": %s}`,
		name, testUser, testOA, message)
}

// oaEvent is userEvent for an event the OA sent to the test user.
func oaEvent(name, message string) string {
	return fmt.Sprintf(`{"app_id": "1234567890123456789", "event_name": %q, "timestamp": "1717984800456", "sender": {"id": %q}, "recipient": {"id": %q}, "message": %s}`,
		name, testOA, testUser, message)
}

// readOne reads input, which must yield exactly one message.
func readOne(t *testing.T, input string, opts ingest.Options) *chat.Message {
	t.Helper()
	msgs, bad := readAll(t, NewReader(strings.NewReader(input), "one.jsonl", opts))
	for _, b := range bad {
		t.Errorf("unexpected bad record: %v", b)
	}
	if len(msgs) != 1 {
		t.Fatalf("got %d messages, want 1", len(msgs))
	}
	return msgs[0]
}

// jsonText returns v as JSON, to compare values that hold pointers.
func jsonText(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(data)
}

func TestReader_BadLines(t *testing.T) {
	good := userEvent("user_send_text", `{"msg_id": "m1", "text": "chào shop"}`)
	tests := []struct {
		name   string
		line   string
		reason string
	}{
		{name: "truncated line", line: good[:100], reason: "invalid JSON: the line ends inside a value after 100 bytes; it may be truncated"},
		{name: "syntax error", line: `{"event_name" "follow"}`, reason: "invalid JSON: syntax error at byte 15 of the line, counting from 1"},
		{name: "data after the object", line: good + ` {}`, reason: fmt.Sprintf("invalid JSON: unexpected data after the JSON object that ends at byte %d of the line", len(good))},
		{name: "array instead of object", line: `[1, 2]`, reason: "want a JSON object, got array"},
		{name: "another format", line: `12/03/2024, 09:15 - Lan: chào`, reason: "invalid JSON: syntax error at byte 3 of the line, counting from 1"},
		{name: "no event name", line: `{"timestamp": "1717984800456"}`, reason: `missing "event_name", or it is not a string`},
		{name: "event name not a string", line: `{"event_name": 5, "timestamp": "1"}`, reason: `missing "event_name", or it is not a string`},
		{name: "no timestamp", line: `{"event_name": "follow", "follower": {"id": "1"}}`, reason: `missing "timestamp"`},
		{name: "timestamp not a number", line: `{"event_name": "follow", "timestamp": "hôm qua"}`, reason: `field "timestamp": want epoch milliseconds, got string "hôm qua"`},
		{name: "timestamp with a fraction", line: `{"event_name": "follow", "timestamp": 1717984800.5}`, reason: `field "timestamp": want epoch milliseconds, got number "1717984800.5"`},
		{name: "timestamp after year 9999", line: `{"event_name": "follow", "timestamp": "999999999999999"}`, reason: `field "timestamp": want epoch milliseconds, got string "999999999999999"`},
		{name: "no user", line: `{"event_name": "user_send_text", "timestamp": "1", "message": {"msg_id": "m"}}`, reason: `event "user_send_text" names no user: want the user's id in sender, recipient or follower`},
		{name: "reaction without target", line: `{"event_name": "user_reacted_message", "timestamp": "1", "sender": {"id": "5"}, "message": {"react_icon": "/-heart"}}`,
			reason: `event "user_reacted_message": missing "message.msg_id", the message reacted to`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			input := good + "\n" + tt.line + "\n" + good + "\r\n"
			msgs, bad := readAll(t, NewReader(strings.NewReader(input), "oa.jsonl", testOptions))
			if len(msgs) != 2 {
				t.Errorf("got %d messages, want the 2 good lines", len(msgs))
			}
			if len(bad) != 1 {
				t.Fatalf("got %d bad records, want 1", len(bad))
			}
			b := bad[0]
			if b.Reason != tt.reason {
				t.Errorf("reason = %q, want %q", b.Reason, tt.reason)
			}
			if b.File != "oa.jsonl" || b.Line != 2 || b.Offset != int64(len(good)+1) || string(b.Raw) != tt.line || b.Truncated {
				t.Errorf("bad record at %s:%d offset %d raw %q truncated %v; want oa.jsonl:2 offset %d and the line", b.File, b.Line, b.Offset, b.Raw, b.Truncated, len(good)+1)
			}
		})
	}
}

func TestReader_HugeLine(t *testing.T) {
	good := userEvent("user_send_text", `{"msg_id": "m1", "text": "chào"}`)
	huge := userEvent("user_send_text", `{"msg_id": "m2", "text": "`+strings.Repeat("ạ", ingest.MaxRecordBytes/3+1)+`"}`)
	msgs, bad := readAll(t, NewReader(strings.NewReader(huge+"\n"+good), "oa.jsonl", testOptions))
	if len(msgs) != 1 || msgs[0].SourceID != "m1" {
		t.Errorf("got %d messages, want the one after the huge line", len(msgs))
	}
	if len(bad) != 1 {
		t.Fatalf("got %d bad records, want 1", len(bad))
	}
	b := bad[0]
	if !b.Truncated || len(b.Raw) != ingest.MaxRecordBytes || b.Line != 1 || !strings.Contains(b.Reason, "more than the limit") {
		t.Errorf("bad record: truncated %v, %d raw bytes, line %d, reason %q", b.Truncated, len(b.Raw), b.Line, b.Reason)
	}
}

func TestReader_EmptyInput(t *testing.T) {
	for _, input := range []string{"", "\n\n", "\xEF\xBB\xBF\n", " \t\r\n"} {
		msgs, bad := readAll(t, NewReader(strings.NewReader(input), "oa.jsonl", testOptions))
		if len(msgs) != 0 || len(bad) != 0 {
			t.Errorf("input %q: got %d messages and %d bad records, want none", input, len(msgs), len(bad))
		}
	}
}

func TestReader_MissingAccount(t *testing.T) {
	_, err := NewReader(strings.NewReader("{}"), "oa.jsonl", ingest.Options{}).Next()
	if err == nil || !strings.Contains(err.Error(), "Account is empty") {
		t.Errorf("Next error = %v, want one about the empty account", err)
	}
}

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "oa.jsonl")
	line := "\xEF\xBB\xBF" + userEvent("user_send_text", `{"msg_id": "m1", "text": "chào"}`) + "\n"
	if err := os.WriteFile(path, []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path, testOptions)
	if err != nil {
		t.Fatal(err)
	}
	msgs, bad := readAll(t, r)
	if len(msgs) != 1 || len(bad) != 0 || r.Offset() != int64(len(line)) {
		t.Fatalf("got %d messages, %d bad records, offset %d; want 1, 0, %d", len(msgs), len(bad), r.Offset(), len(line))
	}
	if want := strings.TrimSuffix(strings.TrimPrefix(line, "\xEF\xBB\xBF"), "\n"); string(msgs[0].Raw) != want {
		t.Errorf("Raw = %q, want the line without its byte order mark", msgs[0].Raw)
	}
	if err := r.(interface{ Close() error }).Close(); err != nil {
		t.Errorf("Close: %v", err)
	}

	if _, err := Open(dir, testOptions); err == nil || !strings.Contains(err.Error(), "is a folder") {
		t.Errorf("Open(folder) error = %v, want one saying it is a folder", err)
	}
	if _, err := Open(filepath.Join(dir, "nope.jsonl"), testOptions); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open(missing) error = %v, want fs.ErrNotExist", err)
	}
}

func TestReader_Events(t *testing.T) {
	absent := false
	size := func(n int64) *int64 { return &n }
	remoteOnly := func(a chat.Attachment) chat.Attachment {
		a.Present, a.AbsentReason = &absent, chat.AbsentRemoteURLOnly
		return a
	}
	tests := []struct {
		name  string
		line  string
		opts  ingest.Options
		check func(t *testing.T, m *chat.Message)
	}{
		{
			name: "gif, audio and video",
			line: userEvent("user_send_gif", `{"msg_id": "m1", "attachments": [{"type": "gif", "payload": {"url": "https://a.example.com/g.gif"}}, `+
				`{"type": "audio", "payload": {"url": "https://a.example.com/v.aac"}}, {"type": "video", "payload": {"url": "https://a.example.com/v.mp4"}}]}`),
			check: func(t *testing.T, m *chat.Message) {
				want := []chat.Attachment{
					remoteOnly(chat.Attachment{Kind: "image", MIME: "image/gif", URI: "https://a.example.com/g.gif"}),
					remoteOnly(chat.Attachment{Kind: "voice", URI: "https://a.example.com/v.aac"}),
					remoteOnly(chat.Attachment{Kind: "video", URI: "https://a.example.com/v.mp4"}),
				}
				if m.Kind != chat.KindImage || jsonText(m.Attachments) != jsonText(want) {
					t.Errorf("kind %q attachments %s, want image %s", m.Kind, jsonText(m.Attachments), jsonText(want))
				}
			},
		},
		{
			name: "file with a numeric size and an unknown attachment",
			line: oaEvent("oa_send_file", `{"msg_id": "m1", "attachments": [{"type": "file", "payload": {"url": "https://f.example.com/a.pdf", "name": "Báo giá.pdf", "size": 1200}}, {"type": "template", "payload": {}}]}`),
			check: func(t *testing.T, m *chat.Message) {
				want := []chat.Attachment{
					remoteOnly(chat.Attachment{Kind: "file", Name: "Báo giá.pdf", Size: size(1200), URI: "https://f.example.com/a.pdf"}),
					{Kind: "unknown", Present: &absent, AbsentReason: chat.AbsentUnavailable},
				}
				if m.Kind != chat.KindFile || m.Direction != chat.Outbound || m.Conversation != testUser || m.Sender.ID != testOA {
					t.Errorf("kind %q direction %q conversation %q sender %q", m.Kind, m.Direction, m.Conversation, m.Sender.ID)
				}
				if jsonText(m.Attachments) != jsonText(want) {
					t.Errorf("attachments %s, want %s", jsonText(m.Attachments), jsonText(want))
				}
			},
		},
		{
			name: "link",
			line: userEvent("user_send_link", `{"msg_id": "m1", "text": "xem mẫu này", "attachments": [{"type": "link", "payload": {"url": "https://shop.example.com/ban-go", "title": "Bàn gỗ sồi", "description": "Giá tốt"}}]}`),
			check: func(t *testing.T, m *chat.Message) {
				want := []chat.Attachment{{Kind: "link", URI: "https://shop.example.com/ban-go", Title: "Bàn gỗ sồi", Description: "Giá tốt"}}
				if m.Kind != chat.KindLink || jsonText(m.Attachments) != jsonText(want) || m.IndexText != "Bàn gỗ sồi\nGiá tốt" {
					t.Errorf("kind %q attachments %s index text %q", m.Kind, jsonText(m.Attachments), m.IndexText)
				}
			},
		},
		{
			name: "location with numbers and an address",
			line: userEvent("user_send_location", `{"msg_id": "m1", "attachments": [{"type": "location", "payload": {"coordinates": {"lat": 21.0285, "long": 105.8542}, "address": "Hoàn Kiếm"}}]}`),
			check: func(t *testing.T, m *chat.Message) {
				want := chat.Location{Latitude: 21.0285, Longitude: 105.8542, Title: "Hoàn Kiếm"}
				if m.Kind != chat.KindLocation || m.Location == nil || *m.Location != want || len(m.Attachments) != 0 {
					t.Errorf("kind %q location %+v attachments %d, want %+v", m.Kind, m.Location, len(m.Attachments), want)
				}
			},
		},
		{
			name: "location out of range",
			line: userEvent("user_send_location", `{"msg_id": "m1", "attachments": [{"type": "location", "payload": {"coordinates": {"latitude": "910", "longitude": "106"}}}]}`),
			check: func(t *testing.T, m *chat.Message) {
				if m.Location != nil || !slices.Equal(m.Warnings, []string{ingest.WarnInvalidField}) {
					t.Errorf("location %+v warnings %q, want none and INVALID_FIELD", m.Location, m.Warnings)
				}
			},
		},
		{
			name: "image url directly under message, and a reply",
			line: userEvent("user_send_image", `{"msg_id": "m2", "url": "https://img.example.com/1.jpg", "quote_msg_id": "m1"}`),
			check: func(t *testing.T, m *chat.Message) {
				want := []chat.Attachment{remoteOnly(chat.Attachment{Kind: "image", URI: "https://img.example.com/1.jpg"})}
				if jsonText(m.Attachments) != jsonText(want) || m.ReplyTo != "m1" {
					t.Errorf("attachments %s reply to %q", jsonText(m.Attachments), m.ReplyTo)
				}
			},
		},
		{
			name: "user reaction",
			line: userEvent("user_reacted_message", `{"msg_id": "m1", "react_icon": "/-heart"}`),
			check: func(t *testing.T, m *chat.Message) {
				if m.Kind != chat.KindReaction || m.Target != "m1" || m.Reaction != "/-heart" || m.SourceID != "user_reacted_message:"+testUser+":1717984800456" {
					t.Errorf("kind %q target %q reaction %q source id %q", m.Kind, m.Target, m.Reaction, m.SourceID)
				}
			},
		},
		{
			name: "OA reaction removed",
			line: oaEvent("oa_reacted_message", `{"msg_id": "m1", "react_icon": ""}`),
			check: func(t *testing.T, m *chat.Message) {
				if m.Kind != chat.KindReaction || !m.ReactionRemoved || m.Direction != chat.Outbound || m.Conversation != testUser {
					t.Errorf("kind %q removed %v direction %q conversation %q", m.Kind, m.ReactionRemoved, m.Direction, m.Conversation)
				}
			},
		},
		{
			name: "unfollow with a numeric timestamp",
			line: `{"event_name": "unfollow", "timestamp": 1717898400456, "oa_id": "` + testOA + `", "follower": {"id": "` + testUser + `"}}`,
			opts: ingest.Options{Account: "test"},
			check: func(t *testing.T, m *chat.Message) {
				if m.Kind != chat.KindSystem || m.Conversation != testUser || !m.SentAt.Equal(time.UnixMilli(1717898400456)) {
					t.Errorf("kind %q conversation %q sent at %v", m.Kind, m.Conversation, m.SentAt)
				}
			},
		},
		{
			name: "group message",
			line: `{"event_name": "user_send_group_text", "timestamp": "1", "sender": {"id": "5"}, "recipient": {"id": "` + testOA + `", "group_id": "g1"}, "message": {"msg_id": "m1", "text": "cả nhóm"}}`,
			check: func(t *testing.T, m *chat.Message) {
				if m.ConversationKind != chat.Group || m.Conversation != "g1" || m.Sender.ID != "5" || m.Kind != chat.KindText {
					t.Errorf("conversation %s %q sender %q kind %q", m.ConversationKind, m.Conversation, m.Sender.ID, m.Kind)
				}
			},
		},
		{
			name: "undocumented event",
			line: userEvent("user_send_hologram", `{"msg_id": "m1"}`),
			check: func(t *testing.T, m *chat.Message) {
				if m.Kind != chat.KindUnknown || !slices.Equal(m.Warnings, []string{ingest.WarnUnknownMsgType}) || m.SourceID != "m1" {
					t.Errorf("kind %q warnings %q source id %q", m.Kind, m.Warnings, m.SourceID)
				}
			},
		},
		{
			name: "documented event that is not a message",
			line: `{"event_name": "user_seen_message", "timestamp": "1", "sender": {"id": "` + testUser + `"}, "recipient": {"id": "` + testOA + `"}, "message": {"msg_ids": ["m1"]}}`,
			opts: ingest.Options{Account: "test"},
			check: func(t *testing.T, m *chat.Message) {
				if m.Kind != chat.KindUnknown || len(m.Warnings) != 0 || m.Conversation != testUser || m.Direction != chat.Inbound {
					t.Errorf("kind %q warnings %q conversation %q direction %q", m.Kind, m.Warnings, m.Conversation, m.Direction)
				}
			},
		},
		{
			name: "receipt keeps its own id",
			line: userEvent("user_received_message", `{"msg_id": "m1"}`),
			check: func(t *testing.T, m *chat.Message) {
				if want := "user_received_message:" + testUser + ":1717984800456"; m.SourceID != want || m.Kind != chat.KindUnknown {
					t.Errorf("source id %q kind %q, want %q unknown", m.SourceID, m.Kind, want)
				}
			},
		},
		{
			name: "unmodelled OA event by OA id",
			line: `{"event_name": "oa_send_consent", "timestamp": "1", "sender": {"id": "` + testOA + `"}, "recipient": {"id": "` + testUser + `"}}`,
			check: func(t *testing.T, m *chat.Message) {
				if m.Direction != chat.Outbound || m.Conversation != testUser || m.Sender.ID != testOA {
					t.Errorf("direction %q conversation %q sender %q", m.Direction, m.Conversation, m.Sender.ID)
				}
			},
		},
		{
			name: "members of the wrong type",
			line: `{"event_name": "user_send_text", "timestamp": "1", "sender": {"id": "` + testUser + `"}, "recipient": "x", "message": {"msg_id": "m1", "text": 5, "attachments": {}}}`,
			check: func(t *testing.T, m *chat.Message) {
				if !slices.Equal(m.Warnings, []string{ingest.WarnInvalidField}) || m.Text != "" || m.SourceID != "m1" {
					t.Errorf("warnings %q text %q source id %q", m.Warnings, m.Text, m.SourceID)
				}
			},
		},
		{
			name: "numeric ids and escaped text",
			line: `{"event_name": "user_send_text", "timestamp": "1", "sender": {"id": 8800112233445566778}, "message": {"msg_id": 12345678901234567890, "text": "ch\u00e0o \ud83d\ude00"}}`,
			check: func(t *testing.T, m *chat.Message) {
				if m.Sender.ID != testUser || m.SourceID != "12345678901234567890" || m.Text != "chào 😀" {
					t.Errorf("sender %q source id %q text %q", m.Sender.ID, m.SourceID, m.Text)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			if opts.Account == "" {
				opts = testOptions
			}
			m := readOne(t, tt.line, opts)
			if m.Source != Source || m.Account != "test" || m.SourceID == "" || string(m.Raw) != tt.line {
				t.Errorf("source %q account %q source id %q raw %q", m.Source, m.Account, m.SourceID, m.Raw)
			}
			tt.check(t, m)
		})
	}
}

func TestReader_DirectionWithoutOAID(t *testing.T) {
	opts := ingest.Options{Account: "test"}
	tests := []struct {
		name         string
		line         string
		conversation string
		direction    chat.Direction
	}{
		{name: "user message", line: userEvent("user_send_text", `{"msg_id": "m1"}`), conversation: testUser, direction: chat.Inbound},
		{name: "OA message", line: oaEvent("oa_send_text", `{"msg_id": "m1"}`), conversation: testUser, direction: chat.Outbound},
		{name: "OA event by its name", line: oaEvent("oa_send_consent", `{}`), conversation: testUser, direction: chat.Outbound},
		{name: "user event by its name", line: userEvent("user_submit_info", `{}`), conversation: testUser, direction: chat.Inbound},
		{name: "OA id from oa_id", line: `{"event_name": "user_withdraw", "timestamp": "1", "oa_id": "` + testOA + `", "sender": {"id": "` + testOA + `"}, "recipient": {"id": "` + testUser + `"}}`,
			conversation: testUser, direction: chat.Outbound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := readOne(t, tt.line, opts)
			if m.Conversation != tt.conversation || m.Direction != tt.direction {
				t.Errorf("conversation %q direction %q, want %q %q", m.Conversation, m.Direction, tt.conversation, tt.direction)
			}
		})
	}
}

func TestReader_Location(t *testing.T) {
	loc := time.FixedZone("UTC+9", 9*3600)
	m := readOne(t, userEvent("user_send_text", `{"msg_id": "m1"}`), ingest.Options{Account: "test", Location: loc})
	if m.SentAt.Location() != loc || !m.SentAt.Equal(time.UnixMilli(1717984800456)) {
		t.Errorf("SentAt = %v, want 1717984800456 ms in %v", m.SentAt, loc)
	}
}
