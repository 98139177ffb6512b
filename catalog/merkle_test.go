package catalog

import (
	"crypto/sha256"
	"fmt"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

// withLeaves sets the leaf hash of each message of seg to a hash of its seq.
func withLeaves(seg SegmentCommit) SegmentCommit {
	seg.Leaves = make([]tlog.Hash, len(seg.Messages))
	for i, m := range seg.Messages {
		seg.Leaves[i] = sha256.Sum256(fmt.Appendf(nil, "leaf %d", m.Seq))
	}
	return seg
}

// memoryTreeHash returns the root of the tree of n leaves as withLeaves
// sets them, computed in memory with tlog alone.
func memoryTreeHash(t *testing.T, n int64) tlog.Hash {
	t.Helper()
	var stored []tlog.Hash
	reader := tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		for i, idx := range indexes {
			out[i] = stored[idx]
		}
		return out, nil
	})
	for seq := int64(0); seq < n; seq++ {
		leaf := tlog.Hash(sha256.Sum256(fmt.Appendf(nil, "leaf %d", seq)))
		hashes, err := tlog.StoredHashesForRecordHash(seq, leaf, reader)
		if err != nil {
			t.Fatal(err)
		}
		stored = append(stored, hashes...)
	}
	h, err := tlog.TreeHash(n, reader)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestCommit_TreeOutOfOrder commits the segments of seqs 0 to 9 in three
// calls, the last segment first and one segment twice in one call. The
// tree must grow only over the leaves that continue it, and end with the
// root of the same leaves added in order. Each leaf must read back after
// its commit, whether it is in the tree yet or not.
func TestCommit_TreeOutOfOrder(t *testing.T) {
	c := openTest(t)
	steps := []struct {
		segs     []SegmentCommit
		wantSize int64
	}{
		{[]SegmentCommit{withLeaves(testSegment("SEGC", 6, 4, "c1"))}, 0},
		{[]SegmentCommit{withLeaves(testSegment("SEGA", 0, 3, "c1"))}, 3},
		// SEGB continues the tree, and the leaves of SEGC follow it.
		{[]SegmentCommit{withLeaves(testSegment("SEGB", 3, 3, "c2")), withLeaves(testSegment("SEGB", 3, 3, "c2"))}, 10},
	}
	for i, step := range steps {
		if err := c.Commit("default", step.segs); err != nil {
			t.Fatal(err)
		}
		size, err := c.TreeSize("default")
		if err != nil {
			t.Fatal(err)
		}
		if size != step.wantSize {
			t.Fatalf("after commit %d the tree has %d leaves, want %d", i+1, size, step.wantSize)
		}
		// Every committed leaf reads back, in the tree or waiting for it.
		for _, seg := range step.segs {
			for j, m := range seg.Messages {
				got, err := c.Leaf("default", m.Seq)
				if err != nil {
					t.Fatalf("after commit %d: leaf %d: %v", i+1, m.Seq, err)
				}
				if got != seg.Leaves[j] {
					t.Errorf("after commit %d: leaf %d is %v, want %v", i+1, m.Seq, got, seg.Leaves[j])
				}
			}
		}
		if size == 0 {
			continue
		}
		got, err := c.TreeHash("default", size)
		if err != nil {
			t.Fatal(err)
		}
		if want := memoryTreeHash(t, size); got != want {
			t.Errorf("after commit %d the root of %d leaves is %v, want %v", i+1, size, got, want)
		}
	}
	for seq := uint64(0); seq < 10; seq++ {
		got, err := c.Leaf("default", seq)
		if err != nil {
			t.Fatalf("leaf %d at the end: %v", seq, err)
		}
		if want := tlog.Hash(sha256.Sum256(fmt.Appendf(nil, "leaf %d", seq))); got != want {
			t.Errorf("leaf %d at the end is %v, want %v", seq, got, want)
		}
	}
	stats, err := c.Stats("default")
	if err != nil {
		t.Fatal(err)
	}
	if stats.Segments != 3 || stats.Messages != 10 {
		t.Errorf("stats = %+v, want 3 segments and 10 messages: a segment given twice in one commit counts once", stats)
	}
}
