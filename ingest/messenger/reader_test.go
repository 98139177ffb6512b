package messenger

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"chatseal/chat"
	"chatseal/ingest"
)

const (
	customer = "Trần Thu Trang"
	staff    = "Nguyễn Văn Phúc"
)

func TestFindThreads(t *testing.T) {
	tests := []struct {
		name  string
		files []string
		want  []threadSource
	}{
		{
			name: "DYI root",
			files: []string{
				"your_facebook_activity/messages/autofill_information.json",
				"your_facebook_activity/messages/archived_threads/b_2/message_1.json",
				"your_facebook_activity/messages/inbox/a_1/message_1.json",
				"your_facebook_activity/messages/inbox/a_1/message_10.json",
				"your_facebook_activity/messages/inbox/a_1/message_2.json",
				"your_facebook_activity/messages/inbox/a_1/photos/1.jpg",
				"your_facebook_activity/profile_information/profile_information.json",
			},
			want: []threadSource{
				{dir: "your_facebook_activity/messages/archived_threads/b_2", dyi: true, files: []string{"your_facebook_activity/messages/archived_threads/b_2/message_1.json"}},
				{dir: "your_facebook_activity/messages/inbox/a_1", dyi: true, files: []string{
					"your_facebook_activity/messages/inbox/a_1/message_1.json",
					"your_facebook_activity/messages/inbox/a_1/message_2.json",
					"your_facebook_activity/messages/inbox/a_1/message_10.json",
				}},
			},
		},
		{
			name:  "thread folder",
			files: []string{"message_2.json", "message_1.json", "photos/1.jpg"},
			want:  []threadSource{{dir: "", dyi: true, files: []string{"message_1.json", "message_2.json"}}},
		},
		{
			name:  "E2EE download",
			files: []string{"Tran Thu Trang_1.json", "media/a.jpeg", "sub/Le Van An_2.JSON"},
			want: []threadSource{
				{dir: "", files: []string{"Tran Thu Trang_1.json"}},
				{dir: "sub", files: []string{"sub/Le Van An_2.JSON"}},
			},
		},
		{
			name:  "no JSON",
			files: []string{"media/a.jpeg", "notes.txt"},
			want:  []threadSource{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := findThreads(tt.files)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d threads %+v, want %d", len(got), got, len(tt.want))
			}
			for i := range got {
				if got[i].dir != tt.want[i].dir || got[i].dyi != tt.want[i].dyi || !slices.Equal(got[i].files, tt.want[i].files) {
					t.Errorf("thread %d = %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestMessageFileNumber(t *testing.T) {
	tests := []struct {
		name string
		n    int
		ok   bool
	}{
		{"message_1.json", 1, true},
		{"message_12.json", 12, true},
		{"message_.json", 0, false},
		{"message_1a.json", 0, false},
		{"message_1.json.bak", 0, false},
		{"messages_1.json", 0, false},
		{"message_1234567890.json", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, ok := messageFileNumber(tt.name)
			if n != tt.n || ok != tt.ok {
				t.Errorf("messageFileNumber(%q) = %d, %v; want %d, %v", tt.name, n, ok, tt.n, tt.ok)
			}
		})
	}
}

// TestOpen_MergesFilesInTimeOrder checks the merge of a thread split over
// files whose time ranges overlap, and the documented order of equal
// timestamps: the reverse of Meta's newest-first order.
func TestOpen_MergesFilesInTimeOrder(t *testing.T) {
	dir := "inbox/a_1"
	files := memTree{
		// message_1 holds the newest, newest first. Its last item shares
		// a timestamp with the first item of message_2.
		"message_1.json": dyiFile(t, dir, customer, []string{customer, staff}, []dyiMsg{
			textMsg(customer, 5000, "five"),
			textMsg(staff, 3000, "three b"),
			textMsg(customer, 3000, "three a"),
		}),
		"message_2.json": dyiFile(t, dir, customer, []string{customer, staff}, []dyiMsg{
			textMsg(staff, 3000, "three older file"),
			textMsg(customer, 4000, "four, out of place"),
			textMsg(staff, 1000, "one"),
		}),
	}
	r := openMemory(files, testOptions)
	msgs, bad := readAll(t, r)
	if len(bad) != 0 {
		t.Fatalf("bad records: %v", bad)
	}
	var got []string
	for _, m := range msgs {
		got = append(got, m.Text)
	}
	want := []string{"one", "three older file", "three a", "three b", "four, out of place", "five"}
	if !slices.Equal(got, want) {
		t.Errorf("order = %q, want %q", got, want)
	}
}

func TestOpen_E2EEOrderAndTies(t *testing.T) {
	files := memTree{"Tran Thu Trang_1.json": e2eeFile(t, "Tran Thu Trang_1", []string{staff, customer}, []map[string]any{
		{"senderName": customer, "timestamp": 3000, "text": "later", "type": "text"},
		{"senderName": customer, "timestamp": 1000, "text": "tie first", "type": "text"},
		{"senderName": staff, "timestamp": 1000, "text": "tie second", "type": "text"},
	})}
	msgs, _ := readAll(t, openMemory(files, testOptions))
	var got []string
	for _, m := range msgs {
		got = append(got, m.Text)
	}
	want := []string{"tie first", "tie second", "later"}
	if !slices.Equal(got, want) {
		t.Errorf("order = %q, want %q", got, want)
	}
}

// TestSourceID_StableAcrossInputs checks that a message gets the same
// SourceID whether the user hands over the thread folder, one of its files,
// the DYI root or a zip of it, and that exact repeats are numbered.
func TestSourceID_StableAcrossInputs(t *testing.T) {
	threadPath := "inbox/tranthutrang_1"
	msgs := []dyiMsg{
		textMsg(customer, 2000, "ok"),
		textMsg(customer, 2000, "ok"),
		textMsg(customer, 2000, "ok"),
		textMsg(staff, 2000, "ok"),
		textMsg(customer, 1000, "Shop ơi"),
	}
	file := dyiFile(t, threadPath, customer, []string{customer, staff}, msgs)
	root := t.TempDir()
	threadDir := filepath.Join(root, "your_facebook_activity", "messages", "inbox", "tranthutrang_1")
	writeFile(t, filepath.Join(threadDir, "message_1.json"), file)
	zipPath := filepath.Join(t.TempDir(), "facebook.zip")
	writeZip(t, zipPath, map[string][]byte{"facebook-user/your_facebook_activity/messages/inbox/tranthutrang_1/message_1.json": file})

	var first []string
	for _, input := range []string{threadDir, filepath.Join(threadDir, "message_1.json"), root, zipPath} {
		r, err := Open(input, testOptions)
		if err != nil {
			t.Fatalf("Open(%s): %v", input, err)
		}
		got, bad := readAll(t, r)
		r.(io.Closer).Close()
		if len(bad) != 0 {
			t.Fatalf("%s: bad records %v", input, bad)
		}
		var ids []string
		for _, m := range got {
			ids = append(ids, m.SourceID)
			if m.Conversation != path.Base(threadPath) {
				t.Errorf("%s: conversation = %q, want %q", input, m.Conversation, path.Base(threadPath))
			}
		}
		if first == nil {
			first = ids
			continue
		}
		if !slices.Equal(ids, first) {
			t.Errorf("%s: source ids %q differ from the thread folder's %q", input, ids, first)
		}
	}

	if len(first) != 5 {
		t.Fatalf("got %d messages, want 5", len(first))
	}
	// Oldest first: "Shop ơi", then the reverse of the file's order at
	// 2000: the staff's "ok", then the customer's three.
	base := first[2]
	if first[3] != base+"-2" || first[4] != base+"-3" {
		t.Errorf("repeats = %q, %q, %q; want %q with -2 and -3", first[2], first[3], first[4], base)
	}
	if first[1] == base || strings.HasPrefix(first[1], base+"-") {
		t.Errorf("another sender's message %q shares the repeats' id %q", first[1], base)
	}
	seen := map[string]bool{}
	for _, id := range first {
		if seen[id] {
			t.Errorf("source id %q occurs twice", id)
		}
		seen[id] = true
	}
}

// TestOpen_SingleFilesMatchThreadFolder imports the two files of the
// mojibake case one at a time and compares with the thread folder.
func TestOpen_SingleFilesMatchThreadFolder(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "messenger", "dyi-mojibake-two-files", "your_facebook_activity", "messages", "inbox", "tranthutrang_10234567890123456")
	r, err := Open(dir, testOptions)
	if err != nil {
		t.Fatal(err)
	}
	whole, _ := readAll(t, r)

	var parts []*chat.Message
	for _, name := range []string{"message_1.json", "message_2.json"} {
		r, err := Open(filepath.Join(dir, name), testOptions)
		if err != nil {
			t.Fatal(err)
		}
		msgs, _ := readAll(t, r)
		parts = append(parts, msgs...)
	}
	slices.SortStableFunc(parts, func(a, b *chat.Message) int { return a.SentAt.Compare(b.SentAt) })
	if len(parts) != len(whole) {
		t.Fatalf("files one at a time gave %d messages, the folder %d", len(parts), len(whole))
	}
	for i := range whole {
		if parts[i].SourceID != whole[i].SourceID || parts[i].Text != whole[i].Text || !bytes.Equal(parts[i].Raw, whole[i].Raw) {
			t.Errorf("message %d differs: %s %q vs %s %q", i, parts[i].SourceID, parts[i].Text, whole[i].SourceID, whole[i].Text)
		}
	}
}

func TestOpen_RawIsTheItemBytes(t *testing.T) {
	data := dyiFile(t, "inbox/a_1", customer, []string{customer, staff}, []dyiMsg{textMsg(customer, 1000, "Dạ \"em\"\nchào")})
	msgs, _ := readAll(t, openMemory(memTree{"message_1.json": data}, testOptions))
	if len(msgs) != 1 {
		t.Fatalf("got %d messages, want 1", len(msgs))
	}
	raw := msgs[0].Raw
	if !bytes.HasPrefix(raw, []byte("{")) || !bytes.HasSuffix(raw, []byte("}")) || !bytes.Contains(data, raw) {
		t.Errorf("Raw is not an object of the file: %s", raw)
	}
	if !bytes.Contains(raw, []byte(`\u00e1\u00ba\u00a1`)) {
		t.Errorf("Raw lost Meta's escapes: %s", raw)
	}
	if got, want := msgs[0].Text, "Dạ \"em\"\nchào"; got != want {
		t.Errorf("Text = %q, want %q", got, want)
	}
}

func TestParseDYI_Kinds(t *testing.T) {
	tests := []struct {
		name     string
		msg      dyiMsg
		kind     chat.Kind
		attach   []string // attachment kinds
		flags    []string
		warnings []string
		check    func(t *testing.T, m *chat.Message)
	}{
		{name: "video", msg: dyiMsg{"videos": []any{map[string]any{"uri": "your_facebook_activity/messages/inbox/a_1/videos/v.mp4"}}}, kind: chat.KindVideo, attach: []string{"video"}},
		{name: "voice clip", msg: dyiMsg{"audio_files": []any{map[string]any{"uri": "messages/inbox/a_1/audio/a.mp4"}}}, kind: chat.KindVoice, attach: []string{"voice"}},
		{name: "file", msg: dyiMsg{"files": []any{map[string]any{"uri": "messages/inbox/a_1/files/báo giá.pdf"}}}, kind: chat.KindFile, attach: []string{"file"},
			check: func(t *testing.T, m *chat.Message) {
				if a := m.Attachments[0]; a.Name != "báo giá.pdf" || a.Path != "messages/inbox/a_1/files/báo giá.pdf" {
					t.Errorf("file attachment = %+v; want the repaired name and path", a)
				}
			}},
		{name: "gif", msg: dyiMsg{"gifs": []any{map[string]any{"uri": "messages/inbox/a_1/gifs/g.gif"}}}, kind: chat.KindImage, attach: []string{"image"}},
		{name: "two photos", msg: dyiMsg{"photos": []any{map[string]any{"uri": "p/1.jpg"}, map[string]any{"uri": "p/2.jpg"}}}, kind: chat.KindImage, attach: []string{"image", "image"}},
		{name: "sticker", msg: dyiMsg{"sticker": map[string]any{"uri": "messages/stickers_used/s.png"}}, kind: chat.KindSticker, attach: []string{"sticker"}},
		{name: "share with text", msg: dyiMsg{"content": "xem nhé", "share": map[string]any{"link": "https://example.com/a", "share_text": "Áo khoác nữ"}}, kind: chat.KindLink, attach: []string{"link"},
			check: func(t *testing.T, m *chat.Message) {
				if m.IndexText != "Áo khoác nữ" || m.Attachments[0].Description != "Áo khoác nữ" {
					t.Errorf("IndexText %q, description %q; want the repaired share text", m.IndexText, m.Attachments[0].Description)
				}
			}},
		{name: "call", msg: dyiMsg{"content": "Cuộc gọi kết thúc.", "call_duration": 75, "type": "Call"}, kind: chat.KindCall,
			check: func(t *testing.T, m *chat.Message) {
				if m.Call == nil || m.Call.DurationSeconds != 75 || m.RawType != "Call" {
					t.Errorf("call = %+v, raw type %q; want 75 seconds and Call", m.Call, m.RawType)
				}
			}},
		{name: "subscribe", msg: dyiMsg{"type": "Subscribe", "users": []any{map[string]any{"name": "Lê Văn An"}}}, kind: chat.KindSystem,
			check: func(t *testing.T, m *chat.Message) {
				if len(m.Members) != 1 || m.Members[0].Name != "Lê Văn An" {
					t.Errorf("members = %+v, want Lê Văn An", m.Members)
				}
			}},
		{name: "unsent", msg: dyiMsg{"is_unsent": true}, kind: chat.KindText, flags: []string{"unsent"}},
		{name: "unknown type", msg: dyiMsg{"content": "x", "type": "Hologram"}, kind: chat.KindText, warnings: []string{ingest.WarnUnknownMsgType}},
		{name: "wrong member type", msg: dyiMsg{"content": "x", "photos": "not a list"}, kind: chat.KindText, warnings: []string{ingest.WarnInvalidField}},
		{name: "reactions", msg: dyiMsg{"content": "x", "reactions": []any{map[string]any{"reaction": "😆", "actor": staff}}}, kind: chat.KindText,
			check: func(t *testing.T, m *chat.Message) {
				if len(m.Reactions) != 1 || m.Reactions[0] != (chat.Reaction{Actor: staff, Reaction: "😆"}) {
					t.Errorf("reactions = %+v", m.Reactions)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := dyiMsg{"sender_name": customer, "timestamp_ms": 1698890405120}
			for k, v := range tt.msg {
				msg[k] = v
			}
			data := dyiFile(t, "inbox/a_1", customer, []string{customer, staff}, []dyiMsg{msg})
			msgs, bad := readAll(t, openMemory(memTree{"message_1.json": data}, testOptions))
			if len(msgs) != 1 || len(bad) != 0 {
				t.Fatalf("got %d messages and bad records %v, want 1 message", len(msgs), bad)
			}
			m := msgs[0]
			if m.Kind != tt.kind {
				t.Errorf("kind = %q, want %q", m.Kind, tt.kind)
			}
			var kinds []string
			for _, a := range m.Attachments {
				kinds = append(kinds, a.Kind)
				if a.Present != nil {
					t.Errorf("attachment %s: Present = %v, want nil", a.URI, *a.Present)
				}
			}
			if !slices.Equal(kinds, tt.attach) {
				t.Errorf("attachment kinds = %q, want %q", kinds, tt.attach)
			}
			if !slices.Equal(m.Flags, tt.flags) {
				t.Errorf("flags = %q, want %q", m.Flags, tt.flags)
			}
			if !slices.Equal(m.Warnings, tt.warnings) {
				t.Errorf("warnings = %q, want %q", m.Warnings, tt.warnings)
			}
			if tt.check != nil {
				tt.check(t, m)
			}
		})
	}
}

func TestParseE2EE_Kinds(t *testing.T) {
	tests := []struct {
		name     string
		msg      map[string]any
		kind     chat.Kind
		attach   []chat.Attachment
		warnings []string
	}{
		{name: "video", msg: map[string]any{"type": "media", "media": []any{map[string]any{"uri": "./media/v.MP4"}}}, kind: chat.KindVideo,
			attach: []chat.Attachment{{Kind: "video", URI: "media/v.MP4", Path: "chats/media/v.MP4", Name: "v.MP4"}}},
		{name: "voice", msg: map[string]any{"type": "media", "media": []any{map[string]any{"uri": "media/a.m4a"}}}, kind: chat.KindVoice,
			attach: []chat.Attachment{{Kind: "voice", URI: "media/a.m4a", Path: "chats/media/a.m4a", Name: "a.m4a"}}},
		{name: "document", msg: map[string]any{"type": "media", "media": []any{map[string]any{"uri": "media/hợp đồng.pdf"}}}, kind: chat.KindFile,
			attach: []chat.Attachment{{Kind: "file", URI: "media/hợp đồng.pdf", Path: "chats/media/hợp đồng.pdf", Name: "hợp đồng.pdf"}}},
		{name: "uri leaving the export", msg: map[string]any{"type": "media", "media": []any{map[string]any{"uri": "../../etc/passwd"}}}, kind: chat.KindFile,
			attach: []chat.Attachment{{Kind: "file", URI: "../../etc/passwd", Name: "passwd"}}},
		{name: "placeholder", msg: map[string]any{"type": "placeholder", "text": "Tin nhắn này không khả dụng"}, kind: chat.KindUnknown, warnings: []string{ingest.WarnUnsupportedMessage}},
		{name: "unknown type", msg: map[string]any{"type": "poll", "text": "x"}, kind: chat.KindUnknown, warnings: []string{ingest.WarnUnknownMsgType}},
		{name: "wrong member type", msg: map[string]any{"type": "text", "text": "x", "reactions": "many"}, kind: chat.KindText, warnings: []string{ingest.WarnInvalidField}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := map[string]any{"senderName": customer, "timestamp": 1717209000123, "isUnsent": false}
			for k, v := range tt.msg {
				msg[k] = v
			}
			files := memTree{"chats/Tran Thu Trang_1.json": e2eeFile(t, "Tran Thu Trang_1", []string{staff, customer}, []map[string]any{msg})}
			msgs, bad := readAll(t, openMemory(files, testOptions))
			if len(msgs) != 1 || len(bad) != 0 {
				t.Fatalf("got %d messages and bad records %v, want 1 message", len(msgs), bad)
			}
			m := msgs[0]
			if m.Kind != tt.kind {
				t.Errorf("kind = %q, want %q", m.Kind, tt.kind)
			}
			if len(m.Attachments) != len(tt.attach) {
				t.Fatalf("attachments = %+v, want %+v", m.Attachments, tt.attach)
			}
			for i, a := range m.Attachments {
				if a.Kind != tt.attach[i].Kind || a.URI != tt.attach[i].URI || a.Path != tt.attach[i].Path || a.Name != tt.attach[i].Name {
					t.Errorf("attachment %d = %+v, want %+v", i, a, tt.attach[i])
				}
			}
			if !slices.Equal(m.Warnings, tt.warnings) {
				t.Errorf("warnings = %q, want %q", m.Warnings, tt.warnings)
			}
			if m.Conversation != "e2ee/Tran Thu Trang_1" {
				t.Errorf("conversation = %q, want e2ee/Tran Thu Trang_1", m.Conversation)
			}
		})
	}
}

func TestOpen_DirectionAndGroup(t *testing.T) {
	members := []string{customer, staff, "Lê Văn An"}
	data := dyiFile(t, "inbox/nhomcskh_9", "Nhóm CSKH", members, []dyiMsg{
		textMsg(norm.NFD.String(staff), 2000, "decomposed name"),
		textMsg(staff, 1000, "self"),
		textMsg(customer, 500, "customer"),
	})
	msgs, _ := readAll(t, openMemory(memTree{"message_1.json": data}, testOptions))
	want := []chat.Direction{chat.Inbound, chat.Outbound, chat.Outbound}
	for i, m := range msgs {
		if m.Direction != want[i] {
			t.Errorf("message %q: direction = %q, want %q", m.Text, m.Direction, want[i])
		}
		if m.ConversationKind != chat.Group {
			t.Errorf("message %q: conversation kind = %q, want group", m.Text, m.ConversationKind)
		}
	}

	// Without a self name, every message is inbound.
	msgs, _ = readAll(t, openMemory(memTree{"message_1.json": data}, ingest.Options{Account: "test"}))
	for _, m := range msgs {
		if m.Direction != chat.Inbound {
			t.Errorf("message %q without SelfName: direction = %q, want in", m.Text, m.Direction)
		}
	}
}

func TestOpen_MojibakeWarnings(t *testing.T) {
	broken := latin1("Trần") + cutRunes(latin1("ạ"), 2)
	data := dyiFile(t, "inbox/a_1", customer, []string{customer, staff}, []dyiMsg{
		textMsg(customer, 2000, "Dạ"),
		textMsg(customer, 1000, "plain"),
	})
	// The broken string must be written as Meta would: each rune as one
	// \u00XX escape.
	var esc strings.Builder
	for _, r := range broken {
		esc.WriteString(`\u00`)
		esc.WriteString(strings.ToLower(string("0123456789ABCDEF"[r>>4]) + string("0123456789ABCDEF"[r&0xF])))
	}
	data = bytes.Replace(data, []byte(`"plain"`), []byte(`"`+esc.String()+`"`), 1)

	var warnings []ingest.Warning
	opts := testOptions
	opts.Warn = func(w ingest.Warning) { warnings = append(warnings, w) }
	msgs, _ := readAll(t, openMemory(memTree{"message_1.json": data}, opts))
	if len(msgs) != 2 {
		t.Fatalf("got %d messages, want 2", len(msgs))
	}
	if msgs[0].Text != broken || !slices.Equal(msgs[0].Warnings, []string{ingest.WarnMojibakeNotRepairable}) {
		t.Errorf("broken message: text %q, warnings %q; want it kept with MOJIBAKE_NOT_REPAIRABLE", msgs[0].Text, msgs[0].Warnings)
	}
	if msgs[1].Text != "Dạ" || len(msgs[1].Warnings) != 0 {
		t.Errorf("repaired message: text %q, warnings %q; want Dạ without warnings", msgs[1].Text, msgs[1].Warnings)
	}
	// Title and participant names (3), sender names (2) and one text.
	if len(warnings) != 1 || warnings[0].Code != ingest.WarnMojibakeRepaired || warnings[0].Count != 6 {
		t.Errorf("input warnings = %+v, want one MOJIBAKE_REPAIRED with Count 6", warnings)
	}
}

func TestOpenMedia(t *testing.T) {
	thread := "your_facebook_activity/messages/inbox/a_1"
	photo := thread + "/photos/1.jpg"
	sticker := "your_facebook_activity/messages/stickers_used/s.png"
	data := dyiFile(t, "inbox/a_1", customer, []string{customer, staff}, []dyiMsg{
		{"sender_name": customer, "timestamp_ms": 2000, "photos": []any{map[string]any{"uri": photo}}},
		{"sender_name": customer, "timestamp_ms": 1000, "sticker": map[string]any{"uri": sticker}},
	})
	exportFiles := map[string][]byte{
		thread + "/message_1.json": data,
		photo:                      []byte("jpeg bytes"),
		sticker:                    []byte("png bytes"),
	}

	root := t.TempDir()
	for name, body := range exportFiles {
		writeFile(t, filepath.Join(root, filepath.FromSlash(name)), body)
	}
	zipPath := filepath.Join(t.TempDir(), "dyi.zip")
	zipped := map[string][]byte{}
	for name, body := range exportFiles {
		zipped["facebook-phuc-2024/"+name] = body
	}
	writeZip(t, zipPath, zipped)

	tests := []struct {
		name  string
		input string
		want  map[string]string // attachment path -> bytes, "" when missing
	}{
		{"DYI root folder", root, map[string]string{photo: "jpeg bytes", sticker: "png bytes"}},
		{"zip with a top folder", zipPath, map[string]string{photo: "jpeg bytes", sticker: "png bytes"}},
		{"thread folder", filepath.Join(root, filepath.FromSlash(thread)), map[string]string{photo: "jpeg bytes", sticker: ""}},
		{"single file", filepath.Join(root, filepath.FromSlash(thread), "message_1.json"), map[string]string{photo: "jpeg bytes", sticker: ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Open(tt.input, testOptions)
			if err != nil {
				t.Fatal(err)
			}
			defer r.(io.Closer).Close()
			msgs, _ := readAll(t, r)
			media := r.(ingest.MediaOpener)
			for _, m := range msgs {
				a := m.Attachments[0]
				want, ok := tt.want[a.Path]
				if !ok {
					t.Fatalf("unexpected attachment path %q", a.Path)
				}
				rc, size, err := media.OpenMedia(a.Path)
				if want == "" {
					if !errors.Is(err, fs.ErrNotExist) {
						t.Errorf("OpenMedia(%s) error = %v, want fs.ErrNotExist", a.Path, err)
					}
					continue
				}
				if err != nil {
					t.Fatalf("OpenMedia(%s): %v", a.Path, err)
				}
				body, _ := io.ReadAll(rc)
				rc.Close()
				if string(body) != want || size != int64(len(want)) {
					t.Errorf("OpenMedia(%s) = %q (%d bytes), want %q", a.Path, body, size, want)
				}
			}
			if _, _, err := media.OpenMedia("../outside.jpg"); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("OpenMedia(../outside.jpg) error = %v, want fs.ErrNotExist", err)
			}
		})
	}
}

func TestOpen_E2EEMediaFromFolder(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "Tran Thu Trang_1.json"), e2eeFile(t, "Tran Thu Trang_1", []string{staff, customer}, []map[string]any{
		{"senderName": staff, "timestamp": 1000, "type": "media", "media": []any{map[string]any{"uri": "./media/a.jpeg"}}},
	}))
	writeFile(t, filepath.Join(dir, "media", "a.jpeg"), []byte("jpeg"))
	r, err := Open(dir, testOptions)
	if err != nil {
		t.Fatal(err)
	}
	defer r.(io.Closer).Close()
	msgs, _ := readAll(t, r)
	if len(msgs) != 1 || len(msgs[0].Attachments) != 1 {
		t.Fatalf("got %d messages, want 1 with an attachment", len(msgs))
	}
	rc, _, err := r.(ingest.MediaOpener).OpenMedia(msgs[0].Attachments[0].Path)
	if err != nil {
		t.Fatalf("OpenMedia: %v", err)
	}
	rc.Close()
}

