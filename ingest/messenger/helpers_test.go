package messenger

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"testing"

	"chatseal/ingest"
)

// memTree is an export held in memory, by file name.
type memTree map[string][]byte

func (m memTree) Open(name string) (io.ReadCloser, int64, error) {
	data, ok := m[name]
	if !ok {
		return nil, 0, fmt.Errorf("memory export: %s: %w", name, fs.ErrNotExist)
	}
	return io.NopCloser(bytes.NewReader(data)), int64(len(data)), nil
}

// openMemory returns a reader of the files, found the way Open finds them
// in a folder.
func openMemory(files memTree, opts ingest.Options) *Reader {
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	return newReader(files, findThreads(names), func(name string) string { return "mem/" + name }, "mem", opts)
}

// testOptions are the options of tests that need no self name.
var testOptions = ingest.Options{Account: "test", SelfName: "Nguyễn Văn Phúc"}

// metaEscape writes every byte of a non-ASCII character as its own
// \u00XX escape, as Meta's DYI export does. data must be JSON whose
// non-ASCII bytes are all inside strings, such as json.Marshal output.
func metaEscape(data []byte) []byte {
	var out bytes.Buffer
	for _, c := range data {
		if c < 0x80 {
			out.WriteByte(c)
			continue
		}
		fmt.Fprintf(&out, `\u%04x`, c)
	}
	return out.Bytes()
}

// dyiMsg is a DYI message item for building test files.
type dyiMsg map[string]any

// dyiFile returns a DYI message_N.json with the messages as given (so
// newest first, as Meta writes them), indented and with Meta's escapes.
func dyiFile(t testing.TB, threadPath, title string, participants []string, msgs []dyiMsg) []byte {
	t.Helper()
	people := make([]map[string]string, len(participants))
	for i, p := range participants {
		people[i] = map[string]string{"name": p}
	}
	file := struct {
		Participants       []map[string]string `json:"participants"`
		Messages           []dyiMsg            `json:"messages"`
		Title              string              `json:"title"`
		IsStillParticipant bool                `json:"is_still_participant"`
		ThreadPath         string              `json:"thread_path"`
		MagicWords         []string            `json:"magic_words"`
	}{people, msgs, title, true, threadPath, []string{}}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(file); err != nil {
		t.Fatal(err)
	}
	return metaEscape(buf.Bytes())
}

// textMsg returns a DYI text message item.
func textMsg(sender string, ts int64, content string) dyiMsg {
	return dyiMsg{"sender_name": sender, "timestamp_ms": ts, "content": content, "is_geoblocked_for_viewer": false}
}

// e2eeFile returns an E2EE chat export with the messages.
func e2eeFile(t testing.TB, threadName string, participants []string, msgs []map[string]any) []byte {
	t.Helper()
	file := map[string]any{"participants": participants, "threadName": threadName, "messages": msgs}
	data, err := json.MarshalIndent(file, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return data
}
