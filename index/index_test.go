package index

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"

	"chatseal/chat"
)

var hcm = mustLoadLocation("Asia/Ho_Chi_Minh")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		// The tests need the offset only, and Vietnam has kept UTC+7
		// since 1975.
		return time.FixedZone("ICT", 7*60*60)
	}
	return loc
}

// testMessage returns a text message with every field set, sent by u1
// "Nguyễn Văn An" in conversation c1 of account acc1 on Zalo.
func testMessage(id, text string) *chat.Message {
	return &chat.Message{
		ID:           id,
		Tenant:       chat.DefaultTenant,
		Source:       "zalo",
		Account:      "acc1",
		Conversation: "c1",
		SentAt:       time.Date(2024, 3, 15, 10, 0, 0, 0, hcm),
		Sender:       chat.Participant{ID: "u1", Name: "Nguyễn Văn An"},
		Direction:    chat.Inbound,
		Kind:         chat.KindText,
		Text:         text,
	}
}

func openTestIndex(t *testing.T, msgs ...*chat.Message) *Index {
	t.Helper()
	x, err := Open(Config{Path: t.TempDir()})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := x.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	if err := x.Add(msgs); err != nil {
		t.Fatalf("Add: %v", err)
	}
	return x
}

// searchIDs returns the IDs of all hits of q, best first.
func searchIDs(t *testing.T, x *Index, q string) []string {
	t.Helper()
	res, err := x.Search(context.Background(), q, SearchOptions{Limit: MaxLimit})
	if err != nil {
		t.Fatalf("Search(%q): %v", q, err)
	}
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	if res.Total != uint64(len(ids)) {
		t.Errorf("Search(%q): Total = %d, want %d hits", q, res.Total, len(ids))
	}
	return ids
}

// sortedIDs returns the hits of q sorted by ID, for tests of matching that
// do not care about ranking.
func sortedIDs(t *testing.T, x *Index, q string) []string {
	t.Helper()
	ids := searchIDs(t, x, q)
	slices.Sort(ids)
	return ids
}

func TestSearch_FoldedMatch(t *testing.T) {
	x := openTestIndex(t,
		testMessage("m1", "Em muốn gửi khiếu nại về đơn hàng"),
		testMessage("m2", "khieu nai cua khach"),
		testMessage("m3", "KHIẾU NẠI GẤP"),
		testMessage("m4", "cảm ơn anh"),
	)
	tests := []struct {
		name  string
		query string
		want  []string
	}{
		{"unaccented query finds all", "khieu nai", []string{"m1", "m2", "m3"}},
		{"accented query finds unaccented", "khiếu nại", []string{"m1", "m2", "m3"}},
		{"uppercase query", "KHIẾU NẠI", []string{"m1", "m2", "m3"}},
		{"d with stroke folded", "don hang", []string{"m1"}},
		{"all words must match", "khiếu gấp", []string{"m3"}},
		{"no match", "hoàn tiền", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sortedIDs(t, x, tt.query); !slices.Equal(got, tt.want) {
				t.Errorf("Search(%q) = %v, want %v", tt.query, got, tt.want)
			}
		})
	}
}

func TestSearch_ExactDiacriticsRankFirst(t *testing.T) {
	tests := []struct {
		name  string
		query string
		first *chat.Message
		other *chat.Message
	}{
		{
			"thẻ above thế",
			"thẻ",
			testMessage("exact", "anh ơi em bị khóa thẻ rồi, giúp em với"),
			testMessage("folded", "thế thì em chờ nhé"),
		},
		{
			"khiếu nại above khiêu nài",
			"khiếu nại",
			testMessage("exact", "chị muốn gửi khiếu nại về việc giao hàng chậm trễ nhiều lần"),
			testMessage("folded", "đừng khiêu nài"),
		},
		{
			"phrase khiếu nại above khiêu nài",
			`"khiếu nại"`,
			testMessage("exact", "chị muốn gửi khiếu nại về việc giao hàng chậm trễ nhiều lần"),
			testMessage("folded", "đừng khiêu nài"),
		},
		{
			"thế above thẻ",
			"thế",
			testMessage("exact", "thế thì em chờ nhé, mai anh gọi lại cho em sau"),
			testMessage("folded", "thẻ"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := openTestIndex(t, tt.first, tt.other)
			got := searchIDs(t, x, tt.query)
			if want := []string{"exact", "folded"}; !slices.Equal(got, want) {
				t.Errorf("Search(%q) = %v, want %v", tt.query, got, want)
			}
		})
	}
}

