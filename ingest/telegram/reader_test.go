package telegram

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"chatseal/chat"
	"chatseal/ingest"
)

// chatJSON returns a single-chat result.json holding messages.
func chatJSON(messages ...string) string {
	return `{
 "name": "Chị Hạnh",
 "type": "personal_chat",
 "id": 42,
 "messages": [` + strings.Join(messages, ",\n") + `]
}`
}

// msgJSON returns a message object from user42, sent at 1715302800 plus id
// seconds, with the members in extra (each starting with a comma).
func msgJSON(id int, extra string) string {
	return fmt.Sprintf(`{"id": %d, "type": "message", "date": "2024-05-10T08:00:00", "date_unixtime": "%d", "from": "Chị Hạnh", "from_id": "user42"%s}`, id, 1715302800+id, extra)
}

// readOutput is everything a reader returned for one input.
type readOutput struct {
	msgs     []*chat.Message
	bad      []*ingest.BadRecord
	warnings []ingest.Warning
	err      error // the error that ended reading, nil for io.EOF
	offset   int64 // Offset at the end
}

// readString reads input with NewReader and returns what the reader gave.
func readString(input string, opts ingest.Options) readOutput {
	var out readOutput
	if opts.Account == "" {
		opts.Account = "test"
	}
	opts.Warn = func(w ingest.Warning) { out.warnings = append(out.warnings, w) }
	r := NewReader(strings.NewReader(input), "result.json", opts)
	out.msgs, out.bad, out.err = readUntilError(r)
	out.offset = r.Offset()
	return out
}

// readOne reads input, which must hold exactly one message and no error.
func readOne(t *testing.T, input string, opts ingest.Options) (*chat.Message, []ingest.Warning) {
	t.Helper()
	out := readString(input, opts)
	if out.err != nil {
		t.Fatalf("read: %v", out.err)
	}
	if len(out.bad) != 0 || len(out.msgs) != 1 {
		t.Fatalf("got %d messages and %d bad records, want 1 message; bad: %v", len(out.msgs), len(out.bad), out.bad)
	}
	return out.msgs[0], out.warnings
}

func TestReader_TextRuns(t *testing.T) {
	tests := []struct {
		name     string
		members  string
		text     string
		entities []chat.Entity
		mentions []chat.Mention
		warnings []string
	}{
		{
			name:    "plain string",
			members: `, "text": "Xin chào"`,
			text:    "Xin chào",
		},
		{
			name:     "offsets count code points, not UTF-16 units",
			members:  `, "text": ["😀 Giá ", {"type": "bold", "text": "đặc biệt"}, " nhé"]`,
			text:     "😀 Giá đặc biệt nhé",
			entities: []chat.Entity{{Type: "bold", Offset: 6, Length: 8}},
		},
		{
			name:     "text_link keeps its href",
			members:  `, "text": [{"type": "text_link", "text": "đây", "href": "https://example.com/a"}]`,
			text:     "đây",
			entities: []chat.Entity{{Type: "text_link", Offset: 0, Length: 3, Href: "https://example.com/a"}},
		},
		{
			name:     "mention_name gets the user id",
			members:  `, "text": ["Chào ", {"type": "mention_name", "text": "Lan", "user_id": 5012345678}]`,
			text:     "Chào Lan",
			entities: []chat.Entity{{Type: "mention_name", Offset: 5, Length: 3, UserID: "user5012345678"}},
			mentions: []chat.Mention{{UserID: "user5012345678", Offset: 5, Length: 3}},
		},
		{
			name:     "mention of a username",
			members:  `, "text": [{"type": "mention", "text": "@lan_cskh"}, " ơi"]`,
			text:     "@lan_cskh ơi",
			entities: []chat.Entity{{Type: "mention", Offset: 0, Length: 9}},
			mentions: []chat.Mention{{Offset: 0, Length: 9}},
		},
		{
			name:     "plain object runs make no entity",
			members:  `, "text": [{"type": "plain", "text": "a"}, {"type": "italic", "text": "b"}]`,
			text:     "ab",
			entities: []chat.Entity{{Type: "italic", Offset: 1, Length: 1}},
		},
		{
			name:     "empty run makes no entity",
			members:  `, "text": ["a", {"type": "bold", "text": ""}]`,
			text:     "a",
			entities: nil,
		},
		{
			name:     "text_entities when text is absent",
			members:  `, "text_entities": [{"type": "plain", "text": "Mã "}, {"type": "code", "text": "MP-1"}]`,
			text:     "Mã MP-1",
			entities: []chat.Entity{{Type: "code", Offset: 3, Length: 4}},
		},
		{
			name:    "text wins over text_entities",
			members: `, "text": "một", "text_entities": [{"type": "plain", "text": "hai"}]`,
			text:    "một",
		},
		{
			name:    "escapes are decoded",
			members: `, "text": "dòng 1\ndòng 2 \"trích\" \u00e9 \ud83d\ude00"`,
			text:    "dòng 1\ndòng 2 \"trích\" é 😀",
		},
		{
			name:    "null text",
			members: `, "text": null`,
			text:    "",
		},
		{
			name:     "number text is invalid",
			members:  `, "text": 12`,
			text:     "",
			warnings: []string{ingest.WarnInvalidField},
		},
		{
			name:     "run without a type is invalid and skipped",
			members:  `, "text": ["a", {"text": "b"}, "c"]`,
			text:     "ac",
			warnings: []string{ingest.WarnInvalidField},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := readOne(t, chatJSON(msgJSON(1, tc.members)), ingest.Options{})
			if m.Text != tc.text {
				t.Errorf("text = %q, want %q", m.Text, tc.text)
			}
			if !slices.Equal(m.Entities, tc.entities) {
				t.Errorf("entities = %+v, want %+v", m.Entities, tc.entities)
			}
			if !slices.Equal(m.Mentions, tc.mentions) {
				t.Errorf("mentions = %+v, want %+v", m.Mentions, tc.mentions)
			}
			if !slices.Equal(m.Warnings, tc.warnings) {
				t.Errorf("warnings = %q, want %q", m.Warnings, tc.warnings)
			}
			checkSpans(t, m)
		})
	}
}

