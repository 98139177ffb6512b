package export

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func writeZip(t *testing.T, path string, entries map[string][]byte) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	names := make([]string, 0, len(entries))
	for n := range entries {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(entries[n]); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readAll(t *testing.T, e *Export, name string) string {
	t.Helper()
	rc, _, err := e.Open(name)
	if err != nil {
		t.Fatalf("Open(%q): %v", name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestZipUnsafeEntriesAreListedNotOpened(t *testing.T) {
	dir := t.TempDir()
	zpath := filepath.Join(dir, "export.zip")
	writeZip(t, zpath, map[string][]byte{
		"chat.txt":          []byte("hello"),
		"../escape.txt":     []byte("bad"),
		"media/../../x.jpg": []byte("bad"),
		"media/a.jpg":       []byte("jpeg"),
	})
	e, err := Open(zpath, DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if e.Kind != Zip {
		t.Fatalf("kind = %v, want zip", e.Kind)
	}
	files, err := e.Files()
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"chat.txt", "media/a.jpg"}; !slices.Equal(files, want) {
		t.Errorf("files = %q, want %q", files, want)
	}
	slices.Sort(e.Unsafe)
	if want := []string{"../escape.txt", "media/../../x.jpg"}; !slices.Equal(e.Unsafe, want) {
		t.Errorf("unsafe = %q, want %q", e.Unsafe, want)
	}
	if _, _, err := e.Open("../escape.txt"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open(../escape.txt) err = %v, want fs.ErrNotExist", err)
	}
	if got := readAll(t, e, "media/a.jpg"); got != "jpeg" {
		t.Errorf("media/a.jpg = %q", got)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "escape.txt")); err == nil {
		t.Error("a file appeared outside the export's folder")
	}
}

func TestZipBombIsRefused(t *testing.T) {
	dir := t.TempDir()
	zpath := filepath.Join(dir, "bomb.zip")
	writeZip(t, zpath, map[string][]byte{"chat.txt": bytes.Repeat([]byte{0}, 8<<20)})
	e, err := Open(zpath, DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	_, _, err = e.Open("chat.txt")
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Open = %v, want ErrTooLarge", err)
	}
	if !strings.Contains(err.Error(), "chat.txt") {
		t.Errorf("error %q does not name the entry", err)
	}
	small, err := Open(zpath, Limits{MaxEntryBytes: 1 << 20, MaxRatio: 1 << 40})
	if err != nil {
		t.Fatal(err)
	}
	defer small.Close()
	if _, _, err := small.Open("chat.txt"); !errors.Is(err, ErrTooLarge) {
		t.Errorf("entry over MaxEntryBytes: err = %v, want ErrTooLarge", err)
	}
}

func TestTruncatedZipNamesTheFile(t *testing.T) {
	dir := t.TempDir()
	zpath := filepath.Join(dir, "cut.zip")
	writeZip(t, zpath, map[string][]byte{"chat.txt": bytes.Repeat([]byte("xin chào "), 1000)})
	data, err := os.ReadFile(zpath)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(zpath, data[:len(data)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Open(zpath, DefaultLimits)
	if err == nil || !strings.Contains(err.Error(), zpath) {
		t.Fatalf("Open(truncated) = %v, want an error naming the file", err)
	}
}

func TestFolderAndFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "photos"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{"result.json": "{}", "photos/p.jpg": "img"} {
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(name)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e, err := Open(dir, DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	files, err := e.Files()
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"photos/p.jpg", "result.json"}; !slices.Equal(files, want) {
		t.Errorf("files = %q, want %q", files, want)
	}
	if _, _, err := e.Open("../outside"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open(../outside) = %v, want fs.ErrNotExist", err)
	}
	if size, err := e.Stat("photos/p.jpg"); err != nil || size != 3 {
		t.Errorf("Stat = %d, %v", size, err)
	}

	f, err := Open(filepath.Join(dir, "result.json"), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if f.Kind != File || f.Name() != "result.json" {
		t.Fatalf("kind %v name %q", f.Kind, f.Name())
	}
	if got := readAll(t, f, "photos/p.jpg"); got != "img" {
		t.Errorf("media beside a file: %q", got)
	}
}
