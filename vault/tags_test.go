package vault

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"chatseal/archive"
	"chatseal/catalog"
)

// tagHits returns the IDs that tag:tag finds, sorted, and checks that each
// hit lists the tag.
func tagHits(t *testing.T, v *Vault, tag string) []string {
	t.Helper()
	res, err := v.Find(context.Background(), SearchRequest{Query: "tag:" + tag, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, h := range res.Hits {
		ids = append(ids, h.ID)
		if !slices.Contains(h.Tags, tag) {
			t.Errorf("hit %s of tag:%s lists tags %v", h.ID, tag, h.Tags)
		}
	}
	slices.Sort(ids)
	return ids
}

func countTagObjects(t *testing.T, v *Vault) int {
	t.Helper()
	n := 0
	err := v.store.List(context.Background(), tagChangePrefix(v.cfg.Tenant), func(o archive.ObjectInfo) error {
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestTag_AddRemoveAndRebuild(t *testing.T) {
	ctx := context.Background()
	v, _ := openScopedVault(t)
	all, err := v.Find(ctx, SearchRequest{Query: "-kind:system", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Hits) < 3 {
		t.Fatalf("fixture has %d messages", len(all.Hits))
	}
	a, b, c := all.Hits[0].ID, all.Hits[1].ID, all.Hits[2].ID

	res, err := v.Tag(ctx, []string{a, b, a}, []string{"Khiếu-Nại", "privileged"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Messages != 2 || res.Changed != 2 || !strings.HasPrefix(res.Object, "default/tags/") {
		t.Errorf("Tag = %+v, want 2 messages, 2 changed, an object under default/tags/", res)
	}
	want := []string{a, b}
	slices.Sort(want)
	if got := tagHits(t, v, "khiếu-nại"); !slices.Equal(got, want) {
		t.Errorf("tag:khiếu-nại = %v, want %v", got, want)
	}

	// Adding again changes nothing, but is still recorded.
	if res, err := v.Tag(ctx, []string{a}, []string{"privileged"}, nil); err != nil || res.Changed != 0 {
		t.Errorf("tagging again: %+v, %v; want nothing changed", res, err)
	}
	if _, err := v.Tag(ctx, []string{b, c}, []string{"follow-up"}, []string{"privileged"}); err != nil {
		t.Fatal(err)
	}
	if got := tagHits(t, v, "privileged"); !slices.Equal(got, []string{a}) {
		t.Errorf("tag:privileged after removing it from %s = %v, want [%s]", b, got, a)
	}
	followUp := []string{b, c}
	slices.Sort(followUp)
	if got := tagHits(t, v, "follow-up"); !slices.Equal(got, followUp) {
		t.Errorf("tag:follow-up = %v, want %v", got, followUp)
	}
	if n := countTagObjects(t, v); n != 3 {
		t.Errorf("%d tag change objects, want 3", n)
	}

	rep, err := v.Rebuild(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.TagChanges != 3 {
		t.Errorf("rebuild replayed %d tag changes, want 3", rep.TagChanges)
	}
	for tag, want := range map[string][]string{"khiếu-nại": {a, b}, "privileged": {a}, "follow-up": followUp} {
		slices.Sort(want)
		if got := tagHits(t, v, tag); !slices.Equal(got, want) {
			t.Errorf("after rebuild, tag:%s = %v, want %v", tag, got, want)
		}
	}
}

func TestTag_Rejects(t *testing.T) {
	ctx := context.Background()
	v, _ := openScopedVault(t)
	all, err := v.Find(ctx, SearchRequest{Query: "-kind:system", Limit: 1})
	if err != nil || len(all.Hits) == 0 {
		t.Fatalf("fixture: %v", err)
	}
	id := all.Hits[0].ID
	tests := []struct {
		name        string
		ids         []string
		add, remove []string
		want        error
		text        string
	}{
		{"empty tag", []string{id}, []string{"  "}, nil, ErrInvalidTag, "empty tag"},
		{"space inside", []string{id}, []string{"khiếu nại"}, nil, ErrInvalidTag, "contains a space"},
		{"too long", []string{id}, []string{strings.Repeat("x", MaxTagLength+1)}, nil, ErrInvalidTag, "longer than 64"},
		{"added and removed", []string{id}, []string{"a"}, []string{"A"}, ErrInvalidTag, "both added and removed"},
		{"no tag", []string{id}, nil, nil, ErrInvalidTag, "no tag"},
		{"unknown message", []string{id, "01NOSUCHMESSAGE"}, []string{"a"}, nil, catalog.ErrNotFound, "01NOSUCHMESSAGE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := v.Tag(ctx, tt.ids, tt.add, tt.remove)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.text) {
				t.Errorf("error = %v, want %v containing %q", err, tt.want, tt.text)
			}
		})
	}
	if n := countTagObjects(t, v); n != 0 {
		t.Errorf("rejected changes wrote %d tag objects, want none", n)
	}
}