// checkSpans checks that every entity and mention lies inside the text.
func checkSpans(t testing.TB, m *chat.Message) {
	t.Helper()
	n := len([]rune(m.Text))
	for _, e := range m.Entities {
		if e.Offset < 0 || e.Length <= 0 || e.Offset+e.Length > n {
			t.Errorf("message %s: entity %+v outside the text of %d code points", m.SourceID, e, n)
		}
	}
	for _, mention := range m.Mentions {
		if mention.Offset < 0 || mention.Length <= 0 || mention.Offset+mention.Length > n {
			t.Errorf("message %s: mention %+v outside the text of %d code points", m.SourceID, mention, n)
		}
	}
}

func TestReader_EscapeRepair(t *testing.T) {
	input := chatJSON(
		msgJSON(1, `, "text": "chuông\x07 và\x1F"`),
		msgJSON(2, `, "text": "C:\\x41"`),
	)
	out := readString(input, ingest.Options{})
	if out.err != nil || len(out.msgs) != 2 {
		t.Fatalf("got %d messages, err %v; want 2", len(out.msgs), out.err)
	}

	repaired := out.msgs[0]
	if want := "chuông\x07 và\x1f"; repaired.Text != want {
		t.Errorf("text = %q, want %q", repaired.Text, want)
	}
	if !strings.Contains(string(repaired.Raw), `\x07`) || !strings.Contains(input, string(repaired.Raw)) {
		t.Errorf("raw = %s, want the original bytes with the \\x07 escape", repaired.Raw)
	}
	if !slices.Contains(repaired.Warnings, ingest.WarnInvalidEscapeRepaired) {
		t.Errorf("warnings = %q, want %s", repaired.Warnings, ingest.WarnInvalidEscapeRepaired)
	}
	want := ingest.Warning{Code: ingest.WarnInvalidEscapeRepaired, File: "result.json", SourceID: "1", Count: 2}
	if !slices.Contains(out.warnings, want) {
		t.Errorf("input warnings = %+v, want %+v", out.warnings, want)
	}

	escaped := out.msgs[1]
	if escaped.Text != `C:\x41` || len(escaped.Warnings) != 0 {
		t.Errorf("escaped backslash: text %q warnings %q, want C:\\x41 and no warning", escaped.Text, escaped.Warnings)
	}
}

func TestReader_EscapeRepairInChatName(t *testing.T) {
	input := strings.Replace(chatJSON(msgJSON(1, `, "text": "a"`)), `"Chị Hạnh",`, `"Chị\x01Hạnh",`, 1)
	out := readString(input, ingest.Options{})
	if out.err != nil || len(out.msgs) != 1 {
		t.Fatalf("got %d messages, err %v; want 1", len(out.msgs), out.err)
	}
	if got := out.msgs[0].ConversationTitle; got != "Chị\x01Hạnh" {
		t.Errorf("title = %q, want the control character read", got)
	}
	want := ingest.Warning{Code: ingest.WarnInvalidEscapeRepaired, File: "result.json", Field: "name", Count: 1}
	if !slices.Contains(out.warnings, want) {
		t.Errorf("warnings = %+v, want %+v", out.warnings, want)
	}
}

