package main

import (
	"regexp"
	"strconv"
	"strings"

	"chatseal/index"
)

// syntaxPhrasesVI translate the phrases that index.SyntaxError uses for
// what the parser expected and what it found. A phrase without a
// translation is left out of the Vietnamese line, which still names the
// column; the English detail line always has it.
var syntaxPhrasesVI = []struct {
	pattern *regexp.Regexp
	vi      string
}{
	{regexp.MustCompile(`^a search term or the end of the query$`), "một từ khoá hoặc hết câu truy vấn"},
	{regexp.MustCompile(`^a search term$`), "một từ khoá"},
	{regexp.MustCompile(`^a search term after (".*")$`), "một từ khoá sau ${1}"},
	{regexp.MustCompile(`^a search term before (".*")$`), "một từ khoá trước ${1}"},
	{regexp.MustCompile(`^a word, phrase, field or group after (".*")$`), "một từ, cụm từ, trường hoặc nhóm sau ${1}"},
	{regexp.MustCompile(`^"\)" to close the group opened at column (\d+)$`), `dấu ")" để đóng nhóm mở ở cột ${1}`},
	{regexp.MustCompile(`^a closing '"' for the phrase opened at column (\d+)$`), `dấu '"' để đóng cụm từ mở ở cột ${1}`},
	{regexp.MustCompile(`^a date YYYY-MM-DD after (".*")$`), "một ngày dạng YYYY-MM-DD sau ${1}"},
	{regexp.MustCompile(`^a value after (".*")$`), "một giá trị sau ${1}"},
	{regexp.MustCompile(`^a message kind among (.*)$`), "một loại tin trong số ${1}"},
	{regexp.MustCompile(`^a field among (.*)$`), "một trường trong số ${1}"},
	{regexp.MustCompile(`^a known custodian after "custodian:"$`), `một người giữ tài khoản đã khai báo sau "custodian:"`},
	{regexp.MustCompile(`^at most (\d+) nested groups$`), "tối đa ${1} nhóm lồng nhau"},
	{regexp.MustCompile(`^end of query$`), "hết câu truy vấn"},
	{regexp.MustCompile(`^a space$`), "một khoảng trắng"},
	{regexp.MustCompile(`^(".*")$`), "${1}"},
}

// translateSyntaxVI returns the Vietnamese form of a phrase of a syntax
// error, and false when it has none.
func translateSyntaxVI(phrase string) (string, bool) {
	for _, p := range syntaxPhrasesVI {
		if p.pattern.MatchString(phrase) {
			return p.pattern.ReplaceAllString(phrase, p.vi), true
		}
	}
	return "", false
}

// syntaxErrorVI returns the Vietnamese line of a syntax error: the column,
// and what was expected and found when both translate.
func syntaxErrorVI(e *index.SyntaxError) string {
	var b strings.Builder
	b.WriteString("câu truy vấn sai ở cột ")
	b.WriteString(strconv.Itoa(e.Pos))
	expected, ok1 := translateSyntaxVI(e.Expected)
	got, ok2 := translateSyntaxVI(e.Got)
	if ok1 && ok2 {
		b.WriteString(": cần " + expected + ", nhưng gặp " + got)
	}
	b.WriteString(" (xem chatseal search --help)")
	return b.String()
}