// TestOpen_DYIRootImportsEveryFolder checks that every thread folder of a
// DYI archive is read, whatever folder of messages/ it is in.
func TestOpen_DYIRootImportsEveryFolder(t *testing.T) {
	root := t.TempDir()
	for i, folder := range []string{"inbox", "archived_threads", "filtered_threads", "e2ee_cutover", "message_requests"} {
		threadPath := folder + "/t_" + string(rune('1'+i))
		data := dyiFile(t, threadPath, customer, []string{customer, staff}, []dyiMsg{textMsg(customer, int64(1000*(i+1)), "xin chào")})
		writeFile(t, filepath.Join(root, "your_facebook_activity", "messages", filepath.FromSlash(threadPath), "message_1.json"), data)
	}
	writeFile(t, filepath.Join(root, "your_facebook_activity", "messages", "autofill_information.json"), []byte(`{"autofill_information_v2": {}}`))

	r, err := Open(root, testOptions)
	if err != nil {
		t.Fatal(err)
	}
	defer r.(io.Closer).Close()
	msgs, bad := readAll(t, r)
	if len(msgs) != 5 || len(bad) != 0 {
		t.Fatalf("got %d messages and %d bad records, want 5 messages", len(msgs), len(bad))
	}
	var ids []string
	for _, c := range r.(*Reader).Conversations() {
		ids = append(ids, c.ThreadPath)
	}
	want := []string{"archived_threads/t_2", "e2ee_cutover/t_4", "filtered_threads/t_3", "inbox/t_1", "message_requests/t_5"}
	if !slices.Equal(ids, want) {
		t.Errorf("conversations = %q, want %q", ids, want)
	}
}

