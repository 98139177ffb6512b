package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

func TestCLI_TagAddSearchRemove(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	if code, _, errOut := chatseal(t, "--data", data, "import", "--account", "shop", quoteCase); code != 0 {
		t.Fatalf("import: exit %d\n%s", code, errOut)
	}
	code, out, errOut := chatseal(t, "--data", data, "search", "--json", "size")
	if code != 0 {
		t.Fatalf("search: exit %d\n%s", code, errOut)
	}
	var hit struct {
		ID   string   `json:"id"`
		Tags []string `json:"tags"`
	}
	if err := json.Unmarshal([]byte(strings.SplitN(out, "\n", 2)[0]), &hit); err != nil || hit.ID == "" {
		t.Fatalf("first hit of %q: %v", out, err)
	}

	code, out, errOut = chatseal(t, "--data", data, "tag", "add", "Khiếu-nại-017", hit.ID)
	if code != 0 || !strings.Contains(out, `Tag "khiếu-nại-017" added: messages 1, changed 1`) {
		t.Fatalf("tag add: exit %d, output %q\n%s", code, out, errOut)
	}
	code, out, _ = chatseal(t, "--data", data, "search", "--json", "tag:khiếu-nại-017")
	if code != 0 || !strings.Contains(out, hit.ID) || !strings.Contains(out, `"tags":["khiếu-nại-017"]`) || !strings.HasSuffix(out, `{"total":1}`+"\n") {
		t.Errorf("search tag:khiếu-nại-017: exit %d\n%s", code, out)
	}

	if _, out, _ := chatseal(t, "--data", data, "search", "tag:khiếu-nại-017"); !strings.Contains(out, "{nhãn/tags: khiếu-nại-017}") {
		t.Errorf("search does not show the tag:\n%s", out)
	}
	conversation := "7712345678901234567"
	if _, out, _ := chatseal(t, "--data", data, "show", conversation); !strings.Contains(out, "nhãn/tags: khiếu-nại-017") {
		t.Errorf("show does not show the tag:\n%s", out)
	}
	if _, out, _ := chatseal(t, "--data", data, "show", "--json", conversation); !strings.Contains(out, `"tags":["khiếu-nại-017"]`) {
		t.Errorf("show --json does not list the tag:\n%s", out)
	}

	code, out, errOut = chatseal(t, "--data", data, "tag", "remove", "khiếu-nại-017", hit.ID)
	if code != 0 || !strings.Contains(out, "removed") {
		t.Fatalf("tag remove: exit %d, output %q\n%s", code, out, errOut)
	}
	if _, out, _ := chatseal(t, "--data", data, "search", "--json", "tag:khiếu-nại-017"); strings.TrimSpace(out) != `{"total":0}` {
		t.Errorf("search after removing the tag:\n%s", out)
	}

	for _, c := range []struct {
		name string
		args []string
		exit int
		code string
	}{
		{"tag with a space", []string{"tag", "add", "khiếu nại", hit.ID}, exitUsage, "TAG_INVALID"},
		{"unknown message", []string{"tag", "add", "x", "01NOSUCHMESSAGE"}, exitNotFound, "NOT_FOUND"},
		{"no message id", []string{"tag", "add", "x"}, exitUsage, "USAGE"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, _, errOut := chatseal(t, append([]string{"--data", data}, c.args...)...)
			if code != c.exit || !strings.Contains(errOut, "["+c.code+"]") {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d with [%s]", code, errOut, c.exit, c.code)
			}
		})
	}
}
