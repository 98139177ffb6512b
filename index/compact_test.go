package index

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"chatseal/chat"
)

// addInBatches adds msgs one batch at a time, so that each batch becomes
// a segment of its shard.
func addInBatches(t *testing.T, x *Index, msgs []*chat.Message, size int) {
	t.Helper()
	for from := 0; from < len(msgs); from += size {
		if err := x.Add(msgs[from:min(from+size, len(msgs))]); err != nil {
			t.Fatal(err)
		}
	}
}

func segmentsOf(t *testing.T, x *Index, name string) int {
	t.Helper()
	x.mu.RLock()
	s := x.mu.shards[name]
	x.mu.RUnlock()
	if s == nil {
		t.Fatalf("no shard %s", name)
	}
	n, err := x.segments(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCompact_MergesClosedShards(t *testing.T) {
	x := openTestIndex(t)
	var msgs []*chat.Message
	for i := range 60 {
		m := testMessage(fmt.Sprintf("m%03d", i), fmt.Sprintf("khiếu nại số %d gọi 0912 345 678", i%7))
		// 2024-Q1 and 2024-Q2 are closed on the compaction day below,
		// 2024-Q3 is not.
		m.SentAt = time.Date(2024, time.Month(1+i%9), 10, 9, 0, 0, 0, hcm)
		msgs = append(msgs, m)
	}
	addInBatches(t, x, msgs, 1)
	queries := []string{"khieu nai", "phone:0912345678", `"số 3"`, "khiếu -3"}
	before := map[string][]string{}
	for _, q := range queries {
		before[q] = searchIDs(t, x, q)
	}

	// Bleve merges segments in the background too, so which shards still
	// have several segments when Compact starts is not fixed. What is:
	// only closed shards are merged, in order, and each ends with one.
	var reports []CompactProgress
	now := time.Date(2024, 8, 1, 0, 0, 0, 0, time.UTC)
	merged, err := x.Compact(context.Background(), now, func(p CompactProgress) { reports = append(reports, p) })
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(merged, "2024-Q3") {
		t.Errorf("merged %v, which includes the open quarter 2024-Q3", merged)
	}
	if !slices.IsSorted(merged) {
		t.Errorf("merged %v, want oldest first", merged)
	}
	if len(reports) != len(merged) {
		t.Fatalf("%d progress reports for %d merged shards", len(reports), len(merged))
	}
	for i, p := range reports {
		if want := (CompactProgress{Shard: merged[i], Done: i + 1, Total: len(merged)}); p != want {
			t.Errorf("progress %d = %+v, want %+v", i, p, want)
		}
	}
	for _, name := range []string{"2024-Q1", "2024-Q2"} {
		if n := segmentsOf(t, x, name); n != 1 {
			t.Errorf("%s has %d segments after compaction, want 1", name, n)
		}
	}
	for _, q := range queries {
		if got := searchIDs(t, x, q); !slices.Equal(got, before[q]) {
			t.Errorf("%s after compaction: %v, before %v", q, got, before[q])
		}
	}

	// A second compaction finds nothing to merge.
	merged, err = x.Compact(context.Background(), now, nil)
	if err != nil || len(merged) != 0 {
		t.Errorf("second compaction merged %v, %v; want nothing", merged, err)
	}
}

func TestCompact_Cancelled(t *testing.T) {
	x := openTestIndex(t)
	var msgs []*chat.Message
	for i := range 20 {
		m := testMessage(fmt.Sprintf("m%03d", i), "giao hàng")
		m.SentAt = time.Date(2023, time.Month(1+i%12), 5, 9, 0, 0, 0, hcm)
		msgs = append(msgs, m)
	}
	addInBatches(t, x, msgs, 2)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	merged, err := x.Compact(ctx, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want context.Canceled", err)
	}
	if len(merged) != 0 {
		t.Errorf("merged %v after cancellation, want nothing", merged)
	}
}

func TestCompact_ClosedIndex(t *testing.T) {
	x, err := Open(Config{Path: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	m := testMessage("m1", "xin chào")
	if err := x.Add([]*chat.Message{m}); err != nil {
		t.Fatal(err)
	}
	if err := x.Add([]*chat.Message{testMessage("m2", "tạm biệt")}); err != nil {
		t.Fatal(err)
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	merged, err := x.Compact(context.Background(), time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), nil)
	if len(merged) != 0 || err != nil {
		t.Errorf("Compact on a closed index = %v, %v; want nothing merged and no error", merged, err)
	}
}
