package telegram

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"chatseal/ingest"
	"chatseal/internal/chatcase"
)

// caseInput returns the result.json of one of the telegram cases.
func caseInput(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(chatcase.Dir("telegram"), name, resultName))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestReader_Truncated(t *testing.T) {
	for _, name := range []string{"single-chat-basic", "full-export-multichat"} {
		t.Run(name, func(t *testing.T) {
			input := caseInput(t, name)
			full := readString(string(input), ingest.Options{})
			if full.err != nil {
				t.Fatal(full.err)
			}
			// ends[i] is the offset just past message i in the input.
			var ends []int
			for _, m := range full.msgs {
				ends = append(ends, bytes.Index(input, m.Raw)+len(m.Raw))
			}

			cut := bytes.LastIndexByte(input, '}')
			for n := 1; n < cut; n++ {
				out := readString(string(input[:n]), ingest.Options{})
				if out.err == nil {
					t.Fatalf("cut at %d: no error, want one", n)
				}
				if !strings.Contains(out.err.Error(), "result.json") || !strings.Contains(out.err.Error(), "byte offset") {
					t.Fatalf("cut at %d: error %q names no file and offset", n, out.err)
				}
				// Every message wholly before the cut has been returned: an
				// undated stub, which waits for the time of the next
				// message, as a bad record.
				want := 0
				for i, end := range ends {
					if end <= n {
						want = i + 1
					}
				}
				if got := len(out.msgs) + len(out.bad); got < want || got > len(ends) {
					t.Fatalf("cut at %d: got %d messages and %d bad records, want %d in all", n, len(out.msgs), len(out.bad), want)
				}
				for i, m := range out.msgs {
					if !bytes.Equal(m.Raw, full.msgs[i].Raw) {
						t.Fatalf("cut at %d: message %d differs from the whole file's", n, i)
					}
				}
			}
		})
	}
}

func TestReader_TruncatedError(t *testing.T) {
	input := caseInput(t, "single-chat-basic")
	n := bytes.Index(input, []byte(`"id": 105`))
	out := readString(string(input[:n]), ingest.Options{})
	want := "telegram: result.json: the file ends inside the JSON document at byte offset " + strconv.Itoa(n)
	if out.err == nil || !strings.HasPrefix(out.err.Error(), want) {
		t.Errorf("err = %v, want it to start %q", out.err, want)
	}
	if len(out.msgs) != 4 {
		t.Errorf("got %d messages before the cut, want 4", len(out.msgs))
	}
}

func TestReader_WrongFormat(t *testing.T) {
	tests := []struct {
		name, input, want string
	}{
		{"empty file", "", "the file is empty"},
		{"white space only", " \n\t", "the file is empty"},
		{"array", `[{"type": "message", "text": "hi"}]`, "not a Telegram Desktop export: want a JSON object at the top level, got an array"},
		{"string", `"x"`, "got a JSON scalar"},
		{"HTML export page", "<!DOCTYPE html>\n<html>", "the file is not JSON (it starts with '<')"},
		{"WhatsApp text", "12/05/2024, 08:00 - Lan: Chào", "got a JSON scalar"},
		{"empty object", `{}`, `not a Telegram Desktop export: no "messages" array`},
		{"object of other members", `{"about": "x", "contacts": {"list": []}}`, `no "messages" array at the top level and no personal_information or chats`},
		{"Slack channel list", `{"channels": [{"id": "C1", "name": "general"}]}`, `no "messages" array`},
		{"Messenger thread", `{"participants": [{"name": "Lan"}], "messages": [{"sender_name": "Lan", "timestamp_ms": 1715302800000, "content": "hi"}], "title": "Lan"}`, `the "messages" array at byte offset 48 does not follow the chat's "id" and "type"`},
		{"chat id after messages", `{"name": "A", "type": "personal_chat", "messages": [], "id": 5}`, `does not follow the chat's "id" and "type"`},
		{"chat id not a number", `{"name": "A", "type": "personal_chat", "id": "five", "messages": []}`, `chat "id" before byte offset`},
		{"messages not an array", `{"name": "A", "type": "personal_chat", "id": 5, "messages": {}}`, `"messages" at byte offset 60 is not an array`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := readString(tc.input, ingest.Options{})
			if out.err == nil || !strings.Contains(out.err.Error(), tc.want) {
				t.Errorf("err = %v, want it to contain %q", out.err, tc.want)
			}
			if len(out.msgs) != 0 {
				t.Errorf("got %d messages from a wrong-format input", len(out.msgs))
			}
		})
	}
}

func TestReader_BadElements(t *testing.T) {
	bad := []string{`7`, `{"type": "message", "text": "no id"}`, `{"id": "x1", "type": "message"}`, `[]`}
	input := chatJSON(append(bad, msgJSON(5, `, "text": "ok"`))...)
	out := readString(input, ingest.Options{})
	if out.err != nil {
		t.Fatalf("read: %v", out.err)
	}
	if len(out.msgs) != 1 || out.msgs[0].SourceID != "5" {
		t.Errorf("got %d messages, want message 5 after the bad ones", len(out.msgs))
	}
	if len(out.bad) != len(bad) {
		t.Fatalf("got %d bad records, want %d", len(out.bad), len(bad))
	}
	reasons := []string{"want a message object, got a number", `member "id" is missing`, `member "id" is not an integer`, "want a message object, got an array"}
	for i, b := range out.bad {
		if b.File != "result.json" || b.Offset != int64(strings.Index(input, bad[i])) || string(b.Raw) != bad[i] || b.Reason != reasons[i] {
			t.Errorf("bad record %d = %+v, want offset %d raw %s reason %q", i, b, strings.Index(input, bad[i]), bad[i], reasons[i])
		}
	}
}

