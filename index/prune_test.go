package index

import (
	"context"
	"slices"
	"testing"
	"time"

	"chatseal/chat"
)

func TestRequiredTerms(t *testing.T) {
	tests := []struct {
		query string
		want  []fieldTerm
	}{
		{"phone:0912345678", []fieldTerm{{fieldAttrs, attrPhone + "+84912345678"}}},
		{"giao", []fieldTerm{{fieldText, "giao"}}},
		{`"giao hang"`, []fieldTerm{{fieldText, "giao"}, {fieldText, "hang"}}},
		{"giao -hang", []fieldTerm{{fieldText, "giao"}}},
		{"giao OR hang", nil},
		{"thẻ", []fieldTerm{{fieldText, "the"}}},
		{"khiếu nại -thẻ", []fieldTerm{{fieldText, "khieu"}, {fieldText, "nai"}}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q, _, err := compileQuery(tt.query, QueryOptions{Location: hcm})
			if err != nil {
				t.Fatal(err)
			}
			if got := requiredTerms(q); !slices.Equal(got, tt.want) {
				t.Errorf("requiredTerms = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPruneShards_KeepsShardsWithTheTerm(t *testing.T) {
	m1 := testMessage("m1", "gọi 0912 345 678 nhé")
	m2 := testMessage("m2", "giao hàng chậm")
	m2.SentAt = time.Date(2024, 8, 1, 9, 0, 0, 0, hcm)
	m3 := testMessage("m3", "số mới 0912345678")
	m3.SentAt = time.Date(2024, 11, 1, 9, 0, 0, 0, hcm)
	x := openTestIndex(t, m1, m2, m3)

	x.mu.RLock()
	shards := x.shardsFor(allTime)
	x.mu.RUnlock()
	if len(shards) != 3 {
		t.Fatalf("%d shards, want 3", len(shards))
	}
	withNumber, err := pruneShards(context.Background(), shards, []fieldTerm{{fieldAttrs, attrPhone + "+84912345678"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(withNumber) != 2 {
		t.Errorf("kept %d shards for the phone number, want the 2 that have it", len(withNumber))
	}
	if got := sortedIDs(t, x, "phone:0912345678"); !slices.Equal(got, []string{"m1", "m3"}) {
		t.Errorf("phone:0912345678 = %v, want m1 and m3", got)
	}
	// A message added to the third shard changes its snapshot, and the
	// cached dictionaries must follow.
	m4 := testMessage("m4", "gọi lại 0912345678")
	m4.SentAt = m2.SentAt
	if err := x.Add([]*chat.Message{m4}); err != nil {
		t.Fatal(err)
	}
	withNumber, err = pruneShards(context.Background(), shards, []fieldTerm{{fieldAttrs, attrPhone + "+84912345678"}})
	if err != nil || len(withNumber) != 3 {
		t.Errorf("after adding the number to the third shard: kept %d shards, %v; want 3", len(withNumber), err)
	}
	none, err := pruneShards(context.Background(), shards, []fieldTerm{{fieldText, "khongcodau"}})
	if err != nil || len(none) != 0 {
		t.Errorf("a term in no shard kept %d shards, %v", len(none), err)
	}
	none, err = pruneShards(context.Background(), shards, []fieldTerm{{fieldAttrs, attrPhone + "+84987654321"}})
	if err != nil || len(none) != 0 {
		t.Errorf("a phone number in no shard kept %d shards, %v", len(none), err)
	}

	// Merging a shard's segments replaces them, and their entity sets with
	// them.
	m5 := testMessage("m5", "email ketoan@example.vn")
	m5.SentAt = m2.SentAt
	if err := x.Add([]*chat.Message{m5}); err != nil {
		t.Fatal(err)
	}
	if _, err := x.Compact(context.Background(), time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), nil); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		term string
		want int
	}{
		{attrPhone + "+84912345678", 3},
		{attrEmail + "ketoan@example.vn", 1},
		{attrEmail + "khac@example.vn", 0},
	} {
		kept, err := pruneShards(context.Background(), shards, []fieldTerm{{fieldAttrs, tt.term}})
		if err != nil || len(kept) != tt.want {
			t.Errorf("after compaction, %s kept %d shards, %v; want %d", tt.term, len(kept), err, tt.want)
		}
	}

	// A deleted message's term may keep its shard, never the reverse.
	if err := x.AddTagged([]Doc{{Message: &chat.Message{ID: "m2", SentAt: m2.SentAt, Text: "đã xong"}}}); err != nil {
		t.Fatal(err)
	}
	if got := searchIDs(t, x, `"giao hang"`); len(got) != 0 {
		t.Errorf(`"giao hang" after replacing m2 = %v, want none`, got)
	}
}
