package vault

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"chatseal/archive"
	"chatseal/crypto"
	"chatseal/ingest"
)

const caseDir = "../testdata/zalo"

func importFile(t *testing.T, v *Vault, path string) (*ImportSummary, error) {
	t.Helper()
	return v.Import(context.Background(), ImportRequest{Source: "zalo", Account: "shop", AccountUID: "8123456789012345678", Inputs: []string{path}}, nil)
}

func mustOpen(t *testing.T, cfg Config) *Vault {
	t.Helper()
	v, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	return v
}

func messageCount(t *testing.T, v *Vault) int64 {
	t.Helper()
	s, err := v.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s.Messages
}

func TestImport_BadLinesAreQuarantined(t *testing.T) {
	v := mustOpen(t, newTestConfig(t))
	if _, err := importFile(t, v, filepath.Join(caseDir, "zca-dm-text-quote.jsonl")); err != nil {
		t.Fatal(err)
	}
	stored := messageCount(t, v)

	good, err := os.ReadFile(filepath.Join(caseDir, "zca-undo-reaction.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(strings.TrimSpace(string(good)), "\n")
	mixed := lines[0] +
		lines[1][:len(lines[1])/2] + "\n" + // truncated line
		`{"event": "message", "threadType": "user", "data": "not an object"}` + "\n" + // wrong type
		strings.Join(lines[2:], "") + "\n"
	path := filepath.Join(t.TempDir(), "mixed.jsonl")
	if err := os.WriteFile(path, []byte(mixed), 0o600); err != nil {
		t.Fatal(err)
	}

	sum, err := importFile(t, v, path)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Quarantined != 2 {
		t.Errorf("quarantined %d lines, want 2", sum.Quarantined)
	}
	if sum.Stored != int64(len(lines)-1) {
		t.Errorf("stored %d messages, want %d (every good line)", sum.Stored, len(lines)-1)
	}
	if len(sum.QuarantineObjects) != 1 {
		t.Errorf("quarantine objects = %v, want one", sum.QuarantineObjects)
	}
	for _, b := range sum.BadRecords {
		if b.File != path || b.Line < 2 || b.Reason == "" {
			t.Errorf("bad record %+v lacks file, line or reason", b)
		}
	}
	if got := messageCount(t, v); got != stored+sum.Stored {
		t.Errorf("archive holds %d messages, want %d", got, stored+sum.Stored)
	}
}

func TestImport_NotJSONAtAll(t *testing.T) {
	v := mustOpen(t, newTestConfig(t))
	if _, err := importFile(t, v, filepath.Join(caseDir, "zca-dm-text-quote.jsonl")); err != nil {
		t.Fatal(err)
	}
	stored := messageCount(t, v)

	path := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(path, []byte("Biên bản họp\nkhông phải JSON\n"), 0o600)
	sum, err := importFile(t, v, path)
	if err == nil {
		t.Fatal("import of a file that is not JSON succeeded, want an error")
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name the file", err)
	}
	if !errors.Is(err, ErrInputUnreadable) || !strings.Contains(err.Error(), "2 items, not archived") {
		t.Errorf("error %q, want ErrInputUnreadable counting 2 items not archived", err)
	}
	// A file of another format is not a damaged export: its lines are
	// not kept in the archive's quarantine.
	if sum == nil || sum.Quarantined != 0 || len(sum.QuarantineObjects) != 0 {
		t.Errorf("summary %+v, want nothing quarantined", sum)
	}
	if got := messageCount(t, v); got != stored {
		t.Errorf("archive holds %d messages after the failed import, want %d", got, stored)
	}
}

func TestImport_EmptyFile(t *testing.T) {
	v := mustOpen(t, newTestConfig(t))
	path := filepath.Join(t.TempDir(), "empty.jsonl")
	os.WriteFile(path, nil, 0o600)
	sum, err := importFile(t, v, path)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Read != 0 || sum.Stored != 0 || sum.Quarantined != 0 {
		t.Errorf("empty file summary %+v, want all zero", sum)
	}
	if sum.WarningCodes[ingest.WarnEmptyInput] != 1 {
		t.Errorf("warnings %v, want one %s", sum.WarningCodes, ingest.WarnEmptyInput)
	}

	// An empty file reads the same whatever the source, and the inputs
	// after it are still imported.
	for _, source := range []string{"telegram", "whatsapp", "slack", "messenger", "zalo_oa"} {
		sum, err := v.Import(context.Background(), ImportRequest{Source: source, Account: "a", Inputs: []string{path, filepath.Join(caseDir, "zca-dm-text-quote.jsonl")}}, nil)
		if err == nil {
			t.Errorf("%s: the Zalo file after the empty one was read as %s without error", source, source)
			continue
		}
		if !errors.Is(err, ErrInputUnreadable) || strings.Contains(err.Error(), "empty.jsonl") {
			t.Errorf("%s: error %v, want the second file unreadable and the empty one passed", source, err)
		}
		if sum.WarningCodes[ingest.WarnEmptyInput] != 1 {
			t.Errorf("%s: warnings %v, want one %s", source, sum.WarningCodes, ingest.WarnEmptyInput)
		}
	}
}

func TestImport_MissingFile(t *testing.T) {
	v := mustOpen(t, newTestConfig(t))
	_, err := importFile(t, v, "/nonexistent/capture.jsonl")
	if err == nil || !strings.Contains(err.Error(), "/nonexistent/capture.jsonl") {
		t.Errorf("err = %v, want an error naming the missing file", err)
	}
}

func TestOpen_MissingKeyFile(t *testing.T) {
	cfg := newTestConfig(t)
	v, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := importFile(t, v, filepath.Join(caseDir, "zca-dm-text-quote.jsonl")); err != nil {
		t.Fatal(err)
	}
	v.Close()

	// The recovery identity may live offline: its public key is enough.
	recovery := filepath.Join(cfg.keysDir(), crypto.RecoveryFile)
	os.Remove(recovery)
	v, err = Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("open with recovery.key kept offline: %v", err)
	}
	v.Close()

	primary := filepath.Join(cfg.keysDir(), crypto.PrimaryFile)
	saved, _ := os.ReadFile(primary)
	os.Remove(primary)
	_, err = Open(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), primary) {
		t.Fatalf("open without %s: err = %v, want an error naming it", primary, err)
	}

	os.Remove(filepath.Join(cfg.keysDir(), crypto.RecoveryPublicFile))
	_, err = Open(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), "restore") {
		t.Fatalf("open without any key over an existing archive: err = %v, want a restore instruction", err)
	}
	if crypto.Exists(cfg.keysDir()) {
		t.Fatal("open created new keys over an existing archive")
	}

	os.WriteFile(primary, saved, 0o600)
	_, err = Open(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), crypto.RecoveryPublicFile) {
		t.Fatalf("open with only the primary key: err = %v, want the missing recovery key named", err)
	}
}