func TestReader_ServiceMessages(t *testing.T) {
	service := func(id int, members string) string {
		return fmt.Sprintf(`{"id": %d, "type": "service", "date_unixtime": "1715302800", "actor": "Lan", "actor_id": "user7"%s, "text": ""}`, id, members)
	}
	tests := []struct {
		name      string
		input     string
		kind      chat.Kind
		rawType   string
		check     func(t *testing.T, m *chat.Message)
		warnings  []string
		emitCodes []string
	}{
		{
			name:    "create_group lists members and indexes the title",
			input:   service(1, `, "action": "create_group", "title": "Đại lý", "members": ["Lan", null, "Hùng"]`),
			kind:    chat.KindSystem,
			rawType: "service/create_group",
			check: func(t *testing.T, m *chat.Message) {
				want := []chat.Participant{{Name: "Lan"}, {}, {Name: "Hùng"}}
				if !slices.Equal(m.Members, want) {
					t.Errorf("members = %+v, want %+v", m.Members, want)
				}
				if m.IndexText != "Đại lý" {
					t.Errorf("index text = %q, want the title", m.IndexText)
				}
				if m.Sender != (chat.Participant{ID: "user7", Name: "Lan"}) {
					t.Errorf("sender = %+v, want the actor", m.Sender)
				}
			},
		},
		{
			name:    "pin_message targets the pinned message",
			input:   service(2, `, "action": "pin_message", "message_id": 1`),
			kind:    chat.KindSystem,
			rawType: "service/pin_message",
			check: func(t *testing.T, m *chat.Message) {
				if m.Target != "1" {
					t.Errorf("target = %q, want 1", m.Target)
				}
			},
		},
		{
			name:    "missed phone_call has no duration",
			input:   service(3, `, "action": "phone_call", "discard_reason": "missed"`),
			kind:    chat.KindCall,
			rawType: "service/phone_call",
			check: func(t *testing.T, m *chat.Message) {
				if m.Call == nil || m.Call.DurationSeconds != 0 {
					t.Errorf("call = %+v, want a call of 0 seconds", m.Call)
				}
			},
		},
		{
			name:    "group_call duration",
			input:   service(4, `, "action": "group_call", "duration": 600`),
			kind:    chat.KindCall,
			rawType: "service/group_call",
			check: func(t *testing.T, m *chat.Message) {
				if m.Call == nil || m.Call.DurationSeconds != 600 {
					t.Errorf("call = %+v, want 600 seconds", m.Call)
				}
			},
		},
		{
			name:    "edit_group_photo carries the photo",
			input:   service(5, `, "action": "edit_group_photo", "photo": "photos/photo_2.jpg", "width": 640, "height": 640`),
			kind:    chat.KindSystem,
			rawType: "service/edit_group_photo",
			check: func(t *testing.T, m *chat.Message) {
				if len(m.Attachments) != 1 || m.Attachments[0].Path != "photos/photo_2.jpg" || m.Attachments[0].Width != 640 {
					t.Errorf("attachments = %+v, want the group photo", m.Attachments)
				}
			},
		},
		{
			name:    "custom action without action member",
			input:   service(6, `, "information_text": "Nhóm đã được nâng cấp"`),
			kind:    chat.KindSystem,
			rawType: "service",
			check: func(t *testing.T, m *chat.Message) {
				if m.IndexText != "Nhóm đã được nâng cấp" {
					t.Errorf("index text = %q, want the information text", m.IndexText)
				}
			},
		},
		{
			name:    "proximity_reached names its sender in from",
			input:   `{"id": 7, "type": "service", "date_unixtime": "1715302800", "action": "proximity_reached", "from": "Hùng", "from_id": "user8", "to": "Lan", "to_id": "user7", "distance": 50, "text": ""}`,
			kind:    chat.KindSystem,
			rawType: "service/proximity_reached",
			check: func(t *testing.T, m *chat.Message) {
				if m.Sender.ID != "user8" {
					t.Errorf("sender = %+v, want user8", m.Sender)
				}
			},
		},
		{
			name:      "unknown action is kept with a warning",
			input:     service(8, `, "action": "send_moon_gift"`),
			kind:      chat.KindSystem,
			rawType:   "service/send_moon_gift",
			warnings:  []string{ingest.WarnUnknownMsgType},
			emitCodes: []string{ingest.WarnUnknownMsgType},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, warnings := readOne(t, chatJSON(tc.input), ingest.Options{})
			if m.Kind != tc.kind || m.RawType != tc.rawType {
				t.Errorf("kind, raw type = %q, %q; want %q, %q", m.Kind, m.RawType, tc.kind, tc.rawType)
			}
			if !slices.Equal(m.Warnings, tc.warnings) {
				t.Errorf("warnings = %q, want %q", m.Warnings, tc.warnings)
			}
			var codes []string
			for _, w := range warnings {
				codes = append(codes, w.Code)
			}
			if !slices.Equal(codes, tc.emitCodes) {
				t.Errorf("input warnings = %+v, want codes %q", warnings, tc.emitCodes)
			}
			if tc.check != nil {
				tc.check(t, m)
			}
		})
	}
}

