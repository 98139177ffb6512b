package whatsapp

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"chatseal/chat"
	"chatseal/ingest"
)

var testOptions = ingest.Options{Account: "test"}

const androidChat = "15/03/2024, 08:59 - Trần Văn Bình created group \"Đơn hàng Quận 7\"\n" +
	"15/03/2024, 09:02 - Lê Thu Hà: IMG-20240315-WA0001.jpg (file attached)\n" +
	"Mẫu áo\n" +
	"15/03/2024, 09:03 - Trần Văn Bình: Dạ\n"

const iosChat = "[15/03/2024, 08:59:40] Đơn hàng Quận 7: \u200eTrần Văn Bình created group “Đơn hàng Quận 7”\n" +
	"[15/03/2024, 09:05:02] Lê Thu Hà: \u200e<attached: 00000003-PHOTO-2024-03-15-09-05-02.jpg>\n" +
	"[15/03/2024, 09:06:00] Lê Thu Hà: ok\n"

// writeZip writes a zip of files, in the given order, and returns its path.
func writeZip(t *testing.T, name string, files ...[2]string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	f, err := os.Create(p)
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
	return p
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// openExport opens path and returns the reader with its messages.
func openExport(t *testing.T, path string, opts ingest.Options) (ingest.Reader, []*chat.Message) {
	t.Helper()
	r, err := Open(path, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := r.(io.Closer).Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	msgs, bad := drain(t, r)
	if len(bad) != 0 {
		t.Fatalf("bad records: %v", bad)
	}
	return r, msgs
}

func checkMedia(t *testing.T, r ingest.Reader, path, want string) {
	t.Helper()
	mo, ok := r.(ingest.MediaOpener)
	if !ok {
		t.Fatal("reader does not implement ingest.MediaOpener")
	}
	rc, size, err := mo.OpenMedia(path)
	if err != nil {
		t.Fatalf("OpenMedia(%q): %v", path, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != want || size != int64(len(want)) {
		t.Errorf("OpenMedia(%q) = %q (%d bytes), want %q", path, data, size, want)
	}
	if _, _, err := mo.OpenMedia("missing.jpg"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("OpenMedia(missing.jpg) error = %v, want fs.ErrNotExist", err)
	}
}

func TestOpen_IOSZip(t *testing.T) {
	path := writeZip(t, "WhatsApp Chat - Đơn hàng Quận 7.zip",
		[2]string{"00000003-PHOTO-2024-03-15-09-05-02.jpg", "jpeg bytes"},
		[2]string{"_chat.txt", iosChat},
	)
	r, msgs := openExport(t, path, testOptions)
	if len(msgs) != 3 {
		t.Fatalf("got %d messages, want 3", len(msgs))
	}
	for _, m := range msgs {
		if m.Conversation != "Đơn hàng Quận 7" || m.ConversationTitle != "Đơn hàng Quận 7" {
			t.Errorf("conversation %q, title %q; want both %q", m.Conversation, m.ConversationTitle, "Đơn hàng Quận 7")
		}
		if m.ConversationKind != chat.Group {
			t.Errorf("conversation kind = %q, want group", m.ConversationKind)
		}
	}
	a := msgs[1].Attachments[0]
	if a.Path != "00000003-PHOTO-2024-03-15-09-05-02.jpg" || a.Present != nil {
		t.Errorf("attachment path %q, present %v; want the file name and nil", a.Path, a.Present)
	}
	checkMedia(t, r, a.Path, "jpeg bytes")
}

func TestOpen_AndroidZipInFolder(t *testing.T) {
	path := writeZip(t, "export.zip",
		[2]string{"WhatsApp Chat with Chị Tuyết/WhatsApp Chat with Chị Tuyết.txt", androidChat},
		[2]string{"WhatsApp Chat with Chị Tuyết/IMG-20240315-WA0001.jpg", "img"},
		[2]string{"WhatsApp Chat with Chị Tuyết/notes.txt", "not a chat\n"},
	)
	r, msgs := openExport(t, path, testOptions)
	if got := msgs[0].Conversation; got != "Chị Tuyết" {
		t.Errorf("conversation = %q, want %q", got, "Chị Tuyết")
	}
	a := msgs[1].Attachments[0]
	if want := "WhatsApp Chat with Chị Tuyết/IMG-20240315-WA0001.jpg"; a.Path != want {
		t.Errorf("attachment path = %q, want %q", a.Path, want)
	}
	checkMedia(t, r, a.Path, "img")
}

func TestOpen_Folder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "export")
	writeFile(t, filepath.Join(dir, "WhatsApp Chat with Chị Tuyết.txt"), androidChat)
	writeFile(t, filepath.Join(dir, "IMG-20240315-WA0001.jpg"), "img")
	r, msgs := openExport(t, dir, ingest.Options{Account: "test", Conversation: "Khách Tuyết"})
	if got := msgs[0].Conversation; got != "Khách Tuyết" {
		t.Errorf("conversation = %q, want the option %q", got, "Khách Tuyết")
	}
	if got := msgs[0].ConversationTitle; got != "Chị Tuyết" {
		t.Errorf("title = %q, want %q from the file name", got, "Chị Tuyết")
	}
	checkMedia(t, r, msgs[1].Attachments[0].Path, "img")
}

func TestOpen_TxtFileMediaBeside(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "WhatsApp Chat with Chị Tuyết.txt")
	writeFile(t, path, androidChat)
	writeFile(t, filepath.Join(dir, "IMG-20240315-WA0001.jpg"), "img")
	r, msgs := openExport(t, path, testOptions)
	if len(msgs) != 3 {
		t.Fatalf("got %d messages, want 3", len(msgs))
	}
	checkMedia(t, r, msgs[1].Attachments[0].Path, "img")
}

func TestOpen_SeveralChats(t *testing.T) {
	path := writeZip(t, "two.zip",
		[2]string{"a/_chat.txt", iosChat},
		[2]string{"b/_chat.txt", iosChat},
	)
	_, err := Open(path, testOptions)
	if err == nil || !strings.Contains(err.Error(), "several chats") {
		t.Errorf("Open error = %v, want one naming several chats", err)
	}
}

func TestOpen_NoChat(t *testing.T) {
	tests := []struct {
		name  string
		files [][2]string
	}{
		{"no txt", [][2]string{{"IMG-20240315-WA0001.jpg", "img"}}},
		{"no txt parses", [][2]string{{"a.txt", "hello\n"}, {"b.txt", "{}\n"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Open(writeZip(t, "x.zip", tt.files...), testOptions)
			if !errors.Is(err, errNotExport) {
				t.Errorf("Open error = %v, want one wrapping %v", err, errNotExport)
			}
		})
	}
}

func TestOpen_UnsafeZipEntry(t *testing.T) {
	path := writeZip(t, "x.zip", [2]string{"_chat.txt", iosChat}, [2]string{"../evil.jpg", "x"})
	var warnings []ingest.Warning
	opts := testOptions
	opts.Warn = func(w ingest.Warning) { warnings = append(warnings, w) }
	openExport(t, path, opts)
	if len(warnings) != 1 || warnings[0].Code != WarnUnsafeZipEntry {
		t.Errorf("warnings = %+v, want one %s", warnings, WarnUnsafeZipEntry)
	}
}

func TestOpen_Missing(t *testing.T) {
	if _, err := Open(filepath.Join(t.TempDir(), "none.zip"), testOptions); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open error = %v, want fs.ErrNotExist", err)
	}
}

func TestOpen_DamagedZip(t *testing.T) {
	path := writeZip(t, "x.zip", [2]string{"_chat.txt", iosChat})
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, string(data[:len(data)/2]))
	if _, err := Open(path, testOptions); err == nil || !strings.Contains(err.Error(), "x.zip") {
		t.Errorf("Open error = %v, want one naming the zip", err)
	}
}

