package messenger

import (
	"bytes"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"chatseal/chat"
	"chatseal/ingest"
)

// readUntilError reads r to its end and returns the messages, the bad
// records and the error that ended it (nil at io.EOF).
func readUntilError(r ingest.Reader) ([]*chat.Message, []*ingest.BadRecord, error) {
	var msgs []*chat.Message
	var bad []*ingest.BadRecord
	for range 100000 {
		m, err := r.Next()
		if err == io.EOF {
			return msgs, bad, nil
		}
		var br *ingest.BadRecord
		if errors.As(err, &br) {
			bad = append(bad, br)
			continue
		}
		if err != nil {
			return msgs, bad, err
		}
		msgs = append(msgs, m)
	}
	panic("reader does not reach the end")
}

// secret is message text that must never appear in an error or a reason.
const secret = "Mật khẩu 123456"

func goodThread(t *testing.T) []byte {
	return dyiFile(t, "inbox/a_1", customer, []string{customer, staff}, []dyiMsg{
		textMsg(customer, 3000, secret),
		textMsg(staff, 2000, "hai"),
		textMsg(customer, 1000, "một"),
	})
}

func TestOpen_FileErrors(t *testing.T) {
	telegram := []byte(`{"name": "Shop", "type": "personal_chat", "id": 42, "messages": [{"id": 1, "type": "message", "date": "2024-01-01T10:00:00", "from": "An", "text": "hi"}]}`)
	tests := []struct {
		name    string
		file    string
		data    []byte
		account string
		want    string // in the error
	}{
		{"empty E2EE file", "chat.json", nil, "test", "the file is empty"},
		{"white space only", "chat.json", []byte(" \n"), "test", "the file is empty"},
		{"top-level array", "chat.json", []byte(`[{"senderName": "a"}]`), "test", "want a JSON object"},
		{"cut before messages", "chat.json", []byte(`{"participants": ["a", "b"], "threadNa`), "test", "may be truncated"},
		{"no messages array", "chat.json", []byte(`{"participants": [], "threadName": "x", "messages": {}}`), "test", `no "messages" array`},
		{"telegram export", "result.json", telegram, "test", "not a Messenger export"},
		{"E2EE shape named like DYI", "message_1.json", e2eeFile(t, "x", []string{"a"}, []map[string]any{{"senderName": "a", "timestamp": 1}}), "test", "shape of an E2EE chat export"},
		{"no account", "message_1.json", goodThread(t), "", "Account is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tt.file)
			writeFile(t, path, tt.data)
			r, err := Open(path, ingest.Options{Account: tt.account})
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer r.(io.Closer).Close()
			msgs, bad, err := readUntilError(r)
			if err == nil {
				t.Fatalf("got %d messages and %d bad records without error, want an error", len(msgs), len(bad))
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
			if tt.account != "" && !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file %s", err, path)
			}
			if _, again := r.Next(); again == nil || again.Error() != err.Error() {
				t.Errorf("Next after the error = %v, want the same error", again)
			}
		})
	}
}

func TestOpen_NoJSONFiles(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "media", "a.jpeg"), []byte("jpeg"))
	_, err := Open(dir, testOptions)
	if err == nil || !strings.Contains(err.Error(), "no message_N.json") {
		t.Errorf("Open of a folder without JSON: error %v, want one saying no message_N.json", err)
	}
	writeFile(t, filepath.Join(dir, "inbox", "a_1", "message_1.html"), []byte("<html></html>"))
	_, err = Open(dir, testOptions)
	if err == nil || !strings.Contains(err.Error(), "HTML format") {
		t.Errorf("Open of a DYI archive in HTML: error %v, want one saying to download JSON", err)
	}
	if _, err := Open(filepath.Join(dir, "missing"), testOptions); err == nil {
		t.Errorf("Open of a missing path: no error")
	}
}

