package vault

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"chatseal/archive"
	"chatseal/audit"
)

// auditEvents returns every audit event of v, without the read_audit
// events that reading them adds.
func auditEvents(t *testing.T, v *Vault) []audit.Event {
	t.Helper()
	all, err := v.AuditEvents(context.Background(), AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	return slices.DeleteFunc(all, func(e audit.Event) bool { return e.Action == audit.ActionReadAudit })
}

func TestAudit_RecordsSearchViewAndTag(t *testing.T) {
	v, _ := openScopedVault(t)
	ctx := WithActor(context.Background(), "cli:lan@may-1")

	res, err := v.Find(ctx, SearchRequest{Query: "-kind:system", Limit: 2, Context: 1, Scope: &Scope{Accounts: []string{"shop-a"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Show(ctx, testConversation, "shop-a"); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Tag(ctx, []string{res.Hits[0].ID}, []string{"khiếu-nại"}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Find(ctx, SearchRequest{Query: `"khieu`}); err == nil {
		t.Fatal("a query with an open quote was accepted")
	}

	events := auditEvents(t, v)
	var actions []audit.Action
	for _, e := range events {
		actions = append(actions, e.Action)
	}
	want := []audit.Action{audit.ActionImport, audit.ActionImport, audit.ActionSearch, audit.ActionViewConversation, audit.ActionTag, audit.ActionSearch}
	if !slices.Equal(actions, want) {
		t.Fatalf("actions = %v, want %v", actions, want)
	}
	imp, search, view, tag, failed := events[0], events[2], events[3], events[4], events[5]

	if imp.Actor != SystemActor || imp.Results == nil || *imp.Results == 0 || imp.Details["account"] != "shop-a" {
		t.Errorf("import event = %+v, want the system's import of shop-a with its stored count", imp)
	}
	if search.Actor != "cli:lan@may-1" || search.Query != "-kind:system" || search.Outcome != audit.OK {
		t.Errorf("search event = %+v, want lan's successful query", search)
	}
	if !slices.Equal(search.Scope, []string{"account:shop-a"}) {
		t.Errorf("search scope = %v, want [account:shop-a]", search.Scope)
	}
	if search.Results == nil || uint64(*search.Results) != res.Total {
		t.Errorf("search results = %v, want the total %d", search.Results, res.Total)
	}
	for _, h := range res.Hits {
		if !slices.Contains(search.Targets, h.ID) {
			t.Errorf("search targets %v lack hit %s", search.Targets, h.ID)
		}
		for _, c := range slices.Concat(h.Before, h.After) {
			if !slices.Contains(search.Targets, c.ID) {
				t.Errorf("search targets %v lack neighbour %s", search.Targets, c.ID)
			}
		}
	}
	if view.Results == nil || *view.Results == 0 || len(view.Targets) != int(*view.Results)+1 || view.Targets[0] != "shop-a/"+testConversation {
		t.Errorf("view event = %+v, want shop-a's conversation, then each message shown, and their count", view)
	}
	if !slices.Equal(tag.Targets, []string{res.Hits[0].ID}) || tag.Details["add"] != "khiếu-nại" {
		t.Errorf("tag event = %+v, want the tagged message and the tag", tag)
	}
	if _, err := v.Tag(ctx, []string{res.Hits[0].ID}, nil, []string{"KHIẾU-NẠI"}); err != nil {
		t.Fatal(err)
	}
	// The event names the tag as stored, whatever case it was typed in.
	events = auditEvents(t, v)
	if untag := events[len(events)-1]; untag.Details["remove"] != "khiếu-nại" {
		t.Errorf("untag event = %+v, want the stored form of the removed tag", untag)
	}
	if failed.Outcome != audit.Failed || failed.Error == "" || failed.Query != `"khieu` {
		t.Errorf("failed search event = %+v, want the query with a failed outcome and its error", failed)
	}

	rep, err := v.VerifyAudit(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Head.Events < int64(len(events)) {
		t.Errorf("verify counted %d events, fewer than the %d read", rep.Head.Events, len(events))
	}
}

func TestAudit_SurvivesRebuild(t *testing.T) {
	v, _ := openScopedVault(t)
	ctx := context.Background()
	if _, err := v.Search(ctx, "giao", 10, 0); err != nil {
		t.Fatal(err)
	}
	before := v.audit.Head()
	if _, err := v.Rebuild(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if got := v.audit.Head(); got.Events != before.Events+1 {
		t.Errorf("head after rebuild counts %d events, want %d and the rebuild's", got.Events, before.Events)
	}
	events := auditEvents(t, v)
	if last := events[len(events)-1]; last.Action != audit.ActionRebuild || last.Outcome != audit.OK {
		t.Errorf("last event = %+v, want the rebuild", last)
	}
	rep, err := v.Verify(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Errorf("verify after rebuild: %v", rep.Problems)
	}
}

func TestAudit_VerifyReportsRemovedObject(t *testing.T) {
	v, keys := searchedVault(t)
	ctx := context.Background()
	if err := os.Remove(filepath.Join(v.cfg.archiveDir(), filepath.FromSlash(keys[1]))); err != nil {
		t.Fatal(err)
	}

	rep, err := v.Verify(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK() {
		t.Fatal("verify passed with an audit object removed")
	}
	if _, err := v.VerifyAudit(ctx, nil); !errors.Is(err, audit.ErrBroken) {
		t.Errorf("VerifyAudit: err = %v, want ErrBroken", err)
	}
}

func TestAudit_UnwritableLogFailsSearch(t *testing.T) {
	cfg := newTestConfig(t)
	cfg.Retry = archive.RetryPolicy{FirstWait: 10 * time.Millisecond, MaxWait: 20 * time.Millisecond, GiveUpAfter: 100 * time.Millisecond}
	v, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	// A file where the audit folder belongs makes every audit write fail,
	// as a full or read-only disk would.
	if err := os.MkdirAll(filepath.Join(cfg.archiveDir(), "default"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cfg.archiveDir(), "default", "audit"), nil, 0o600); err != nil {
		t.Fatal(err)
	}

	res, err := v.Search(context.Background(), "giao", 10, 0)
	if !errors.Is(err, ErrAudit) {
		t.Errorf("search with an unwritable audit log: err = %v, want ErrAudit", err)
	}
	if res != nil {
		t.Errorf("search returned %d hits although its audit event was not written", len(res.Hits))
	}
	head, pending, err := auditHeads{v}.LoadHead()
	if err != nil {
		t.Fatal(err)
	}
	if head.Events != 0 {
		t.Errorf("head counts %d events after failed writes", head.Events)
	}
	// The next append settles the pending head of the failed one.
	if pending == nil {
		t.Error("no pending head kept after a failed audit write")
	}
}

func TestAuditEvents_FiltersAndLimit(t *testing.T) {
	v, _ := openScopedVault(t)
	ctx := WithActor(context.Background(), "cli:lan@may-1")
	for _, q := range []string{"giao", "hàng", "phí"} {
		if _, err := v.Search(ctx, q, 10, 0); err != nil {
			t.Fatal(err)
		}
	}

	got, err := v.AuditEvents(ctx, AuditQuery{Action: audit.ActionSearch, Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	var queries []string
	for _, e := range got {
		queries = append(queries, e.Query)
	}
	if !slices.Equal(queries, []string{"hàng", "phí"}) {
		t.Errorf("the 2 newest searches = %v, want [hàng phí], oldest first", queries)
	}

	got, err = v.AuditEvents(ctx, AuditQuery{Actor: "lan@", Action: audit.ActionImport})
	if err != nil || len(got) != 0 {
		t.Errorf("lan's imports = %d events, %v; want none, the imports were the system's", len(got), err)
	}
	got, err = v.AuditEvents(ctx, AuditQuery{Since: time.Now().Add(24 * time.Hour)})
	if err != nil || len(got) != 0 {
		t.Errorf("events since tomorrow = %d, %v; want none", len(got), err)
	}
	got, err = v.AuditEvents(ctx, AuditQuery{Since: time.Now().Add(-time.Hour)})
	if err != nil || len(got) < 5 {
		t.Errorf("events of the last hour = %d, %v; want the imports, searches and readings", len(got), err)
	}
	if _, err := v.AuditEvents(ctx, AuditQuery{Action: "serach"}); !errors.Is(err, ErrUnknownAction) {
		t.Errorf("unknown action: err = %v, want ErrUnknownAction", err)
	}

	// Each reading is recorded with its filters and the number returned.
	all, err := v.AuditEvents(ctx, AuditQuery{Action: audit.ActionReadAudit})
	if err != nil {
		t.Fatal(err)
	}
	first := all[0]
	if first.Details["action"] != "search" || first.Details["limit"] != "2" || first.Results == nil || *first.Results != 2 {
		t.Errorf("first reading = %+v, want action search, limit 2, 2 results", first)
	}
}

func TestAudit_ChangedObjectIsBroken(t *testing.T) {
	v, keys := searchedVault(t)
	ctx := context.Background()
	p := filepath.Join(v.cfg.archiveDir(), filepath.FromSlash(keys[0]))
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)-5] ^= 0x01
	os.Chmod(p, 0o600)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}

	if _, err := v.VerifyAudit(ctx, nil); !errors.Is(err, audit.ErrBroken) {
		t.Errorf("VerifyAudit of a changed object: err = %v, want ErrBroken", err)
	}
	if _, err := v.AuditEvents(ctx, AuditQuery{}); !errors.Is(err, audit.ErrBroken) {
		t.Errorf("AuditEvents over a changed object: err = %v, want ErrBroken", err)
	}
	rep, err := v.Verify(ctx, nil)
	if err != nil {
		t.Fatalf("verify of an archive with a changed audit object did not run: %v", err)
	}
	if rep.OK() {
		t.Error("verify passed with a changed audit object")
	}
}

func TestAudit_RebuildKeepsGuardOnNewestEvents(t *testing.T) {
	v, keys := searchedVault(t)
	ctx := context.Background()
	if err := os.Remove(filepath.Join(v.cfg.archiveDir(), filepath.FromSlash(keys[len(keys)-1]))); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Rebuild(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := v.VerifyAudit(ctx, nil); !errors.Is(err, audit.ErrBroken) {
		t.Errorf("VerifyAudit after removing the newest object and rebuilding: err = %v, want ErrBroken", err)
	}
}

// searchedVault returns openScopedVault's vault after one search, and the
// keys of its audit objects in chain order.
func searchedVault(t *testing.T) (*Vault, []string) {
	t.Helper()
	v, _ := openScopedVault(t)
	ctx := context.Background()
	if _, err := v.Search(ctx, "giao", 10, 0); err != nil {
		t.Fatal(err)
	}
	keys, err := audit.Objects(ctx, auditStore{v}, v.cfg.Tenant)
	if err != nil {
		t.Fatal(err)
	}
	return v, keys
}
