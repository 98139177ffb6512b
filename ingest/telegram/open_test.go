package telegram

import (
	"archive/zip"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"chatseal/ingest"
)

// photoPath is the photo that message 104 of single-chat-basic names.
const photoPath = "photos/photo_1@10-05-2024_08-09-52.jpg"

// writeExport writes the single-chat-basic export, with its photo but not
// its voice message, into dir/ChatExport_2024-05-10, and returns that
// folder.
func writeExport(t *testing.T, dir string) string {
	t.Helper()
	folder := filepath.Join(dir, "ChatExport_2024-05-10")
	files := map[string][]byte{
		resultName: caseInput(t, "single-chat-basic"),
		photoPath:  []byte("\xFF\xD8\xFF\xE0 photo bytes"),
	}
	for name, data := range files {
		p := filepath.Join(folder, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return folder
}

// zipFolder writes a zip of the files under root, named relative to root.
func zipFolder(t *testing.T, root, zipPath string) {
	t.Helper()
	f, err := os.Create(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		w, err := zw.Create(filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestOpen_Shapes(t *testing.T) {
	dir := t.TempDir()
	folder := writeExport(t, dir)
	zipPath := filepath.Join(t.TempDir(), "export.zip")
	zipFolder(t, dir, zipPath)

	tests := []struct {
		name, path, photo, file string
	}{
		{"result.json itself", filepath.Join(folder, resultName), photoPath, filepath.Join(folder, resultName)},
		{"export folder", folder, photoPath, folder + "/" + resultName},
		{"folder holding the export folder", dir, "ChatExport_2024-05-10/" + photoPath, dir + "/ChatExport_2024-05-10/" + resultName},
		{"zip of the export folder", zipPath, "ChatExport_2024-05-10/" + photoPath, zipPath + "/ChatExport_2024-05-10/" + resultName},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := openReader(t, tc.path, ingest.Options{Account: "test"})
			if r.file != tc.file {
				t.Errorf("file = %q, want %q", r.file, tc.file)
			}
			msgs, _ := readAll(t, r)
			if len(msgs) != 9 {
				t.Fatalf("got %d messages, want 9", len(msgs))
			}
			photo := msgs[3].Attachments[0]
			if photo.Path != tc.photo || photo.URI != photoPath {
				t.Errorf("photo path %q uri %q, want %q and %q", photo.Path, photo.URI, tc.photo, photoPath)
			}

			rc, size, err := r.OpenMedia(photo.Path)
			if err != nil {
				t.Fatalf("OpenMedia(%s): %v", photo.Path, err)
			}
			data, err := io.ReadAll(rc)
			rc.Close()
			if err != nil || size != int64(len(data)) || !strings.HasSuffix(string(data), "photo bytes") {
				t.Errorf("OpenMedia read %q (size %d), %v", data, size, err)
			}

			voice := msgs[4].Attachments[0]
			if _, _, err := r.OpenMedia(voice.Path); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("OpenMedia(%s) of a file not in the export: %v, want fs.ErrNotExist", voice.Path, err)
			}
			if _, _, err := r.OpenMedia("../" + resultName); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("OpenMedia of a path leaving the export: %v, want fs.ErrNotExist", err)
			}
		})
	}
}

func TestOpen_NoExport(t *testing.T) {
	t.Run("HTML export", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "messages.html"), []byte("<html>"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Open(dir, ingest.Options{Account: "test"})
		if err == nil || !strings.Contains(err.Error(), `export again with the format "Machine-readable JSON"`) {
			t.Errorf("Open = %v, want the HTML export error", err)
		}
	})
	t.Run("empty folder", func(t *testing.T) {
		_, err := Open(t.TempDir(), ingest.Options{Account: "test"})
		if err == nil || !strings.Contains(err.Error(), "result.json not found") {
			t.Errorf("Open = %v, want the missing result.json error", err)
		}
	})
	t.Run("two exports side by side", func(t *testing.T) {
		dir := t.TempDir()
		for _, sub := range []string{"a", "b"} {
			writeExport(t, filepath.Join(dir, sub))
		}
		_, err := Open(dir, ingest.Options{Account: "test"})
		if err == nil || !strings.Contains(err.Error(), "2 files named result.json at the same depth") {
			t.Errorf("Open = %v, want the ambiguous export error", err)
		}
	})
	t.Run("missing path", func(t *testing.T) {
		_, err := Open(filepath.Join(t.TempDir(), "nothing"), ingest.Options{Account: "test"})
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Open = %v, want fs.ErrNotExist", err)
		}
	})
}

func TestNewReader_OpenMedia(t *testing.T) {
	r := NewReader(strings.NewReader(chatJSON()), "result.json", ingest.Options{Account: "test"})
	if _, _, err := r.OpenMedia(photoPath); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("OpenMedia on a stream reader = %v, want fs.ErrNotExist", err)
	}
}
