package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeZipFile writes a zip of the given entries to path.
func writeZipFile(t *testing.T, path string, entries map[string]string) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range entries {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func storedMessages(t *testing.T, data string) int64 {
	t.Helper()
	code, out, errOut := chatseal(t, "--data", data, "stats", "--json")
	if code != 0 {
		t.Fatalf("stats: exit %d\n%s", code, errOut)
	}
	var s struct {
		Messages int64 `json:"messages"`
	}
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("stats output %q: %v", out, err)
	}
	return s.Messages
}

// TestCLI_ImportBadInputs hands each importer an input it cannot read. Each
// must fail with an error naming the input, store nothing and write
// nothing outside the data folder.
func TestCLI_ImportBadInputs(t *testing.T) {
	dir := t.TempDir()
	whatsappTxt := filepath.Join("..", "..", "testdata", "whatsapp", "android-24h-dmy-group.txt")
	telegramDir := filepath.Join("..", "..", "testdata", "telegram", "single-chat-basic")

	truncated := filepath.Join(dir, "cut.zip")
	writeZipFile(t, truncated, map[string]string{"_chat.txt": strings.Repeat("01/04/2024, 10:00 - A: xin chào\n", 500)})
	data, err := os.ReadFile(truncated)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(truncated, data[:len(data)/2], 0o644); err != nil {
		t.Fatal(err)
	}

	cutJSON := filepath.Join(dir, "result.json")
	full, err := os.ReadFile(filepath.Join(telegramDir, "result.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cutJSON, full[:len(full)*2/3], 0o644); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name, source, input string
	}{
		{"whatsapp text as telegram", "telegram", whatsappTxt},
		{"telegram folder as slack", "slack", telegramDir},
		{"telegram folder as messenger", "messenger", telegramDir},
		{"truncated whatsapp zip", "whatsapp", truncated},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			code, _, errOut := chatseal(t, "--data", data, "import", "--source", c.source, "--account", "a", c.input)
			if code == 0 {
				t.Fatalf("import succeeded, want an error")
			}
			if !strings.Contains(errOut, filepath.Base(c.input)) {
				t.Errorf("error does not name the input %s:\n%s", filepath.Base(c.input), errOut)
			}
			if n := storedMessages(t, data); n != 0 {
				t.Errorf("%d messages stored from an unreadable input", n)
			}
		})
	}

	// A result.json cut in the middle keeps every message before the cut
	// and names the file and byte offset.
	t.Run("telegram json cut in the middle", func(t *testing.T) {
		data := filepath.Join(t.TempDir(), "data")
		code, _, errOut := chatseal(t, "--data", data, "import", "--source", "telegram", "--account", "a", cutJSON)
		if code == 0 {
			t.Fatal("import of a cut file succeeded")
		}
		if !strings.Contains(errOut, "result.json") || !strings.Contains(errOut, "offset") {
			t.Errorf("error does not name the file and offset:\n%s", errOut)
		}
		if n := storedMessages(t, data); n == 0 {
			t.Error("the messages before the cut were not kept")
		}
	})

	// Inputs after an unreadable one are named as not imported.
	t.Run("inputs after the unreadable one", func(t *testing.T) {
		data := filepath.Join(t.TempDir(), "data")
		later := filepath.Join(telegramDir, "result.json")
		code, out, errOut := chatseal(t, "--data", data, "import", "--source", "telegram", "--account", "a", whatsappTxt, later)
		if code != exitUsage || !strings.Contains(errOut, "INPUT_UNREADABLE") {
			t.Fatalf("exit %d, want %d with INPUT_UNREADABLE:\n%s", code, exitUsage, errOut)
		}
		if !strings.Contains(errOut, "Not imported, because the import stopped before them; import them again once the file named below is dealt with: "+later) {
			t.Errorf("the input not imported is not named:\n%s", errOut)
		}
		// The summary names the unreadable file rather than count its
		// items, which it does not keep.
		if !strings.Contains(out, "Could not read "+whatsappTxt+" in the source's format") {
			t.Errorf("the summary does not name the unreadable file:\n%s", out)
		}
		code, out, _ = chatseal(t, "import", "--dry-run", "--json", "--source", "telegram", "--account", "a", whatsappTxt)
		var sum struct {
			Unreadable string `json:"unreadable"`
		}
		if err := json.Unmarshal([]byte(out), &sum); code != exitUsage || err != nil || sum.Unreadable != whatsappTxt {
			t.Errorf("dry run --json: exit %d, unreadable %q (%v), want %s:\n%s", code, sum.Unreadable, err, whatsappTxt, out)
		}
	})

	// A zip entry that climbs out of the archive is never written anywhere.
	t.Run("zip slip", func(t *testing.T) {
		data := filepath.Join(t.TempDir(), "data")
		zdir := t.TempDir()
		slip := filepath.Join(zdir, "chat.zip")
		chatText, err := os.ReadFile(whatsappTxt)
		if err != nil {
			t.Fatal(err)
		}
		writeZipFile(t, slip, map[string]string{"_chat.txt": string(chatText), "../../escaped.txt": "owned"})
		code, out, errOut := chatseal(t, "--data", data, "import", "--source", "whatsapp", "--account", "a", slip)
		if code != 0 {
			t.Fatalf("import: exit %d\n%s%s", code, out, errOut)
		}
		if !strings.Contains(errOut, "UNSAFE_ZIP_ENTRY") {
			t.Errorf("the unsafe entry was not reported:\n%s", errOut)
		}
		for _, p := range []string{filepath.Join(filepath.Dir(zdir), "escaped.txt"), filepath.Join(filepath.Dir(filepath.Dir(zdir)), "escaped.txt")} {
			if _, err := os.Stat(p); err == nil {
				t.Errorf("%s was written", p)
			}
		}
	})
}

func TestCLI_ImportDryRunStoresNothing(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	input := filepath.Join("..", "..", "testdata", "slack", "basic-export")
	code, out, errOut := chatseal(t, "--data", data, "import", "--dry-run", "--source", "slack", "--account", "ws", input)
	if code != 0 {
		t.Fatalf("dry run: exit %d\n%s", code, errOut)
	}
	if !strings.Contains(out, "Dry run, nothing stored. Messages read: 7;") {
		t.Errorf("dry run summary:\n%s", out)
	}
	if !strings.Contains(errOut, "MISSING_TS") {
		t.Errorf("the input warning is not reported:\n%s", errOut)
	}
	if _, err := os.Stat(data); !os.IsNotExist(err) {
		t.Errorf("a dry run created the data folder")
	}
}