func TestReader_BadInput(t *testing.T) {
	tests := []struct {
		name  string
		input string
		opts  ingest.Options
		want  string // part of the error
	}{
		{"empty", "", testOptions, "the file is empty"},
		{"blank lines", "\n\n\r\n", testOptions, "the file is empty"},
		{"json", `{"messages": [{"id": 1}]}` + "\n", testOptions, "not a WhatsApp chat export"},
		{"binary", "\x00\x01\x02PK\x03\x04", testOptions, "not a WhatsApp chat export"},
		{"no account", androidChat, ingest.Options{}, "Account is empty"},
		{"bad date order", androidChat, ingest.Options{Account: "a", DateOrder: "dym"}, `date order "dym" is not valid`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReader(strings.NewReader(tt.input), "in.txt", tt.opts)
			_, err := r.Next()
			if err == nil || err == io.EOF || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "in.txt") {
				t.Fatalf("Next error = %v, want one naming in.txt and containing %q", err, tt.want)
			}
			if _, again := r.Next(); again != err {
				t.Errorf("second Next error = %v, want the same error", again)
			}
		})
	}
}

func TestReader_TruncatedFile(t *testing.T) {
	input := androidChat + "16/03/2024, 07:15 - Lê Thu Hà: Shop còn hà"
	msgs, bad := readAll(t, strings.NewReader(input), "in.txt", testOptions)
	if len(bad) != 0 || len(msgs) != 4 {
		t.Fatalf("got %d messages and %d bad records, want 4 and 0", len(msgs), len(bad))
	}
	if got := msgs[3].Text; got != "Shop còn hà" {
		t.Errorf("last text = %q, want the part before the cut", got)
	}

	// Cut inside a header: the partial line is a continuation.
	input = androidChat + "16/03/20"
	msgs, _ = readAll(t, strings.NewReader(input), "in.txt", testOptions)
	if got := msgs[len(msgs)-1].Text; got != "Dạ\n16/03/20" {
		t.Errorf("last text = %q, want the cut line as a continuation", got)
	}
}

