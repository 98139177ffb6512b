package index

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"golang.org/x/text/unicode/norm"

	"chatseal/chat"
)

// spanTexts returns the text of each span.
func spanTexts(text string, spans []Span) []string {
	out := []string{}
	for _, s := range spans {
		out = append(out, text[s.Start:s.End])
	}
	return out
}

func TestSearch_HighlightSpans(t *testing.T) {
	nfd := norm.NFD.String("Chị gửi KHIẾU NẠI lần 2")
	withIndexText := testMessage("index-text", "xem link giá tốt")
	withIndexText.IndexText = "giá sốc hôm nay"
	withAttachment := testMessage("attachment", "")
	withAttachment.Attachments = []chat.Attachment{{Kind: "file", Name: "báo giá.pdf"}}

	msgs := []*chat.Message{
		testMessage("folded", "Em muốn gửi khiếu nại, khiếu nại gấp!"),
		testMessage("unaccented", "khieu nai cua khach"),
		testMessage("nfd", nfd),
		testMessage("phrase", "khiếu thì khiếu, nhưng khiếu nại thì chưa"),
		testMessage("shorthand", "anh ko nhận được, em không biết"),
		testMessage("emoji", "👍👍 thẻ 💳 bị khóa"),
		withIndexText,
		withAttachment,
	}
	x := openTestIndex(t, msgs...)
	texts := map[string]string{}
	for _, m := range msgs {
		texts[m.ID] = m.Text
	}

	tests := []struct {
		name  string
		query string
		id    string
		want  []string
	}{
		{"folded query on accented text", "khieu nai", "folded", []string{"khiếu", "nại", "khiếu", "nại"}},
		{"accented query on unaccented text", "khiếu nại", "unaccented", []string{"khieu", "nai"}},
		{"offsets in NFD text", "khiếu", "nfd", []string{norm.NFD.String("KHIẾU")}},
		{"phrase marks the phrase only", `"khiếu nại"`, "phrase", []string{"khiếu", "nại"}},
		{"shorthand expansion", "ko", "shorthand", []string{"ko", "không"}},
		{"multibyte neighbours", "thẻ khóa", "emoji", []string{"thẻ", "khóa"}},
		{"index text match is not in Text", "giá", "index-text", []string{"giá"}},
		{"attachment name match has no span", "báo giá", "attachment", []string{}},
		{"excluded words have no span", "khiếu -chưa", "folded", []string{"khiếu", "khiếu"}},
		{"field alone has no span", "from:an kind:text khách", "unaccented", []string{"khach"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := x.Search(context.Background(), tt.query, SearchOptions{Limit: MaxLimit, Highlight: true})
			if err != nil {
				t.Fatal(err)
			}
			var hit *Hit
			for i := range res.Hits {
				if res.Hits[i].ID == tt.id {
					hit = &res.Hits[i]
				}
			}
			if hit == nil {
				t.Fatalf("Search(%q) did not find %s", tt.query, tt.id)
			}
			if got := spanTexts(texts[tt.id], hit.Spans); !slices.Equal(got, tt.want) {
				t.Errorf("spans of %s = %q, want %q", tt.id, got, tt.want)
			}
		})
	}

	t.Run("no spans without Highlight", func(t *testing.T) {
		res, err := x.Search(context.Background(), "khiếu", SearchOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range res.Hits {
			if h.Spans != nil {
				t.Errorf("hit %s has spans %v without Highlight", h.ID, h.Spans)
			}
		}
	})
}

func TestSnippet(t *testing.T) {
	long := "Chào anh, em là nhân viên chăm sóc khách hàng của ngân hàng. " +
		"Về việc thẻ tín dụng của anh bị khóa hôm qua, em đã kiểm tra và thấy giao dịch lạ. " +
		"Anh vui lòng xác nhận giao dịch hoặc gọi tổng đài để mở khóa thẻ."
	spanOf := func(text string, words ...string) []Span {
		var spans []Span
		from := 0
		for _, w := range words {
			i := strings.Index(text[from:], w)
			if i < 0 {
				t.Fatalf("%q not in text", w)
			}
			spans = append(spans, Span{Start: from + i, End: from + i + len(w)})
			from += i + len(w)
		}
		return spans
	}

	tests := []struct {
		name  string
		text  string
		spans []Span
		width int
		want  string
	}{
		{"short text whole", "thẻ bị khóa", spanOf("thẻ bị khóa", "thẻ"), 80, "[thẻ] bị khóa"},
		{"zero width keeps all", "thẻ bị khóa", spanOf("thẻ bị khóa", "khóa"), 0, "thẻ bị [khóa]"},
		{"no spans starts at text start", long, nil, 30, "Chào anh, em là nhân viên chăm …"},
		{"window around span", long, spanOf(long, "thẻ tín dụng"), 40, "… hàng. Về việc [thẻ tín dụng] của anh bị …"},
		{"densest group wins", long, spanOf(long, "Chào", "giao dịch", "giao dịch"), 60, "… thấy [giao dịch] lạ. Anh vui lòng xác nhận [giao dịch] hoặc …"},
		{"span at end", long, spanOf(long, "khóa thẻ."), 30, "… gọi tổng đài để mở [khóa thẻ.]"},
		{"touching spans merge", "khiếu nại", []Span{{0, 7}, {7, 8}}, 80, "[khiếu ]nại"},
		{"separate spans stay apart", "khiếu nại", []Span{{8, 13}, {0, 7}}, 80, "[khiếu] [nại]"},
		{"overlapping spans merge", "khiếu nại", []Span{{0, 7}, {3, 8}}, 80, "[khiếu ]nại"},
		{"spans outside text ignored", "thẻ", []Span{{-5, -1}, {10, 20}, {2, 1}}, 80, "thẻ"},
		{"span inside a character widened", "thẻ", []Span{{3, 4}}, 80, "th[ẻ]"},
		{"long span cut to width", strings.Repeat("a", 50) + " b", []Span{{0, 50}}, 10, "[aaaaaaaaaa] …"},
		{"cut inside a word without spaces", strings.Repeat("x", 40) + "thẻ" + strings.Repeat("y", 40), []Span{{40, 44}}, 9, "… xxx[thẻ]yyy …"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Snippet(tt.text, tt.spans, tt.width, "[", "]")
			if got != tt.want {
				t.Errorf("Snippet = %q, want %q", got, tt.want)
			}
			if tt.width > 0 {
				plain := strings.NewReplacer("[", "", "]", "", " "+Ellipsis, "", Ellipsis+" ", "").Replace(got)
				if n := len([]rune(plain)); n > tt.width {
					t.Errorf("snippet has %d runes of text, want at most %d", n, tt.width)
				}
			}
		})
	}
}