func TestSearch_Phrase(t *testing.T) {
	inAttachment := testMessage("m4", "gửi anh file khiếu")
	inAttachment.Attachments = []chat.Attachment{{Kind: "file", Name: "nại.pdf"}}
	x := openTestIndex(t,
		testMessage("m1", "Em muốn khiếu nại gấp"),
		testMessage("m2", "nại khiếu"),
		testMessage("m3", "khiếu thêm nại"),
		inAttachment,
		testMessage("m5", "khieu nai"),
	)
	tests := []struct {
		name  string
		query string
		want  []string
	}{
		{"adjacent in order", `"khiếu nại"`, []string{"m1", "m5"}},
		{"unaccented phrase", `"khieu nai"`, []string{"m1", "m5"}},
		{"words in any order", "nại khiếu", []string{"m1", "m2", "m3", "m4", "m5"}},
		{"hyphenated word is a phrase", "khiếu-nại", []string{"m1", "m5"}},
		{"single word phrase", `"gấp"`, []string{"m1"}},
		{"no phrase across attachment name", `"file khiếu nại"`, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sortedIDs(t, x, tt.query); !slices.Equal(got, tt.want) {
				t.Errorf("Search(%q) = %v, want %v", tt.query, got, tt.want)
			}
		})
	}
}

func TestSearch_Operators(t *testing.T) {
	x := openTestIndex(t,
		testMessage("m1", "mất thẻ ngân hàng"),
		testMessage("m2", "mất ví ở quán"),
		testMessage("m3", "khóa thẻ tín dụng"),
		testMessage("m4", "spam quảng cáo khiếu nại"),
		testMessage("m5", "chào buổi sáng"),
	)
	tests := []struct {
		name  string
		query string
		want  []string
	}{
		{"exclude word", "thẻ -khóa", []string{"m1"}},
		{"exclude folded word", "mat -the", []string{"m2"}},
		{"exclude phrase", `thẻ -"tín dụng"`, []string{"m1"}},
		{"only exclusions", "-thẻ -spam", []string{"m2", "m5"}},
		{"only excluded phrase", `-"mất thẻ"`, []string{"m2", "m3", "m4", "m5"}},
		{"or", "ví OR spam", []string{"m2", "m4"}},
		{"or binds tighter than and", "mất thẻ OR ví", []string{"m1", "m2"}},
		{"or chain", "ví OR spam OR chào", []string{"m2", "m4", "m5"}},
		{"group", "(ví OR khóa) -quán", []string{"m3"}},
		{"nested groups", "((ví OR spam) OR (chào)) -quảng", []string{"m2", "m5"}},
		{"excluded group", "-(thẻ OR ví)", []string{"m4", "m5"}},
		{"or with exclusion", "spam OR -mất", []string{"m3", "m4", "m5"}},
		{"lowercase or is a word", "ví or spam", []string{}},
		{"punctuation only word ignored", "thẻ ???", []string{"m1", "m3"}},
		{"only punctuation matches nothing", "??? !!!", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sortedIDs(t, x, tt.query); !slices.Equal(got, tt.want) {
				t.Errorf("Search(%q) = %v, want %v", tt.query, got, tt.want)
			}
		})
	}
}

