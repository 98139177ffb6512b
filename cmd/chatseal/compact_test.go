package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

func TestCLI_CompactAfterImports(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	cases := []string{
		"../../testdata/zalo/zca-dm-text-quote.jsonl",
		"../../testdata/zalo/zca-dm-attachments.jsonl",
		"../../testdata/zalo/zca-group-mentions.jsonl",
		"../../testdata/zalo/zca-undo-reaction.jsonl",
	}
	for _, c := range cases {
		code, out, errOut := chatseal(t, "--data", data, "import", "--no-compact", "--json", "--source", "zalo", "--account", "shop", c)
		if code != 0 {
			t.Fatalf("import %s exited %d: %s", c, code, errOut)
		}
		var summary map[string]any
		if err := json.Unmarshal([]byte(out), &summary); err != nil {
			t.Fatalf("import --json printed more than one JSON object: %v\n%s", err, out)
		}
	}
	search := func() string {
		code, out, errOut := chatseal(t, "--data", data, "search", "--json", "--limit", "100", "size OR ảnh OR nhóm")
		if code != 0 {
			t.Fatalf("search exited %d: %s", code, errOut)
		}
		return out
	}
	before := search()
	if !strings.Contains(before, `"total":`) || strings.Contains(before, `"total":0`) {
		t.Fatalf("search before compaction found nothing:\n%s", before)
	}

	code, out, errOut := chatseal(t, "--data", data, "compact")
	if code != 0 {
		t.Fatalf("compact exited %d: %s", code, errOut)
	}
	if !strings.Contains(out, "Index merged: quarters") && !strings.Contains(out, "No quarter of the index needed merging") {
		t.Errorf("compact printed %q, want nothing or the count of merged quarters", out)
	}
	if after := search(); after != before {
		t.Errorf("search after compaction differs:\n%s\nbefore:\n%s", after, before)
	}

	// Every past quarter now has one segment, so nothing is left to merge.
	code, out, errOut = chatseal(t, "--data", data, "compact")
	if code != 0 || !strings.Contains(out, "No quarter of the index needed merging") {
		t.Errorf("second compact: exit %d, output %q, %s; want exit 0 and that nothing needed merging", code, out, errOut)
	}
	if code, _, errOut := chatseal(t, "compact", "extra"); code != exitUsage {
		t.Errorf("compact with an argument: exit %d, want %d: %s", code, exitUsage, errOut)
	}
}