func TestReader_Media(t *testing.T) {
	f := false
	size := func(n int64) *int64 { return &n }
	tests := []struct {
		name       string
		members    string
		kind       chat.Kind
		attachment chat.Attachment
		warnings   []string
	}{
		{
			name:       "photo",
			members:    `, "photo": "photos/photo_1@10-05-2024_08-09-52.jpg", "photo_file_size": 120000, "width": 1280, "height": 960`,
			kind:       chat.KindImage,
			attachment: chat.Attachment{Kind: "image", Name: "photo_1@10-05-2024_08-09-52.jpg", Path: "photos/photo_1@10-05-2024_08-09-52.jpg", URI: "photos/photo_1@10-05-2024_08-09-52.jpg", Size: size(120000), Width: 1280, Height: 960},
		},
		{
			name:       "video message",
			members:    `, "file": "round_video_messages/file_1.mp4", "media_type": "video_message", "mime_type": "video/mp4", "duration_seconds": 9`,
			kind:       chat.KindVideo,
			attachment: chat.Attachment{Kind: "video", Name: "file_1.mp4", Path: "round_video_messages/file_1.mp4", URI: "round_video_messages/file_1.mp4", MIME: "video/mp4", DurationMS: 9000},
		},
		{
			name:       "animation",
			members:    `, "file": "video_files/gif.mp4", "media_type": "animation", "mime_type": "video/mp4"`,
			kind:       chat.KindVideo,
			attachment: chat.Attachment{Kind: "video", Name: "gif.mp4", Path: "video_files/gif.mp4", URI: "video_files/gif.mp4", MIME: "video/mp4"},
		},
		{
			name:       "audio file keeps title and performer",
			members:    `, "file": "files/bai-hat.mp3", "file_name": "Bài hát.mp3", "file_size": 4000000, "media_type": "audio_file", "performer": "Ca sĩ", "title": "Bài hát", "mime_type": "audio/mpeg"`,
			kind:       chat.KindFile,
			attachment: chat.Attachment{Kind: "audio", Name: "Bài hát.mp3", Path: "files/bai-hat.mp3", URI: "files/bai-hat.mp3", MIME: "audio/mpeg", Size: size(4000000), Title: "Bài hát", Description: "Ca sĩ"},
		},
		{
			name:       "document without media_type",
			members:    `, "file": "files/Báo giá (2).xlsx", "mime_type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"`,
			kind:       chat.KindFile,
			attachment: chat.Attachment{Kind: "file", Name: "Báo giá (2).xlsx", Path: "files/Báo giá (2).xlsx", URI: "files/Báo giá (2).xlsx", MIME: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
		},
		{
			name:       "skip sentence after a file name",
			members:    `, "file": "Hợp đồng.pdf (File exceeds maximum size. Change data exporting settings to download.)", "mime_type": "application/pdf"`,
			kind:       chat.KindFile,
			attachment: chat.Attachment{Kind: "file", Name: "Hợp đồng.pdf", MIME: "application/pdf", Present: &f, AbsentReason: AbsentTooLarge},
			warnings:   []string{ingest.WarnMediaNotInExport},
		},
		{
			name:       "path leaving the export gets no Path",
			members:    `, "file": "../../etc/passwd"`,
			kind:       chat.KindFile,
			attachment: chat.Attachment{Kind: "file", Name: "passwd", URI: "../../etc/passwd"},
		},
		{
			name:       "only the thumbnail is missing",
			members:    `, "file": "video_files/a.mp4", "thumbnail": "(File not included. Change data exporting settings to download.)", "media_type": "video_file"`,
			kind:       chat.KindVideo,
			attachment: chat.Attachment{Kind: "video", Name: "a.mp4", Path: "video_files/a.mp4", URI: "video_files/a.mp4"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := readOne(t, chatJSON(msgJSON(1, tc.members)), ingest.Options{})
			if m.Kind != tc.kind {
				t.Errorf("kind = %q, want %q", m.Kind, tc.kind)
			}
			if len(m.Attachments) != 1 {
				t.Fatalf("attachments = %+v, want 1", m.Attachments)
			}
			if !reflect.DeepEqual(m.Attachments[0], tc.attachment) {
				t.Errorf("attachment =\n %s\nwant\n %s", describeAttachment(m.Attachments[0]), describeAttachment(tc.attachment))
			}
			if !slices.Equal(m.Warnings, tc.warnings) {
				t.Errorf("warnings = %q, want %q", m.Warnings, tc.warnings)
			}
		})
	}
}

// describeAttachment prints a with its pointers followed.
func describeAttachment(a chat.Attachment) string {
	size, present := "nil", "nil"
	if a.Size != nil {
		size = fmt.Sprint(*a.Size)
	}
	if a.Present != nil {
		present = fmt.Sprint(*a.Present)
	}
	a.Size, a.Present = nil, nil
	return fmt.Sprintf("%+v size=%s present=%s", a, size, present)
}

func TestReader_ContactAndLocation(t *testing.T) {
	m, _ := readOne(t, chatJSON(msgJSON(1, `, "contact_information": {"first_name": "Văn", "last_name": "Hùng", "phone_number": "+84 90 111 2222"}, "contact_vcard": "contacts/contact_1.vcard"`)), ingest.Options{})
	if m.Kind != chat.KindContact || m.Contact == nil || *m.Contact != (chat.Contact{Name: "Văn Hùng", Phone: "+84 90 111 2222"}) {
		t.Errorf("contact message: kind %q contact %+v", m.Kind, m.Contact)
	}
	if len(m.Attachments) != 1 || m.Attachments[0].Path != "contacts/contact_1.vcard" {
		t.Errorf("contact attachments = %+v, want the vcard", m.Attachments)
	}

	m, _ = readOne(t, chatJSON(msgJSON(2, `, "place_name": "Kho Bình Dương", "address": "KCN Sóng Thần", "location_information": {"latitude": 10.9, "longitude": 106.75}`)), ingest.Options{})
	want := chat.Location{Latitude: 10.9, Longitude: 106.75, Title: "Kho Bình Dương"}
	if m.Kind != chat.KindLocation || m.Location == nil || *m.Location != want {
		t.Errorf("venue: kind %q location %+v, want %+v", m.Kind, m.Location, want)
	}
	if m.IndexText != "KCN Sóng Thần" {
		t.Errorf("venue index text = %q, want the address", m.IndexText)
	}
}

func TestReader_PollIsSearchable(t *testing.T) {
	m, _ := readOne(t, chatJSON(msgJSON(1, `, "poll": {"question": "Giao hàng lúc nào?", "closed": false, "total_voters": 2, "answers": [{"text": "Sáng", "voters": 1, "chosen": false}, {"text": "Chiều", "voters": 1, "chosen": true}]}, "text": ""`)), ingest.Options{})
	if m.Kind != chat.KindText || m.IndexText != "Giao hàng lúc nào?\nSáng\nChiều" {
		t.Errorf("poll: kind %q index text %q", m.Kind, m.IndexText)
	}
}

func TestReader_Reactions(t *testing.T) {
	m, _ := readOne(t, chatJSON(msgJSON(1, `, "text": "ok", "reactions": [{"type": "emoji", "count": 3, "emoji": "👍", "recent": [{"from": "Lan", "from_id": "user7", "date": "2024-05-10T08:00:00"}]}, {"type": "custom_emoji", "count": 1, "document_id": "5368"}]`)), ingest.Options{})
	want := []chat.Reaction{{ActorID: "user7", Actor: "Lan", Reaction: "👍"}}
	if !slices.Equal(m.Reactions, want) {
		t.Errorf("reactions = %+v, want %+v (counts without names stay in Raw)", m.Reactions, want)
	}
}

func TestReader_EditedReplyForward(t *testing.T) {
	input := chatJSON(
		msgJSON(1, `, "text": "a"`),
		msgJSON(2, `, "text": "b", "reply_to_message_id": 1, "edited": "2024-05-10T08:09:30", "edited_unixtime": "1715303370", "forwarded_from": "Kho", "author": "Lan"`),
		msgJSON(3, `, "text": "c", "reply_to_message_id": 9, "reply_to_peer_id": "channel77"`),
		msgJSON(4, `, "text": "d", "reply_to_message_id": 1, "reply_to_peer_id": "user42"`),
	)
	out := readString(input, ingest.Options{})
	if out.err != nil || len(out.msgs) != 4 {
		t.Fatalf("got %d messages, err %v", len(out.msgs), out.err)
	}
	m := out.msgs[1]
	if m.ReplyTo != "1" || !m.Edited || m.EditedAt == nil || m.EditedAt.Unix() != 1715303370 || m.ForwardedFrom != "Kho" || m.AuthorSignature != "Lan" {
		t.Errorf("message 2: reply %q edited %v at %v forwarded %q author %q", m.ReplyTo, m.Edited, m.EditedAt, m.ForwardedFrom, m.AuthorSignature)
	}
	if got := out.msgs[2].ReplyTo; got != "" {
		t.Errorf("reply into another chat: reply_to = %q, want none, because the id names a message of channel77", got)
	}
	if got := out.msgs[3].ReplyTo; got != "1" {
		t.Errorf("reply with reply_to_peer_id of this chat: reply_to = %q, want 1", got)
	}
}

func TestReader_Times(t *testing.T) {
	hcm := ingest.HoChiMinh
	tests := []struct {
		name     string
		message  string
		opts     ingest.Options
		sentAt   time.Time
		warnings []string
	}{
		{
			name:    "date_unixtime wins over date",
			message: `{"id": 1, "type": "message", "date": "1999-01-01T00:00:00", "date_unixtime": "1715302812", "text": "a"}`,
			sentAt:  time.Unix(1715302812, 0),
		},
		{
			name:     "date alone is read in Location",
			message:  `{"id": 1, "type": "message", "date": "2024-05-10T08:00:12", "text": "a"}`,
			opts:     ingest.Options{Location: time.UTC},
			sentAt:   time.Date(2024, 5, 10, 8, 0, 12, 0, time.UTC),
			warnings: []string{WarnLocalTimeOnly},
		},
		{
			name:     "date alone defaults to Ho Chi Minh City",
			message:  `{"id": 1, "type": "message", "date": "2024-05-10T08:00:12", "text": "a"}`,
			sentAt:   time.Date(2024, 5, 10, 8, 0, 12, 0, hcm),
			warnings: []string{WarnLocalTimeOnly},
		},
		{
			name:     "invalid date_unixtime falls back to date",
			message:  `{"id": 1, "type": "message", "date": "2024-05-10T08:00:12", "date_unixtime": "soon", "text": "a"}`,
			sentAt:   time.Date(2024, 5, 10, 8, 0, 12, 0, hcm),
			warnings: []string{ingest.WarnInvalidField, WarnLocalTimeOnly},
		},
		{
			name:    "number date_unixtime",
			message: `{"id": 1, "type": "message", "date_unixtime": 1715302812, "text": "a"}`,
			sentAt:  time.Unix(1715302812, 0),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := readOne(t, chatJSON(tc.message), tc.opts)
			if !m.SentAt.Equal(tc.sentAt) {
				t.Errorf("sent at = %v, want %v", m.SentAt, tc.sentAt)
			}
			if !slices.Equal(m.Warnings, tc.warnings) {
				t.Errorf("warnings = %q, want %q", m.Warnings, tc.warnings)
			}
		})
	}
}