func TestOpen_BadItems(t *testing.T) {
	good := goodThread(t)
	// Positions of the three items: newest (secret) first.
	tests := []struct {
		name     string
		data     []byte
		messages int
		reasons  []string
	}{
		{
			name:     "truncated in the messages array",
			data:     good[:bytes.Index(good, []byte(`"hai"`))],
			messages: 1,
			reasons:  []string{"messages item 1: the file ends inside an object or array; it may be truncated"},
		},
		{
			name:     "truncated between items",
			data:     good[:bytes.Index(good, []byte(`"hai"`))+bytes.Index(good[bytes.Index(good, []byte(`"hai"`)):], []byte("},"))+2],
			messages: 2,
			reasons:  []string{"the file ends inside the messages array after 2 items; it may be truncated"},
		},
		{
			name:     "syntax error inside an item",
			data:     bytes.Replace(good, []byte(`"content": "hai",`), []byte(`"content": "hai",,`), 1),
			messages: 2,
			reasons:  []string{"messages item 1: invalid JSON at byte 26 of the item: want a member name, got ','"},
		},
		{
			name:     "item is not an object",
			data:     bytes.Replace(good, []byte(`"messages": [`), []byte(`"messages": [null, 7, "x",`), 1),
			messages: 3,
			reasons:  []string{"messages item 0 is not a JSON object", "messages item 1 is not a JSON object", "messages item 2 is not a JSON object"},
		},
		{
			name:     "missing timestamp",
			data:     bytes.Replace(good, []byte(`"timestamp_ms": 2000`), []byte(`"time": 2000`), 1),
			messages: 2,
			reasons:  []string{"messages item 1 has no timestamp_ms"},
		},
		{
			name:     "timestamp of the wrong type",
			data:     bytes.Replace(good, []byte(`"timestamp_ms": 2000`), []byte(`"timestamp_ms": "2000"`), 1),
			messages: 2,
			reasons:  []string{`messages item 1: timestamp_ms is "\"2000\"", want epoch milliseconds`},
		},
		{
			name:     "fractional timestamp",
			data:     bytes.Replace(good, []byte(`"timestamp_ms": 2000`), []byte(`"timestamp_ms": 2000.5`), 1),
			messages: 2,
			reasons:  []string{"timestamp_ms is"},
		},
		{
			name:     "data after the object",
			data:     append(bytes.Clone(good), []byte("garbage")...),
			messages: 3,
			reasons:  []string{"invalid JSON: unexpected data after the top-level object"},
		},
		{
			name:     "missing comma between items",
			data:     bytes.Replace(good, []byte("\"timestamp_ms\": 3000\n    },"), []byte("\"timestamp_ms\": 3000\n    }"), 1),
			messages: 1,
			reasons:  []string{"invalid JSON: want ',' or ']' after messages item 0"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs, bad, err := readUntilError(openMemory(memTree{"message_1.json": tt.data}, testOptions))
			if err != nil {
				t.Fatalf("error %v, want bad records", err)
			}
			if len(msgs) != tt.messages {
				t.Errorf("got %d messages, want %d", len(msgs), tt.messages)
			}
			if len(bad) != len(tt.reasons) {
				t.Fatalf("got bad records %v, want %d", bad, len(tt.reasons))
			}
			for i, b := range bad {
				if !strings.Contains(b.Reason, tt.reasons[i]) {
					t.Errorf("bad record %d reason %q, want it to contain %q", i, b.Reason, tt.reasons[i])
				}
				if strings.Contains(b.Error(), secret) {
					t.Errorf("bad record %d error holds message text: %q", i, b.Error())
				}
				if b.File != "mem/message_1.json" || b.Line < 1 {
					t.Errorf("bad record %d names %s line %d, want mem/message_1.json and a line", i, b.File, b.Line)
				}
				if !bytes.HasPrefix(tt.data[b.Offset:], b.Raw) || len(b.Raw) == 0 {
					t.Errorf("bad record %d Raw %q is not the input at offset %d", i, b.Raw, b.Offset)
				}
			}
		})
	}
}

// TestOpen_BrokenFileInThread checks that a DYI file that cannot be read
// at all costs only itself: its thread's other files are still imported.
func TestOpen_BrokenFileInThread(t *testing.T) {
	older := dyiFile(t, "inbox/a_1", customer, []string{customer, staff}, []dyiMsg{textMsg(customer, 500, "cũ")})
	for _, broken := range [][]byte{nil, []byte(`{"participants": [{"name": "a"`), []byte("<html>")} {
		files := memTree{"t/message_1.json": broken, "t/message_2.json": older}
		msgs, bad, err := readUntilError(openMemory(files, testOptions))
		if err != nil {
			t.Fatalf("message_1.json %q: error %v, want a bad record", broken, err)
		}
		if len(msgs) != 1 || msgs[0].Text != "cũ" {
			t.Errorf("message_1.json %q: got %d messages, want the one of message_2.json", broken, len(msgs))
		}
		if len(bad) != 1 || bad[0].File != "mem/t/message_1.json" || !bytes.Equal(bad[0].Raw, broken) {
			t.Errorf("message_1.json %q: bad records %v, want the whole file", broken, bad)
		}
		if len(msgs) == 1 && msgs[0].Conversation != "a_1" {
			t.Errorf("conversation = %q, want the thread folder of message_2.json's thread_path", msgs[0].Conversation)
		}
	}
}

func TestOpen_HugeItem(t *testing.T) {
	long := strings.Repeat("a", ingest.MaxRecordBytes)
	data := dyiFile(t, "inbox/a_1", customer, []string{customer}, []dyiMsg{textMsg(customer, 2000, long), textMsg(customer, 1000, "ngắn")})
	msgs, bad, err := readUntilError(openMemory(memTree{"message_1.json": data}, testOptions))
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || len(bad) != 1 {
		t.Fatalf("got %d messages and %d bad records, want 1 and 1", len(msgs), len(bad))
	}
	if !bad[0].Truncated || len(bad[0].Raw) != ingest.MaxRecordBytes || !strings.Contains(bad[0].Reason, "more than the limit") {
		t.Errorf("bad record: truncated %v, %d raw bytes, reason %q; want the first %d bytes", bad[0].Truncated, len(bad[0].Raw), bad[0].Reason, ingest.MaxRecordBytes)
	}
}

func TestOpen_ThreadOverLimit(t *testing.T) {
	var msgs []dyiMsg
	for i := range 4000 {
		msgs = append(msgs, textMsg(customer, int64(100000-i), strings.Repeat("x", 200)))
	}
	files := memTree{"t/message_1.json": dyiFile(t, "inbox/a_1", customer, nil, msgs[:2000]), "t/message_2.json": dyiFile(t, "inbox/a_1", customer, nil, msgs[2000:])}
	r := openMemory(files, testOptions)
	r.maxThreadBytes = 1 << 20
	got, _, err := readUntilError(r)
	if err == nil || !strings.Contains(err.Error(), "more than 1 MiB") || !strings.Contains(err.Error(), "mem/t/message_2.json") {
		t.Errorf("error = %v, want the thread refused naming message_2.json", err)
	}
	if len(got) != 0 {
		t.Errorf("got %d messages of the refused thread", len(got))
	}
}
