package main

import (
	"strings"
	"testing"

	"chatseal/index"
)

func TestSyntaxErrorVI(t *testing.T) {
	tests := []struct {
		query string
		want  string
	}{
		{`khiếu (thẻ OR`, `câu truy vấn sai ở cột 14: cần một từ khoá sau "OR", nhưng gặp hết câu truy vấn`},
		{`"abc`, `cần dấu '"' để đóng cụm từ mở ở cột 1, nhưng gặp hết câu truy vấn`},
		{`after:2024-13-01`, `cần một ngày dạng YYYY-MM-DD sau "after:", nhưng gặp "2024-13-01"`},
		{`a ) b`, `cần một từ khoá hoặc hết câu truy vấn, nhưng gặp ")"`},
		{`AND a`, `cần một từ khoá trước "AND"`},
		{`kind:imge`, `cần một loại tin trong số text, image`},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			_, err := index.ParseQuery(tt.query, nil)
			syn, ok := err.(*index.SyntaxError)
			if !ok {
				t.Fatalf("ParseQuery(%q) = %v, want a syntax error", tt.query, err)
			}
			if got := syntaxErrorVI(syn); !strings.Contains(got, tt.want) {
				t.Errorf("syntaxErrorVI = %q, want it to contain %q", got, tt.want)
			}
		})
	}
	// A phrase without a translation leaves the line with the column only.
	got := syntaxErrorVI(&index.SyntaxError{Pos: 3, Expected: "something new", Got: "end of query"})
	if got != "câu truy vấn sai ở cột 3 (xem chatseal search --help)" {
		t.Errorf("untranslated phrase: %q", got)
	}
}

func TestMarkColumn(t *testing.T) {
	if got, want := markColumn("khiếu (thẻ OR", 14), "  khiếu (thẻ OR\n               ^"; got != want {
		t.Errorf("markColumn = %q, want %q", got, want)
	}
	if got, want := markColumn("ab", 99), "  ab\n    ^"; got != want {
		t.Errorf("markColumn past the end = %q, want %q", got, want)
	}
}
