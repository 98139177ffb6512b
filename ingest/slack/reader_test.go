package slack

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
	testUsers = `[
    {"id": "U01", "team_id": "T01", "name": "binh.tran", "real_name": "Trần Văn Bình", "profile": {"display_name": "Bình"}},
    {"id": "U02", "team_id": "T01", "name": "ha.le", "profile": {"real_name": "Lê Thu Hà", "display_name": "Hà"}},
    {"id": "U03", "team_id": "T01", "name": "minh.vo", "profile": {"display_name": "Minh"}},
    {"id": "U04", "team_id": "T01", "name": "tam.bui"},
    {"id": "U09", "team_id": "T09", "name": "khach", "real_name": "Khách Đối Tác"}
]`
	testChannels = `[{"id": "C01", "name": "don-hang"}]`
	testDay      = "don-hang/2024-03-01.json"
)

// writeExport writes an export folder holding files, with users.json and
// channels.json added unless files gives them, and returns its path.
func writeExport(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "export")
	all := map[string]string{usersFile: testUsers, channelsFile: testChannels}
	for name, data := range files {
		all[name] = data
	}
	for name, data := range all {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// readExport reads the export at path and returns its messages, bad records
// and warnings.
func readExport(t testing.TB, path string, opts ingest.Options) ([]*chat.Message, []*ingest.BadRecord, []ingest.Warning) {
	t.Helper()
	var warnings []ingest.Warning
	opts.Warn = func(w ingest.Warning) { warnings = append(warnings, w) }
	if opts.Account == "" {
		opts.Account = "test"
	}
	r := openExport(t, path, opts)
	defer r.Close()
	msgs, bad := readAll(t, r)
	return msgs, bad, warnings
}

// readDay reads an export whose only day file holds day, and returns the
// messages and bad records.
func readDay(t *testing.T, day string) ([]*chat.Message, []*ingest.BadRecord) {
	t.Helper()
	msgs, bad, _ := readExport(t, writeExport(t, map[string]string{testDay: day}), ingest.Options{})
	return msgs, bad
}

// readOne reads a day file of one message object, which must yield one
// message.
func readOne(t *testing.T, message string) *chat.Message {
	t.Helper()
	msgs, bad := readDay(t, "["+message+"]")
	for _, b := range bad {
		t.Errorf("unexpected bad record: %v", b)
	}
	if len(msgs) != 1 {
		t.Fatalf("got %d messages, want 1", len(msgs))
	}
	return msgs[0]
}

func TestReader_ZipMatchesFolder(t *testing.T) {
	folder := filepath.Join("..", "..", "testdata", "slack", "basic-export")
	for _, wrap := range []string{"", "Slack export Mar 1 2024"} {
		t.Run(fmt.Sprintf("top folder %q", wrap), func(t *testing.T) {
			src := folder
			if wrap != "" {
				// A zip made by compressing the export's folder holds
				// the files under that folder's name.
				src = filepath.Join(t.TempDir(), "outer")
				if err := os.CopyFS(filepath.Join(src, wrap), os.DirFS(folder)); err != nil {
					t.Fatal(err)
				}
			}
			zipPath := filepath.Join(t.TempDir(), "export.zip")
			zipFolder(t, src, zipPath)

			want, _, _ := readExport(t, folder, ingest.Options{})
			got, bad, warnings := readExport(t, zipPath, ingest.Options{})
			if len(bad) != 0 {
				t.Errorf("bad records: %v", bad)
			}
			if len(got) != len(want) || len(got) == 0 {
				t.Fatalf("zip gives %d messages, folder %d", len(got), len(want))
			}
			for i := range got {
				if got[i].SourceID != want[i].SourceID || string(got[i].Raw) != string(want[i].Raw) || got[i].Conversation != want[i].Conversation {
					t.Errorf("message %d differs: zip %s, folder %s", i, got[i].SourceID, want[i].SourceID)
				}
			}
			wantFile := zipPath + "/" + filepath.ToSlash(filepath.Join(wrap, testDay))
			if len(warnings) != 1 || warnings[0].Code != ingest.WarnMissingTS || warnings[0].File != wantFile {
				t.Errorf("warnings = %+v, want one MISSING_TS for %s", warnings, wantFile)
			}
		})
	}
}

func TestOpen_WrongInput(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string // nil: the path is a single file
		want  string
	}{
		{name: "single file", want: "not a Slack export (want the export's folder or zip"},
		{name: "folder without metadata", files: map[string]string{"result.json": `{"messages": []}`}, want: "no channels.json, groups.json, mpims.json or dms.json"},
		{name: "channels.json not an array", files: map[string]string{channelsFile: `{"channels": []}`}, want: "channels.json: line 1 (offset 0): want a JSON array of entries, got '{'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "result.json")
			if tt.files == nil {
				if err := os.WriteFile(path, []byte(`{"messages": []}`), 0o644); err != nil {
					t.Fatal(err)
				}
			} else {
				path = t.TempDir()
				for name, data := range tt.files {
					if err := os.WriteFile(filepath.Join(path, name), []byte(data), 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			r, err := Open(path, ingest.Options{Account: "test"})
			if err == nil {
				r.(io.Closer).Close()
				t.Fatalf("Open succeeded, want an error containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Open error = %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestOpen_MissingAccount(t *testing.T) {
	_, err := Open(writeExport(t, nil), ingest.Options{})
	if err == nil || !strings.Contains(err.Error(), "Account is empty") {
		t.Errorf("Open error = %v, want one about the empty account", err)
	}
}

func TestOpen_MissingPath(t *testing.T) {
	_, err := Open(filepath.Join(t.TempDir(), "nope"), ingest.Options{Account: "test"})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open error = %v, want fs.ErrNotExist", err)
	}
}

func TestReader_DamagedMetadataEntries(t *testing.T) {
	dir := writeExport(t, map[string]string{
		usersFile: `[{"id": "U01", "real_name": "Bình"}, {"name": "no id"}, 7, {"id": "U02", "real_name": 5}]`,
		testDay:   `[{"ts": "1.000001", "user": "U01"}, {"ts": "2.000001", "user": "U02"}]`,
	})
	msgs, bad, warnings := readExport(t, dir, ingest.Options{})
	if len(bad) != 0 || len(msgs) != 2 {
		t.Fatalf("got %d messages and bad records %v, want 2 messages", len(msgs), bad)
	}
	if msgs[0].Sender.Name != "Bình" || msgs[1].Sender.ID != "U02" || msgs[1].Sender.Name != "" {
		t.Errorf("senders = %+v, %+v", msgs[0].Sender, msgs[1].Sender)
	}
	var indexes []int
	for _, w := range warnings {
		if w.Code != ingest.WarnInvalidField || !strings.HasSuffix(w.File, usersFile) {
			t.Errorf("unexpected warning %+v", w)
		}
		indexes = append(indexes, w.Index)
	}
	if !slices.Equal(indexes, []int{1, 2, 3}) {
		t.Errorf("warned about users.json entries %v, want [1 2 3]", indexes)
	}
}

func TestReader_CutUsersFile(t *testing.T) {
	dir := writeExport(t, map[string]string{usersFile: `[{"id": "U01", "real_name": "Bình"}, {"id`, testDay: `[{"ts": "1.000001", "user": "U01"}]`})
	msgs, bad, warnings := readExport(t, dir, ingest.Options{})
	if len(bad) != 0 || len(msgs) != 1 || msgs[0].Sender.Name != "Bình" {
		t.Fatalf("got %d messages and bad records %v, want the message of Bình", len(msgs), bad)
	}
	if len(warnings) != 1 || warnings[0].Code != ingest.WarnInvalidField || warnings[0].Index != 1 || !strings.HasSuffix(warnings[0].File, usersFile) {
		t.Errorf("warnings = %+v, want INVALID_FIELD for users.json entry 1", warnings)
	}
}

func TestReader_Conversations(t *testing.T) {
	dir := writeExport(t, map[string]string{
		groupsFile:                     `[{"id": "G01", "name": "ban-giam-doc"}]`,
		mpimsFile:                      `[{"id": "G02", "name": "mpdm-binh.tran--ha.le-1"}]`,
		dmsFile:                        `[{"id": "D01", "members": ["U01", "U02"]}]`,
		"ban-giam-doc/2024-03-01.json": `[{"ts": "1.000001", "user": "U01"}]`,
		"mpdm-binh.tran--ha.le-1/2024-03-01.json": `[{"ts": "2.000001", "user": "U01"}]`,
		"D01/2024-03-01.json":                     `[{"ts": "3.000001", "user": "U02"}]`,
		"cu/2024-03-01.json":                      `[{"ts": "4.000001", "user": "U02"}]`,
		"cu/notes.txt":                            `x`,
		"cu/attachments/F1.pdf":                   `x`,
		"integration_logs.json":                   `[]`,
		"README.txt":                              `x`,
	})
	msgs, bad, warnings := readExport(t, dir, ingest.Options{})
	if len(bad) != 0 {
		t.Fatalf("bad records: %v", bad)
	}
	type conv struct {
		id, title string
		kind      chat.ConversationKind
	}
	var got []conv
	for _, m := range msgs {
		got = append(got, conv{m.Conversation, m.ConversationTitle, m.ConversationKind})
	}
	want := []conv{
		{"D01", "", chat.Direct},
		{"G01", "ban-giam-doc", chat.Channel},
		{"cu", "cu", chat.Channel},
		{"G02", "mpdm-binh.tran--ha.le-1", chat.Group},
	}
	if !slices.Equal(got, want) {
		t.Errorf("conversations = %+v, want %+v", got, want)
	}

	type warning struct {
		code, file string
		count      int
	}
	var gotWarnings []warning
	for _, w := range warnings {
		gotWarnings = append(gotWarnings, warning{w.Code, strings.TrimPrefix(w.File, dir+"/"), w.Count})
	}
	wantWarnings := []warning{
		{WarnUnlistedConversation, "cu", 0},
		{WarnFileSkipped, "", 1},   // README.txt
		{WarnFileSkipped, "cu", 2}, // notes.txt and attachments/F1.pdf
	}
	if !slices.Equal(gotWarnings, wantWarnings) {
		t.Errorf("warnings = %+v, want %+v", gotWarnings, wantWarnings)
	}
}

func TestReader_BadDayFiles(t *testing.T) {
	good := `{"ts": "1709254800.000100", "user": "U01", "text": "trước"}`
	next := `[{"ts": "1709254900.000100", "user": "U01", "text": "ngày sau"}]`
	tests := []struct {
		name   string
		day    string
		good   int    // messages read from the bad day file
		reason string // of the one bad record
		raw    string
	}{
		{name: "empty file", day: ``, reason: "the file is empty; want a JSON array of messages"},
		{name: "another format", day: "12/03/2024, 09:15 - Lan: chào", reason: "want a JSON array of messages, got '1'", raw: "12/03/2024, 09:15 - Lan: chào"},
		{name: "object instead of array", day: `{"messages": [` + good + `]}`, reason: "want a JSON array of messages, got '{'", raw: `{"messages": [` + good + `]}`},
		{name: "cut inside a message", day: "[" + good + `, {"ts": "17092549`, good: 1,
			reason: "element 1: the file ends inside the message, after 16 bytes of it; it may be truncated", raw: `{"ts": "17092549`},
		{name: "cut between messages", day: "[" + good + ",", good: 1,
			reason: "the file ends after 1 elements, before the closing ']' of the array; it may be truncated"},
		{name: "syntax error in a message", day: "[" + good + `, {"ts" "1"}, ` + good + "]", good: 2,
			reason: "element 1: invalid JSON: syntax error at byte 7 of the message, counting from 1", raw: `{"ts" "1"}`},
		{name: "element not an object", day: `["x", ` + good + "]", good: 1, reason: "element 0: want a JSON object, got string", raw: `"x"`},
		{name: "ts of the wrong type", day: `[{"ts": {"s": 1}}, ` + good + "]", good: 1,
			reason: `element 0: field "ts": want a string "seconds.microseconds", got object`, raw: `{"ts": {"s": 1}}`},
		{name: "ts not a time", day: `[{"ts": "hôm qua"}]`, reason: `element 0: field "ts": want "seconds.microseconds", got "hôm qua"`, raw: `{"ts": "hôm qua"}`},
		{name: "ts after year 9999", day: `[{"ts": "999999999999.0"}]`, reason: `element 0: field "ts": want "seconds.microseconds", got "999999999999.0"`, raw: `{"ts": "999999999999.0"}`},
		{name: "data after the array", day: "[" + good + "] []", good: 1, reason: "unexpected '[' after the end of the array", raw: "[]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeExport(t, map[string]string{testDay: tt.day, "don-hang/2024-03-02.json": next})
			msgs, bad, _ := readExport(t, dir, ingest.Options{})
			if len(msgs) != tt.good+1 {
				t.Errorf("got %d messages, want %d from the bad file and 1 from the next", len(msgs), tt.good)
			}
			if len(msgs) > 0 && msgs[len(msgs)-1].Text != "ngày sau" {
				t.Errorf("the next day file was not read")
			}
			if len(bad) != 1 {
				t.Fatalf("got bad records %v, want 1", bad)
			}
			b := bad[0]
			if b.Reason != tt.reason || string(b.Raw) != tt.raw {
				t.Errorf("bad record reason %q raw %q, want %q and %q", b.Reason, b.Raw, tt.reason, tt.raw)
			}
			if !strings.HasSuffix(b.File, "/"+testDay) {
				t.Errorf("bad record file = %q, want the day file", b.File)
			}
			if tt.raw != "" && !strings.HasPrefix(tt.day[b.Offset:], tt.raw) {
				t.Errorf("bad record offset %d does not point at its raw bytes", b.Offset)
			}
		})
	}
}

func TestReader_HugeMessage(t *testing.T) {
	huge := `{"ts": "1.000001", "text": "` + strings.Repeat("à", ingest.MaxRecordBytes/2+10) + `"}`
	day := `[` + huge + `, {"ts": "2.000001", "user": "U01", "text": "sau"}]`
	msgs, bad := readDay(t, day)
	if len(msgs) != 1 || msgs[0].Text != "sau" {
		t.Errorf("got %d messages, want the one after the huge message", len(msgs))
	}
	if len(bad) != 1 {
		t.Fatalf("got %d bad records, want 1", len(bad))
	}
	b := bad[0]
	wantReason := fmt.Sprintf("element 0: message is %d bytes long, more than the limit of %d bytes; only its start is kept", len(huge), ingest.MaxRecordBytes)
	if !b.Truncated || len(b.Raw) != ingest.MaxRecordBytes || b.Reason != wantReason || b.Offset != 1 {
		t.Errorf("bad record: truncated %v, %d raw bytes, offset %d, reason %q; want truncated, %d bytes, offset 1, %q",
			b.Truncated, len(b.Raw), b.Offset, b.Reason, ingest.MaxRecordBytes, wantReason)
	}
}

func TestReader_MissingTS(t *testing.T) {
	dir := writeExport(t, map[string]string{testDay: `[{"user": "U01"}, {"ts": null}, {"ts": "1.000001"}]`})
	msgs, bad, warnings := readExport(t, dir, ingest.Options{})
	if len(msgs) != 1 || len(bad) != 0 {
		t.Fatalf("got %d messages and %d bad records, want 1 and 0", len(msgs), len(bad))
	}
	if len(warnings) != 2 {
		t.Fatalf("warnings = %+v, want two MISSING_TS", warnings)
	}
	for i, w := range warnings {
		if w.Code != ingest.WarnMissingTS || w.Index != i || w.File != dir+"/"+testDay {
			t.Errorf("warning %d = %+v, want MISSING_TS at index %d of %s", i, w, i, testDay)
		}
	}
}

func TestParseTS_Examples(t *testing.T) {
	tests := []struct {
		name   string
		raw    string
		id     string
		time   time.Time
		reason string
	}{
		{name: "microseconds", raw: `"1709254800.000100"`, id: "1709254800.000100", time: time.Unix(1709254800, 100000)},
		{name: "nanoseconds", raw: `"1709254800.123456789"`, id: "1709254800.123456789", time: time.Unix(1709254800, 123456789)},
		{name: "no fraction", raw: `"1709254800"`, id: "1709254800", time: time.Unix(1709254800, 0)},
		{name: "number keeps its text", raw: `1709254800.000100`, id: "1709254800.000100", time: time.Unix(1709254800, 100000)},
		{name: "escaped digits", raw: `"1709254800.\u0030001"`, id: "1709254800.0001", time: time.Unix(1709254800, 100000)},
		{name: "ten fraction digits", raw: `"1.0123456789"`, reason: `want "seconds.microseconds", got "1.0123456789"`},
		{name: "empty fraction", raw: `"1."`, reason: `want "seconds.microseconds", got "1."`},
		{name: "negative", raw: `"-1.5"`, reason: `want "seconds.microseconds", got "-1.5"`},
		{name: "comma", raw: `"1709254800,000100"`, reason: `want "seconds.microseconds", got "1709254800,000100"`},
		{name: "empty", raw: `""`, reason: `want "seconds.microseconds", got ""`},
		{name: "boolean", raw: `true`, reason: `want a string "seconds.microseconds", got boolean`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, got, reason := parseTS([]byte(tt.raw))
			if id != tt.id || !got.Equal(tt.time) || reason != tt.reason {
				t.Errorf("parseTS(%s) = %q, %v, %q; want %q, %v, %q", tt.raw, id, got, reason, tt.id, tt.time, tt.reason)
			}
		})
	}
}

func TestReader_MessageShapes(t *testing.T) {
	present := false
	size := func(n int64) *int64 { return &n }
	tests := []struct {
		name    string
		message string
		check   func(t *testing.T, m *chat.Message)
	}{
		{
			name:    "system subtype",
			message: `{"type": "message", "subtype": "channel_topic", "ts": "1.000001", "user": "U01", "text": "<@U01> set the channel topic: Đơn"}`,
			check: func(t *testing.T, m *chat.Message) {
				if m.Kind != chat.KindSystem || m.RawType != "channel_topic" {
					t.Errorf("kind %q raw type %q, want system channel_topic", m.Kind, m.RawType)
				}
			},
		},
		{
			name:    "unknown type",
			message: `{"type": "huddle", "ts": "1.000001", "user": "U01"}`,
			check: func(t *testing.T, m *chat.Message) {
				if m.Kind != chat.KindUnknown || m.RawType != "huddle" || !slices.Equal(m.Warnings, []string{ingest.WarnUnknownMsgType}) {
					t.Errorf("kind %q raw type %q warnings %q, want unknown huddle [UNKNOWN_MSGTYPE]", m.Kind, m.RawType, m.Warnings)
				}
			},
		},
		{
			name: "image, deleted file and download link",
			message: `{"ts": "1.000001", "user": "U01", "files": [
				{"name": "a.png", "mimetype": "image/png", "size": "120", "url_private": "https://files.example.com/a.png", "url_private_download": "https://files.example.com/download/a.png", "original_w": 640, "original_h": 480},
				{"id": "F2", "mode": "tombstone"}]}`,
			check: func(t *testing.T, m *chat.Message) {
				want := []chat.Attachment{
					{Kind: "image", Name: "a.png", MIME: "image/png", Size: size(120), URI: "https://files.example.com/a.png",
						AltURIs: []string{"https://files.example.com/download/a.png"}, Present: &present, AbsentReason: chat.AbsentRemoteURLOnly, Width: 640, Height: 480},
					{Kind: "file", Present: &present, AbsentReason: chat.AbsentUnavailable},
				}
				if m.Kind != chat.KindFile || jsonText(m.Attachments) != jsonText(want) {
					t.Errorf("kind %q attachments %+v, want file %+v", m.Kind, m.Attachments, want)
				}
			},
		},
		{
			name:    "audio clip",
			message: `{"ts": "1.000001", "user": "U01", "files": [{"name": "clip.m4a", "mimetype": "audio/mp4", "url_private": "https://files.example.com/clip.m4a"}]}`,
			check: func(t *testing.T, m *chat.Message) {
				if m.Kind != chat.KindVoice || m.Attachments[0].Kind != "audio" {
					t.Errorf("kind %q attachment kind %q, want voice and audio", m.Kind, m.Attachments[0].Kind)
				}
			},
		},
		{
			name:    "link preview and bot attachment",
			message: `{"ts": "1.000001", "user": "U01", "text": "<https://example.com/sp>", "attachments": [{"from_url": "https://example.com/sp", "title": "Bàn gỗ sồi", "text": "Giá 3.200.000đ"}, {"pretext": "Cảnh báo", "text": "Tồn kho thấp"}]}`,
			check: func(t *testing.T, m *chat.Message) {
				want := []chat.Attachment{{Kind: "link", URI: "https://example.com/sp", Title: "Bàn gỗ sồi", Description: "Giá 3.200.000đ"}}
				if jsonText(m.Attachments) != jsonText(want) {
					t.Errorf("attachments %+v, want %+v", m.Attachments, want)
				}
				if wantIndex := "https://example.com/sp\nGiá 3.200.000đ\nCảnh báo\nTồn kho thấp"; m.IndexText != wantIndex {
					t.Errorf("index text %q, want %q", m.IndexText, wantIndex)
				}
			},
		},
		{
			name:    "names from user_profile and bot_profile",
			message: `{"ts": "1.000001", "user": "U77", "user_profile": {"real_name": "Người Ngoài", "name": "ngoai"}}`,
			check: func(t *testing.T, m *chat.Message) {
				if m.Sender != (chat.Participant{ID: "U77", Name: "Người Ngoài"}) || m.Direction != chat.Inbound {
					t.Errorf("sender %+v direction %q, want U77 Người Ngoài inbound", m.Sender, m.Direction)
				}
			},
		},
		{
			name:    "bot named by its profile",
			message: `{"subtype": "bot_message", "ts": "1.000001", "bot_id": "B01", "bot_profile": {"name": "Kho Bot"}}`,
			check: func(t *testing.T, m *chat.Message) {
				if m.Sender != (chat.Participant{ID: "B01", Name: "Kho Bot"}) || m.Kind != chat.KindText || m.Direction != chat.Outbound {
					t.Errorf("sender %+v kind %q direction %q", m.Sender, m.Kind, m.Direction)
				}
			},
		},
		{
			name:    "member of another team is inbound",
			message: `{"ts": "1.000001", "user": "U09"}`,
			check: func(t *testing.T, m *chat.Message) {
				if m.Direction != chat.Inbound || m.Sender.Name != "Khách Đối Tác" {
					t.Errorf("sender %+v direction %q, want inbound", m.Sender, m.Direction)
				}
			},
		},
		{
			name:    "names: display name, then handle",
			message: `{"ts": "1.000001", "user": "U03", "text": "<@U04>"}`,
			check: func(t *testing.T, m *chat.Message) {
				if m.Sender.Name != "Minh" || m.IndexText != "@tam.bui" {
					t.Errorf("sender name %q index text %q, want Minh and @tam.bui", m.Sender.Name, m.IndexText)
				}
			},
		},
		{
			name:    "members of the wrong type",
			message: `{"ts": "1.000001", "user": "U01", "text": 5, "edited": {"ts": "x"}, "reactions": [{"name": "ok", "users": ["U02", 3]}, 1], "files": "f"}`,
			check: func(t *testing.T, m *chat.Message) {
				if !slices.Equal(m.Warnings, []string{ingest.WarnInvalidField}) || m.Text != "" || !m.Edited || m.EditedAt != nil {
					t.Errorf("warnings %q text %q edited %v at %v", m.Warnings, m.Text, m.Edited, m.EditedAt)
				}
				if want := []chat.Reaction{{ActorID: "U02", Actor: "Lê Thu Hà", Reaction: "ok"}}; !slices.Equal(m.Reactions, want) {
					t.Errorf("reactions %+v, want %+v", m.Reactions, want)
				}
			},
		},
		{
			name:    "escaped text and numeric thread_ts",
			message: `{"ts": "2.000001", "thread_ts": 1.000001, "user": "U01", "text": "https:\/\/example.com \u0110\u00e3 &amp; xong"}`,
			check: func(t *testing.T, m *chat.Message) {
				if m.Text != "https://example.com Đã &amp; xong" || m.IndexText != "https://example.com Đã & xong" {
					t.Errorf("text %q index text %q", m.Text, m.IndexText)
				}
				if m.ThreadRoot != "1.000001" || m.ReplyTo != "1.000001" {
					t.Errorf("thread root %q reply to %q, want 1.000001", m.ThreadRoot, m.ReplyTo)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := readOne(t, tt.message)
			if m.Source != Source || m.Account != "test" || m.Conversation != "C01" || m.SourceID == "" {
				t.Errorf("source %q account %q conversation %q source id %q", m.Source, m.Account, m.Conversation, m.SourceID)
			}
			tt.check(t, m)
		})
	}
}

// jsonText returns v as JSON, to compare values that hold pointers.
func jsonText(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(data)
}

func TestReader_AccountUID(t *testing.T) {
	dir := writeExport(t, map[string]string{testDay: `[
		{"ts": "1.000001", "user": "U01"},
		{"ts": "2.000001", "user": "U02"},
		{"subtype": "bot_message", "ts": "3.000001", "bot_id": "B01"}]`})
	msgs, _, _ := readExport(t, dir, ingest.Options{AccountUID: "U02"})
	var got []chat.Direction
	for _, m := range msgs {
		got = append(got, m.Direction)
	}
	if want := []chat.Direction{chat.Inbound, chat.Outbound, chat.Inbound}; !slices.Equal(got, want) {
		t.Errorf("directions = %v, want %v", got, want)
	}
}

func TestReader_OffsetAndLocation(t *testing.T) {
	day := `[{"ts": "1709254800.000100", "user": "U01"}]`
	dir := writeExport(t, map[string]string{testDay: day, "don-hang/2024-03-02.json": day})
	loc := time.FixedZone("UTC+9", 9*3600)
	r := openExport(t, dir, ingest.Options{Account: "test", Location: loc})
	defer r.Close()
	msgs, _ := readAll(t, r)
	if got, want := r.Offset(), int64(2*len(day)); got != want {
		t.Errorf("Offset at the end = %d, want %d", got, want)
	}
	if len(msgs) != 2 || msgs[0].SentAt.Location() != loc {
		t.Errorf("SentAt zone = %v, want %v", msgs[0].SentAt.Location(), loc)
	}
}

// writeZip writes a zip holding files, in the given order, and returns its
// path.
func writeZip(t *testing.T, files [][2]string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "export.zip")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, file := range files {
		w, err := zw.Create(file[0])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, file[1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReader_ZipBombDayFile(t *testing.T) {
	// Deflate packs a run of spaces about 1030 times, more than the ratio
	// export.DefaultLimits accepts.
	bomb := "[" + strings.Repeat(" ", 20<<20) + "]"
	path := writeZip(t, [][2]string{
		{usersFile, testUsers}, {channelsFile, testChannels},
		{testDay, bomb},
		{"don-hang/2024-03-02.json", `[{"ts": "1.000001", "user": "U01"}]`},
	})
	msgs, bad, _ := readExport(t, path, ingest.Options{})
	if len(msgs) != 1 {
		t.Errorf("got %d messages, want the one of the next day file", len(msgs))
	}
	if len(bad) != 1 || !strings.Contains(bad[0].Reason, "exceeds the size limits") || bad[0].File != path+"/"+testDay {
		t.Errorf("bad records = %v, want one for the oversized %s", bad, testDay)
	}
}

func TestReader_DamagedZipEntry(t *testing.T) {
	day := `[{"ts": "1.000001", "user": "U01", "text": "` + strings.Repeat("đơn hàng ", 2000) + `"}]`
	path := writeZip(t, [][2]string{
		{usersFile, testUsers}, {channelsFile, testChannels},
		{testDay, day},
		{"don-hang/2024-03-02.json", `[{"ts": "2.000001", "user": "U01"}]`},
	})
	// Flip bytes in the middle of the compressed day file, which the
	// zip's checksum or the decompressor then reports.
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	at := bytes.Index(data, []byte(testDay)) + len(testDay) + 40
	for i := at; i < at+8; i++ {
		data[i] ^= 0xff
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}

	msgs, bad, _ := readExport(t, path, ingest.Options{})
	if len(msgs) == 0 || msgs[len(msgs)-1].SourceID != "2.000001" {
		t.Errorf("the day file after the damaged one was not read")
	}
	if len(bad) != 1 || !strings.HasPrefix(bad[0].Reason, "reading the day file failed: ") || bad[0].File != path+"/"+testDay {
		t.Fatalf("bad records = %v, want one read failure of %s", bad, testDay)
	}
}
