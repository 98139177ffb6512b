package slack

import (
	"testing"
	"unicode/utf8"

	"chatseal/chat"
)

// testNames resolves the ids of the markup tests.
var testNames = &directory{
	users:        map[string]user{"U01": {name: "Trần Văn Bình"}, "U02": {name: "Lê Thu Hà"}},
	channelNames: map[string]string{"C01": "don-hang"},
}

func TestDisplayText_Examples(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		names Names
		want  string
	}{
		{name: "no markup", text: "Đã kiểm tra, OK ạ", names: testNames, want: "Đã kiểm tra, OK ạ"},
		{name: "mention and link", text: "Đơn <https://example.com/o/42|#42> xong, <@U02> kiểm tra giúp", names: testNames,
			want: "Đơn #42 xong, @Lê Thu Hà kiểm tra giúp"},
		{name: "unknown user keeps the label", text: "hỏi <@U09|minh.vo> nhé", names: testNames, want: "hỏi @minh.vo nhé"},
		{name: "unknown user without label", text: "hỏi <@U09> nhé", names: testNames, want: "hỏi @U09 nhé"},
		{name: "known user wins over the label", text: "<@U01|binh>", names: testNames, want: "@Trần Văn Bình"},
		{name: "nil names", text: "<@U01> ở <#C01>", names: nil, want: "@U01 ở #C01"},
		{name: "channel link", text: "xem <#C01> và <#C09|kho>", names: testNames, want: "xem #don-hang và #kho"},
		{name: "bare link", text: "<https://example.com/a?b=1&amp;c=2>", names: testNames, want: "https://example.com/a?b=1&c=2"},
		{name: "mailto", text: "<mailto:ha@example.com|ha@example.com>", names: testNames, want: "ha@example.com"},
		{name: "broadcasts", text: "<!here> <!channel> <!everyone|everyone>", names: testNames, want: "@here @channel @everyone"},
		{name: "user group", text: "<!subteam^S01|@kho-van> và <!subteam^S02>", names: testNames, want: "@kho-van và @S02"},
		{name: "date", text: "hạn <!date^1709254800^{date}|1 tháng 3>", names: testNames, want: "hạn 1 tháng 3"},
		{name: "escapes", text: "a &lt;b&gt; &amp;amp;", names: testNames, want: "a <b> &amp;"},
		{name: "unclosed bracket", text: "giá < 500 và <@U01>", names: testNames, want: "giá < 500 và @Trần Văn Bình"},
		{name: "bracket across a line", text: "<a\nb> <@U02>", names: testNames, want: "<a\nb> @Lê Thu Hà"},
		{name: "empty brackets", text: "<> x", names: testNames, want: "<> x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DisplayText(tt.text, tt.names); got != tt.want {
				t.Errorf("DisplayText(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestMentions_Spans(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []chat.Mention
	}{
		{name: "none", text: "Đã kiểm tra <https://example.com|link>"},
		{name: "user after Vietnamese text", text: "Đơn <https://example.com/o/42|#42> đã thanh toán, <@U02BBB> kiểm tra giúp",
			want: []chat.Mention{{UserID: "U02BBB", Offset: 50, Length: 9}}},
		{name: "user with label and broadcast", text: "ờ <@U01|bình> <!here>",
			want: []chat.Mention{{UserID: "U01", Offset: 2, Length: 11}, {AllMembers: true, Offset: 14, Length: 7}}},
		{name: "channel is not a mention", text: "<#C01> <!subteam^S01|@kho>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mentions(tt.text)
			if len(got) != len(tt.want) {
				t.Fatalf("mentions(%q) = %+v, want %+v", tt.text, got, tt.want)
			}
			runes := []rune(tt.text)
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("mention %d = %+v, want %+v", i, got[i], tt.want[i])
				}
				span := string(runes[got[i].Offset : got[i].Offset+got[i].Length])
				if span[0] != '<' || span[len(span)-1] != '>' || utf8.RuneCountInString(span) != got[i].Length {
					t.Errorf("mention %d spans %q, want a whole <…> token", i, span)
				}
			}
		})
	}
}