func TestReader_LinesBeforeFirstHeader(t *testing.T) {
	input := "Export of chat\n\n" + androidChat
	msgs, bad := readAll(t, strings.NewReader(input), "in.txt", testOptions)
	if len(msgs) != 3 {
		t.Errorf("got %d messages, want 3", len(msgs))
	}
	if len(bad) != 1 {
		t.Fatalf("got %d bad records, want 1", len(bad))
	}
	if b := bad[0]; b.Line != 1 || b.Offset != 0 || string(b.Raw) != "Export of chat\n" || b.File != "in.txt" {
		t.Errorf("bad record = %+v, want line 1 at offset 0 with the two lines", b)
	}
}

func TestReader_InvalidDate(t *testing.T) {
	input := "15/03/2024, 08:59 - A: one\n" +
		"31/02/2024, 09:00 - A: two\nmore\n" +
		"15/03/2024, 09:01 - A: three\n"
	msgs, bad := readAll(t, strings.NewReader(input), "in.txt", testOptions)
	if len(msgs) != 2 || msgs[1].Text != "three" {
		t.Errorf("got %d messages, want one and three", len(msgs))
	}
	if len(bad) != 1 {
		t.Fatalf("got %d bad records, want 1", len(bad))
	}
	b := bad[0]
	if b.Line != 2 || b.Offset != 27 || string(b.Raw) != "31/02/2024, 09:00 - A: two\nmore" {
		t.Errorf("bad record line %d offset %d raw %q; want line 2, offset 27, the header and its continuation", b.Line, b.Offset, b.Raw)
	}
	if !strings.Contains(b.Reason, "invalid date 31/2/2024") || strings.Contains(b.Reason, "two") {
		t.Errorf("reason = %q, want the invalid date and no message text", b.Reason)
	}
}

func TestReader_LongLine(t *testing.T) {
	long := strings.Repeat("ạ", ingest.MaxRecordBytes/2+10)
	input := "15/03/2024, 08:59 - A: one\n15/03/2024, 09:00 - A: " + long + "\n15/03/2024, 09:01 - A: three\n"
	msgs, bad := readAll(t, strings.NewReader(input), "in.txt", testOptions)
	if len(msgs) != 2 || msgs[0].Text != "one" || msgs[1].Text != "three" {
		t.Errorf("got %d messages, want one and three", len(msgs))
	}
	if len(bad) != 1 || !bad[0].Truncated || len(bad[0].Raw) != ingest.MaxRecordBytes || bad[0].Line != 2 {
		t.Fatalf("bad records = %d, want one truncated at line 2 with %d raw bytes", len(bad), ingest.MaxRecordBytes)
	}
}