func TestVerify_DetectsTampering(t *testing.T) {
	cases := []struct {
		name   string
		tamper func(t *testing.T, root, key string)
		want   string
	}{
		{"flipped byte", func(t *testing.T, root, key string) {
			p := filepath.Join(root, key)
			b, _ := os.ReadFile(p)
			b[len(b)-20] ^= 0x01
			os.WriteFile(p, b, 0o600)
		}, "cannot read segment"},
		{"deleted segment", func(t *testing.T, root, key string) {
			os.Remove(filepath.Join(root, key))
		}, "missing"},
		{"foreign segment", func(t *testing.T, root, key string) {
			b, _ := os.ReadFile(filepath.Join(root, key))
			extra := filepath.Join(filepath.Dir(filepath.Join(root, key)), "01j00000000000000000000000.jsonl.zst.age")
			os.WriteFile(extra, b, 0o600)
		}, "not in the catalog"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := newTestConfig(t)
			v := mustOpen(t, cfg)
			if _, err := importFile(t, v, filepath.Join(caseDir, "zca-undo-reaction.jsonl")); err != nil {
				t.Fatal(err)
			}
			rep, err := v.Verify(context.Background(), nil)
			if err != nil || !rep.OK() {
				t.Fatalf("verify before tampering: %v %+v", err, rep)
			}
			var key string
			v.catalog.Segments(v.cfg.Tenant, func(info archive.SegmentInfo) error { key = info.Key; return nil })
			c.tamper(t, cfg.archiveDir(), key)

			rep, err = v.Verify(context.Background(), nil)
			if err != nil {
				t.Fatal(err)
			}
			if rep.OK() {
				t.Fatal("verify passed on a tampered archive")
			}
			found := false
			for _, p := range rep.Problems {
				if strings.Contains(p.String(), c.want) {
					found = true
				}
			}
			if !found {
				t.Errorf("problems %v do not mention %q", rep.Problems, c.want)
			}
		})
	}
}