func TestSnippetFragments_ForHTML(t *testing.T) {
	text := "a <b> & thẻ"
	got := SnippetFragments(text, []Span{{Start: 8, End: 13}}, 80)
	want := []Fragment{{Text: "a <b> & "}, {Text: "thẻ", Match: true}}
	if !slices.Equal(got, want) {
		t.Errorf("SnippetFragments = %+v, want %+v", got, want)
	}

	cut := SnippetFragments(strings.Repeat("từ ", 40), []Span{{Start: 60, End: 64}}, 10)
	if first, last := cut[0], cut[len(cut)-1]; first != (Fragment{Text: "… "}) || last != (Fragment{Text: " …"}) {
		t.Errorf("ellipsis runs = %+v and %+v, want \"… \" and \" …\"", first, last)
	}
}

// facetValues writes a facet as "value=count" strings, with the account of
// a conversation as "account/value".
func facetValues(f Facet) []string {
	out := []string{}
	for _, c := range f.Values {
		v := c.Value
		if c.Account != "" {
			v = c.Account + "/" + v
		}
		out = append(out, fmt.Sprintf("%s=%d", v, c.Count))
	}
	return out
}

// facetMessages returns messages over three quarters and two accounts,
// with a conversation id used in both accounts.
func facetMessages() []*chat.Message {
	type spec struct {
		id, account, conversation string
		kind                      chat.Kind
		sent                      time.Time
	}
	specs := []spec{
		{"a1", "acc1", "c1", chat.KindText, time.Date(2024, 1, 10, 9, 0, 0, 0, hcm)},
		{"a2", "acc1", "c1", chat.KindText, time.Date(2024, 1, 11, 9, 0, 0, 0, hcm)},
		{"a3", "acc1", "c2", chat.KindImage, time.Date(2024, 2, 1, 9, 0, 0, 0, hcm)},
		// 2024-03-31 20:00 UTC: shard 2024-Q1, month 2024-04 in Ho Chi Minh City.
		{"a4", "acc1", "c2", chat.KindText, time.Date(2024, 3, 31, 20, 0, 0, 0, time.UTC)},
		{"a5", "acc1", "c1", chat.KindFile, time.Date(2024, 5, 5, 9, 0, 0, 0, hcm)},
		{"b1", "acc2", "c1", chat.KindText, time.Date(2024, 5, 6, 9, 0, 0, 0, hcm)},
		{"b2", "acc2", "c3", chat.KindText, time.Date(2024, 8, 1, 9, 0, 0, 0, hcm)},
		{"b3", "acc2", "c3", chat.KindImage, time.Date(2024, 8, 2, 9, 0, 0, 0, hcm)},
		{"b4", "acc2", "c3", chat.KindText, time.Time{}},
	}
	msgs := make([]*chat.Message, len(specs))
	for i, s := range specs {
		m := testMessage(s.id, "báo cáo tuần")
		m.Account, m.Conversation, m.Kind, m.SentAt = s.account, s.conversation, s.kind, s.sent
		msgs[i] = m
	}
	return msgs
}

