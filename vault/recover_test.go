package vault

import (
	"context"
	"path/filepath"
	"testing"

	"chatseal/audit"
	"chatseal/catalog"
)

// TestRecover_RedoAndAdopt leaves a flush as a crash between its PUTs
// would: intents recorded, the first segment not stored, the others stored
// but not committed. Reopening must commit every message exactly once with
// gapless seqs.
func TestRecover_RedoAndAdopt(t *testing.T) {
	ctx := context.Background()
	cfg := newTestConfig(t)
	cfg.FlushMessages = 1 << 30
	v, err := Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}

	// Spool messages of two conversations and two months without flushing.
	im := &importer{v: v, req: ImportRequest{Source: "zalo", Account: "shop", AccountUID: "8123456789012345678"}, sum: &ImportSummary{}, q: newQuarantine(v)}
	for _, f := range []string{"zca-undo-reaction.jsonl", "zca-dm-attachments.jsonl", "zca-dm-text-quote.jsonl"} {
		if err := im.importInput(ctx, filepath.Join(caseDir, f)); err != nil {
			t.Fatal(err)
		}
	}
	pending := v.spool.Pending()
	segs, err := v.planSegments(pending)
	if err != nil {
		t.Fatal(err)
	}
	if len(segs) < 2 {
		t.Fatalf("planned %d segments, want at least 2", len(segs))
	}
	intents := make([]catalog.Intent, len(segs))
	for i, s := range segs {
		intents[i] = catalog.Intent{Segment: s.Info}
		for _, m := range s.Messages {
			intents[i].MessageIDs = append(intents[i].MessageIDs, m.ID)
		}
	}
	if err := v.catalog.PutIntents(v.cfg.Tenant, intents); err != nil {
		t.Fatal(err)
	}
	if err := v.putSegments(ctx, segs[1:]); err != nil {
		t.Fatal(err)
	}
	v.Close()

	v = mustOpen(t, cfg)
	stats, err := v.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Messages != int64(len(pending)) || stats.Spooled != 0 || stats.Segments != int64(len(segs)) {
		t.Errorf("after recovery: %+v, want %d messages in %d segments, none spooled", stats, len(pending), len(segs))
	}
	if intents, _ := v.catalog.Intents(v.cfg.Tenant); len(intents) != 0 {
		t.Errorf("%d intents left after recovery", len(intents))
	}
	// The recovery changed the archive, so it is an audit event.
	events := auditEvents(t, v)
	if len(events) != 1 || events[0].Action != audit.ActionRecover || events[0].Actor != SystemActor {
		t.Fatalf("audit events after recovery = %+v, want one recover event of the system", events)
	}
	if got := *events[0].Results; got != int64(len(pending)) {
		t.Errorf("recover event counts %d messages, want %d", got, len(pending))
	}
	rep, err := v.Verify(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Errorf("verify after recovery: %v", rep.Problems)
	}

	// Importing the same files again stores nothing.
	for _, f := range []string{"zca-undo-reaction.jsonl", "zca-dm-attachments.jsonl", "zca-dm-text-quote.jsonl"} {
		sum, err := importFile(t, v, filepath.Join(caseDir, f))
		if err != nil {
			t.Fatal(err)
		}
		if sum.Stored != 0 {
			t.Errorf("re-import of %s stored %d messages, want 0", f, sum.Stored)
		}
	}
}
