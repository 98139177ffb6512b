package vault

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"chatseal/chat"
	"chatseal/ingest"
	"chatseal/ingest/export"
)

// exportMedia serves attachment bytes from an unpacked export folder, as an
// importer of a folder export does.
type exportMedia struct{ e *export.Export }

func (m exportMedia) OpenMedia(path string) (io.ReadCloser, int64, error) { return m.e.Open(path) }

func openExportFolder(t *testing.T, files map[string][]byte) ingest.MediaOpener {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e, err := export.Open(dir, export.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	return exportMedia{e}
}

func messageWithAttachments(paths ...string) *chat.Message {
	m := &chat.Message{Tenant: chat.DefaultTenant, Source: "whatsapp", Account: "shop", Conversation: "c", SourceID: "s1",
		SentAt: time.Date(2024, 4, 1, 10, 0, 0, 0, time.UTC), Kind: chat.KindImage}
	for _, p := range paths {
		m.Attachments = append(m.Attachments, chat.Attachment{Kind: "image", Name: filepath.Base(p), Path: p})
	}
	return m
}

func TestStoreAttachments_StoredMissingAndDeduplicated(t *testing.T) {
	ctx := context.Background()
	v, err := Open(ctx, newTestConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()

	photo := bytes.Repeat([]byte("ảnh hoá đơn "), 5000)
	sum := sha256.Sum256(photo)
	wantSHA := hex.EncodeToString(sum[:])
	media := openExportFolder(t, map[string][]byte{"IMG-0001.jpg": photo, "media/copy.jpg": photo})

	m := messageWithAttachments("IMG-0001.jpg", "IMG-0404.jpg", "../outside.jpg")
	res, err := v.storeAttachments(ctx, m, media)
	if err != nil {
		t.Fatal(err)
	}
	if res.stored != 1 || res.missing != 2 || res.deduplicated != 0 {
		t.Errorf("result = %+v, want 1 stored and 2 missing", res)
	}
	a := m.Attachments[0]
	if a.Present == nil || !*a.Present || a.SHA256 != wantSHA || a.Size == nil || *a.Size != int64(len(photo)) {
		t.Errorf("stored attachment = %+v, want present with sha %s and size %d", a, wantSHA, len(photo))
	}
	if a.Object != AttachmentKey(chat.DefaultTenant, wantSHA) {
		t.Errorf("object = %q", a.Object)
	}
	for _, missing := range m.Attachments[1:] {
		if missing.Present == nil || *missing.Present || missing.AbsentReason != chat.AbsentNotInExport || missing.Object != "" {
			t.Errorf("missing attachment %s = %+v, want present=false, reason %s", missing.Path, missing, chat.AbsentNotInExport)
		}
	}
	if !slices.Contains(m.Warnings, ingest.WarnMediaNotInExport) || len(m.Warnings) != 1 {
		t.Errorf("warnings = %q, want one %s", m.Warnings, ingest.WarnMediaNotInExport)
	}

	// The object is encrypted: the plaintext does not appear in it.
	raw, err := os.ReadFile(filepath.Join(v.cfg.archiveDir(), filepath.FromSlash(a.Object)))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, photo[:64]) {
		t.Error("attachment object holds plaintext")
	}

	// The same bytes under another name are not stored again.
	m2 := messageWithAttachments("media/copy.jpg")
	res, err = v.storeAttachments(ctx, m2, media)
	if err != nil {
		t.Fatal(err)
	}
	if res.stored != 0 || res.deduplicated != 1 || m2.Attachments[0].Object != a.Object {
		t.Errorf("second copy: result %+v, object %q; want deduplicated to %q", res, m2.Attachments[0].Object, a.Object)
	}

	rc, err := v.OpenAttachment(ctx, wantSHA)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || !bytes.Equal(got, photo) {
		t.Fatalf("OpenAttachment: %d bytes, err %v; want the original %d bytes", len(got), err, len(photo))
	}
}

func TestOpenAttachment_TamperedObjectFails(t *testing.T) {
	ctx := context.Background()
	v, err := Open(ctx, newTestConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	media := openExportFolder(t, map[string][]byte{"a.pdf": []byte("%PDF-1.4 báo giá")})
	m := messageWithAttachments("a.pdf")
	if _, err := v.storeAttachments(ctx, m, media); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(v.cfg.archiveDir(), filepath.FromSlash(m.Attachments[0].Object))
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)-5] ^= 1
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	rc, err := v.OpenAttachment(ctx, m.Attachments[0].SHA256)
	if err == nil {
		_, err = io.ReadAll(rc)
		rc.Close()
	}
	if err == nil {
		t.Fatal("reading a tampered attachment succeeded")
	}
	if _, err := v.OpenAttachment(ctx, "not-a-sum"); err == nil {
		t.Error("OpenAttachment accepted a malformed sum")
	}
}
