package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCLI_AuditListsAndVerifies(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	if code, _, errOut := chatseal(t, "--data", data, "import", "--no-compact", "--source", "zalo", "--account", "shop", "../../testdata/zalo/zca-dm-text-quote.jsonl"); code != 0 {
		t.Fatalf("import exited %d: %s", code, errOut)
	}
	if code, _, errOut := chatseal(t, "--data", data, "search", "size"); code != 0 {
		t.Fatalf("search exited %d: %s", code, errOut)
	}

	code, out, errOut := chatseal(t, "--data", data, "audit", "--json")
	if code != 0 {
		t.Fatalf("audit exited %d: %s", code, errOut)
	}
	var actions []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var e struct {
			Actor, Action, Query string
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("audit --json line %q: %v", line, err)
		}
		if !strings.HasPrefix(e.Actor, "cli:") {
			t.Errorf("event %s has actor %q, want the command line's", e.Action, e.Actor)
		}
		if e.Action == "search" && e.Query != "size" {
			t.Errorf("search event has query %q, want size", e.Query)
		}
		actions = append(actions, e.Action)
	}
	if strings.Join(actions, " ") != "import search" {
		t.Errorf("audit listed %v, want the import and the search", actions)
	}

	// The listing above is itself an event.
	code, out, _ = chatseal(t, "--data", data, "audit", "--action", "read_audit", "--json")
	if code != 0 || !strings.Contains(out, `"results":2`) {
		t.Errorf("audit --action read_audit: exit %d, output %q; want the earlier listing of 2 events", code, out)
	}
	code, out, _ = chatseal(t, "--data", data, "audit", "verify")
	if code != 0 || !strings.Contains(out, "Audit log intact") {
		t.Errorf("audit verify: exit %d, output %q", code, out)
	}

	code, _, errOut = chatseal(t, "--data", data, "audit", "--action", "serach")
	if code != exitUsage || !strings.Contains(errOut, "view_conversation") {
		t.Errorf("audit --action with a typo: exit %d, %s; want USAGE listing the actions", code, errOut)
	}
	code, _, errOut = chatseal(t, "--data", data, "audit", "--limit", "0")
	if code != exitUsage || !strings.Contains(errOut, "USAGE") {
		t.Errorf("audit --limit 0: exit %d, %s; want USAGE", code, errOut)
	}
	code, _, errOut = chatseal(t, "--data", data, "audit", "--since", "05/12/2026")
	if code != exitUsage || !strings.Contains(errOut, "2026-12-31") {
		t.Errorf("audit --since with another date form: exit %d, %s; want USAGE with an example", code, errOut)
	}

	// A refused --out reads no attachment, so it records no view.
	existing := filepath.Join(t.TempDir(), "hoa-don.jpg")
	if err := os.WriteFile(existing, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = chatseal(t, "--data", data, "attachment", strings.Repeat("ab", 32), "--out", existing)
	if code != exitUsage || !strings.Contains(errOut, "OUTPUT_EXISTS") {
		t.Errorf("attachment onto an existing file: exit %d, %s; want OUTPUT_EXISTS", code, errOut)
	}
	code, out, _ = chatseal(t, "--data", data, "audit", "--action", "view_attachment")
	if code != 0 || !strings.Contains(out, "No matching event") {
		t.Errorf("a refused attachment was recorded as a view: exit %d\n%s", code, out)
	}

	// Removing the first audit object breaks the chain.
	var first string
	err := filepath.WalkDir(filepath.Join(data, "archive", "default", "audit"), func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && first == "" {
			first = path
		}
		return err
	})
	if err != nil || first == "" {
		t.Fatalf("no audit object found: %v", err)
	}
	if err := os.Remove(first); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = chatseal(t, "--data", data, "audit", "verify")
	if code != exitDamaged || !strings.Contains(errOut, "AUDIT_BROKEN") {
		t.Errorf("audit verify after removing an object: exit %d, %s; want %d and AUDIT_BROKEN", code, errOut, exitDamaged)
	}
}