func TestReader_LongMessage(t *testing.T) {
	input := "15/03/2024, 08:59 - A: one\n" + strings.Repeat("continuation line\n", 20) + "15/03/2024, 09:01 - A: two\n"
	r := newReader(strings.NewReader(input), names{label: "in.txt", txt: "in.txt"}, testOptions)
	r.maxItem = 100
	msgs, bad := drain(t, r)
	if len(msgs) != 1 || msgs[0].Text != "two" {
		t.Errorf("got %d messages, want two only", len(msgs))
	}
	if len(bad) != 1 || !bad[0].Truncated || len(bad[0].Raw) != 100 || !strings.Contains(bad[0].Reason, "more than the limit") {
		t.Errorf("bad records = %+v, want one truncated at 100 bytes", bad)
	}
}

func TestReader_RawAndOffsets(t *testing.T) {
	tests := []struct {
		name  string
		input string
		raws  []string
	}{
		{"lf", androidChat, []string{
			"15/03/2024, 08:59 - Trần Văn Bình created group \"Đơn hàng Quận 7\"",
			"15/03/2024, 09:02 - Lê Thu Hà: IMG-20240315-WA0001.jpg (file attached)\nMẫu áo",
			"15/03/2024, 09:03 - Trần Văn Bình: Dạ",
		}},
		{"crlf with bom", "\ufeff15/03/2024, 08:59 - A: x\r\ny\r\n\r\n15/03/2024, 09:00 - B: z", []string{
			"\ufeff15/03/2024, 08:59 - A: x\r\ny\r\n",
			"15/03/2024, 09:00 - B: z",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReader(strings.NewReader(tt.input), "in.txt", testOptions)
			msgs, bad := drain(t, r)
			if len(bad) != 0 || len(msgs) != len(tt.raws) {
				t.Fatalf("got %d messages and %d bad records, want %d messages", len(msgs), len(bad), len(tt.raws))
			}
			for i, m := range msgs {
				if string(m.Raw) != tt.raws[i] {
					t.Errorf("message %d raw = %q, want %q", i+1, m.Raw, tt.raws[i])
				}
				if strings.Contains(m.Text, "\r") {
					t.Errorf("message %d text %q keeps a carriage return", i+1, m.Text)
				}
			}
			if got := r.Offset(); got != int64(len(tt.input)) {
				t.Errorf("Offset = %d, want %d", got, len(tt.input))
			}
		})
	}
	msgs, _ := readAll(t, strings.NewReader(tests[1].input), "in.txt", testOptions)
	if got := msgs[0].Text; got != "x\ny\n" {
		t.Errorf("crlf text = %q, want %q", got, "x\ny\n")
	}
}

func TestReader_Identity(t *testing.T) {
	first := "01/03/2024, 08:00 - Chị Tuyết: Em ơi\n01/03/2024, 08:01 - Chị Tuyết: ok\n01/03/2024, 08:01 - Chị Tuyết: ok\n"
	second := "01/03/2024, 08:01 - Chị Tuyết: ok\n01/03/2024, 08:01 - Chị Tuyết: ok\n02/03/2024, 09:30 - Shop: Đã gửi\n"
	read := func(input, conversation string) []*chat.Message {
		opts := testOptions
		opts.Conversation = conversation
		msgs, _ := readAll(t, strings.NewReader(input), "in.txt", opts)
		return msgs
	}
	a, b := read(first, "Chị Tuyết"), read(second, "Chị Tuyết")
	if a[1].SourceID == a[2].SourceID {
		t.Errorf("two identical messages in one minute share the id %s", a[1].SourceID)
	}
	if a[1].SourceID != b[0].SourceID || a[2].SourceID != b[1].SourceID {
		t.Errorf("overlapping exports give different ids: %s %s, then %s %s", a[1].SourceID, a[2].SourceID, b[0].SourceID, b[1].SourceID)
	}
	if other := read(first, "Nhóm khách sỉ"); other[1].SourceID == a[1].SourceID {
		t.Errorf("the same line in another conversation has the same id")
	}
	// The id does not depend on the zone or the clock format.
	opts := testOptions
	opts.Conversation, opts.Location = "Chị Tuyết", time.UTC
	twelve, _ := readAll(t, strings.NewReader("01/03/2024, 8:00 AM - Chị Tuyết: Em ơi\n"), "in.txt", opts)
	if twelve[0].SourceID != a[0].SourceID {
		t.Errorf("12-hour export in UTC gives id %s, want %s", twelve[0].SourceID, a[0].SourceID)
	}
	if len(a[0].SourceID) != 32 {
		t.Errorf("source id %q is not 32 hex digits", a[0].SourceID)
	}
}

