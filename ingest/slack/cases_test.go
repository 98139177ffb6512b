package slack

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"chatseal/chat"
	"chatseal/ingest"
	"chatseal/internal/chatcase"
)

func TestReader_Cases(t *testing.T) {
	for _, c := range chatcase.Load(t, chatcase.Dir("slack"), "slack_export") {
		t.Run(c.Name, func(t *testing.T) {
			times := 1
			c.Option(t, "import_times", &times)

			res := &chatcase.Result{}
			var names Names
			stored := map[[2]string]bool{}
			for range times {
				for i := range c.Inputs {
					var warnings []ingest.Warning
					opts := ingest.Options{Account: "test", Warn: func(w ingest.Warning) { warnings = append(warnings, w) }}
					r := openExport(t, c.InputPath(i), opts)
					names = r.dir
					msgs, bad := readAll(t, r)
					r.Close()

					for _, m := range msgs {
						checkRawInInput(t, c.InputPath(i), m)
						// The archive stores a message once per
						// conversation and source id.
						key := [2]string{m.Conversation, m.SourceID}
						if !stored[key] {
							stored[key] = true
							res.Messages = append(res.Messages, m)
						}
					}
					res.Bad = append(res.Bad, bad...)
					// A re-import reports the same input-level warnings
					// again; each is expected once.
					for _, w := range warnings {
						if !slices.Contains(res.Warnings, w) {
							res.Warnings = append(res.Warnings, w)
						}
					}
				}
				res.Totals = append(res.Totals, len(stored))
			}

			c.Check(t, res, chatcase.Config{
				Message: func(t *testing.T, key string, want json.RawMessage, got chat.ThreadView) bool {
					switch key {
					case "display_text":
						checkDisplayText(t, got.Message, names, want)
					case "sender_deleted":
						chatcase.CheckBool(t, key, slices.Contains(got.Flags, flagSenderDeleted), want)
					default:
						return false
					}
					return true
				},
			})
		})
	}
}

// checkDisplayText checks DisplayText of the message's text, and that the
// reader put that rendering in IndexText, where search finds it.
func checkDisplayText(t *testing.T, m *chat.Message, names Names, want json.RawMessage) {
	t.Helper()
	display := DisplayText(m.Text, names)
	chatcase.CheckString(t, "display_text", display, want)
	if display != m.Text && m.IndexText != display {
		t.Errorf("index_text = %q, want the display text %q", m.IndexText, display)
	}
}

// checkRawInInput checks that Raw is a JSON object found byte for byte in one
// of the export's day files.
func checkRawInInput(t *testing.T, exportDir string, m *chat.Message) {
	t.Helper()
	if !json.Valid(m.Raw) || m.Raw[0] != '{' {
		t.Errorf("message %s: Raw is not a JSON object: %q", m.SourceID, m.Raw)
		return
	}
	files, err := filepath.Glob(filepath.Join(exportDir, "*", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, m.Raw) {
			return
		}
	}
	t.Errorf("message %s: Raw is not found in any day file of %s", m.SourceID, exportDir)
}

// openExport opens the export at path, failing the test on an error.
func openExport(t testing.TB, path string, opts ingest.Options) *reader {
	t.Helper()
	r, err := Open(path, opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	return r.(*reader)
}

// readAll reads every message and bad record of r. Any other error ends the
// test.
func readAll(t testing.TB, r ingest.Reader) ([]*chat.Message, []*ingest.BadRecord) {
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
	}
}
