package vault

import (
	"context"
	"path/filepath"
	"testing"
)

func TestSearch_MarksRecalledMessages(t *testing.T) {
	v := mustOpen(t, newTestConfig(t))
	if _, err := importFile(t, v, filepath.Join(caseDir, "zca-undo-reaction.jsonl")); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		query    string
		recalled bool
	}{
		{"recalled message", "chuyen khoan nham", true},
		{"recalled group message", `"giá mới"`, true},
		{"message never recalled", "cảm ơn shop", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := v.Search(context.Background(), c.query, 10, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Hits) != 1 {
				t.Fatalf("search %q: %d hits, want 1", c.query, len(res.Hits))
			}
			if got := res.Hits[0].RecalledAt != nil; got != c.recalled {
				t.Errorf("search %q: recalled = %v, want %v", c.query, got, c.recalled)
			}
		})
	}
}
