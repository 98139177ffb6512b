package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeOrgConfig writes a config file with one custodian holding shop-a
// since 2024-05-18 (ICT) and a team of that custodian.
func writeOrgConfig(t *testing.T, data string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "chatseal.yaml")
	text := "data: " + data + `
custodians:
  - name: lan
    display_name: Nguyễn Thị Lan
    tenures:
      - {account: shop-a, from: 2024-05-18}
teams:
  - {name: cskh, custodians: [lan]}
matters:
  - name: kn-017
    title: Khiếu nại phí chuyển khoản
    accounts: [shop-b]
    conversations: ["7712345678901234567"]
    from: 2024-05-01
    to: 2024-06-01
  - {name: kn-018, accounts: [shop-b], to: 2024-05-01}
`
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCLI_SearchOptions(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	config := writeOrgConfig(t, data)
	for _, account := range []string{"shop-a", "shop-b"} {
		if code, _, errOut := chatseal(t, "--config", config, "import", "--account", account, "--account-uid", "8123456789012345678", quoteCase); code != 0 {
			t.Fatalf("import %s: exit %d\n%s", account, code, errOut)
		}
	}

	t.Run("snippets and facets", func(t *testing.T) {
		code, out, errOut := chatseal(t, "--config", config, "search", "--snippets", "--facets", "size")
		if code != 0 {
			t.Fatalf("exit %d\n%s", code, errOut)
		}
		for _, want := range []string{"[size]", "Theo tài khoản / by account", "by custodian", "lan", "shop-a", "shop-b", "█"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
	})

	t.Run("scope hides the other account", func(t *testing.T) {
		code, out, errOut := chatseal(t, "--config", config, "search", "--json", "--facets", "--scope-team", "cskh", "size OR account:shop-b")
		if code != 0 {
			t.Fatalf("exit %d\n%s", code, errOut)
		}
		if strings.Contains(out, "shop-b") {
			t.Errorf("a search scoped to team cskh shows shop-b:\n%s", out)
		}
		if !strings.Contains(out, `"shop-a"`) {
			t.Errorf("the scoped search found nothing in shop-a:\n%s", out)
		}
	})

	t.Run("matter scope", func(t *testing.T) {
		code, out, errOut := chatseal(t, "--config", config, "search", "--json", "--scope-matter", "kn-017", "size OR account:shop-a")
		if code != 0 {
			t.Fatalf("exit %d\n%s", code, errOut)
		}
		if strings.Contains(out, `"shop-a"`) || !strings.Contains(out, `"shop-b"`) {
			t.Errorf("a search scoped to matter kn-017 (shop-b) shows shop-a or misses shop-b:\n%s", out)
		}
		code, out, errOut = chatseal(t, "--config", config, "search", "--json", "--scope-matter", "kn-018", "size")
		if code != 0 || strings.TrimSpace(out) != `{"total":0}` {
			t.Errorf("matter kn-018 ends before the messages: exit %d, output %q, %s", code, out, errOut)
		}
	})

	t.Run("cursor pages cover every hit once", func(t *testing.T) {
		seen := map[string]bool{}
		after := ""
		for page := 0; page < 20; page++ {
			args := []string{"--config", config, "search", "--json", "--sort", "oldest", "--limit", "2", "account:shop-a"}
			if after != "" {
				args = append(args, "--after", after)
			}
			code, out, errOut := chatseal(t, args...)
			if code != 0 {
				t.Fatalf("exit %d\n%s", code, errOut)
			}
			after = ""
			sc := bufio.NewScanner(strings.NewReader(out))
			for sc.Scan() {
				var line struct {
					ID   string `json:"id"`
					Next string `json:"next"`
				}
				if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
					t.Fatalf("line %q: %v", sc.Text(), err)
				}
				if line.ID != "" {
					if seen[line.ID] {
						t.Errorf("hit %s on two pages", line.ID)
					}
					seen[line.ID] = true
				}
				after = line.Next
			}
			if after == "" {
				break
			}
		}
		code, out, _ := chatseal(t, "--config", config, "search", "--json", "--limit", "1000", "account:shop-a")
		if code != 0 || len(seen) < 2 || strings.Count(out, "\n") != len(seen)+1 {
			t.Errorf("paging saw %d hits, one page of 1000 has %d lines (hits and the closing line)", len(seen), strings.Count(out, "\n"))
		}
		last := out[strings.LastIndex(strings.TrimSuffix(out, "\n"), "\n")+1:]
		if !strings.Contains(last, fmt.Sprintf(`"total":%d`, len(seen))) || strings.Contains(last, `"next"`) {
			t.Errorf("closing line of the last page = %q, want the total and no next", last)
		}
	})

	errorCases := []struct {
		name string
		args []string
		code string
	}{
		{"unknown team", []string{"search", "--scope-team", "sales", "x"}, "SCOPE_UNKNOWN"},
		{"unknown matter", []string{"search", "--scope-matter", "kn-404", "x"}, "SCOPE_UNKNOWN"},
		{"unknown custodian in query", []string{"search", "custodian:nobody"}, "QUERY_SYNTAX"},
		{"bad cursor", []string{"search", "--after", "not-a-cursor", "x"}, "CURSOR_INVALID"},
		{"bad sort", []string{"search", "--sort", "loudest", "x"}, "SORT_INVALID"},
	}
	for _, c := range errorCases {
		t.Run(c.name, func(t *testing.T) {
			code, _, errOut := chatseal(t, append([]string{"--config", config}, c.args...)...)
			if code != exitUsage || !strings.Contains(errOut, "["+c.code+"]") {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d with [%s]", code, errOut, exitUsage, c.code)
			}
		})
	}
}

