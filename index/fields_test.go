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
	"github.com/blevesearch/bleve/v2/search/query"

	"chatseal/chat"
)

func TestSearch_ToHasTag(t *testing.T) {
	inbound := testMessage("in", "chào em")

	direct := testMessage("out-direct", "dạ em chào anh")
	direct.Direction = chat.Outbound
	direct.ConversationKind = chat.Direct
	direct.Conversation = "peer7"

	group := testMessage("out-group", "thêm thành viên")
	group.Direction = chat.Outbound
	group.ConversationKind = chat.Group
	group.Conversation = "g1"
	group.Kind = chat.KindSystem
	group.Members = []chat.Participant{{ID: "u9", Name: "Lê Văn C"}, {ID: "u10"}}

	file := testMessage("file", "gửi anh hợp đồng")
	file.Kind = chat.KindFile
	file.Attachments = []chat.Attachment{{Kind: "file", Name: "hợp đồng.pdf"}}

	linkKind := testMessage("link-kind", "")
	linkKind.Kind = chat.KindLink
	linkKind.IndexText = "Cọ rửa chén giá sốc"

	entities := testMessage("entities", "gọi 0912 345 678, chuyển 1tr5 vào stk 0123456789, mail an@example.com, xem https://shop.vn")

	x := openTestIndex(t)
	err := x.AddTagged([]Doc{
		{Message: inbound, Tags: []string{"Privileged", " Hot "}},
		{Message: direct, Tags: []string{"Quan Trọng"}},
		{Message: group},
		{Message: file, Tags: []string{"", "privileged"}},
		{Message: linkKind},
		{Message: entities},
	})
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name  string
		query string
		want  []string
	}{
		{"to account of inbound", "to:acc1", []string{"entities", "file", "in", "link-kind"}},
		{"to peer of direct outbound", "to:peer7", []string{"out-direct"}},
		{"to group of group outbound", "to:g1", []string{"out-group"}},
		{"to member of outbound", "to:u9", []string{"out-group"}},
		{"to second member", "to:u10", []string{"out-group"}},
		{"to sender is not recipient", "to:u1", []string{}},
		{"to is exact", "to:PEER7", []string{}},
		{"has attachment", "has:attachment", []string{"file"}},
		{"has any case", "has:Attachment", []string{"file"}},
		{"has link in text", "has:link", []string{"entities", "link-kind"}},
		{"has phone", "has:phone", []string{"entities"}},
		{"has money", "has:money", []string{"entities"}},
		{"has email", "has:email", []string{"entities"}},
		{"has bank", "has:bank", []string{"entities"}},
		{"has card none", "has:card", []string{}},
		{"excluded has", "-has:attachment to:acc1", []string{"entities", "in", "link-kind"}},
		{"tag any case", "tag:privileged", []string{"file", "in"}},
		{"tag uppercase query", "tag:PRIVILEGED", []string{"file", "in"}},
		{"tag trimmed", "tag:hot", []string{"in"}},
		{"tag quoted with diacritics", `tag:"quan trọng"`, []string{"out-direct"}},
		{"tag diacritics kept", `tag:"quan trong"`, []string{}},
		{"tag or", "tag:hot OR tag:privileged", []string{"file", "in"}},
		{"untagged message", "tag:privileged chén", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sortedIDs(t, x, tt.query); !slices.Equal(got, tt.want) {
				t.Errorf("Search(%q) = %v, want %v", tt.query, got, tt.want)
			}
		})
	}
}