func TestSearch_Facets(t *testing.T) {
	x := openTestIndex(t, facetMessages()...)
	type want struct {
		accounts, months, conversations, kinds []string
		other                                  [4]uint64 // accounts, months, conversations, kinds
	}
	tests := []struct {
		name  string
		query string
		limit int
		want  want
	}{
		{"all messages", "báo", 0, want{
			accounts: []string{"acc1=5", "acc2=4"},
			// a4 is 2024-03-31 20:00 UTC, 2024-04-01 in Ho Chi Minh City;
			// b4 has no send time and no month.
			months:        []string{"2024-01=2", "2024-05=2", "2024-08=2", "2024-02=1", "2024-04=1"},
			conversations: []string{"acc1/c1=3", "acc2/c3=3", "acc1/c2=2", "acc2/c1=1"},
			kinds:         []string{"text=6", "image=2", "file=1"},
		}},
		{"limit moves the rest to other", "báo", 1, want{
			accounts:      []string{"acc1=5"},
			months:        []string{"2024-01=2"},
			conversations: []string{"acc1/c1=3"},
			kinds:         []string{"text=6"},
			other:         [4]uint64{4, 6, 6, 3},
		}},
		{"facets follow the query", "account:acc2 -kind:image", 0, want{
			accounts:      []string{"acc2=3"},
			months:        []string{"2024-05=1", "2024-08=1"},
			conversations: []string{"acc2/c3=2", "acc2/c1=1"},
			kinds:         []string{"text=3"},
		}},
		{"no hits", "không có", 0, want{
			accounts: []string{}, months: []string{}, conversations: []string{}, kinds: []string{},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := x.Search(context.Background(), tt.query, SearchOptions{Facets: true, FacetLimit: tt.limit})
			if err != nil {
				t.Fatal(err)
			}
			if res.Facets == nil {
				t.Fatal("Facets is nil")
			}
			check := func(name string, got Facet, want []string, other uint64) {
				if values := facetValues(got); !slices.Equal(values, want) {
					t.Errorf("%s = %v, want %v", name, values, want)
				}
				if got.Other != other {
					t.Errorf("%s: Other = %d, want %d", name, got.Other, other)
				}
			}
			check("accounts", res.Facets.Accounts, tt.want.accounts, tt.want.other[0])
			check("months", res.Facets.Months, tt.want.months, tt.want.other[1])
			check("conversations", res.Facets.Conversations, tt.want.conversations, tt.want.other[2])
			check("kinds", res.Facets.Kinds, tt.want.kinds, tt.want.other[3])
		})
	}

	t.Run("nil without Facets", func(t *testing.T) {
		res, err := x.Search(context.Background(), "báo", SearchOptions{})
		if err != nil || res.Facets != nil {
			t.Errorf("Facets = %+v, %v, want nil", res.Facets, err)
		}
	})
	t.Run("invalid facet limit", func(t *testing.T) {
		if _, err := x.Search(context.Background(), "báo", SearchOptions{Facets: true, FacetLimit: MaxFacetLimit + 1}); err == nil {
			t.Error("no error for a facet limit above MaxFacetLimit")
		}
	})
}