func TestCLI_CustodianConfigErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(path, []byte("custodians:\n  - name: lan\n    tenures:\n      - {account: a, from: 2024-13-40}\n"), 0o600)
	code, _, errOut := chatseal(t, "--config", path, "stats")
	if code != exitUsage || !strings.Contains(errOut, "CONFIG_INVALID") || !strings.Contains(errOut, "lan") {
		t.Errorf("exit %d, stderr:\n%s\nwant CONFIG_INVALID naming the custodian", code, errOut)
	}

	for _, c := range []struct{ name, yaml, want string }{
		{"bad matter date", "matters:\n  - {name: kn-1, accounts: [a], from: 2024-02-30}\n", `"kn-1": from "2024-02-30" is not a date`},
		{"matter of an unknown custodian", "matters:\n  - {name: kn-2, custodians: [hoa]}\n", `matter "kn-2" names custodian "hoa"`},
		{"misspelled key", "custodian:\n  - {name: lan}\n", `unknown key "custodian"`},
		{"misspelled key in a matter", "matters:\n  - {name: kn-3, accounts: [a], conversation: [c1]}\n", `conversation`},
	} {
		t.Run(c.name, func(t *testing.T) {
			os.WriteFile(path, []byte(c.yaml), 0o600)
			code, _, errOut := chatseal(t, "--config", path, "stats")
			if code != exitUsage || !strings.Contains(errOut, "CONFIG_INVALID") || !strings.Contains(errOut, c.want) {
				t.Errorf("exit %d, stderr:\n%s\nwant CONFIG_INVALID with %q", code, errOut, c.want)
			}
		})
	}
}

func TestCLI_BenchSmallCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two indexes")
	}
	code, out, errOut := chatseal(t, "bench", "--messages", "3000", "--queries", "5")
	if code != 0 {
		t.Fatalf("bench: exit %d\n%s", code, errOut)
	}
	for _, want := range []string{"| class | engine |", "sqlite fts5", "bleve (index)", "phrase, no diacritics", "money range"} {
		if !strings.Contains(out, want) {
			t.Errorf("bench output lacks %q:\n%s", want, out)
		}
	}
	if code, _, errOut := chatseal(t, "bench", "--messages", "0"); code != exitUsage || !strings.Contains(errOut, "[USAGE]") {
		t.Errorf("bench --messages 0: exit %d\n%s", code, errOut)
	}
}