func TestReader_ConversationFromName(t *testing.T) {
	msgs, _ := readAll(t, strings.NewReader(androidChat), "/tmp/WhatsApp Chat with Chị Tuyết.txt", testOptions)
	if got := msgs[0].Conversation; got != "Chị Tuyết" {
		t.Errorf("conversation = %q, want %q", got, "Chị Tuyết")
	}
	msgs, _ = readAll(t, strings.NewReader(iosChat), "_chat.txt", testOptions)
	if got := msgs[0].Conversation; got != "Đơn hàng Quận 7" {
		t.Errorf("iOS conversation = %q, want the chat name %q", got, "Đơn hàng Quận 7")
	}
	msgs, _ = readAll(t, strings.NewReader(androidChat), "Chi\u0323 Tuye\u0302\u0301t.txt", testOptions)
	if got := msgs[0].Conversation; got != "Chị Tuyết" {
		t.Errorf("conversation from an NFD name = %q, want NFC %q", got, "Chị Tuyết")
	}
}

func TestReader_Direction(t *testing.T) {
	opts := testOptions
	opts.SelfName = "Tra\u0302\u0300n Va\u0306n Bi\u0300nh" // NFD
	msgs, _ := readAll(t, strings.NewReader(androidChat), "in.txt", opts)
	want := []chat.Direction{chat.Inbound, chat.Inbound, chat.Outbound}
	for i, m := range msgs {
		if m.Direction != want[i] {
			t.Errorf("message %d direction = %q, want %q", i+1, m.Direction, want[i])
		}
	}
	if s := msgs[0]; s.Kind != chat.KindSystem || s.Sender != (chat.Participant{}) {
		t.Errorf("system line kind %q sender %+v, want system and no sender", s.Kind, s.Sender)
	}
}

func TestReader_DaylightSaving(t *testing.T) {
	opts := testOptions
	opts.Location = mustLoad(t, "Europe/Berlin")
	input := "31/03/2024, 01:59 - A: before\n31/03/2024, 02:30 - A: gap\n27/10/2024, 02:30 - A: repeat\n27/10/2024, 03:30 - A: after\n"
	msgs, _ := readAll(t, strings.NewReader(input), "in.txt", opts)
	want := [][]string{nil, {ingest.WarnNonexistentLocalTime}, {ingest.WarnAmbiguousLocalTime}, nil}
	for i, m := range msgs {
		if strings.Join(m.Warnings, ",") != strings.Join(want[i], ",") {
			t.Errorf("message %d warnings = %q, want %q", i+1, m.Warnings, want[i])
		}
	}
}

func TestReader_DateOrderWarning(t *testing.T) {
	input := "01/02/2024, 10:00 - A: x\n01/02/2024, 11:00 - A: y\n"
	var warnings []ingest.Warning
	opts := testOptions
	opts.Warn = func(w ingest.Warning) { warnings = append(warnings, w) }
	msgs, _ := readAll(t, strings.NewReader(input), "in.txt", opts)
	if len(warnings) != 1 || warnings[0].Code != WarnDateOrderAmbiguous || warnings[0].File != "in.txt" {
		t.Fatalf("warnings = %+v, want one %s", warnings, WarnDateOrderAmbiguous)
	}
	if got := msgs[0].SentAt.Month(); got != time.February {
		t.Errorf("month = %s, want February (day first)", got)
	}

	warnings = nil
	opts.DateOrder = "mdy"
	msgs, _ = readAll(t, strings.NewReader(input), "in.txt", opts)
	if len(warnings) != 0 || msgs[0].SentAt.Month() != time.January {
		t.Errorf("with date order mdy: warnings %+v, month %s; want none and January", warnings, msgs[0].SentAt.Month())
	}

	// Consecutive days as month/day, a month apart as day/month.
	warnings = nil
	opts.DateOrder = ""
	input = "01/02/2024, 10:00 - A: x\n01/03/2024, 10:00 - A: y\n"
	msgs, _ = readAll(t, strings.NewReader(input), "in.txt", opts)
	if len(warnings) != 1 || msgs[1].SentAt.Day() != 3 {
		t.Errorf("warnings %+v, second date %s; want one warning and January 3", warnings, msgs[1].SentAt)
	}
}

