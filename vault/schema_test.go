package vault

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/blevesearch/bleve/v2"

	"chatseal/audit"
)

// TestOpen_OutdatedIndexIsRebuilt marks the index as written by another
// layout version; opening the vault must rebuild it from the archive.
func TestOpen_OutdatedIndexIsRebuilt(t *testing.T) {
	ctx := context.Background()
	cfg := newTestConfig(t)
	v, err := Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := importFile(t, v, filepath.Join(caseDir, "zca-dm-text-quote.jsonl")); err != nil {
		t.Fatal(err)
	}
	v.Close()

	// The index is one Bleve index per quarter; mark the shard that holds
	// the messages as written by another layout version.
	shards, err := filepath.Glob(filepath.Join(cfg.DataDir, "index", "default", "*-Q*"))
	if err != nil || len(shards) == 0 {
		t.Fatalf("no index shard found: %v", err)
	}
	idx, err := bleve.Open(shards[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := idx.SetInternal([]byte("chatseal.schema"), []byte("0-old")); err != nil {
		t.Fatal(err)
	}
	idx.Close()

	v = mustOpen(t, cfg)
	stats, err := v.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Indexed != uint64(stats.Messages) || stats.Messages == 0 {
		t.Errorf("after reopening an outdated index: %+v, want every message indexed again", stats)
	}
	var rebuilds []audit.Event
	for _, e := range auditEvents(t, v) {
		if e.Action == audit.ActionRebuild {
			rebuilds = append(rebuilds, e)
		}
	}
	if len(rebuilds) != 1 || rebuilds[0].Details["scope"] != "index" {
		t.Errorf("rebuild events = %+v, want one of the index", rebuilds)
	}
	res, err := v.Search(ctx, "size", 10, 0)
	if err != nil || res.Total == 0 {
		t.Errorf("search after the index was rebuilt: %v %+v", err, res)
	}
}