func TestSearch_SortByTime(t *testing.T) {
	x := openTestIndex(t, facetMessages()...)
	tests := []struct {
		name string
		sort Sort
		want []string
	}{
		{"newest first, no time last", SortNewest, []string{"b3", "b2", "b1", "a5", "a4", "a3", "a2", "a1", "b4"}},
		{"oldest first, no time first", SortOldest, []string{"b4", "a1", "a2", "a3", "a4", "a5", "b1", "b2", "b3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := x.Search(context.Background(), "báo", SearchOptions{Sort: tt.sort})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range res.Hits {
				got = append(got, h.ID)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("hits = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseSort(t *testing.T) {
	for _, s := range []Sort{SortRelevance, SortNewest, SortOldest} {
		got, err := ParseSort(s.String())
		if err != nil || got != s {
			t.Errorf("ParseSort(%q) = %v, %v, want %v", s.String(), got, err, s)
		}
	}
	if _, err := ParseSort("date"); err == nil || !strings.Contains(err.Error(), `"date"`) {
		t.Errorf("ParseSort(\"date\") error = %v, want one naming the value", err)
	}
}

// pagedMessages returns n messages over four quarters with equal texts, so
// that scores tie, and times that repeat, so that the time sorts tie.
func pagedMessages(n int) []*chat.Message {
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	msgs := make([]*chat.Message, n)
	for i := range msgs {
		text := "giống nhau"
		if i%3 == 0 {
			text = "giống nhau giống"
		}
		m := testMessage(fmt.Sprintf("p%03d", (i*37)%n), text)
		m.SentAt = base.Add(time.Duration(i%(n/4)) * 9 * 24 * time.Hour) // repeats every quarter of n
		if i%5 == 0 {
			m.SentAt = base.Add(time.Duration(i) * 3 * 24 * time.Hour)
		}
		msgs[i] = m
	}
	return msgs
}

func TestSearch_CursorPaging(t *testing.T) {
	msgs := pagedMessages(120)
	x := openTestIndex(t, msgs...)
	if shards, err := x.Shards(); err != nil || len(shards) < 3 {
		t.Fatalf("Shards = %d, %v, want at least 3", len(shards), err)
	}
	ctx := context.Background()

	for _, sort := range []Sort{SortRelevance, SortNewest, SortOldest} {
		for _, limit := range []int{1, 7, 40, 119, 120} {
			t.Run(fmt.Sprintf("%s limit %d", sort, limit), func(t *testing.T) {
				all, err := x.Search(ctx, "giống", SearchOptions{Sort: sort, Limit: MaxLimit})
				if err != nil {
					t.Fatal(err)
				}
				var want []string
				for _, h := range all.Hits {
					want = append(want, h.ID)
				}

				var got []string
				after := ""
				for page := 0; page < 200; page++ {
					res, err := x.Search(ctx, "giống", SearchOptions{Sort: sort, Limit: limit, After: after})
					if err != nil {
						t.Fatalf("page %d: %v", page, err)
					}
					if res.Total != uint64(len(msgs)) {
						t.Errorf("page %d: Total = %d, want %d", page, res.Total, len(msgs))
					}
					for _, h := range res.Hits {
						got = append(got, h.ID)
					}
					if res.Next == "" {
						break
					}
					after = res.Next
				}
				if !slices.Equal(got, want) {
					t.Errorf("paged hits (%d) differ from one page (%d):\n got %v\nwant %v", len(got), len(want), got, want)
				}
			})
		}
	}
}

func TestSearch_CursorErrors(t *testing.T) {
	x := openTestIndex(t, pagedMessages(40)...)
	ctx := context.Background()
	res, err := x.Search(ctx, "giống", SearchOptions{Sort: SortNewest, Limit: 5})
	if err != nil || res.Next == "" {
		t.Fatalf("first page: Next %q, %v", res.Next, err)
	}
	encode := func(c cursor) string {
		data, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(data)
	}
	key := searchKey("giống", SearchOptions{})
	tests := []struct {
		name string
		opts SearchOptions
		want string
	}{
		{"other sort", SearchOptions{Sort: SortRelevance, After: res.Next}, `the cursor is for sort "newest", the search sorts by "relevance"`},
		{"other scope", SearchOptions{Sort: SortNewest, After: res.Next, Scope: &Scope{Accounts: []string{"acc1"}}}, "the cursor is for another query or scope"},
		{"shorthand switched off", SearchOptions{Sort: SortNewest, After: res.Next, NoShorthand: true}, "the cursor is for another query or scope"},
		{"oldest instead of newest", SearchOptions{Sort: SortOldest, After: res.Next}, `sorts by "oldest"`},
		{"not base64", SearchOptions{After: "%%%"}, "invalid cursor: not base64url"},
		{"not json", SearchOptions{After: "bm90IGpzb24"}, "invalid cursor"},
		{"wrong version", SearchOptions{After: encode(cursor{Version: 2, Sort: "relevance", Search: key, Keys: []string{"1", "a"}})}, "version 2, expected 3"},
		{"key not a number", SearchOptions{After: encode(cursor{Version: cursorVersion, Sort: "relevance", Search: key, Keys: []string{"x", docID(testMessage("a", ""))}})}, `sort key "x" is not a number`},
		{"message ID for a document ID", SearchOptions{After: encode(cursor{Version: cursorVersion, Sort: "relevance", Search: key, Keys: []string{"1", "a"}})}, "expected a score and a document ID"},
		{"time sort with two keys", SearchOptions{Sort: SortOldest, After: encode(cursor{Version: cursorVersion, Sort: "oldest", Search: key, Keys: []string{"1", docID(testMessage("a", ""))}})}, "expected a document ID"},
		{"offset with cursor", SearchOptions{Sort: SortNewest, After: res.Next, Offset: 5}, "offset 5 given with a cursor"},
		{"invalid sort", SearchOptions{Sort: Sort(9)}, "invalid sort 9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := x.Search(ctx, "giống", tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
	if _, err := x.Search(ctx, "nhau", SearchOptions{Sort: SortNewest, After: res.Next}); !errors.Is(err, ErrInvalidCursor) {
		t.Errorf("cursor of another query: err = %v, want ErrInvalidCursor", err)
	}
}

func TestSearch_OffsetAcrossShards(t *testing.T) {
	x := openTestIndex(t, pagedMessages(40)...)
	ctx := context.Background()
	all, err := x.Search(ctx, "giống", SearchOptions{Sort: SortOldest, Limit: 40})
	if err != nil {
		t.Fatal(err)
	}
	for _, offset := range []int{0, 3, 10, 39} {
		res, err := x.Search(ctx, "giống", SearchOptions{Sort: SortOldest, Limit: 4, Offset: offset})
		if err != nil {
			t.Fatal(err)
		}
		for i, h := range res.Hits {
			if want := all.Hits[offset+i].ID; h.ID != want {
				t.Errorf("offset %d, hit %d = %s, want %s", offset, i, h.ID, want)
			}
		}
	}
}

func FuzzSnippetFragments(f *testing.F) {
	f.Add("Em muốn gửi khiếu nại về đơn hàng", 12, 18, 30, 40, 10)
	f.Add("thẻ", 3, 4, 0, 0, 80)
	f.Add("\xff\xfe abc", 0, 1, 2, 5, 2)
	f.Fuzz(func(t *testing.T, text string, s1, e1, s2, e2, width int) {
		spans := []Span{{Start: s1, End: e1}, {Start: s2, End: e2}}
		fragments := SnippetFragments(text, spans, width)
		var window strings.Builder
		for i, frag := range fragments {
			if frag.Text == "" {
				t.Fatalf("fragment %d is empty", i)
			}
			if (i == 0 && frag.Text == Ellipsis+" ") || (i == len(fragments)-1 && frag.Text == " "+Ellipsis) {
				continue
			}
			window.WriteString(frag.Text)
		}
		if !strings.Contains(text, window.String()) {
			t.Fatalf("window %q is not part of the text %q", window.String(), text)
		}
		if width > 0 && utf8.RuneCountInString(window.String()) > width {
			t.Fatalf("window %q has more than %d runes", window.String(), width)
		}
	})
}

// TestSearch_RelevanceOrderMatchesBleve checks topHits against bleve's own
// collector sorting by score and then by ID, on a corpus of many ties over
// several shards, for whole pages, offsets and cursors.
func TestSearch_RelevanceOrderMatchesBleve(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 11))
	words := []string{"giống", "nhau", "thẻ", "thế", "khóa", "khoá", "chuyển", "khoản", "chuyển khoản", "ok", "0912345678"}
	base := time.Date(2023, 11, 1, 0, 0, 0, 0, time.UTC)
	msgs := make([]*chat.Message, 600)
	for i := range msgs {
		n := 1 + rng.IntN(4)
		parts := make([]string, n)
		for j := range parts {
			parts[j] = words[rng.IntN(len(words))]
		}
		m := testMessage(fmt.Sprintf("r%04d", rng.IntN(1_000_000)), strings.Join(parts, " "))
		m.ID = fmt.Sprintf("%s-%03d", m.ID, i)
		m.SentAt = base.Add(time.Duration(rng.IntN(400*24)) * time.Hour)
		msgs[i] = m
	}
	x := openTestIndex(t, msgs...)
	ctx := context.Background()

	for _, q := range []string{"giống", "the", "thẻ", `"chuyen khoan"`, "phone:0912345678", "khoa OR nhau", "nhau -giống"} {
		t.Run(q, func(t *testing.T) {
			bq, span, err := compileQuery(q, QueryOptions{Location: x.loc})
			if err != nil {
				t.Fatal(err)
			}
			req := bleve.NewSearchRequestOptions(bq, MaxLimit, 0, false)
			req.SortByCustom(search.SortOrder{&search.SortScore{Desc: true}, &search.SortDocID{}})
			x.mu.RLock()
			res, err := bleve.NewIndexAlias(x.shardsIn(span)...).Search(req)
			x.mu.RUnlock()
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, h := range res.Hits {
				want = append(want, messageID(h.ID))
			}
			if len(want) < 20 {
				t.Fatalf("only %d hits; the test needs more", len(want))
			}

			all, err := x.Search(ctx, q, SearchOptions{Limit: MaxLimit})
			if err != nil {
				t.Fatal(err)
			}
			if all.Total != res.Total {
				t.Errorf("Total = %d, bleve %d", all.Total, res.Total)
			}
			var got []string
			for _, h := range all.Hits {
				got = append(got, h.ID)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("one page:\n got %v\nwant %v", got, want)
			}

			for _, offset := range []int{1, 7, len(want) - 3} {
				page, err := x.Search(ctx, q, SearchOptions{Limit: 5, Offset: offset})
				if err != nil {
					t.Fatal(err)
				}
				for i, h := range page.Hits {
					if h.ID != want[offset+i] {
						t.Errorf("offset %d, hit %d = %s, want %s", offset, i, h.ID, want[offset+i])
					}
				}
			}

			got = got[:0]
			after := ""
			for range len(want) {
				page, err := x.Search(ctx, q, SearchOptions{Limit: 3, After: after})
				if err != nil {
					t.Fatal(err)
				}
				for _, h := range page.Hits {
					got = append(got, h.ID)
				}
				if after = page.Next; after == "" {
					break
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("paged by cursor:\n got %v\nwant %v", got, want)
			}
		})
	}
}

// TestWordQuery_ScoresAsDisjunction checks that wordQuery matches what
// the folded term matches and scores each hit as the disjunction of the
// folded term and the exact form would. Without the form a hit gets half
// the folded term's score. With it, a hit gets the folded term's score
// plus one amount, the same for every message. The test decides which
// messages have the form from their text with Exact, not from the index.
func TestWordQuery_ScoresAsDisjunction(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 9))
	words := []string{"thẻ", "thế", "the", "THẺ", "khóa", "khoá", "khoa", "không", "khong", "bị", "mất", "thẻ thẻ"}
	var msgs []*chat.Message
	texts := map[string]string{}
	for i := range 300 {
		parts := make([]string, 1+rng.IntN(6))
		for j := range parts {
			parts[j] = words[rng.IntN(len(words))]
		}
		m := testMessage(fmt.Sprintf("w%03d", i), strings.Join(parts, " "))
		msgs = append(msgs, m)
		texts[m.ID] = m.Text
	}
	x := openTestIndex(t, msgs...)
	x.mu.RLock()
	defer x.mu.RUnlock()
	alias := bleve.NewIndexAlias(x.shardsIn(allTime)...)

	scores := func(q query.Query) map[string]float64 {
		req := bleve.NewSearchRequestOptions(q, MaxLimit, 0, false)
		res, err := alias.Search(req)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]float64{}
		for _, h := range res.Hits {
			out[messageID(h.ID)] = h.Score
		}
		return out
	}
	hasForm := func(id, form string) bool {
		return slices.Contains(strings.Fields(Exact(texts[id])), form)
	}
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b)) }

	for _, w := range []struct{ query, folded string }{{"thẻ", "the"}, {"khoá", "khoa"}, {"không", "khong"}} {
		form := Exact(w.query)
		t.Run(form, func(t *testing.T) {
			q := buildText(w.query)
			if _, ok := q.(*wordQuery); !ok {
				t.Fatalf("buildText(%q) = %T, want a wordQuery", w.query, q)
			}
			folded, got := scores(termQuery(fieldText, w.folded)), scores(q)
			if len(got) != len(folded) || len(got) < 10 {
				t.Fatalf("%d hits, the folded term %d; want the same, at least 10", len(got), len(folded))
			}
			// Without the form, a hit scores ratio/2 times the folded
			// term's score; with it, ratio times plus the form's amount.
			ratio, amount := math.NaN(), math.NaN()
			with := 0
			for id, s := range got {
				if _, ok := folded[id]; !ok {
					t.Fatalf("%s is a hit but has no folded term", id)
				}
				if !hasForm(id, form) {
					if r := 2 * s / folded[id]; math.IsNaN(ratio) {
						ratio = r
					} else if !near(r, ratio) {
						t.Fatalf("%s without the form: score %v is %v times the folded score over 2, others %v", id, s, r, ratio)
					}
				}
			}
			for id, s := range got {
				if hasForm(id, form) {
					with++
					if a := s - ratio*folded[id]; math.IsNaN(amount) {
						amount = a
					} else if !near(a, amount) {
						t.Fatalf("%s with the form adds %v, others %v", id, a, amount)
					}
				}
			}
			if math.IsNaN(ratio) || with == 0 {
				t.Fatalf("%d hits with the form, %d without; the test needs both", with, len(got)-with)
			}
			if amount <= 0 {
				t.Errorf("the form adds %v to a score; want a positive amount", amount)
			}

			// Inside a conjunction the same messages match as with the
			// folded term.
			other := termQuery(fieldText, "bi")
			want := scores(query.NewConjunctionQuery([]query.Query{termQuery(fieldText, w.folded), other}))
			both := scores(query.NewConjunctionQuery([]query.Query{q, other}))
			if len(both) != len(want) || len(want) == 0 {
				t.Errorf("in a conjunction: %d hits, with the folded term %d", len(both), len(want))
			}
			for id := range want {
				if _, ok := both[id]; !ok {
					t.Errorf("in a conjunction: %s is missing", id)
				}
			}
		})
	}
}

