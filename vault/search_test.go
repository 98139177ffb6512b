package vault

import (
	"context"
	"fmt"
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

func TestSearch_ContextAroundHits(t *testing.T) {
	v := mustOpen(t, newTestConfig(t))
	if _, err := importFile(t, v, filepath.Join(caseDir, "zca-dm-text-quote.jsonl")); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name          string
		query         string
		around        int
		before, after []string
	}{
		{"first message", "con size", 1, nil, []string{"7100000000102"}},
		{"last message", "giao gio hanh chinh", 1, []string{"7100000000102"}, nil},
		{"middle message, wide", "lấy mấy cái", 5, []string{"7100000000101"}, []string{"7100000000103"}},
		{"no context asked", "lấy mấy cái", 0, nil, nil},
	}
	ids := func(ms []ContextMessage) []string {
		var out []string
		for _, m := range ms {
			out = append(out, m.SourceID)
		}
		return out
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := v.SearchWithContext(context.Background(), c.query, 10, 0, c.around)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Hits) != 1 {
				t.Fatalf("search %q: %d hits, want 1", c.query, len(res.Hits))
			}
			h := res.Hits[0]
			if fmt.Sprint(ids(h.Before)) != fmt.Sprint(c.before) || fmt.Sprint(ids(h.After)) != fmt.Sprint(c.after) {
				t.Errorf("context of %q = before %v after %v, want before %v after %v", c.query, ids(h.Before), ids(h.After), c.before, c.after)
			}
		})
	}
}