func TestReader_DecidedLate(t *testing.T) {
	// Only the 300th header proves the order; the look-ahead must reach it.
	var b strings.Builder
	for i := 0; i < 300; i++ {
		b.WriteString("01/02/2024, 10:00 - A: x\n")
	}
	b.WriteString("13/02/2024, 10:00 - A: y\n")
	var warnings []ingest.Warning
	opts := testOptions
	opts.Warn = func(w ingest.Warning) { warnings = append(warnings, w) }
	msgs, bad := readAll(t, strings.NewReader(b.String()), "in.txt", opts)
	if len(msgs) != 301 || len(bad) != 0 || len(warnings) != 0 {
		t.Errorf("got %d messages, %d bad records, warnings %+v; want 301, 0, none", len(msgs), len(bad), warnings)
	}
}

func TestReader_ShapeLock(t *testing.T) {
	// An Android-style line typed inside an iOS message is text.
	input := "[15/03/2024, 09:02:11] Lê Thu Hà: xem lịch sử:\n15/03/2024, 08:59 - Shop: chào\n[15/03/2024, 09:03:00] Lê Thu Hà: ok\n"
	msgs, _ := readAll(t, strings.NewReader(input), "in.txt", testOptions)
	if len(msgs) != 2 || msgs[0].Text != "xem lịch sử:\n15/03/2024, 08:59 - Shop: chào" {
		t.Errorf("got %d messages, first text %q; want 2 with the pasted line kept", len(msgs), msgs[0].Text)
	}
}

func TestReader_RecordRoundTrip(t *testing.T) {
	msgs, _ := readAll(t, strings.NewReader("\ufeff"+strings.ReplaceAll(androidChat, "\n", "\r\n")), "in.txt", testOptions)
	for _, m := range msgs {
		rec, err := chat.EncodeRecord(nil, m)
		if err != nil {
			t.Fatal(err)
		}
		back, err := chat.DecodeRecord(bytes.TrimSuffix(rec, []byte("\n")))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(back.Raw, m.Raw) || back.Text != m.Text || back.SourceID != m.SourceID {
			t.Errorf("message %s changed in a record round trip", m.SourceID)
		}
	}
}

func TestReader_TimeFirst(t *testing.T) {
	input := "[08:59:40 15/03/2024] Nhóm sỉ: \u200eA created group “Nhóm sỉ”\n" +
		"[09:00:00 15/03/2024] Lan: chào\n15/03/2024, 09:00 - dòng hai\n"
	msgs, bad := readAll(t, strings.NewReader(input), "_chat.txt", testOptions)
	if len(msgs) != 2 || len(bad) != 0 {
		t.Fatalf("got %d messages and %d bad records, want 2 and 0", len(msgs), len(bad))
	}
	if m := msgs[0]; m.Kind != chat.KindSystem || m.ConversationTitle != "Nhóm sỉ" {
		t.Errorf("message 1: kind %q, title %q; want a system line of %q", m.Kind, m.ConversationTitle, "Nhóm sỉ")
	}
	if m := msgs[1]; m.Text != "chào\n15/03/2024, 09:00 - dòng hai" || !m.SentAt.Equal(time.Date(2024, 3, 15, 2, 0, 0, 0, time.UTC)) {
		t.Errorf("message 2: text %q at %s; want both lines at 09:00 +07:00", m.Text, m.SentAt)
	}
}