func TestSetTags_ReplacesTags(t *testing.T) {
	m := testMessage("m1", "hợp đồng vay")
	x := openTestIndex(t, m)
	steps := []struct {
		name     string
		apply    func() error
		tag      string
		wantHits []string
	}{
		{"tags set", func() error { return x.SetTags(m, []string{"review", "hot"}) }, "review", []string{"m1"}},
		{"second tag set", func() error { return nil }, "hot", []string{"m1"}},
		{"tags replaced", func() error { return x.SetTags(m, []string{"cleared"}) }, "review", []string{}},
		{"new tag found", func() error { return nil }, "cleared", []string{"m1"}},
		{"add without tags drops them", func() error { return x.Add([]*chat.Message{m}) }, "cleared", []string{}},
	}
	for _, step := range steps {
		if err := step.apply(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if got := sortedIDs(t, x, "tag:"+step.tag); !slices.Equal(got, step.wantHits) {
			t.Errorf("%s: tag:%s = %v, want %v", step.name, step.tag, got, step.wantHits)
		}
		if got := sortedIDs(t, x, "hợp đồng"); !slices.Equal(got, []string{"m1"}) {
			t.Errorf("%s: text search = %v, want [m1]", step.name, got)
		}
	}
	if n, err := x.Count(); err != nil || n != 1 {
		t.Errorf("Count = %d, %v, want 1", n, err)
	}
}

func TestParseQuery_NewFieldErrors(t *testing.T) {
	tests := []struct {
		name     string
		query    string
		pos      int
		expected string
		got      string
	}{
		{"unknown has value", "thẻ has:photo", 9, "one of attachment, link, phone", `"photo"`},
		{"empty to", "to:", 4, `a value after "to:"`, "end of query"},
		{"empty tag phrase", `tag:"  "`, 5, `a value after "tag:"`, "an empty phrase"},
		{"empty custodian", "custodian: x", 11, `a value after "custodian:"`, "a space"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseQuery(tt.query, hcm)
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

// custodians is a custodian list for tests: an.nguyen used acc1 from
// 2024-03-15 10:07:30 to 2024-06-10 (HCM time) and acc2 from 2024-06-10 on;
// binh used acc3 always.
func custodians(name string) ([]CustodianSpan, error) {
	switch name {
	case "an.nguyen":
		return []CustodianSpan{
			{Account: "acc1", From: time.Date(2024, 3, 15, 10, 7, 30, 0, hcm), To: time.Date(2024, 6, 10, 0, 0, 0, 0, hcm)},
			{Account: "acc2", From: time.Date(2024, 6, 10, 0, 0, 0, 0, hcm)},
		}, nil
	case "binh":
		return []CustodianSpan{{Account: "acc3"}}, nil
	case "nobody":
		return nil, nil
	case "broken":
		return nil, errors.New("custodian list unavailable")
	}
	return nil, fmt.Errorf("custodian list: %w", ErrUnknownCustodian)
}

func TestSearch_Custodian(t *testing.T) {
	at := func(id, account string, sent time.Time) *chat.Message {
		m := testMessage(id, "báo cáo")
		m.Account = account
		m.SentAt = sent
		return m
	}
	x := openTestIndex(t,
		at("acc1-before-from", "acc1", time.Date(2024, 3, 15, 10, 7, 29, 999_000_000, hcm)),
		at("acc1-at-from", "acc1", time.Date(2024, 3, 15, 10, 7, 30, 0, hcm)),
		at("acc1-same-quarter-hour", "acc1", time.Date(2024, 3, 15, 10, 14, 0, 0, hcm)),
		at("acc1-inside", "acc1", time.Date(2024, 5, 1, 9, 0, 0, 0, hcm)),
		at("acc1-at-to", "acc1", time.Date(2024, 6, 10, 0, 0, 0, 0, hcm)),
		at("acc2-before", "acc2", time.Date(2024, 6, 9, 23, 59, 59, 0, hcm)),
		at("acc2-after", "acc2", time.Date(2025, 1, 2, 8, 0, 0, 0, hcm)),
		at("acc3-old", "acc3", time.Date(2019, 1, 1, 0, 0, 0, 0, hcm)),
		at("acc3-no-time", "acc3", time.Time{}),
		at("acc4", "acc4", time.Date(2024, 5, 1, 9, 0, 0, 0, hcm)),
	)
	ctx := context.Background()
	search := func(q string) ([]string, error) {
		res, err := x.Search(ctx, q, SearchOptions{Limit: MaxLimit, Custodian: custodians})
		if err != nil {
			return nil, err
		}
		ids := []string{}
		for _, h := range res.Hits {
			ids = append(ids, h.ID)
		}
		slices.Sort(ids)
		return ids, nil
	}

	tests := []struct {
		name  string
		query string
		want  []string
	}{
		{"spans of two accounts", "custodian:an.nguyen", []string{"acc1-at-from", "acc1-inside", "acc1-same-quarter-hour", "acc2-after"}},
		{"with words", "custodian:an.nguyen báo", []string{"acc1-at-from", "acc1-inside", "acc1-same-quarter-hour", "acc2-after"}},
		{"open span keeps messages without time", "custodian:binh", []string{"acc3-no-time", "acc3-old"}},
		{"or of custodians", "custodian:binh OR custodian:an.nguyen", []string{"acc1-at-from", "acc1-inside", "acc1-same-quarter-hour", "acc2-after", "acc3-no-time", "acc3-old"}},
		{"custodian and date", "custodian:binh OR custodian:an.nguyen after:2025-01-01", []string{"acc2-after"}},
		{"excluded custodian", "-custodian:an.nguyen -custodian:binh", []string{"acc1-at-to", "acc1-before-from", "acc2-before", "acc4"}},
		{"no spans", "custodian:nobody", []string{}},
		{"quoted name", `custodian:"an.nguyen" account:acc2`, []string{"acc2-after"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := search(tt.query)
			if err != nil {
				t.Fatalf("Search(%q): %v", tt.query, err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Search(%q) = %v, want %v", tt.query, got, tt.want)
			}
		})
	}

	t.Run("unknown custodian", func(t *testing.T) {
		_, err := search("báo custodian:chi.tran")
		var syntax *SyntaxError
		if !errors.As(err, &syntax) {
			t.Fatalf("error = %v, want a *SyntaxError", err)
		}
		if syntax.Pos != 15 || syntax.Got != `"chi.tran"` {
			t.Errorf("Pos, Got = %d, %s, want 15, \"chi.tran\"", syntax.Pos, syntax.Got)
		}
		if !errors.Is(err, ErrUnknownCustodian) {
			t.Errorf("error %v does not wrap ErrUnknownCustodian", err)
		}
		if !strings.Contains(err.Error(), "chi.tran") {
			t.Errorf("error %q does not name the custodian", err)
		}
	})
	t.Run("failing custodian list", func(t *testing.T) {
		_, err := search("custodian:broken")
		if err == nil || !strings.Contains(err.Error(), `custodian "broken": custodian list unavailable`) {
			t.Errorf("error = %v, want the list's error naming the custodian", err)
		}
	})
	t.Run("no custodian list", func(t *testing.T) {
		_, err := x.Search(ctx, "báo custodian:binh", SearchOptions{})
		var syntax *SyntaxError
		if !errors.As(err, &syntax) || syntax.Pos != 5 {
			t.Errorf("error = %v, want a *SyntaxError at column 5", err)
		}
	})
}

// queryIDs runs a bleve query on every shard of x and returns the sorted
// IDs of its hits.
func queryIDs(t *testing.T, x *Index, q query.Query) []string {
	t.Helper()
	req := bleve.NewSearchRequestOptions(q, MaxWindow, 0, false)
	x.mu.RLock()
	defer x.mu.RUnlock()
	res, err := bleve.NewIndexAlias(x.shardsIn(allTime)...).Search(req)
	if err != nil {
		t.Fatalf("search: %v", err)
	}
	ids := []string{}
	for _, h := range res.Hits {
		ids = append(ids, messageID(h.ID))
	}
	slices.Sort(ids)
	return ids
}

func TestTimeRangeQuery_MatchesReference(t *testing.T) {
	// Send times around quarter-hour edges, before 1970, far ahead, and
	// one message without a send time.
	base := time.Date(2024, 3, 15, 10, 0, 0, 0, time.UTC)
	times := []time.Time{
		{},
		time.Date(1965, 5, 1, 12, 0, 0, 0, time.UTC),
		time.Date(1969, 12, 31, 23, 59, 59, 999_999_000, time.UTC),
		time.Unix(0, 0),
		time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	for _, d := range []time.Duration{0, time.Microsecond, 7*time.Minute + 30*time.Second, 15*time.Minute - time.Microsecond, 15 * time.Minute, 15*time.Minute + time.Microsecond, 44 * time.Minute, 1000 * time.Hour} {
		times = append(times, base.Add(d), base.Add(-d))
	}
	// Around the start of a 16-hour block of the trie, and a whole block
	// later.
	block := time.UnixMicro(base.UnixMicro() / sentAtBlockMicros * sentAtBlockMicros).UTC()
	for _, d := range []time.Duration{-time.Microsecond, 0, time.Microsecond, 16*time.Hour - time.Microsecond, 16 * time.Hour, 16*time.Hour + 15*time.Minute} {
		times = append(times, block.Add(d))
	}
	var msgs []*chat.Message
	for i, sent := range times {
		m := testMessage(fmt.Sprintf("m%02d", i), "tin")
		m.SentAt = sent
		msgs = append(msgs, m)
	}
	x := openTestIndex(t, msgs...)

	reference := func(from, to time.Time) []string {
		ids := []string{}
		for _, m := range msgs {
			if m.SentAt.IsZero() || !from.IsZero() && m.SentAt.Before(from) || !to.IsZero() && !m.SentAt.Before(to) {
				continue
			}
			ids = append(ids, m.ID)
		}
		return ids
	}

	bounds := append([]time.Time{{}}, times[1:]...)
	rng := rand.New(rand.NewPCG(3, 4))
	for range 600 {
		from := bounds[rng.IntN(len(bounds))]
		to := bounds[rng.IntN(len(bounds))]
		if rng.IntN(3) == 0 && !from.IsZero() {
			from = from.Add(time.Duration(rng.IntN(2001)-1000) * time.Microsecond)
		}
		want := reference(from, to)
		if got := queryIDs(t, x, newTimeRangeQuery(from, to)); !slices.Equal(got, want) {
			t.Errorf("range [%v, %v): %v, want %v", from, to, got, want)
		}
	}
}

func TestDocID_SortsBySendTimeThenID(t *testing.T) {
	at := func(id string, sentAt time.Time) *chat.Message {
		return &chat.Message{ID: id, SentAt: sentAt}
	}
	base := time.Date(2024, 3, 15, 10, 0, 0, 0, time.UTC)
	// In the order their document IDs must sort.
	msgs := []*chat.Message{
		at("z-no-time", time.Time{}),
		at("b", time.Date(1500, 1, 1, 0, 0, 0, 0, time.UTC)),
		at("a", time.Date(1965, 5, 1, 12, 0, 0, 0, time.UTC)),
		at("c", time.Unix(0, 0)),
		at("a", base),
		at("b", base),
		at("a", base.Add(time.Microsecond)),
		at("a", base.Add(time.Second)),
		at("a", time.Date(2400, 1, 1, 0, 0, 0, 0, time.UTC)),
	}
	for i, m := range msgs {
		id := docID(m)
		if got := messageID(id); got != m.ID {
			t.Errorf("messageID(docID(%s at %v)) = %q", m.ID, m.SentAt, got)
		}
		if i > 0 {
			if prev := docID(msgs[i-1]); prev >= id {
				t.Errorf("docID of %s at %v (%s) does not sort after %s at %v (%s)", m.ID, m.SentAt, id, msgs[i-1].ID, msgs[i-1].SentAt, prev)
			}
		}
	}
	if got := messageID("short"); got != "short" {
		t.Errorf("messageID of a short ID = %q, want it unchanged", got)
	}
}