func TestReader_UndatedMessages(t *testing.T) {
	t.Run("stub first in its chat takes the next time", func(t *testing.T) {
		out := readString(chatJSON(`{"id": 1, "type": "unsupported"}`, msgJSON(2, `, "text": "a"`)), ingest.Options{})
		if out.err != nil || len(out.msgs) != 2 {
			t.Fatalf("got %d messages, err %v", len(out.msgs), out.err)
		}
		if stub := out.msgs[0]; stub.SourceID != "1" || !stub.SentAt.Equal(out.msgs[1].SentAt) || stub.Kind != chat.KindUnknown {
			t.Errorf("stub = %s at %v kind %q, want message 1 at %v, unknown", stub.SourceID, stub.SentAt, stub.Kind, out.msgs[1].SentAt)
		}
	})
	t.Run("message without date warns", func(t *testing.T) {
		out := readString(chatJSON(msgJSON(1, `, "text": "a"`), `{"id": 2, "type": "message", "text": "b"}`), ingest.Options{})
		if out.err != nil || len(out.msgs) != 2 {
			t.Fatalf("got %d messages, err %v", len(out.msgs), out.err)
		}
		m := out.msgs[1]
		if !m.SentAt.Equal(out.msgs[0].SentAt) || !slices.Equal(m.Warnings, []string{ingest.WarnMissingTS}) {
			t.Errorf("undated message: at %v warnings %q, want the time before it and %s", m.SentAt, m.Warnings, ingest.WarnMissingTS)
		}
	})
	t.Run("cut short while a stub waits", func(t *testing.T) {
		input := chatJSON(`{"id": 1, "type": "unsupported"}`, msgJSON(2, `, "text": "a"`))
		input = input[:strings.Index(input, `"id": 2`)]
		out := readString(input, ingest.Options{})
		if out.err == nil || len(out.msgs) != 0 || len(out.bad) != 1 || string(out.bad[0].Raw) != `{"id": 1, "type": "unsupported"}` {
			t.Errorf("got %d messages, bad %v, err %v; want the stub as a bad record, then the error", len(out.msgs), out.bad, out.err)
		}
	})
	t.Run("chat without any time gives bad records", func(t *testing.T) {
		input := chatJSON(`{"id": 1, "type": "unsupported"}`, `{"id": 2, "type": "unsupported"}`)
		out := readString(input, ingest.Options{})
		if out.err != nil || len(out.msgs) != 0 || len(out.bad) != 2 {
			t.Fatalf("got %d messages, %d bad records, err %v; want 2 bad records", len(out.msgs), len(out.bad), out.err)
		}
		if b := out.bad[1]; b.Offset != int64(strings.Index(input, `{"id": 2`)) || string(b.Raw) != `{"id": 2, "type": "unsupported"}` {
			t.Errorf("bad record = offset %d raw %s", b.Offset, b.Raw)
		}
	})
}

