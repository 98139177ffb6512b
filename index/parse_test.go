package index

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"chatseal/chat"
)

func TestParseQuery_SyntaxErrors(t *testing.T) {
	tests := []struct {
		name     string
		query    string
		pos      int
		expected string // a part of SyntaxError.Expected
		got      string
	}{
		{"empty query", "", 1, "a search term", "end of query"},
		{"AND first", "AND a", 1, `a search term before "AND"`, `"AND"`},
		{"AND last", "a AND", 6, `a search term after "AND"`, "end of query"},
		{"AND before OR", "a AND OR b", 7, `a search term after "AND"`, `"OR"`},
		{"NOT last", "a NOT", 6, `a word, phrase, field or group after "NOT"`, "end of query"},
		{"only spaces", "   ", 4, "a search term", "end of query"},
		{"unclosed quote", `nợ "khiếu nại`, 14, `a closing '"' for the phrase opened at column 4`, "end of query"},
		{"unclosed quote in field value", `from:"Nguyễn`, 13, `a closing '"' for the phrase opened at column 6`, "end of query"},
		{"unclosed parenthesis", "(thẻ OR ví", 11, `")" to close the group opened at column 1`, "end of query"},
		{"unclosed inner parenthesis", "(a (b) c", 9, `")" to close the group opened at column 1`, "end of query"},
		{"stray closing parenthesis", "thẻ) ví", 4, "a search term or the end of the query", `")"`},
		{"empty group", "a () b", 4, "a search term", `")"`},
		{"bad month", "nợ xấu after:2024-13-01", 14, `a date YYYY-MM-DD after "after:"`, `"2024-13-01"`},
		{"bad day", "before:2024-02-30", 8, `a date YYYY-MM-DD after "before:"`, `"2024-02-30"`},
		{"date without padding", "after:2024-3-1", 7, `a date YYYY-MM-DD after "after:"`, `"2024-3-1"`},
		{"date with time", "after:2024-03-01T10:00", 7, `a date YYYY-MM-DD after "after:"`, `"2024-03-01T10:00"`},
		{"unknown field", "thẻ note:abc", 5, "a field among from:", `"note:"`},
		{"unknown field name with digits is a word", "abc1:x", 0, "", ""},
		{"empty field value at end", "from:", 6, `a value after "from:"`, "end of query"},
		{"empty field value before space", "account: x", 9, `a value after "account:"`, "a space"},
		{"empty field value before parenthesis", "(kind:)", 7, `a value after "kind:"`, `")"`},
		{"empty quoted field value", `from:""`, 6, `a value after "from:"`, "an empty phrase"},
		{"unknown kind", "kind:imge", 6, "a message kind among text, image", `"imge"`},
		{"or at start", "OR thẻ", 1, `a search term before "OR"`, `"OR"`},
		{"or at end", "thẻ OR", 7, `a search term after "OR"`, "end of query"},
		{"or twice", "thẻ OR OR ví", 8, `a search term before "OR"`, `"OR"`},
		{"or before closing parenthesis", "(thẻ OR)", 8, `a search term after "OR"`, `")"`},
		{"minus alone", "thẻ - ví", 6, `a word, phrase, field or group after "-"`, "a space"},
		{"minus at end", "thẻ -", 6, `a word, phrase, field or group after "-"`, "end of query"},
		{"double minus", "--(a)", 2, `a word, phrase, field or group after "-"`, `"-"`},
		{"columns count characters not bytes", "khiếu nại đã xử lý after:xx", 26, `a date YYYY-MM-DD`, `"xx"`},
		{"too deep", strings.Repeat("(", maxDepth+1) + "a" + strings.Repeat(")", maxDepth+1), maxDepth + 1, "at most 32 nested groups", `"("`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseQuery(tt.query, hcm)
			if tt.expected == "" {
				if err != nil {
					t.Fatalf("ParseQuery(%q): %v, want no error", tt.query, err)
				}
				return
			}
			var syntax *SyntaxError
			if !errors.As(err, &syntax) {
				t.Fatalf("ParseQuery(%q) error = %v, want a *SyntaxError", tt.query, err)
			}
			if syntax.Pos != tt.pos {
				t.Errorf("Pos = %d, want %d (%v)", syntax.Pos, tt.pos, err)
			}
			if !strings.Contains(syntax.Expected, tt.expected) {
				t.Errorf("Expected = %q, want it to contain %q", syntax.Expected, tt.expected)
			}
			if syntax.Got != tt.got {
				t.Errorf("Got = %q, want %q", syntax.Got, tt.got)
			}
		})
	}
}

func TestSyntaxError_Message(t *testing.T) {
	_, err := ParseQuery("nợ xấu after:2024-13-01", hcm)
	want := `query: column 14: expected a date YYYY-MM-DD after "after:", got "2024-13-01"`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
}