func TestVerify_DetectsCheckpointDamage(t *testing.T) {
	cases := []struct {
		name   string
		tamper func(t *testing.T, root, tenantDir string)
		want   string
	}{
		{"checkpoint signed by another key", func(t *testing.T, root, tenantDir string) {
			dir := t.TempDir()
			if _, err := crypto.CreateSigner(dir); err != nil {
				t.Fatal(err)
			}
			signer, _, err := crypto.LoadSigner(dir)
			if err != nil {
				t.Fatal(err)
			}
			matches, _ := filepath.Glob(filepath.Join(tenantDir, "checkpoints", "*.note"))
			data, _ := os.ReadFile(matches[len(matches)-1])
			text, _, _ := strings.Cut(string(data), "\n\n")
			forged, err := note.Sign(&note.Note{Text: text + "\n"}, signer)
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(matches[len(matches)-1], forged, 0o600)
		}, "signature does not verify"},
		{"newest checkpoint deleted", func(t *testing.T, root, tenantDir string) {
			matches, _ := filepath.Glob(filepath.Join(tenantDir, "checkpoints", "*.note"))
			os.Remove(matches[len(matches)-1])
		}, "in no signed checkpoint"},
		{"segment deleted", func(t *testing.T, root, tenantDir string) {
			segs, _ := filepath.Glob(filepath.Join(tenantDir, "segments", "*", "*", "*", "*.age"))
			os.Remove(segs[len(segs)-1])
		}, "missing"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := newTestConfig(t)
			v := mustOpen(t, cfg)
			for _, f := range []string{"zca-undo-reaction.jsonl", "zca-dm-text-quote.jsonl"} {
				if _, err := importFile(t, v, filepath.Join(caseDir, f)); err != nil {
					t.Fatal(err)
				}
			}
			rep, err := v.Verify(context.Background(), nil)
			if err != nil || !rep.OK() {
				t.Fatalf("verify before tampering: %v %+v", err, rep)
			}
			c.tamper(t, cfg.archiveDir(), filepath.Join(cfg.archiveDir(), "default"))
			rep, err = v.Verify(context.Background(), nil)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, p := range rep.Problems {
				if strings.Contains(p.String(), c.want) {
					found = true
				}
			}
			if !found {
				t.Errorf("problems %v do not mention %q", rep.Problems, c.want)
			}
		})
	}
}

func TestRebuild_DamagedSegmentKeepsCatalog(t *testing.T) {
	cfg := newTestConfig(t)
	v := mustOpen(t, cfg)
	for _, f := range []string{"zca-undo-reaction.jsonl", "zca-dm-text-quote.jsonl"} {
		if _, err := importFile(t, v, filepath.Join(caseDir, f)); err != nil {
			t.Fatal(err)
		}
	}
	before := messageCount(t, v)
	segs, _ := filepath.Glob(filepath.Join(cfg.archiveDir(), "default", "segments", "*", "*", "*", "*.age"))
	b, _ := os.ReadFile(segs[0])
	b[len(b)/2] ^= 0x01
	os.WriteFile(segs[0], b, 0o600)

	_, err := v.Rebuild(context.Background(), nil)
	if err == nil {
		t.Fatal("rebuild over a damaged segment succeeded")
	}
	if rel, _ := filepath.Rel(cfg.archiveDir(), segs[0]); !strings.Contains(err.Error(), filepath.ToSlash(rel)) {
		t.Errorf("rebuild error %q does not name the damaged segment %s", err, rel)
	}
	if got := messageCount(t, v); got != before {
		t.Errorf("catalog holds %d messages after the failed rebuild, want the previous %d", got, before)
	}
	res, err := v.Search(context.Background(), "shop", 10, 0)
	if err != nil || res.Total == 0 {
		t.Errorf("search after the failed rebuild: %v, %+v; want the previous index", err, res)
	}
	sum, err := importFile(t, v, filepath.Join(caseDir, "zca-dm-text-quote.jsonl"))
	if err != nil || sum.Stored != 0 {
		t.Errorf("re-import after the failed rebuild stored %d messages (err %v), want 0", sum.Stored, err)
	}
}