func TestSearch_Fields(t *testing.T) {
	m1 := testMessage("m1", "xin chào")
	m2 := testMessage("m2", "xin chào")
	m2.Sender = chat.Participant{ID: "U2", Name: "Trần Thị Bích"}
	m2.Account = "acc2"
	m2.Conversation = "c2"
	m2.Source = "Telegram"
	m2.Direction = chat.Outbound
	m3 := testMessage("m3", "ảnh hóa đơn")
	m3.Kind = chat.KindImage
	m3.Conversation = "group chat 7"
	m4 := testMessage("m4", "")
	m4.Kind = chat.KindFile
	m4.Attachments = []chat.Attachment{{Kind: "file", Name: "hợp đồng.pdf", Title: "Hợp đồng vay"}}
	m5 := testMessage("m5", "")
	m5.Kind = chat.KindLink
	m5.IndexText = "Cọ rửa chén 2 đầu giá sốc"
	// The same conversation id in another account, and an id that
	// starts with another.
	m6 := testMessage("m6", "hẹn gặp")
	m6.Account, m6.Conversation = "acc3", "c2"
	m7 := testMessage("m7", "hẹn gặp")
	m7.Conversation = "c20"
	x := openTestIndex(t, m1, m2, m3, m4, m5, m6, m7)

	tests := []struct {
		name  string
		query string
		want  []string
	}{
		{"from sender id", "from:U2", []string{"m2"}},
		{"from sender id is exact", "from:u2", []string{}},
		{"from sender name folded", "from:bich", []string{"m2"}},
		{"from quoted full name", `from:"Trần Thị Bích"`, []string{"m2"}},
		{"from name words in any order", `from:"bích trần"`, []string{"m2"}},
		{"from with text", "from:an chào", []string{"m1"}},
		{"account", "account:acc2", []string{"m2"}},
		{"conversation in every account", "conversation:c2", []string{"m2", "m6"}},
		{"conversation in one account", "conversation:c2 account:acc3", []string{"m6"}},
		{"conversation id is not a prefix", "conversation:c", []string{}},
		{"quoted conversation with spaces", `conversation:"group chat 7"`, []string{"m3"}},
		{"kind", "kind:image", []string{"m3"}},
		{"kind any case", "kind:IMAGE", []string{"m3"}},
		{"source any case", "source:telegram", []string{"m2"}},
		{"source uppercase query", "source:ZALO chào", []string{"m1"}},
		{"field name any case", "FROM:U2", []string{"m2"}},
		{"excluded field", "chào -account:acc2", []string{"m1"}},
		{"fields or", "kind:image OR kind:file", []string{"m3", "m4"}},
		{"attachment name searchable", "hợp đồng", []string{"m4"}},
		{"attachment title searchable", "vay", []string{"m4"}},
		{"index text searchable", "giá sốc", []string{"m5"}},
		{"url is a word not a field", "https://example.com", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sortedIDs(t, x, tt.query); !slices.Equal(got, tt.want) {
				t.Errorf("Search(%q) = %v, want %v", tt.query, got, tt.want)
			}
		})
	}
}

func TestSearch_DateBoundaries(t *testing.T) {
	at := func(id string, t time.Time) *chat.Message {
		m := testMessage(id, "tin nhắn")
		m.SentAt = t
		return m
	}
	x := openTestIndex(t,
		at("d14-last", time.Date(2024, 3, 14, 23, 59, 59, 999_999_999, hcm)),
		at("d15-first", time.Date(2024, 3, 15, 0, 0, 0, 0, hcm)),
		at("d15-last", time.Date(2024, 3, 15, 23, 59, 59, 0, hcm)),
		at("d16-first", time.Date(2024, 3, 16, 0, 0, 0, 0, hcm)),
		// 2024-03-15 23:30 UTC is 2024-03-16 06:30 in Ho Chi Minh City.
		at("d16-utc", time.Date(2024, 3, 15, 23, 30, 0, 0, time.UTC)),
		at("y1999", time.Date(1999, 12, 31, 12, 0, 0, 0, hcm)),
	)
	tests := []struct {
		name  string
		query string
		want  []string
	}{
		{"after is inclusive from midnight", "after:2024-03-15", []string{"d15-first", "d15-last", "d16-first", "d16-utc"}},
		{"before is exclusive from midnight", "before:2024-03-15", []string{"d14-last", "y1999"}},
		{"one day", "after:2024-03-15 before:2024-03-16", []string{"d15-first", "d15-last"}},
		{"empty range", "after:2024-03-16 before:2024-03-16", []string{}},
		{"after the last message", "after:2024-03-17", []string{}},
		{"before a year boundary", "before:2000-01-01", []string{"y1999"}},
		{"far future", "after:3000-01-01", []string{}},
		{"far past", "before:1900-01-01", []string{}},
		{"all before far future", "before:9999-12-31 after:1000-01-01 tin", []string{"d14-last", "d15-first", "d15-last", "d16-first", "d16-utc", "y1999"}},
		{"excluded range", "tin -after:2000-01-01", []string{"y1999"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sortedIDs(t, x, tt.query); !slices.Equal(got, tt.want) {
				t.Errorf("Search(%q) = %v, want %v", tt.query, got, tt.want)
			}
		})
	}
}