func TestParseTree_Structure(t *testing.T) {
	tests := []struct {
		name, query, want string
	}{
		{"words are and", "a b", "and(a b)"},
		{"or binds tighter", "a b OR c", "and(a or(b c))"},
		{"or chain", "a OR b OR c", "and(or(a b c))"},
		{"group", "(a OR b) c", "and(and(or(a b)) c)"},
		{"negations", `-a -"b c" -(d)`, `and(not(a) not("b c") not(and(d)))`},
		{"fields", `from:"Nguyễn An" kind:Image source:Zalo`, `and(from:Nguyễn An kind:image source:zalo)`},
		{"date", "after:2024-03-15", "and(after:2024-03-15T00:00:00+07:00)"},
		{"or before group and phrase", `a OR(b) OR"c"`, `and(or(a and(b) "c"))`},
		{"word glued to phrase", `a"b"`, `and(a "b")`},
		{"lowercase or is a word", "a or b", "and(a or b)"},
		{"ORANGE is a word", "ORANGE", "and(ORANGE)"},
		{"url is a word", "https://x.vn/a", "and(https://x.vn/a)"},
		{"time is a word", "10:30", "and(10:30)"},
		{"unicode spaces", "a\u00a0b\u3000c", "and(a b c)"},
		{"AND is the sequence", "a AND b AND (c OR d)", "and(a b and(or(c d)))"},
		{"NOT is a minus", `NOT a NOT "b c" x`, `and(not(a) not("b c") x)`},
		{"NOT in an OR", "a OR NOT b", "and(or(a not(b)))"},
		{"lowercase and and not are words", "a and not b", "and(a and not b)"},
		{"ANDROID is a word", "ANDROID NOTE", "and(ANDROID NOTE)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tree, err := parseTree(tt.query, hcm)
			if err != nil {
				t.Fatalf("parseTree(%q): %v", tt.query, err)
			}
			if got := formatTree(tree); got != tt.want {
				t.Errorf("parseTree(%q) = %s, want %s", tt.query, got, tt.want)
			}
		})
	}
}

// formatTree writes a syntax tree compactly for comparison.
func formatTree(n *node) string {
	children := func() string {
		parts := make([]string, len(n.children))
		for i, c := range n.children {
			parts[i] = formatTree(c)
		}
		return strings.Join(parts, " ")
	}
	switch n.kind {
	case nodeAnd:
		return "and(" + children() + ")"
	case nodeOr:
		return "or(" + children() + ")"
	case nodeNot:
		return "not(" + children() + ")"
	case nodeText:
		if n.phrase {
			return `"` + n.text + `"`
		}
		return n.text
	case nodeField:
		if !n.date.IsZero() {
			return n.field + ":" + n.date.Format(time.RFC3339)
		}
		return n.field + ":" + n.text
	}
	return "?"
}

func TestParseQuery_NilLocationIsHoChiMinh(t *testing.T) {
	tree, err := parseTree("after:2024-03-15", defaultLocation())
	if err != nil {
		t.Fatal(err)
	}
	if _, offset := tree.children[0].date.Zone(); offset != 7*60*60 {
		t.Errorf("offset = %d s, want 25200 (UTC+7)", offset)
	}
	if _, err := ParseQuery("after:2024-03-15", nil); err != nil {
		t.Errorf("ParseQuery with nil location: %v", err)
	}
}

func FuzzParseQuery(f *testing.F) {
	for _, seed := range []string{
		"khiếu nại", `"thẻ tín dụng" -spam`, "a OR (b -c)", "from:u1 after:2024-01-01 before:2024-02-01",
		`from:"Nguyễn An" kind:image source:zalo account:a conversation:"c 1"`, "((", `"`, "-", "OR", "x:y",
		"after:2024-13-01", "kind:", "-(-a OR -b)", "https://x.vn",
		"to:u1 has:link tag:Hot custodian:an", "has:", "has:photo", "custodian:unknown OR a", `tag:"quan trọng"`,
	} {
		f.Add(seed)
	}
	// Every custodian is known except "unknown".
	custodian := func(name string) ([]CustodianSpan, error) {
		if name == "unknown" {
			return nil, ErrUnknownCustodian
		}
		return []CustodianSpan{{Account: "acc1", From: time.Date(2024, 3, 15, 10, 7, 0, 0, hcm)}, {Account: name}}, nil
	}
	// Every parsed query also runs, so that bleve rejects none of them.
	x, err := Open(Config{Path: f.TempDir(), Location: hcm})
	if err != nil {
		f.Fatal(err)
	}
	defer x.Close()
	if err := x.Add([]*chat.Message{testMessage("m1", "khiếu nại thẻ"), testMessage("m2", "a b c")}); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, q string) {
		built, err := ParseQueryOptions(q, QueryOptions{Location: hcm, Custodian: custodian})
		if err != nil {
			var syntax *SyntaxError
			if !errors.As(err, &syntax) {
				t.Fatalf("ParseQuery(%q) error %v is not a *SyntaxError", q, err)
			}
			if max := utf8.RuneCountInString(q) + 1; syntax.Pos < 1 || syntax.Pos > max {
				t.Fatalf("ParseQuery(%q): Pos %d outside 1..%d", q, syntax.Pos, max)
			}
			if syntax.Expected == "" || syntax.Got == "" {
				t.Fatalf("ParseQuery(%q): incomplete error %#v", q, syntax)
			}
			return
		}
		if built == nil {
			t.Fatalf("ParseQuery(%q) returned neither a query nor an error", q)
		}
		if _, err := x.Search(context.Background(), q, SearchOptions{Custodian: custodian, Highlight: true, Facets: true}); err != nil {
			t.Fatalf("Search(%q): %v", q, err)
		}
	})
}