func TestVerify_ReorderedSegments(t *testing.T) {
	cfg := newTestConfig(t)
	v := mustOpen(t, cfg)
	for _, f := range []string{"zca-undo-reaction.jsonl", "zca-dm-text-quote.jsonl"} {
		if _, err := importFile(t, v, filepath.Join(caseDir, f)); err != nil {
			t.Fatal(err)
		}
	}
	segs, _ := filepath.Glob(filepath.Join(cfg.archiveDir(), "default", "segments", "*", "*", "*", "*.age"))
	if len(segs) < 2 {
		t.Fatalf("want at least 2 segments, have %d", len(segs))
	}
	a, _ := os.ReadFile(segs[0])
	b, _ := os.ReadFile(segs[1])
	os.WriteFile(segs[0], b, 0o600)
	os.WriteFile(segs[1], a, 0o600)

	rep, err := v.Verify(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, seg := range segs[:2] {
		rel, _ := filepath.Rel(cfg.archiveDir(), seg)
		named := false
		for _, p := range rep.Problems {
			if p.Object == filepath.ToSlash(rel) {
				named = true
			}
		}
		if !named {
			t.Errorf("verify does not name swapped segment %s: %v", rel, rep.Problems)
		}
	}
}

func TestVerify_TruncatedLogAfterRebuild(t *testing.T) {
	cfg := newTestConfig(t)
	v := mustOpen(t, cfg)
	for _, f := range []string{"zca-undo-reaction.jsonl", "zca-dm-text-quote.jsonl"} {
		if _, err := importFile(t, v, filepath.Join(caseDir, f)); err != nil {
			t.Fatal(err)
		}
	}
	// Remove the newest segment and rebuild, as someone hiding the last
	// messages would: the catalog agrees with the archive again, but the
	// signed checkpoint still counts the removed records.
	var newest string
	var newestSeq uint64
	v.catalog.Segments(v.cfg.Tenant, func(info archive.SegmentInfo) error {
		if info.LastSeq >= newestSeq {
			newest, newestSeq = info.Key, info.LastSeq
		}
		return nil
	})
	os.Remove(filepath.Join(cfg.archiveDir(), newest))
	if _, err := v.Rebuild(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	rep, err := v.Verify(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range rep.Problems {
		if strings.Contains(p.Detail, "records were removed after it was signed") {
			found = true
		}
	}
	if !found {
		t.Errorf("verify after truncation: %v, want a checkpoint that covers removed records", rep.Problems)
	}
}

func TestVerifySince_ReadsOnlyNewSegments(t *testing.T) {
	ctx := context.Background()
	cfg := newTestConfig(t)
	v := mustOpen(t, cfg)
	if _, err := importFile(t, v, filepath.Join(caseDir, "zca-undo-reaction.jsonl")); err != nil {
		t.Fatal(err)
	}
	first, _ := v.catalog.TreeSize(v.cfg.Tenant)
	var oldSegments int
	v.catalog.Segments(v.cfg.Tenant, func(archive.SegmentInfo) error { oldSegments++; return nil })
	if _, err := importFile(t, v, filepath.Join(caseDir, "zca-dm-attachments.jsonl")); err != nil {
		t.Fatal(err)
	}

	trusted, err := v.TrustedCheckpoint(ctx, fmt.Sprint(first))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := v.VerifySince(ctx, trusted, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("verify --since on an intact archive: %v", rep.Problems)
	}
	full, _ := v.Verify(ctx, nil)
	if rep.Segments != full.Segments-oldSegments {
		t.Errorf("verify --since read %d segments, want only the %d new ones", rep.Segments, full.Segments-oldSegments)
	}

	// Damage to a new segment is found; a forged trusted root is rejected.
	var newest string
	var newestSeq uint64
	v.catalog.Segments(v.cfg.Tenant, func(info archive.SegmentInfo) error {
		if info.LastSeq >= newestSeq {
			newest, newestSeq = info.Key, info.LastSeq
		}
		return nil
	})
	p := filepath.Join(cfg.archiveDir(), newest)
	b, _ := os.ReadFile(p)
	b[len(b)-5] ^= 0x01
	os.WriteFile(p, b, 0o600)
	rep, _ = v.VerifySince(ctx, trusted, nil)
	if rep.OK() {
		t.Error("verify --since missed damage to a new segment")
	}
	forged := *trusted
	forged.Root[0] ^= 0x01
	rep, _ = v.VerifySince(ctx, &forged, nil)
	if rep.OK() {
		t.Error("verify --since accepted a trusted checkpoint whose root the log does not have")
	}
}

func TestImport_QuarantineKeepsOneCopy(t *testing.T) {
	v := mustOpen(t, newTestConfig(t))
	path := filepath.Join(t.TempDir(), "mixed.jsonl")
	good, _ := os.ReadFile(filepath.Join(caseDir, "zca-dm-text-quote.jsonl"))
	os.WriteFile(path, append(good, []byte("{cắt ngang\n")...), 0o600)

	first, err := importFile(t, v, path)
	if err != nil {
		t.Fatal(err)
	}
	second, err := importFile(t, v, path)
	if err != nil {
		t.Fatal(err)
	}
	if first.Quarantined != 1 || len(first.QuarantineObjects) != 1 {
		t.Errorf("first import: %+v, want one item in one quarantine object", first)
	}
	if second.Quarantined != 1 || second.AlreadyQuarantined != 1 || len(second.QuarantineObjects) != 0 {
		t.Errorf("second import: %+v, want the item reported but not stored again", second)
	}
}