func TestSearch_NoCursorAfterTheLastHit(t *testing.T) {
	x := openTestIndex(t, pagedMessages(12)...)
	ctx := context.Background()
	for _, sort := range []Sort{SortRelevance, SortNewest, SortOldest} {
		t.Run(sort.String(), func(t *testing.T) {
			full, err := x.Search(ctx, "giống", SearchOptions{Sort: sort, Limit: 12})
			if err != nil {
				t.Fatal(err)
			}
			if len(full.Hits) != 12 || full.Next != "" {
				t.Errorf("a page of exactly all 12 hits: %d hits, next %q; want no next", len(full.Hits), full.Next)
			}
			first, err := x.Search(ctx, "giống", SearchOptions{Sort: sort, Limit: 6})
			if err != nil || first.Next == "" {
				t.Fatalf("first page of 6: next %q, %v", first.Next, err)
			}
			last, err := x.Search(ctx, "giống", SearchOptions{Sort: sort, Limit: 6, After: first.Next})
			if err != nil {
				t.Fatal(err)
			}
			if len(last.Hits) != 6 || last.Next != "" {
				t.Errorf("second and last page: %d hits, next %q; want 6 and no next", len(last.Hits), last.Next)
			}
			if tail, err := x.Search(ctx, "giống", SearchOptions{Sort: sort, Limit: 4, Offset: 8}); err != nil || len(tail.Hits) != 4 || tail.Next != "" {
				t.Errorf("offset page ending at the last hit: %d hits, next %q, %v", len(tail.Hits), tail.Next, err)
			}
		})
	}
}

