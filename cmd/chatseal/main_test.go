package main

import (
	"bytes"

	"context"
	"encoding/json"
	"filippo.io/age"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// chatseal runs the command line in-process and returns its exit code and
// outputs.
func chatseal(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

const quoteCase = "../../testdata/zalo/zca-dm-text-quote.jsonl"

func TestDemo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	code, out, errOut := chatseal(t, "demo", "--dir", dir)
	if code != 0 {
		t.Fatalf("demo exited %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	for _, want := range []string{"khóa thẻ", "thẻ bị khoá", "khoa the xong roi", "khiếu nại", "khieu nai", "ĐÃ THU HỒI/RECALLED", "nguyên vẹn / intact"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut, "recovery.key") || !strings.Contains(errOut, "Losing both keys") {
		t.Errorf("demo did not tell where the keys are and why to back them up:\n%s", errOut)
	}

	// A second run replaces the earlier demo folder.
	if code, _, errOut := chatseal(t, "demo", "--dir", dir); code != 0 {
		t.Fatalf("second demo exited %d: %s", code, errOut)
	}

	other := t.TempDir()
	os.WriteFile(filepath.Join(other, "important.txt"), []byte("x"), 0o600)
	code, _, errOut = chatseal(t, "demo", "--dir", other)
	if code != exitUsage || !strings.Contains(errOut, "DEMO_DIR_IN_USE") {
		t.Errorf("demo over a foreign folder: exit %d, stderr %q; want exit %d with DEMO_DIR_IN_USE", code, errOut, exitUsage)
	}
	if _, err := os.Stat(filepath.Join(other, "important.txt")); err != nil {
		t.Error("demo removed a file it did not create")
	}
}

func TestCLI_ImportSearchShowStats(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	code, out, errOut := chatseal(t, "--data", data, "import", "--source", "zalo", "--account", "shop", "--account-uid", "8123456789012345678", quoteCase)
	if code != 0 {
		t.Fatalf("import exited %d: %s", code, errOut)
	}
	if !strings.Contains(out, "stored 3") {
		t.Errorf("import summary lacks %q:\n%s", "stored 3", out)
	}
	code, out, _ = chatseal(t, "--data", data, "import", "--source", "zalo", "--account", "shop", "--account-uid", "8123456789012345678", quoteCase)
	if code != 0 || !strings.Contains(out, "stored 0, duplicates 3") {
		t.Errorf("second import: exit %d, output %q; want stored 0, duplicates 3", code, out)
	}

	code, out, errOut = chatseal(t, "--data", data, "search", "--json", "con size")
	if code != 0 {
		t.Fatalf("search exited %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || lines[1] != `{"total":1}` {
		t.Fatalf("search --json printed %d lines, want 1 hit and the closing total:\n%s", len(lines), out)
	}
	var hit map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &hit); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "source_id", "account", "conversation", "sent_at", "sender", "kind", "text"} {
		if _, ok := hit[k]; !ok {
			t.Errorf("search hit lacks %q: %s", k, lines[0])
		}
	}
	if hit["source_id"] != "7100000000101" || hit["account"] != "shop" || hit["conversation"] != "7712345678901234567" {
		t.Errorf("search hit = %s", lines[0])
	}

	code, out, errOut = chatseal(t, "--data", data, "show", "7712345678901234567")
	if code != 0 || !strings.Contains(out, "↩ 7100000000101") || strings.Count(out, "\n    ") != 3 {
		t.Errorf("show: exit %d\n%s%s", code, out, errOut)
	}

	code, out, _ = chatseal(t, "--data", data, "stats", "--json")
	var stats map[string]any
	if err := json.Unmarshal([]byte(out), &stats); code != 0 || err != nil {
		t.Fatalf("stats --json: exit %d, %v: %s", code, err, out)
	}
	for _, k := range []string{"messages", "conversations", "segments", "archive_bytes"} {
		if _, ok := stats[k]; !ok {
			t.Errorf("stats lacks %q: %s", k, out)
		}
	}
	if stats["messages"] != float64(3) || stats["conversations"] != float64(1) {
		t.Errorf("stats = %s, want 3 messages in 1 conversation", out)
	}

	code, out, _ = chatseal(t, "--data", data, "keys", "show")
	if code != 0 || strings.Count(out, "age1") != 2 {
		t.Errorf("keys show: exit %d, want two age recipients:\n%s", code, out)
	}

	if code, out, _ := chatseal(t, "--data", data, "verify"); code != 0 || !strings.Contains(out, "intact") {
		t.Fatalf("verify: exit %d\n%s", code, out)
	}
	var segment string
	filepath.Walk(filepath.Join(data, "archive", "default", "segments"), func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			segment = p
		}
		return nil
	})
	b, _ := os.ReadFile(segment)
	b[len(b)-1] ^= 0xff
	os.WriteFile(segment, b, 0o600)
	code, out, errOut = chatseal(t, "--data", data, "verify")
	if code != exitDamaged || !strings.Contains(out, filepath.Base(segment)) || !strings.Contains(errOut, "ARCHIVE_DAMAGED") {
		t.Errorf("verify of a damaged archive: exit %d, want %d naming %s\n%s%s", code, exitDamaged, filepath.Base(segment), out, errOut)
	}
}

