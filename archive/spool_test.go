package archive

import (
	"log/slog"
	"slices"
	"testing"

	"github.com/cockroachdb/pebble"

	"chatseal/chat"
)

// openTestSpool opens the spool in dir, failing the test on an error.
func openTestSpool(t *testing.T, dir string) *Spool {
	t.Helper()
	s, err := OpenSpool(dir, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// closeTestSpool closes s, failing the test on an error.
func closeTestSpool(t *testing.T, s *Spool) {
	t.Helper()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

func spooledIDs(s *Spool) []string {
	var ids []string
	for _, m := range s.Pending() {
		ids = append(ids, m.ID)
	}
	return ids
}

// TestSpool_ReopenKeepsMessages adds and removes messages, reopens the
// spool and checks that the messages left and their dedup keys survive.
func TestSpool_ReopenKeepsMessages(t *testing.T) {
	dir := t.TempDir()
	s := openTestSpool(t, dir)
	msgs := testMessages(3)
	if err := s.Add(msgs); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove(msgs[:1]); err != nil {
		t.Fatal(err)
	}
	closeTestSpool(t, s)

	s = openTestSpool(t, dir)
	defer s.Close()
	if got, want := spooledIDs(s), []string{msgs[1].ID, msgs[2].ID}; !slices.Equal(got, want) {
		t.Errorf("spooled after reopen = %v, want %v", got, want)
	}
	for i, m := range msgs {
		ok, err := s.Has(DedupKey(m))
		if err != nil {
			t.Fatal(err)
		}
		if ok != (i > 0) {
			t.Errorf("Has(dedup key of message %d) = %v after reopen", i, ok)
		}
	}
}

// TestSpool_OpenDropsOldDedupRows writes the "k" rows of an earlier spool
// layout beside a record and checks that OpenSpool deletes them and keeps
// the record.
func TestSpool_OpenDropsOldDedupRows(t *testing.T) {
	dir := t.TempDir()
	s := openTestSpool(t, dir)
	m := testMessages(1)[0]
	if err := s.Add([]*chat.Message{m}); err != nil {
		t.Fatal(err)
	}
	if err := s.db.Set(append([]byte{'k'}, DedupKey(m)...), []byte(m.ID), pebble.Sync); err != nil {
		t.Fatal(err)
	}
	closeTestSpool(t, s)

	s = openTestSpool(t, dir)
	defer s.Close()
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: []byte{'k'}, UpperBound: []byte{'l'}})
	if err != nil {
		t.Fatal(err)
	}
	if it.First() {
		t.Errorf("old dedup row %q is still there", it.Key())
	}
	if err := it.Close(); err != nil {
		t.Fatal(err)
	}
	if got := spooledIDs(s); !slices.Equal(got, []string{m.ID}) {
		t.Errorf("spooled = %v, want [%s]", got, m.ID)
	}
}

// TestSpool_LinesUntilRemoved checks that the spool hands back the record
// that Add encoded for each message, until the message is removed, and
// none for messages loaded from disk at open.
func TestSpool_LinesUntilRemoved(t *testing.T) {
	dir := t.TempDir()
	s := openTestSpool(t, dir)
	msgs := testMessages(3)
	for _, m := range msgs {
		m.Seq = 0
	}
	if err := s.Add(msgs); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove(msgs[:1]); err != nil {
		t.Fatal(err)
	}
	lines := s.Lines(msgs)
	if lines[0].Bytes != nil {
		t.Errorf("removed message still has a line: %s", lines[0].Bytes)
	}
	for i, m := range msgs[1:] {
		want, raw, err := chat.EncodeRecordSplit(nil, m)
		if err != nil {
			t.Fatal(err)
		}
		if got := lines[i+1]; string(got.Bytes) != string(want) || got.Raw != raw {
			t.Errorf("line of %s = %s (raw at %d), want %s (raw at %d)", m.ID, got.Bytes, got.Raw, want, raw)
		}
	}
	closeTestSpool(t, s)

	s = openTestSpool(t, dir)
	defer s.Close()
	for i, l := range s.Lines(s.Pending()) {
		if l.Bytes != nil {
			t.Errorf("message %d loaded at open has a line: %s", i, l.Bytes)
		}
	}
}

// TestSpool_LinesUpToLimit checks that the spool keeps lines for at most
// maxLines messages, and for new ones again once flushed messages are
// removed.
func TestSpool_LinesUpToLimit(t *testing.T) {
	s := openTestSpool(t, t.TempDir())
	defer s.Close()
	s.maxLines = 3
	msgs := testMessages(6)
	for _, batch := range [][]*chat.Message{msgs[:2], msgs[2:4]} {
		if err := s.Add(batch); err != nil {
			t.Fatal(err)
		}
	}
	lines := s.Lines(msgs[:4])
	for i, want := range []bool{true, true, false, false} {
		if got := lines[i].Bytes != nil; got != want {
			t.Errorf("message %d has a line: %v, want %v", i, got, want)
		}
	}
	if err := s.Remove(msgs[:2]); err != nil {
		t.Fatal(err)
	}
	if err := s.Add(msgs[4:]); err != nil {
		t.Fatal(err)
	}
	for i, l := range s.Lines(msgs[4:]) {
		if l.Bytes == nil {
			t.Errorf("message %d added after the removal has no line", i+4)
		}
	}
}
