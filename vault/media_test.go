package vault

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"chatseal/audit"
	"chatseal/chat"
)

// writeWhatsAppZip writes a WhatsApp export zip holding the chat text of
// the attachments case and every media file in media.
func writeWhatsAppZip(t *testing.T, path string, media map[string][]byte) {
	t.Helper()
	chatText, err := os.ReadFile(filepath.Join("..", "testdata", "whatsapp", "attachments-android-en.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("WhatsApp Chat with Lý Mỹ Dung.txt")
	if err != nil {
		t.Fatal(err)
	}
	w.Write(chatText)
	for name, body := range media {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestImport_WhatsAppZipStoresMedia(t *testing.T) {
	ctx := context.Background()
	v, err := Open(ctx, newTestConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()

	photo := bytes.Repeat([]byte{0xff, 0xd8, 0x42}, 4000)
	media := map[string][]byte{
		"IMG-20240401-WA0003.jpg":  photo,
		"Báo giá Q2.pdf":           []byte("%PDF-1.7 báo giá quý 2"),
		"PTT-20240401-WA0007.opus": []byte("OggS voice"),
		// 7c1e…1234.jpg is named by the chat but left out of the zip.
	}
	zpath := filepath.Join(t.TempDir(), "WhatsApp Chat with Lý Mỹ Dung.zip")
	writeWhatsAppZip(t, zpath, media)

	req := ImportRequest{Source: "whatsapp", Account: "sale-01", SelfName: "Tô Gia Huy", Inputs: []string{zpath}}
	sum, err := v.Import(ctx, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Stored != 5 || sum.Quarantined != 0 {
		t.Fatalf("summary = %+v, want 5 stored, nothing quarantined", sum)
	}
	if sum.Attachments.Stored != 3 || sum.Attachments.Missing != 1 {
		t.Errorf("attachments = %+v, want 3 stored and 1 missing", sum.Attachments)
	}
	if sum.WarningCodes["MEDIA_NOT_IN_EXPORT"] != 1 {
		t.Errorf("warning codes = %v, want one MEDIA_NOT_IN_EXPORT", sum.WarningCodes)
	}

	// Every stored attachment reads back as the file in the zip.
	for name, body := range media {
		h := sha256.Sum256(body)
		rc, err := v.OpenAttachment(ctx, hex.EncodeToString(h[:]))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		var got bytes.Buffer
		_, err = got.ReadFrom(rc)
		rc.Close()
		if err != nil || !bytes.Equal(got.Bytes(), body) {
			t.Errorf("%s: read back %d bytes, err %v", name, got.Len(), err)
		}
	}

	// The thread shows the missing photo as missing, never as present.
	res, err := v.Search(ctx, "hóa đơn", 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 1 {
		t.Fatalf("search found %d hits, want the caption of the missing photo", len(res.Hits))
	}
	att := res.Hits[0].Attachments
	if len(att) != 1 || att[0].Present == nil || *att[0].Present || att[0].AbsentReason != chat.AbsentNotInExport {
		t.Errorf("missing photo = %+v, want present=false with reason %s", att, chat.AbsentNotInExport)
	}

	before := len(auditEvents(t, v))
	rep, err := v.Verify(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Attachments != 3 {
		t.Fatalf("verify: %d attachments, problems %v; want 3 and none", rep.Attachments, rep.Problems)
	}

	// A second import of the same zip stores nothing: no message, no file.
	again, err := v.Import(ctx, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	if again.Stored != 0 || again.Duplicates != 5 || again.Attachments.Stored != 0 {
		t.Errorf("re-import = %+v, want 0 stored, 5 duplicates, no attachment stored", again)
	}

	// One changed byte in an attachment object fails verify, naming it.
	h := sha256.Sum256(photo)
	key := AttachmentKey(v.cfg.Tenant, hex.EncodeToString(h[:]))
	p := filepath.Join(v.cfg.archiveDir(), filepath.FromSlash(key))
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0x01
	os.Chmod(p, 0o644)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err = v.Verify(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK() || !strings.Contains(rep.Problems[0].Object, key) {
		t.Errorf("verify after tampering: problems %v, want one naming %s", rep.Problems, key)
	}

	// Verify reads the attachments without showing them, so it records no
	// view, and a verify that finds damage is recorded as failed.
	var verifies []audit.Outcome
	for _, e := range auditEvents(t, v)[before:] {
		switch e.Action {
		case audit.ActionViewAttachment:
			t.Errorf("verify recorded an attachment view: %+v", e)
		case audit.ActionVerify:
			verifies = append(verifies, e.Outcome)
		}
	}
	if !slices.Equal(verifies, []audit.Outcome{audit.OK, audit.Failed}) {
		t.Errorf("verify outcomes = %v, want ok, then failed after the tampering", verifies)
	}
}

func TestDryRunImport_StoresNothing(t *testing.T) {
	ctx := context.Background()
	zpath := filepath.Join(t.TempDir(), "chat.zip")
	writeWhatsAppZip(t, zpath, map[string][]byte{"IMG-20240401-WA0003.jpg": []byte("jpeg")})
	dataDir := filepath.Join(t.TempDir(), "data")

	sum, err := DryRunImport(ctx, ImportRequest{Source: "whatsapp", Account: "sale-01", Inputs: []string{zpath}}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !sum.DryRun || sum.Read != 5 || sum.Stored != 5 {
		t.Errorf("summary = %+v, want a dry run reading 5 messages", sum)
	}
	if sum.Attachments.Stored != 1 || sum.Attachments.Missing != 3 {
		t.Errorf("attachments = %+v, want 1 found and 3 missing", sum.Attachments)
	}
	if _, err := os.Stat(dataDir); !os.IsNotExist(err) {
		t.Errorf("a dry run created %s", dataDir)
	}
}

// TestImport_WhatsAppOverlappingExports imports two exports of one chat,
// the second overlapping the first, and an export of another chat: each
// step stores only the messages not archived before.
func TestImport_WhatsAppOverlappingExports(t *testing.T) {
	ctx := context.Background()
	v, err := Open(ctx, newTestConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	dir := filepath.Join("..", "testdata", "whatsapp", "reimport-overlap")
	steps := []struct {
		file, conversation string
		total              int64
	}{
		{"chat-tuyet-export-1.txt", "Chị Tuyết", 5},
		{"chat-tuyet-export-2.txt", "Chị Tuyết", 6},
		{"group-si-export-1.txt", "Nhóm khách sỉ", 7},
		{"chat-tuyet-export-2.txt", "Chị Tuyết", 7},
	}
	for _, s := range steps {
		_, err := v.Import(ctx, ImportRequest{Source: "whatsapp", Account: "sale-01", DateOrder: "dmy",
			Conversation: s.conversation, Inputs: []string{filepath.Join(dir, s.file)}}, nil)
		if err != nil {
			t.Fatalf("%s: %v", s.file, err)
		}
		stats, err := v.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if stats.Messages != s.total {
			t.Errorf("after %s: %d messages archived, want %d", s.file, stats.Messages, s.total)
		}
	}
}