func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func writeZip(t testing.TB, path string, files map[string][]byte) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(files[name])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, buf.Bytes())
}

// TestOpen_OneRepairWarningPerReader checks that repairs over several
// threads are reported once, at the end, and that Close reports them when
// reading stops early.
func TestOpen_OneRepairWarningPerReader(t *testing.T) {
	files := memTree{
		"inbox/a_1/message_1.json": dyiFile(t, "inbox/a_1", customer, []string{customer, staff}, []dyiMsg{textMsg(customer, 1000, "Dạ")}),
		"inbox/b_2/message_1.json": dyiFile(t, "inbox/b_2", "Lê Văn An", []string{"Lê Văn An", staff}, []dyiMsg{textMsg(staff, 1000, "Chào anh")}),
	}
	var warnings []ingest.Warning
	opts := testOptions
	opts.Warn = func(w ingest.Warning) { warnings = append(warnings, w) }

	r := openMemory(files, opts)
	msgs, _ := readAll(t, r)
	if len(msgs) != 2 {
		t.Fatalf("got %d messages, want 2", len(msgs))
	}
	// Per thread: title, two participants, sender and text.
	if len(warnings) != 1 || warnings[0].Code != ingest.WarnMojibakeRepaired || warnings[0].Count != 10 {
		t.Errorf("warnings = %+v, want one MOJIBAKE_REPAIRED with Count 10", warnings)
	}
	if len(warnings) == 1 && !strings.Contains(warnings[0].Detail, "threads affected: 2") {
		t.Errorf("warning detail %q does not count 2 threads", warnings[0].Detail)
	}
	r.Close()
	if len(warnings) != 1 {
		t.Errorf("Close after the end reported %d more warnings", len(warnings)-1)
	}

	warnings = nil
	r = openMemory(files, opts)
	if _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 0 {
		t.Errorf("warnings before the end: %+v", warnings)
	}
	r.Close()
	if len(warnings) != 1 || warnings[0].Code != ingest.WarnMojibakeRepaired {
		t.Errorf("warnings after an early Close = %+v, want one MOJIBAKE_REPAIRED", warnings)
	}
}

