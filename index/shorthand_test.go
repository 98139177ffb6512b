package index

import (
	"context"
	"slices"
	"strings"
	"testing"
)

func TestShorthand_Table(t *testing.T) {
	entries := Shorthand()
	if len(entries) < 40 {
		t.Errorf("Shorthand() has %d entries, want at least 40", len(entries))
	}
	if !slices.IsSortedFunc(entries, func(a, b ShorthandEntry) int { return strings.Compare(a.Abbreviation, b.Abbreviation) }) {
		t.Errorf("Shorthand() is not sorted by abbreviation")
	}
	for _, e := range entries {
		if got := Fold(e.Abbreviation); got != e.Abbreviation {
			t.Errorf("abbreviation %q is not folded: Fold returns %q", e.Abbreviation, got)
		}
		if strings.Contains(e.Abbreviation, " ") {
			t.Errorf("abbreviation %q has several words", e.Abbreviation)
		}
		if e.Expansion == "" {
			t.Errorf("abbreviation %q has an empty expansion", e.Abbreviation)
		}
		if Fold(e.Expansion) == e.Abbreviation {
			t.Errorf("abbreviation %q expands to itself: %q", e.Abbreviation, e.Expansion)
		}
	}
}

func TestShorthand_ReturnsCopy(t *testing.T) {
	entries := Shorthand()
	entries[0].Expansion = "changed"
	if Shorthand()[0].Expansion == "changed" {
		t.Errorf("changing the result of Shorthand changed the table")
	}
}

func TestSearch_Shorthand(t *testing.T) {
	x := openTestIndex(t,
		testMessage("m1", "em không được nhận tiền"),
		testMessage("m2", "ko nhận dc tiền"),
		testMessage("m3", "cho em xin số điện thoại"),
		testMessage("m4", "sdt của chị là gì"),
		testMessage("m5", "số tài khoản điện thoại"),
		testMessage("m6", "khong duoc"),
		testMessage("m7", "ko dc"),
		testMessage("m8", "đc rồi"),
	)
	tests := []struct {
		name  string
		query string
		want  []string
	}{
		{"abbreviation matches itself and expansion", "ko", []string{"m1", "m2", "m6", "m7"}},
		{"uppercase abbreviation", "KO", []string{"m1", "m2", "m6", "m7"}},
		{"literal prefix", "=ko", []string{"m2", "m7"}},
		{"expansion word does not expand back", "không", []string{"m1", "m6"}},
		{"multi-word expansion is a phrase", "sdt", []string{"m3", "m4"}},
		{"abbreviation with đ", "đc", []string{"m1", "m2", "m6", "m7", "m8"}},
		{"literal with đ", "=đc", []string{"m2", "m7", "m8"}},
		{"phrase is not expanded", `"khong duoc"`, []string{"m1", "m6"}},
		{"phrase of abbreviations is not expanded", `"ko dc"`, []string{"m7"}},
		{"two abbreviations", "ko dc", []string{"m1", "m2", "m6", "m7"}},
		{"excluded abbreviation expands", "tiền -ko", nil},
		{"excluded literal", "tiền -=ko", []string{"m1"}},
		{"word split in two is not expanded", "ko-dc", []string{"m7"}},
		{"or with abbreviation", "sdt OR =ko", []string{"m2", "m3", "m4", "m7"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sortedIDs(t, x, tt.query); !slices.Equal(got, tt.want) {
				t.Errorf("Search(%q) = %v, want %v", tt.query, got, tt.want)
			}
		})
	}
}

func TestSearch_NoShorthand(t *testing.T) {
	x := openTestIndex(t,
		testMessage("m1", "em không nhận được tiền"),
		testMessage("m2", "ko nhận dc tiền"),
		testMessage("m3", "cho em xin số điện thoại"),
		testMessage("m4", "sdt của chị là gì"),
	)
	for query, want := range map[string][]string{
		"ko":  {"m2"},
		"sdt": {"m4"},
		"dc":  {"m2"},
	} {
		res, err := x.Search(context.Background(), query, SearchOptions{NoShorthand: true})
		if err != nil {
			t.Fatalf("Search(%q): %v", query, err)
		}
		var got []string
		for _, h := range res.Hits {
			got = append(got, h.ID)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("Search(%q) with NoShorthand = %v, want %v", query, got, want)
		}
	}
}

func TestParseTree_LiteralWord(t *testing.T) {
	tree, err := parseTree("=ko", hcm)
	if err != nil {
		t.Fatalf("parseTree: %v", err)
	}
	word := tree.children[0]
	if word.kind != nodeText || word.text != "ko" || !word.literal {
		t.Errorf("parseTree(%q) = kind %d text %q literal %v, want literal word %q", "=ko", word.kind, word.text, word.literal, "ko")
	}

	tree, err = parseTree("=", hcm)
	if err != nil {
		t.Fatalf("parseTree: %v", err)
	}
	if word := tree.children[0]; word.literal {
		t.Errorf("parseTree(%q) marked a lone = as a literal word", "=")
	}
}
