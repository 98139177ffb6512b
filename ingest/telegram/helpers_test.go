package telegram

import (
	"errors"
	"io"
	"testing"

	"chatseal/chat"
	"chatseal/ingest"
)

// openReader opens path with Open and closes the reader when the test ends.
func openReader(t testing.TB, path string, opts ingest.Options) *Reader {
	t.Helper()
	ir, err := Open(path, opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	r := ir.(*Reader)
	t.Cleanup(func() { r.Close() })
	return r
}

// readAll reads every message and bad record of r. Any other error ends
// the test.
func readAll(t testing.TB, r ingest.Reader) ([]*chat.Message, []*ingest.BadRecord) {
	t.Helper()
	msgs, bad, err := readUntilError(r)
	if err != nil {
		t.Fatalf("Next: %v", err)
	}
	return msgs, bad
}

// readUntilError reads r until io.EOF, which it returns as nil, or another
// error that is not a bad record.
func readUntilError(r ingest.Reader) ([]*chat.Message, []*ingest.BadRecord, error) {
	var msgs []*chat.Message
	var bad []*ingest.BadRecord
	for {
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
}