func TestCLI_Errors(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	if code, _, errOut := chatseal(t, "--data", data, "import", "--account", "a", quoteCase); code != 0 {
		t.Fatalf("import: exit %d\n%s", code, errOut)
	}
	missing := filepath.Join(t.TempDir(), "typo")
	cases := []struct {
		name string
		env  map[string]string
		args []string
		exit int
		code string
	}{
		{"import without account", nil, []string{"--data", data, "import", quoteCase}, exitUsage, "ACCOUNT_REQUIRED"},
		{"unknown source", nil, []string{"--data", data, "import", "--source", "icq", "--account", "a", quoteCase}, exitUsage, "SOURCE_UNKNOWN"},
		{"missing input file", nil, []string{"--data", data, "import", "--account", "a", "/nonexistent/x.jsonl"}, exitUsage, "INPUT_NOT_FOUND"},
		{"folder as input", nil, []string{"--data", data, "import", "--account", "a", "."}, exitUsage, "INPUT_IS_FOLDER"},
		{"show without argument", nil, []string{"--data", data, "show"}, exitUsage, "USAGE"},
		{"query syntax", nil, []string{"--data", data, "search", `"unclosed`}, exitUsage, "QUERY_SYNTAX"},
		{"unknown flag", nil, []string{"--data", data, "search", "--bogus", "x"}, exitUsage, "USAGE"},
		{"bad storage kind", map[string]string{"CHATSEAL_STORAGE_KIND": "tape"}, []string{"--data", data, "stats"}, exitUsage, "CONFIG_INVALID"},
		{"s3 without endpoint", map[string]string{"CHATSEAL_STORAGE_KIND": "s3"}, []string{"--data", data, "stats"}, exitUsage, "CONFIG_INVALID"},
		{"bad lock mode", map[string]string{"CHATSEAL_STORAGE_S3_LOCK_MODE": "forever"}, []string{"--data", data, "stats"}, exitUsage, "CONFIG_INVALID"},
		{"unknown conversation", nil, []string{"--data", data, "show", "nobody"}, exitNotFound, "NOT_FOUND"},
		{"missing config file", nil, []string{"--config", "/nonexistent/chatseal.yaml", "stats"}, exitUsage, "CONFIG_INVALID"},
		{"unknown command", nil, []string{"--data", data, "bogus"}, exitUsage, "USAGE"},
		{"unknown subcommand", nil, []string{"--data", data, "tag", "bogus", "x", "y"}, exitUsage, "USAGE"},
		{"group without subcommand", nil, []string{"--data", data, "keys"}, exitUsage, "USAGE"},
		{"query starting with a minus", nil, []string{"--data", data, "search", "-spam"}, exitUsage, "USAGE"},
		{"verify of a folder without archive", nil, []string{"--data", missing, "verify"}, exitNotFound, "NO_ARCHIVE"},
		{"search of a folder without archive", nil, []string{"--data", missing, "search", "x"}, exitNotFound, "NO_ARCHIVE"},
		{"keys show of a folder without archive", nil, []string{"--data", missing, "keys", "show"}, exitNotFound, "NO_ARCHIVE"},
		{"keys rotate of a folder without archive", nil, []string{"--data", missing, "keys", "rotate"}, exitNotFound, "NO_ARCHIVE"},
		{"audit of a folder without archive", nil, []string{"--data", missing, "audit"}, exitNotFound, "NO_ARCHIVE"},
		{"audit with an argument", nil, []string{"--data", data, "audit", "bogus"}, exitUsage, "USAGE"},
		{"attachment of a folder without archive", nil, []string{"--data", missing, "attachment", strings.Repeat("ab", 32), "--out", filepath.Join(missing, "x")}, exitNotFound, "NO_ARCHIVE"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			code, _, errOut := chatseal(t, c.args...)
			if code != c.exit || !strings.Contains(errOut, "["+c.code+"]") {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d with [%s]", code, errOut, c.exit, c.code)
			}
			if !strings.Contains(errOut, "Lỗi [") || !strings.Contains(errOut, "Error [") {
				t.Errorf("error is not in Vietnamese and English:\n%s", errOut)
			}
		})
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("commands on a folder without archive created %s (stat: %v)", missing, err)
	}
}