func TestReader_InvalidJSON(t *testing.T) {
	input := chatJSON(msgJSON(1, `, "text": "a"`), `{"id": 2, "type": "message", "text": 'b'}`, msgJSON(3, `, "text": "c"`))
	out := readString(input, ingest.Options{})
	at := strings.Index(input, "'b'")
	want := "telegram: result.json: invalid JSON at byte offset " + strconv.Itoa(at) + ": want a value, got '\\''"
	if out.err == nil || out.err.Error() != want {
		t.Errorf("err = %v, want %q", out.err, want)
	}
	if len(out.msgs) != 1 {
		t.Errorf("got %d messages, want the 1 before the invalid one", len(out.msgs))
	}
}

func TestReader_HugeMessage(t *testing.T) {
	huge := `{"id": 2, "type": "message", "date_unixtime": "1715302800", "text": "` + strings.Repeat("a", ingest.MaxRecordBytes) + `"}`
	input := chatJSON(msgJSON(1, `, "text": "a"`), huge)
	out := readString(input, ingest.Options{})
	if out.err == nil || !strings.Contains(out.err.Error(), "longer than 16777216 bytes") {
		t.Errorf("err = %v, want the item-too-large error", out.err)
	}
	if len(out.msgs) != 1 {
		t.Errorf("got %d messages, want the 1 before the huge one", len(out.msgs))
	}
}

func TestReader_TrailingData(t *testing.T) {
	input := chatJSON(msgJSON(1, `, "text": "a"`)) + "\n{}"
	out := readString(input, ingest.Options{})
	if out.err == nil || !strings.Contains(out.err.Error(), "unexpected '{' after the end of the JSON document") {
		t.Errorf("err = %v, want the trailing-data error", out.err)
	}
	if len(out.msgs) != 1 {
		t.Errorf("got %d messages, want 1", len(out.msgs))
	}
}

func TestReader_ByteOrderMark(t *testing.T) {
	input := "\xEF\xBB\xBF" + chatJSON(msgJSON(1, `, "text": "a"`)) + "\n"
	out := readString(input, ingest.Options{})
	if out.err != nil || len(out.msgs) != 1 {
		t.Fatalf("got %d messages, err %v", len(out.msgs), out.err)
	}
	if out.offset != int64(len(input)) {
		t.Errorf("offset at the end = %d, want %d", out.offset, len(input))
	}
}

func TestReader_AccountRequired(t *testing.T) {
	r := NewReader(strings.NewReader(chatJSON()), "result.json", ingest.Options{})
	if _, err := r.Next(); err == nil || errors.Is(err, io.EOF) || !strings.Contains(err.Error(), "Account is empty") {
		t.Errorf("Next without Account = %v, want an error naming Account", err)
	}
}

// errorReader fails after its data.
type errorReader struct {
	data []byte
	err  error
}

func (e *errorReader) Read(p []byte) (int, error) {
	if len(e.data) == 0 {
		return 0, e.err
	}
	n := copy(p, e.data)
	e.data = e.data[n:]
	return n, nil
}

func TestReader_ReadError(t *testing.T) {
	failure := errors.New("disk failure")
	input := chatJSON(msgJSON(1, `, "text": "a"`), msgJSON(2, `, "text": "b"`))
	r := NewReader(&errorReader{data: []byte(input[:len(input)-40]), err: failure}, "result.json", ingest.Options{Account: "test"})
	msgs, _, err := readUntilError(r)
	if !errors.Is(err, failure) {
		t.Errorf("err = %v, want it to wrap the read error", err)
	}
	if len(msgs) != 1 {
		t.Errorf("got %d messages, want 1", len(msgs))
	}
	if _, again := r.Next(); !errors.Is(again, failure) {
		t.Errorf("Next after the error = %v, want the same error", again)
	}
}

func TestReader_ShortReads(t *testing.T) {
	input := caseInput(t, "full-export-multichat")
	want := readString(string(input), ingest.Options{})
	r := NewReader(iotest.OneByteReader(bytes.NewReader(input)), "result.json", ingest.Options{Account: "test"})
	msgs, bad, err := readUntilError(r)
	if err != nil || len(bad) != 0 {
		t.Fatalf("read one byte at a time: %d bad records, err %v", len(bad), err)
	}
	if len(msgs) != len(want.msgs) {
		t.Fatalf("got %d messages, want %d", len(msgs), len(want.msgs))
	}
	for i, m := range msgs {
		if !bytes.Equal(m.Raw, want.msgs[i].Raw) || m.Text != want.msgs[i].Text || !m.SentAt.Equal(want.msgs[i].SentAt) {
			t.Errorf("message %d differs from the one read in one piece", i)
		}
	}
}