func TestReader_Direction(t *testing.T) {
	single := chatJSON(
		`{"id": 1, "type": "message", "date_unixtime": "1715302800", "from": "Shop Minh Phát", "from_id": "user6", "text": "a"}`,
		`{"id": 2, "type": "message", "date_unixtime": "1715302801", "from": "Chị Hạnh", "from_id": "user42", "text": "b"}`,
	)
	t.Run("single chat without SelfName", func(t *testing.T) {
		out := readString(single, ingest.Options{})
		for _, m := range out.msgs {
			if m.Direction != chat.Inbound {
				t.Errorf("message %s: direction %q, want inbound: a single-chat export names no owner", m.SourceID, m.Direction)
			}
		}
	})
	t.Run("single chat with SelfName", func(t *testing.T) {
		out := readString(single, ingest.Options{SelfName: "Shop Minh Phát"})
		if len(out.msgs) != 2 || out.msgs[0].Direction != chat.Outbound || out.msgs[1].Direction != chat.Inbound {
			t.Errorf("directions = %v, want out, in", directions(out.msgs))
		}
	})
	t.Run("full export uses personal_information over SelfName", func(t *testing.T) {
		full := `{"about": "x", "personal_information": {"user_id": 42, "first_name": "Hạnh", "last_name": ""}, "chats": {"about": "y", "list": [` +
			strings.TrimPrefix(single, "{") + `]}}`
		full = strings.Replace(full, `"list": [`, `"list": [{`, 1)
		out := readString(full, ingest.Options{SelfName: "Shop Minh Phát"})
		if out.err != nil || len(out.msgs) != 2 || out.msgs[0].Direction != chat.Inbound || out.msgs[1].Direction != chat.Outbound {
			t.Errorf("directions = %v, err %v; want in, out", directions(out.msgs), out.err)
		}
	})
}

