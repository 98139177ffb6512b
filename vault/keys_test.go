package vault

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"chatseal/archive"
	"chatseal/crypto"
)

// TestKeys_RotateThenReadWithRecoveryOnly rotates the primary key between
// two imports, checks that verify reads both generations, and then reads
// every segment with nothing but the recovery identity.
func TestKeys_RotateThenReadWithRecoveryOnly(t *testing.T) {
	ctx := context.Background()
	cfg := newTestConfig(t)
	v, err := Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := importFile(t, v, filepath.Join(caseDir, "zca-undo-reaction.jsonl")); err != nil {
		t.Fatal(err)
	}
	v.Close()

	if _, err := crypto.Rotate(cfg.keysDir(), nil); err != nil {
		t.Fatal(err)
	}
	v = mustOpen(t, cfg)
	if _, err := importFile(t, v, filepath.Join(caseDir, "zca-dm-text-quote.jsonl")); err != nil {
		t.Fatal(err)
	}
	rep, err := v.Verify(ctx, nil)
	if err != nil || !rep.OK() {
		t.Fatalf("verify after rotation: %v %v", err, rep.Problems)
	}

	// Move the recovery key away, as an administrator would, and read the
	// whole archive with it alone.
	offline := filepath.Join(t.TempDir(), "recovery.key")
	if err := os.Rename(filepath.Join(cfg.keysDir(), crypto.RecoveryFile), offline); err != nil {
		t.Fatal(err)
	}
	recovery, err := crypto.LoadIdentityFile(offline)
	if err != nil {
		t.Fatal(err)
	}
	var records int
	err = v.catalog.Segments(v.cfg.Tenant, func(info archive.SegmentInfo) error {
		res, err := archive.ReadSegment(ctx, v.store, recovery, info.Key, nil)
		if err != nil {
			return err
		}
		records += res.Count
		return nil
	})
	if err != nil {
		t.Fatalf("reading with the recovery key alone: %v", err)
	}
	if stats, _ := v.Stats(ctx); int64(records) != stats.Messages {
		t.Errorf("recovery key read %d records, archive holds %d", records, stats.Messages)
	}
}