func TestOpen_OffsetCountsFiles(t *testing.T) {
	files := memTree{
		"t/message_1.json": dyiFile(t, "inbox/t", customer, nil, []dyiMsg{textMsg(customer, 2000, "hai")}),
		"t/message_2.json": dyiFile(t, "inbox/t", customer, nil, []dyiMsg{textMsg(customer, 1000, "một")}),
	}
	r := openMemory(files, testOptions)
	if r.Offset() != 0 {
		t.Errorf("Offset before reading = %d, want 0", r.Offset())
	}
	readAll(t, r)
	if want := int64(len(files["t/message_1.json"]) + len(files["t/message_2.json"])); r.Offset() != want {
		t.Errorf("Offset at the end = %d, want %d", r.Offset(), want)
	}
}

func TestOpen_E2EEZip(t *testing.T) {
	zipPath := filepath.Join(t.TempDir(), "e2ee.zip")
	writeZip(t, zipPath, map[string][]byte{
		"Tran Thu Trang_1.json": e2eeFile(t, "Tran Thu Trang_1", []string{staff, customer}, []map[string]any{
			{"senderName": customer, "timestamp": 1000, "type": "media", "media": []any{map[string]any{"uri": "./media/a.jpeg"}}},
		}),
		"Le Van An_1.json": e2eeFile(t, "Le Van An_1", []string{staff, "Lê Văn An"}, []map[string]any{
			{"senderName": staff, "timestamp": 2000, "type": "text", "text": "Chào anh"},
		}),
		"media/a.jpeg": []byte("jpeg"),
	})
	r, err := Open(zipPath, testOptions)
	if err != nil {
		t.Fatal(err)
	}
	defer r.(io.Closer).Close()
	msgs, bad := readAll(t, r)
	if len(msgs) != 2 || len(bad) != 0 {
		t.Fatalf("got %d messages and %d bad records, want 2 messages", len(msgs), len(bad))
	}
	var conversations []string
	for _, m := range msgs {
		conversations = append(conversations, m.Conversation)
	}
	if want := []string{"e2ee/Le Van An_1", "e2ee/Tran Thu Trang_1"}; !slices.Equal(conversations, want) {
		t.Errorf("conversations = %q, want %q", conversations, want)
	}
	rc, _, err := r.(ingest.MediaOpener).OpenMedia(msgs[1].Attachments[0].Path)
	if err != nil {
		t.Fatalf("OpenMedia(%s): %v", msgs[1].Attachments[0].Path, err)
	}
	rc.Close()
}
