package catalog

import (
	"bytes"
	"errors"
	"log/slog"
	"testing"
	"time"

	"chatseal/archive"
	"chatseal/chat"
)

func openTest(t *testing.T) *Catalog {
	t.Helper()
	c, err := Open(t.TempDir(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func testSegment(id string, firstSeq uint64, n int, conv string) SegmentCommit {
	at := time.Date(2024, 6, 1, 9, 0, 0, 0, time.UTC)
	seg := SegmentCommit{Info: archive.SegmentInfo{ID: id, Key: "default/segments/shop/2024/06/" + id, Tenant: "default", Account: "shop", Month: "2024-06", Count: n, ObjectBytes: 100}}
	for i := 0; i < n; i++ {
		seg.Messages = append(seg.Messages, &chat.Message{
			ID: id + "-" + string(rune('a'+i)), Seq: firstSeq + uint64(i), Tenant: "default", Source: "zalo",
			SourceID: id + string(rune('0'+i)), Account: "shop", Conversation: conv, ConversationKind: chat.Direct,
			// Later messages first, to check that Thread orders by time.
			SentAt: at.Add(time.Duration(n-i) * time.Minute), Kind: chat.KindText, Text: "tin nhắn",
			Raw: []byte(`{"x":1}`),
		})
	}
	return seg
}

func TestCommit_RowsAndTotals(t *testing.T) {
	c := openTest(t)
	segA := testSegment("SEGA", 0, 3, "c1")
	segB := testSegment("SEGB", 3, 2, "c2")
	if err := c.Commit("default", []SegmentCommit{segA, segB}); err != nil {
		t.Fatal(err)
	}

	stats, err := c.Stats("default")
	if err != nil {
		t.Fatal(err)
	}
	want := Stats{Messages: 5, Conversations: 2, Segments: 2, ArchiveBytes: 200}
	if stats != want {
		t.Errorf("stats = %+v, want %+v", stats, want)
	}
	next, err := c.NextSeq("default")
	if err != nil || next != 5 {
		t.Errorf("next seq = %d, %v; want 5", next, err)
	}

	m := segA.Messages[1]
	e, err := c.Message("default", m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if e.Segment != "SEGA" || e.Message.SourceID != m.SourceID || e.Message.Text != m.Text || len(e.Message.Raw) != 0 {
		t.Errorf("message row = %+v (segment %s), want the record without raw in SEGA", e.Message, e.Segment)
	}
	dup, err := c.HasDedup(archive.DedupKey(m))
	if err != nil || !dup {
		t.Errorf("HasDedup of a committed message = %v, %v; want true", dup, err)
	}

	var order []time.Time
	err = c.Thread("default", "shop", "c1", func(e *Entry) error {
		order = append(order, e.Message.SentAt)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(order) != 3 {
		t.Fatalf("thread has %d messages, want 3", len(order))
	}
	for i := 1; i < len(order); i++ {
		if order[i].Before(order[i-1]) {
			t.Errorf("thread is not in time order: %v", order)
		}
	}
}

func TestCommit_RepeatChangesNothing(t *testing.T) {
	c := openTest(t)
	seg := testSegment("SEGA", 0, 3, "c1")
	for i := 0; i < 2; i++ {
		if err := c.Commit("default", []SegmentCommit{seg}); err != nil {
			t.Fatal(err)
		}
	}
	stats, _ := c.Stats("default")
	if stats.Messages != 3 || stats.Segments != 1 {
		t.Errorf("stats after a repeated commit = %+v, want 3 messages in 1 segment", stats)
	}
}

func TestIntents_CommitRemovesThem(t *testing.T) {
	c := openTest(t)
	seg := testSegment("SEGA", 0, 2, "c1")
	other := testSegment("SEGB", 2, 1, "c1")
	err := c.PutIntents("default", []Intent{{Segment: seg.Info, MessageIDs: []string{"x"}}, {Segment: other.Info}})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Commit("default", []SegmentCommit{seg}); err != nil {
		t.Fatal(err)
	}
	intents, err := c.Intents("default")
	if err != nil {
		t.Fatal(err)
	}
	if len(intents) != 1 || intents[0].Segment.ID != "SEGB" {
		t.Fatalf("intents after commit = %+v, want only SEGB", intents)
	}
}

func TestTenants_AreSeparate(t *testing.T) {
	c := openTest(t)
	if err := c.Commit("acme", []SegmentCommit{testSegment("SEGA", 0, 2, "c1")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Message("default", "SEGA-a"); !errors.Is(err, ErrNotFound) {
		t.Errorf("message of tenant acme found under default: err = %v", err)
	}
	stats, _ := c.Stats("default")
	if stats.Messages != 0 {
		t.Errorf("default tenant counts %d messages, want 0", stats.Messages)
	}
	n := 0
	c.Segments("acme", func(archive.SegmentInfo) error { n++; return nil })
	if n != 1 {
		t.Errorf("acme has %d segments, want 1", n)
	}
}

func TestMarkIndexed(t *testing.T) {
	c := openTest(t)
	ok, err := c.IsIndexed("default", "SEGA")
	if err != nil || ok {
		t.Fatalf("IsIndexed before marking = %v, %v; want false", ok, err)
	}
	if err := c.MarkIndexed("default", []string{"SEGA"}); err != nil {
		t.Fatal(err)
	}
	if ok, _ := c.IsIndexed("default", "SEGA"); !ok {
		t.Error("IsIndexed after marking = false")
	}
}

// TestCommit_HeadsMakeSameRows commits the same segment to two catalogs,
// once with the record heads that sealing gives and once without, and
// checks that every message row is the same byte for byte.
func TestCommit_HeadsMakeSameRows(t *testing.T) {
	plain, withHeads := openTest(t), openTest(t)
	seg := testSegment("SEGA", 0, 3, "c1")
	seg.Messages[1].Raw = nil
	seg.Messages[2].Raw = []byte("not json \xff")
	if err := plain.Commit("default", []SegmentCommit{seg}); err != nil {
		t.Fatal(err)
	}
	var records []byte
	for _, m := range seg.Messages {
		start := len(records)
		var raw int
		var err error
		records, raw, err = chat.EncodeRecordSplit(records, m)
		if err != nil {
			t.Fatal(err)
		}
		seg.Heads = append(seg.Heads, records[start:raw:raw])
	}
	if err := withHeads.Commit("default", []SegmentCommit{seg}); err != nil {
		t.Fatal(err)
	}

	for _, m := range seg.Messages {
		want, closer, err := plain.db.Get(key('m', "default", m.ID))
		if err != nil {
			t.Fatal(err)
		}
		got, closer2, err := withHeads.db.Get(key('m', "default", m.ID))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("row of %s from heads = %s, want %s", m.ID, got, want)
		}
		closer.Close()
		closer2.Close()
	}
	e, err := withHeads.Message("default", seg.Messages[2].ID)
	if err != nil {
		t.Fatal(err)
	}
	if e.Message.Raw != nil || e.Message.Text != seg.Messages[2].Text {
		t.Errorf("message read back = %+v, want the text without the raw payload", e.Message)
	}
}