func directions(msgs []*chat.Message) []chat.Direction {
	var out []chat.Direction
	for _, m := range msgs {
		out = append(out, m.Direction)
	}
	return out
}

func TestReader_ChatKinds(t *testing.T) {
	tests := []struct {
		typ  string
		kind chat.ConversationKind
		warn bool
	}{
		{`"personal_chat"`, chat.Direct, false},
		{`"bot_chat"`, chat.Direct, false},
		{`"saved_messages"`, chat.Direct, false},
		{`"private_group"`, chat.Group, false},
		{`"private_supergroup"`, chat.Group, false},
		{`"public_supergroup"`, chat.Group, false},
		{`"private_channel"`, chat.Channel, false},
		{`"public_channel"`, chat.Channel, false},
		{`"secret_chat"`, chat.Group, true},
		{`null`, chat.Group, true},
	}
	for _, tc := range tests {
		t.Run(tc.typ, func(t *testing.T) {
			input := strings.Replace(chatJSON(msgJSON(1, `, "text": "a"`)), `"personal_chat"`, tc.typ, 1)
			m, warnings := readOne(t, input, ingest.Options{})
			if m.ConversationKind != tc.kind || m.Conversation != "42" {
				t.Errorf("conversation %s kind %q, want 42 %q", m.Conversation, m.ConversationKind, tc.kind)
			}
			if warned := len(warnings) > 0; warned != tc.warn {
				t.Errorf("warnings = %+v, want a warning: %v", warnings, tc.warn)
			}
		})
	}
}