func TestSearch_DateInConfiguredLocation(t *testing.T) {
	x, err := Open(Config{Path: t.TempDir(), Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	// 2024-03-15 03:00 in Ho Chi Minh City is 2024-03-14 20:00 UTC.
	m := testMessage("m1", "tin")
	m.SentAt = time.Date(2024, 3, 15, 3, 0, 0, 0, hcm)
	if err := x.Add([]*chat.Message{m}); err != nil {
		t.Fatal(err)
	}
	if got := sortedIDs(t, x, "after:2024-03-15"); len(got) != 0 {
		t.Errorf("after:2024-03-15 in UTC = %v, want no hits", got)
	}
	if got := sortedIDs(t, x, "after:2024-03-14"); !slices.Equal(got, []string{"m1"}) {
		t.Errorf("after:2024-03-14 in UTC = %v, want [m1]", got)
	}
}

// TestSentAtTerms_CoverRangeExactly checks, for ranges of 16-hour blocks,
// that each block in the range matches exactly one of the range's terms
// and each block outside matches none.
func TestSentAtTerms_CoverRangeExactly(t *testing.T) {
	ranges := [][2]uint32{
		{0, 0}, {0, sentAtMaxBlock}, {5, 4}, {63, 64}, {64, 127}, {1, 4094}, {4095, 4096},
		{100_000, 100_000 + 96}, {12_345, 198_765}, {sentAtMaxBlock - 1, sentAtMaxBlock},
	}
	values := []uint32{0, 1, 62, 63, 64, 127, 128, 4095, 4096, 99_999, 100_000, 100_096, 100_097,
		12_344, 12_345, 198_765, 198_766, sentAtMaxBlock - 1, sentAtMaxBlock}
	for _, r := range ranges {
		terms := map[string]bool{}
		for _, term := range sentAtTerms(r[0], r[1]) {
			if terms[string(term)] {
				t.Errorf("range %v: term %x appears twice", r, term)
			}
			terms[string(term)] = true
		}
		for _, v := range values {
			matches := 0
			for level := sentAtFirstLevel; level < sentAtLevels; level++ {
				term := appendSentAtTerm(nil, level, v>>((level-sentAtFirstLevel)*sentAtLevelBits))
				if terms[string(term)] {
					matches++
				}
			}
			inRange := r[0] <= v && v <= r[1]
			if (matches == 1) != inRange || matches > 1 {
				t.Errorf("range %v, value %d: %d matching terms, in range %v", r, v, matches, inRange)
			}
		}
	}
}

func TestIndex_ReopenFromDisk(t *testing.T) {
	dir := t.TempDir()
	x, err := Open(Config{Path: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Add([]*chat.Message{testMessage("m1", "khiếu nại"), testMessage("m2", "cảm ơn")}); err != nil {
		t.Fatal(err)
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}

	x, err = Open(Config{Path: dir})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer x.Close()
	if n, err := x.Count(); err != nil || n != 2 {
		t.Errorf("Count after reopen = %d, %v, want 2", n, err)
	}
	if got := searchIDs(t, x, "khieu nai"); !slices.Equal(got, []string{"m1"}) {
		t.Errorf("search after reopen = %v, want [m1]", got)
	}
	if got := searchIDs(t, x, "after:2024-03-15 from:an cảm"); !slices.Equal(got, []string{"m2"}) {
		t.Errorf("field search after reopen = %v, want [m2]", got)
	}
}

func TestIndex_AddSameIDTwice(t *testing.T) {
	x := openTestIndex(t, testMessage("m1", "bản cũ"))
	if err := x.Add([]*chat.Message{testMessage("m1", "bản mới")}); err != nil {
		t.Fatal(err)
	}
	if n, err := x.Count(); err != nil || n != 1 {
		t.Errorf("Count = %d, %v, want 1", n, err)
	}
	if got := searchIDs(t, x, "cũ"); len(got) != 0 {
		t.Errorf("old text still found: %v", got)
	}
	if got := searchIDs(t, x, "mới"); !slices.Equal(got, []string{"m1"}) {
		t.Errorf("new text: %v, want [m1]", got)
	}
}

func TestIndex_AddSameIDInOneBatch(t *testing.T) {
	x := openTestIndex(t, testMessage("m1", "bản cũ"), testMessage("m1", "bản mới"))
	if n, err := x.Count(); err != nil || n != 1 {
		t.Errorf("Count = %d, %v, want 1", n, err)
	}
	if got := searchIDs(t, x, "mới"); !slices.Equal(got, []string{"m1"}) {
		t.Errorf("last message of the batch not indexed: %v", got)
	}
}

// TestIndex_AddManyBatches adds more messages than one Bleve batch holds,
// so that batches run side by side, with one ID in the first two of them:
// the last message with that ID must win, and every other message must be
// found.
func TestIndex_AddManyBatches(t *testing.T) {
	x := openTestIndex(t)
	n := 3 * minAddBatch
	size := addBatchSize(n)
	if size >= n {
		t.Fatalf("%d messages make one batch of %d", n, size)
	}
	msgs := make([]*chat.Message, 0, n)
	for i := range n {
		msgs = append(msgs, testMessage(fmt.Sprintf("m%05d", i), "giao hàng"))
	}
	msgs[10].Text = "bản cũ"
	msgs[size+10] = testMessage("m00010", "bản mới")
	if err := x.Add(msgs); err != nil {
		t.Fatal(err)
	}
	if got, err := x.Count(); err != nil || got != uint64(n-1) {
		t.Errorf("Count = %d, %v, want %d", got, err, n-1)
	}
	if got := searchIDs(t, x, "cũ"); len(got) != 0 {
		t.Errorf("the earlier message with the ID is found: %v", got)
	}
	if got := searchIDs(t, x, "mới"); !slices.Equal(got, []string{"m00010"}) {
		t.Errorf("the last message with the ID: %v, want [m00010]", got)
	}
	res, err := x.Search(context.Background(), "giao", SearchOptions{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != uint64(n-2) {
		t.Errorf("giao matches %d messages, want %d", res.Total, n-2)
	}
}

func TestIndex_AddInvalidMessage(t *testing.T) {
	x := openTestIndex(t)
	tests := []struct {
		name string
		msgs []*chat.Message
		want string
	}{
		{"nil message", []*chat.Message{testMessage("m1", "a"), nil}, "message 1 of 2 is nil"},
		{"empty ID", []*chat.Message{testMessage("", "a")}, "message 0 of 1 has an empty ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := x.Add(tt.msgs)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Add error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
	if n, _ := x.Count(); n != 0 {
		t.Errorf("Count after rejected batches = %d, want 0", n)
	}
}

func TestIndex_MessageWithoutText(t *testing.T) {
	m := testMessage("m1", "")
	m.Kind = chat.KindSticker
	m.SentAt = time.Time{}
	m.Sender = chat.Participant{}
	x := openTestIndex(t, m)
	if got := searchIDs(t, x, "kind:sticker"); !slices.Equal(got, []string{"m1"}) {
		t.Errorf("kind:sticker = %v, want [m1]", got)
	}
	if got := searchIDs(t, x, "kind:sticker after:1970-01-01"); len(got) != 0 {
		t.Errorf("message without a date matched a date range: %v", got)
	}
}

func TestSearch_Pagination(t *testing.T) {
	var msgs []*chat.Message
	for _, id := range []string{"m1", "m2", "m3", "m4", "m5"} {
		msgs = append(msgs, testMessage(id, "giống nhau"))
	}
	x := openTestIndex(t, msgs...)
	ctx := context.Background()

	res, err := x.Search(ctx, "giống", SearchOptions{Limit: 2, Offset: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 5 {
		t.Errorf("Total = %d, want 5", res.Total)
	}
	var got []string
	for _, h := range res.Hits {
		got = append(got, h.ID)
	}
	// Equal scores are ordered by ID.
	if want := []string{"m2", "m3"}; !slices.Equal(got, want) {
		t.Errorf("page = %v, want %v", got, want)
	}

	res, err = x.Search(ctx, "giống", SearchOptions{})
	if err != nil || len(res.Hits) != 5 {
		t.Errorf("default limit: %d hits, %v, want 5", len(res.Hits), err)
	}

	invalid := []SearchOptions{{Limit: -1}, {Limit: MaxLimit + 1}, {Offset: -1}, {Offset: MaxWindow}}
	for _, opts := range invalid {
		if _, err := x.Search(ctx, "giống", opts); err == nil {
			t.Errorf("Search with %+v: no error", opts)
		}
	}
}

func TestSearch_SyntaxErrorReturned(t *testing.T) {
	x := openTestIndex(t)
	_, err := x.Search(context.Background(), `"khiếu nại`, SearchOptions{})
	var syntax *SyntaxError
	if !errors.As(err, &syntax) {
		t.Fatalf("error = %v, want a *SyntaxError", err)
	}
}

func TestSearch_CanceledContext(t *testing.T) {
	x := openTestIndex(t, testMessage("m1", "a"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := x.Search(ctx, "a", SearchOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want context.Canceled", err)
	}
}

func TestOpen_SchemaMismatch(t *testing.T) {
	dir := t.TempDir()
	idx, err := bleve.New(dir, bleve.NewIndexMapping())
	if err != nil {
		t.Fatal(err)
	}
	if err := idx.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = Open(Config{Path: dir})
	if err == nil || !strings.Contains(err.Error(), "rebuild") {
		t.Errorf("Open of a foreign index: %v, want an error asking for a rebuild", err)
	}
}

func TestOpen_EmptyPath(t *testing.T) {
	if _, err := Open(Config{}); err == nil {
		t.Error("Open with an empty path: no error")
	}
}

func TestSearch_ExactRankingOnCorpus(t *testing.T) {
	// A corpus where the words of the queries occur with other diacritics,
	// without diacritics, repeated and in messages of every length.
	msgs := syntheticMessages(3000)
	variants := []string{"thế", "thế thì sao", "thể", "thê", "thẻ", "THẺ ATM", "the", "nại", "nài", "khiêu nài", "khiếu nại", "khieu nai"}
	for i, m := range msgs {
		if i%7 == 0 {
			words := strings.Fields(m.Text)
			m.Text = variants[(i/7)%len(variants)] + " " + strings.Join(words[:len(words)*(i%3)/3], " ")
		}
	}
	x := openTestIndex(t, msgs...)
	exactText := map[string]string{}
	for _, m := range msgs {
		exactText[m.ID] = " " + Exact(m.Text) + " "
	}

	for _, q := range []string{"thẻ", "thế", "THẺ", "nại", "khiếu nại", `"khiếu nại"`, "khiếu nại gửi"} {
		t.Run(q, func(t *testing.T) {
			forms := strings.Fields(Exact(strings.Trim(q, `"`)))
			hasAll := func(id string) bool {
				for _, form := range forms {
					if !strings.Contains(exactText[id], " "+form+" ") {
						return false
					}
				}
				return true
			}
			lastExact, firstOther := -1, -1
			ids := searchIDs(t, x, q)
			for rank, id := range ids {
				if hasAll(id) {
					lastExact = rank
				} else if firstOther < 0 {
					firstOther = rank
				}
			}
			if lastExact < 0 {
				t.Fatalf("no hit has every exact form %q", forms)
			}
			if firstOther >= 0 && firstOther < lastExact {
				t.Errorf("hit %s at rank %d lacks an exact form of %q but ranks above %s at rank %d",
					ids[firstOther], firstOther, forms, ids[lastExact], lastExact)
			}
		})
	}
}

func TestSearch_MatchesReferenceEvaluator(t *testing.T) {
	// Few enough messages that every result fits in one page of MaxLimit.
	msgs := syntheticMessages(900)
	for i, m := range msgs {
		m.Account = []string{"acc1", "acc2", "acc3"}[i%3]
		m.Kind = []chat.Kind{chat.KindText, chat.KindText, chat.KindImage}[i%3/2*2%3]
		m.Attachments = nil
	}
	x := openTestIndex(t, msgs...)
	words := make([][]string, len(msgs))
	for i, m := range msgs {
		words[i] = strings.Fields(Fold(m.Text))
	}

	vocabulary := []string{"thẻ", "khách", "hàng", "khoan", "chuyển khoản", "hóa", "đơn", "ngân", "lỗi", "không"}
	rng := rand.New(rand.NewPCG(1, 2))
	var randomQuery func(depth int) string
	randomQuery = func(depth int) string {
		switch n := rng.IntN(10); {
		case n < 4 || depth > 2:
			w := vocabulary[rng.IntN(len(vocabulary))]
			if strings.Contains(w, " ") || rng.IntN(4) == 0 {
				return `"` + w + `"`
			}
			return w
		case n < 5:
			return "account:" + []string{"acc1", "acc2", "acc3"}[rng.IntN(3)]
		case n < 6:
			return "-(" + randomQuery(depth+1) + ")"
		case n < 8:
			return randomQuery(depth+1) + " OR " + randomQuery(depth+1)
		default:
			return "(" + randomQuery(depth+1) + " " + randomQuery(depth+1) + ")"
		}
	}

	for range 200 {
		q := randomQuery(0) + " " + randomQuery(0)
		tree, err := parseTree(q, hcm)
		if err != nil {
			t.Fatalf("parseTree(%q): %v", q, err)
		}
		var want []string
		for i, m := range msgs {
			if referenceMatch(tree, m, words[i]) {
				want = append(want, m.ID)
			}
		}
		got := sortedIDs(t, x, q)
		if !slices.Equal(got, want) {
			t.Errorf("Search(%q): %d hits, reference %d", q, len(got), len(want))
		}
	}
}

// referenceMatch evaluates a syntax tree on one message the slow, obvious
// way. It supports words, phrases, account:, AND, OR and NOT.
func referenceMatch(n *node, m *chat.Message, words []string) bool {
	switch n.kind {
	case nodeAnd:
		for _, c := range n.children {
			if !referenceMatch(c, m, words) {
				return false
			}
		}
		return true
	case nodeOr:
		for _, c := range n.children {
			if referenceMatch(c, m, words) {
				return true
			}
		}
		return false
	case nodeNot:
		return !referenceMatch(n.children[0], m, words)
	case nodeField:
		return n.field == "account" && m.Account == n.text
	case nodeText:
		phrase := strings.Fields(Fold(n.text))
		for start := 0; start+len(phrase) <= len(words); start++ {
			if slices.Equal(words[start:start+len(phrase)], phrase) {
				return true
			}
		}
		return false
	}
	panic("unknown node")
}

// TestIndex_BatchesKeepDocumentsApart adds batches one after another. The
// rounds alternate short texts with an attachment name, whose words come
// right after the text's, and longer texts without one, whose own words
// then sit where the earlier names' words were, so that analysis buffers
// shared between documents would show. Each message's own words must find
// it alone, with spans on its own text, and the words of one round must
// not linger in the next.
func TestIndex_BatchesKeepDocumentsApart(t *testing.T) {
	x := openTestIndex(t)
	word := func(i int) string { return fmt.Sprintf("ma%05dx", i) }
	rounds := []struct {
		prefix     int // words before the message's own word
		attachment bool
	}{{0, true}, {3, false}, {0, true}, {6, false}}
	var all []*chat.Message
	for round, r := range rounds {
		var msgs []*chat.Message
		for j := range 2 * minAddBatch {
			i := round*2*minAddBatch + j
			text := strings.TrimSpace(strings.Repeat("khiếu ", r.prefix) + word(i) + " đơn")
			m := testMessage(fmt.Sprintf("m%05d", i), text)
			if r.attachment {
				m.Attachments = []chat.Attachment{{Kind: "file", Name: fmt.Sprintf("hợp đồng %d.pdf", i)}}
			}
			msgs = append(msgs, m)
		}
		if err := x.Add(msgs); err != nil {
			t.Fatal(err)
		}
		all = append(all, msgs...)
	}

	for i := 0; i < len(all); i += 97 {
		m := all[i]
		if got := searchIDs(t, x, word(i)); !slices.Equal(got, []string{m.ID}) {
			t.Errorf("Search(%s) = %v, want [%s]", word(i), got, m.ID)
		}
		res, err := x.Search(t.Context(), `"`+word(i)+` đơn"`, SearchOptions{Highlight: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) != 1 || res.Hits[0].ID != m.ID {
			t.Errorf("phrase with %s: hits %v, want only %s", word(i), res.Hits, m.ID)
			continue
		}
		if got := spanTexts(m.Text, res.Hits[0].Spans); !slices.Equal(got, []string{word(i), "đơn"}) {
			t.Errorf("phrase with %s: spans %q, want [%s đơn]", word(i), got, word(i))
		}
	}
	// "khiếu" is only in the rounds without attachments, and "hợp" only in
	// those with one.
	for q, want := range map[string]uint64{"khiếu": 2 * 2 * minAddBatch, "hợp": 2 * 2 * minAddBatch} {
		res, err := x.Search(t.Context(), q, SearchOptions{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != want {
			t.Errorf("%s matches %d messages, want %d", q, res.Total, want)
		}
	}
}