// TestSearch_BoundScoresAreRescored checks that a search by relevance,
// which scores words with marks by their bound and then rescores the hits
// that may enter the page (see topHits), returns the hits and scores of a
// search that reads every location. A search with Highlight reads them.
func TestSearch_BoundScoresAreRescored(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 4))
	words := []string{"thẻ", "thế", "the", "THẺ", "khóa", "khoá", "khoa", "không", "khong", "bị", "mất", "tín", "dụng", "tin", "dung", "ngân", "hàng"}
	var msgs []*chat.Message
	for i := range 800 {
		parts := make([]string, 1+rng.IntN(12))
		for j := range parts {
			parts[j] = words[rng.IntN(len(words))]
		}
		m := testMessage(fmt.Sprintf("b%03d", i), strings.Join(parts, " "))
		m.SentAt = m.SentAt.Add(time.Duration(i) * 4 * time.Hour)
		m.Account = []string{"acc1", "acc2"}[i%2]
		msgs = append(msgs, m)
	}
	x := openTestIndex(t, msgs...)
	if n := len(shardNames(t, x)); n < 2 {
		t.Fatalf("corpus in %d shards, want at least 2", n)
	}
	ctx := context.Background()
	type hit struct {
		id    string
		score float64
	}
	page := func(q string, opts SearchOptions) ([]hit, string) {
		res, err := x.Search(ctx, q, opts)
		if err != nil {
			t.Fatalf("Search(%q): %v", q, err)
		}
		out := make([]hit, len(res.Hits))
		for i, h := range res.Hits {
			out[i] = hit{h.ID, h.Score}
		}
		return out, res.Next
	}
	queries := []string{"thẻ", "khóa thẻ", "thẻ OR khoá", "khoa -thẻ", `"tín dụng" mất`, "account:acc2 không", "hàng ngân thế", "the",
		"after:2024-03-20 before:2024-04-20 thẻ", "account:acc1 (khóa OR thẻ) -mất", "from:u1 tín dụng"}
	for _, q := range queries {
		for _, limit := range []int{1, 7, 50} {
			var bound, exact []hit
			for after, pages := "", 0; pages < 4; pages++ {
				got, next := page(q, SearchOptions{Limit: limit, After: after})
				want, wantNext := page(q, SearchOptions{Limit: limit, After: after, Highlight: true})
				bound, exact = append(bound, got...), append(exact, want...)
				if (next == "") != (wantNext == "") {
					t.Fatalf("%q, limit %d: next cursor %q, with highlighting %q", q, limit, next, wantNext)
				}
				if after = next; after == "" {
					break
				}
			}
			if len(exact) == 0 {
				t.Fatalf("%q finds nothing", q)
			}
			if !slices.Equal(bound, exact) {
				t.Errorf("%q, limit %d, pages by cursor:\n got %v\nwant %v", q, limit, bound, exact)
			}
			got, _ := page(q, SearchOptions{Limit: limit, Offset: 5})
			want, _ := page(q, SearchOptions{Limit: limit, Offset: 5, Highlight: true})
			if !slices.Equal(got, want) {
				t.Errorf("%q, limit %d, offset 5:\n got %v\nwant %v", q, limit, got, want)
			}
		}
	}
}

func TestScoresByBound_OnlyWithScoredMarkedWords(t *testing.T) {
	for q, want := range map[string]bool{
		"thẻ":           true,
		"the":           false,
		`"khóa thẻ"`:    false,
		"the -thẻ":      false,
		"the OR thẻ":    true,
		"account:a thẻ": true,
		"mat khoa":      false,
		"mất khoa":      true,
	} {
		bq, _, err := compileQuery(q, QueryOptions{Location: hcm})
		if err != nil {
			t.Fatal(err)
		}
		if got := scoresByBound(bq); got != want {
			t.Errorf("scoresByBound(%q) = %v, want %v", q, got, want)
		}
	}
}