func TestCLI_EnvironmentSetsDataFolder(t *testing.T) {
	data := filepath.Join(t.TempDir(), "from-env")
	t.Setenv("CHATSEAL_DATA", data)
	if code, _, errOut := chatseal(t, "import", "--account", "shop", quoteCase); code != 0 {
		t.Fatalf("import exited %d: %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(data, "keys", "archive.key")); err != nil {
		t.Errorf("CHATSEAL_DATA was not used: %v", err)
	}
}

func TestCLI_ProveAndCheckProof(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	if code, _, errOut := chatseal(t, "--data", data, "import", "--account", "shop", "--account-uid", "8123456789012345678", quoteCase); code != 0 {
		t.Fatalf("import exited %d: %s", code, errOut)
	}
	code, out, errOut := chatseal(t, "--data", data, "search", "--json", "con size")
	if code != 0 {
		t.Fatalf("search exited %d: %s", code, errOut)
	}
	var hit struct {
		ID string `json:"id"`
	}
	first, _, _ := strings.Cut(out, "\n")
	if err := json.Unmarshal([]byte(first), &hit); err != nil || hit.ID == "" {
		t.Fatalf("first line of search --json %q: %v", first, err)
	}
	proofPath := filepath.Join(t.TempDir(), "proof.json")
	if code, _, errOut := chatseal(t, "--data", data, "prove", "--out", proofPath, hit.ID); code != 0 {
		t.Fatalf("prove exited %d: %s", code, errOut)
	}

	// A second proof onto the same file is refused before it is made: the
	// file stays as it was, and the audit log has one proof.
	written, err := os.ReadFile(proofPath)
	if err != nil {
		t.Fatal(err)
	}
	code, _, errOut = chatseal(t, "--data", data, "prove", "--out", proofPath, hit.ID)
	if code != exitUsage || !strings.Contains(errOut, "OUTPUT_EXISTS") {
		t.Errorf("prove onto an existing file: exit %d, %s; want OUTPUT_EXISTS", code, errOut)
	}
	if again, _ := os.ReadFile(proofPath); !bytes.Equal(again, written) {
		t.Errorf("prove onto an existing file changed it")
	}
	code, out, errOut = chatseal(t, "--data", data, "audit", "--json", "--action", "prove")
	if n := strings.Count(out, "\n"); code != 0 || n != 1 {
		t.Errorf("audit --action prove: exit %d, %d events, want 1: %s%s", code, n, out, errOut)
	}
	pub := filepath.Join(data, "keys", "checkpoint.pub")
	code, out, errOut = chatseal(t, "check-proof", "--public-key-file", pub, proofPath)
	if code != 0 || !strings.Contains(out, "The proof is valid") {
		t.Fatalf("check-proof of a good proof: exit %d\n%s%s", code, out, errOut)
	}

	// Every single-byte change must make the proof fail.
	proof, err := os.ReadFile(proofPath)
	if err != nil {
		t.Fatal(err)
	}
	damaged := filepath.Join(t.TempDir(), "damaged.json")
	for i := range proof {
		b := bytes.Clone(proof)
		b[i] ^= 0x01
		os.WriteFile(damaged, b, 0o600)
		code, _, _ := chatseal(t, "check-proof", "--public-key-file", pub, damaged)
		if code == 0 {
			t.Errorf("check-proof accepted the proof with byte %d (%q) flipped", i, proof[i])
		}
	}

	// A proof checked against another archive's key fails.
	other := filepath.Join(t.TempDir(), "other")
	chatseal(t, "--data", other, "import", "--account", "shop", quoteCase)
	code, _, errOut = chatseal(t, "check-proof", "--public-key-file", filepath.Join(other, "keys", "checkpoint.pub"), proofPath)
	if code != exitDamaged || !strings.Contains(errOut, "PROOF_INVALID") {
		t.Errorf("check-proof with another key: exit %d, %s", code, errOut)
	}
}

func TestCLI_MissingKeyNamesTheFile(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	if code, _, errOut := chatseal(t, "--data", data, "import", "--account", "shop", quoteCase); code != 0 {
		t.Fatalf("import exited %d: %s", code, errOut)
	}
	key := filepath.Join(data, "keys", "archive.key")
	os.Remove(key)
	code, _, errOut := chatseal(t, "--data", data, "stats")
	if code != exitError || !strings.Contains(errOut, "[KEYS_MISSING]") || !strings.Contains(errOut, key) {
		t.Errorf("stats without the primary key: exit %d\n%s\nwant KEYS_MISSING naming %s", code, errOut, key)
	}
}

func TestCLI_KeyRotationAndProtection(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	if code, _, errOut := chatseal(t, "--data", data, "import", "--account", "shop", quoteCase); code != 0 {
		t.Fatalf("import exited %d: %s", code, errOut)
	}
	if code, out, errOut := chatseal(t, "--data", data, "keys", "rotate"); code != 0 || !strings.Contains(out, "retired") {
		t.Fatalf("keys rotate: exit %d\n%s%s", code, out, errOut)
	}
	escrowID, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	escrow := escrowID.Recipient().String()
	if code, _, errOut := chatseal(t, "--data", data, "keys", "add-recipient", "--name", "luật sư", escrow); code != 0 {
		t.Fatalf("keys add-recipient: exit %d: %s", code, errOut)
	}
	if code, _, errOut := chatseal(t, "--data", data, "keys", "add-recipient", "age1bad"); code != exitUsage || !strings.Contains(errOut, "RECIPIENT_INVALID") {
		t.Errorf("add-recipient of a bad key: exit %d: %s", code, errOut)
	}
	code, out, _ := chatseal(t, "--data", data, "keys", "show")
	if code != 0 || !strings.Contains(out, escrow) || !strings.Contains(out, "luật sư") {
		t.Errorf("keys show does not list the escrow recipient:\n%s", out)
	}

	t.Setenv("CHATSEAL_KEY_PASSPHRASE", "một mật khẩu đủ dài")
	if code, _, errOut := chatseal(t, "--data", data, "keys", "protect"); code != 0 {
		t.Fatalf("keys protect: exit %d: %s", code, errOut)
	}
	if code, out, errOut := chatseal(t, "--data", data, "verify"); code != 0 {
		t.Fatalf("verify with the passphrase set: exit %d\n%s%s", code, out, errOut)
	}

	// Every key change is an audit event, the rejected recipient too.
	code, out, errOut := chatseal(t, "--data", data, "audit", "--action", "keys", "--json")
	if code != 0 {
		t.Fatalf("audit --action keys: exit %d: %s", code, errOut)
	}
	var changes []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var e struct {
			Outcome string
			Details map[string]string
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("audit line %q: %v", line, err)
		}
		changes = append(changes, e.Details["change"]+":"+e.Outcome)
	}
	if want := "rotate:ok add_recipient:ok add_recipient:failed protect:ok"; strings.Join(changes, " ") != want {
		t.Errorf("key change events = %v, want %s", changes, want)
	}
	t.Setenv("CHATSEAL_KEY_PASSPHRASE", "sai")
	if code, _, errOut := chatseal(t, "--data", data, "stats"); code == 0 || !strings.Contains(errOut, "[PASSPHRASE]") {
		t.Errorf("stats with a wrong passphrase: exit %d: %s", code, errOut)
	}
}