func TestReader_FullExportShapes(t *testing.T) {
	input := `{
 "about": "Here is the data you requested.",
 "personal_information": {"user_id": 1, "first_name": "Phát", "last_name": "Huỳnh", "phone_number": "+84 90 555 0001", "bio": "x"},
 "profile_pictures": [{"date": "2024-01-01T00:00:00", "photo": "profile_pictures/a.jpg"}],
 "contacts": {"about": "c", "list": [{"user_id": 5, "first_name": "A", "last_name": "", "phone_number": "1", "date": "2024-01-01T00:00:00"}]},
 "frequent_contacts": {"about": "f", "list": [{"id": 5, "category": "people", "type": "user", "name": "A", "rating": 1.5}]},
 "chats": {"about": "chats", "list": [
  {"type": "saved_messages", "id": 1, "messages": [{"id": 10, "type": "message", "date_unixtime": "1715302800", "from": "Phát Huỳnh", "from_id": "user1", "text": "ghi chú"}]},
  {"name": "Kênh", "type": "public_channel", "id": 77, "messages": []},
  "not a chat"
 ]},
 "left_chats": {"about": "left", "list": [
  {"name": "Nhóm cũ", "type": "private_supergroup", "id": 88, "messages": [{"id": 10, "type": "message", "date_unixtime": "1715302900", "from": "A", "from_id": "user5", "text": "tạm biệt"}]}
 ]},
 "other_data": {"about_meta": "m", "changes_log": [[1, {"x": [true]}]]}
}`
	out := readString(input, ingest.Options{})
	if out.err != nil {
		t.Fatalf("read: %v", out.err)
	}
	if len(out.msgs) != 2 {
		t.Fatalf("got %d messages, want 2", len(out.msgs))
	}
	saved, left := out.msgs[0], out.msgs[1]
	if saved.Conversation != "1" || saved.ConversationKind != chat.Direct || saved.ConversationTitle != "" || saved.Direction != chat.Outbound {
		t.Errorf("saved message: %s %q %q %q", saved.Conversation, saved.ConversationKind, saved.ConversationTitle, saved.Direction)
	}
	if left.Conversation != "88" || left.ConversationTitle != "Nhóm cũ" || left.SourceID != "10" || left.Direction != chat.Inbound {
		t.Errorf("left chat message: %s %q %s %q", left.Conversation, left.ConversationTitle, left.SourceID, left.Direction)
	}
	wantWarning := ingest.Warning{Code: ingest.WarnInvalidField, File: "result.json", Field: "chats.list", Detail: `want '{', got '"'; skipped`}
	if !slices.Equal(out.warnings, []ingest.Warning{wantWarning}) {
		t.Errorf("warnings = %+v, want %+v", out.warnings, wantWarning)
	}
	if out.offset != int64(len(input)) {
		t.Errorf("offset at the end = %d, want %d", out.offset, len(input))
	}
}

func TestReader_AccountWithoutChats(t *testing.T) {
	input := `{"about": "x", "personal_information": {"user_id": 1, "first_name": "A", "last_name": "B"}, "contacts": {"about": "c", "list": []}}`
	out := readString(input, ingest.Options{})
	if out.err != nil || len(out.msgs) != 0 || len(out.bad) != 0 {
		t.Errorf("got %d messages, %d bad records, err %v; want none and io.EOF", len(out.msgs), len(out.bad), out.err)
	}
}

func TestReader_WarningLimit(t *testing.T) {
	var msgs []string
	for i := range maxListed + 5 {
		msgs = append(msgs, msgJSON(i+1, `, "text": "a", "sparkles": 1`))
	}
	out := readString(chatJSON(msgs...), ingest.Options{})
	if out.err != nil || len(out.msgs) != maxListed+5 {
		t.Fatalf("got %d messages, err %v", len(out.msgs), out.err)
	}
	for _, m := range out.msgs {
		if !slices.Equal(m.Warnings, []string{ingest.WarnUnknownField}) {
			t.Errorf("message %s warnings = %q, want UNKNOWN_FIELD on every message", m.SourceID, m.Warnings)
		}
	}
	if len(out.warnings) != maxListed+1 {
		t.Fatalf("got %d input warnings, want %d one by one and 1 summary", len(out.warnings), maxListed)
	}
	summary := out.warnings[maxListed]
	if summary.Code != ingest.WarnUnknownField || summary.Field != "sparkles" || summary.Count != 5 || summary.SourceID != "" {
		t.Errorf("summary = %+v, want UNKNOWN_FIELD sparkles count 5", summary)
	}
}

func TestReader_RawIsExactBytes(t *testing.T) {
	input := chatJSON(
		msgJSON(1, `,   "text"  :  "khoảng   trắng"  `),
		"\n  "+msgJSON(2, `, "text": ["a", {"type": "bold", "text": "b"}]`)+"\n",
	)
	out := readString(input, ingest.Options{})
	if out.err != nil || len(out.msgs) != 2 {
		t.Fatalf("got %d messages, err %v", len(out.msgs), out.err)
	}
	for _, m := range out.msgs {
		if m.Raw[0] != '{' || m.Raw[len(m.Raw)-1] != '}' || !strings.Contains(input, string(m.Raw)) {
			t.Errorf("message %s: raw %q is not the object as the input holds it", m.SourceID, m.Raw)
		}
	}
}
