package index

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bleveindex "github.com/blevesearch/bleve_index_api"
	"golang.org/x/text/unicode/norm"

	"chatseal/chat"
)

// wordLocation is one location of a term, for comparisons.
type wordLocation struct {
	term       string
	pos        int
	start, end int
	part       []uint64
}

// phraseVocabulary are the words of the phrase corpus: syllables of common
// two-syllable words, some of which fold alike (thẻ, thế, the), and words
// that split into several (khiếu-nại, a phone number).
var phraseVocabulary = []string{
	"khiếu", "nại", "khiêu", "nài", "giao", "hàng", "chuyển", "khoản", "khoan",
	"thẻ", "thế", "the", "tín", "dụng", "đơn", "don", "hoàn", "tiền", "anh", "em",
	"gửi", "mã", "OTP", "lỗi", "ngân", "không", "có", "được", "nhé", "a",
	"khiếu-nại", "0901.234.567", "giao.hàng", "Đà", "Nẵng",
}

// phraseSeparators separate the words of the phrase corpus.
var phraseSeparators = []string{" ", " ", " ", " ", "  ", ", ", "-", ".", "!", " 👍 ", "\n", "…", "_", " - ", "/"}

// phraseText returns text of n words of phraseVocabulary, some repeated,
// with random separators, in random case and form, and its words.
func phraseText(rng *rand.Rand, n int) (string, []string) {
	words := make([]string, n)
	var b strings.Builder
	for i := range words {
		words[i] = phraseVocabulary[rng.IntN(len(phraseVocabulary))]
		if i > 0 && rng.IntN(6) == 0 {
			words[i] = words[i-1]
		}
		if i > 0 {
			b.WriteString(phraseSeparators[rng.IntN(len(phraseSeparators))])
		}
		b.WriteString(words[i])
	}
	text := b.String()
	switch rng.IntN(6) {
	case 0:
		text = strings.ToUpper(text)
	case 1:
		text = stripMarks(text)
	case 2:
		text = norm.NFD.String(text)
	}
	return text, words
}

// phraseCorpus returns seeded random messages over two quarters, some with
// IndexText and attachment names, and the words of each part of each
// message.
func phraseCorpus(n int) ([]*chat.Message, [][][]string) {
	rng := rand.New(rand.NewPCG(5, 17))
	msgs := make([]*chat.Message, n)
	parts := make([][][]string, n)
	for i := range msgs {
		m := testMessage(fmt.Sprintf("m%04d", i), "")
		if i%2 == 1 {
			m.SentAt = m.SentAt.AddDate(0, 4, 0)
		}
		var words [][]string
		if rng.IntN(10) > 0 {
			text, w := phraseText(rng, 1+rng.IntN(16))
			m.Text = text
			words = append(words, w)
		}
		if rng.IntN(4) == 0 {
			text, w := phraseText(rng, 1+rng.IntN(6))
			m.IndexText = text
			words = append(words, w)
		}
		for range rng.IntN(3) {
			name, w := phraseText(rng, 1+rng.IntN(4))
			m.Attachments = append(m.Attachments, chat.Attachment{Kind: "file", Name: name + ".pdf"})
			words = append(words, append(w, "pdf"))
		}
		msgs[i], parts[i] = m, words
	}
	return msgs, parts
}

// phraseHits runs q on every shard of x and returns, for each hit, the
// locations in the text field, sorted: the words that matched, in every
// part of the message. Without locations, the lists are empty.
func phraseHits(t *testing.T, x *Index, q query.Query, locations bool) map[string][]wordLocation {
	t.Helper()
	req := bleve.NewSearchRequestOptions(q, MaxWindow, 0, false)
	req.IncludeLocations = locations
	x.mu.RLock()
	defer x.mu.RUnlock()
	res, err := bleve.NewIndexAlias(x.shardsIn(allTime)...).Search(req)
	if err != nil {
		t.Fatalf("search: %v", err)
	}
	if res.Total != uint64(len(res.Hits)) {
		t.Fatalf("search: %d hits of %d", len(res.Hits), res.Total)
	}
	hits := make(map[string][]wordLocation, len(res.Hits))
	for _, h := range res.Hits {
		locs := []wordLocation{}
		if !locations {
			// Some queries report locations unasked.
			hits[messageID(h.ID)] = locs
			continue
		}
		for term, termLocs := range h.Locations[fieldText] {
			for _, loc := range termLocs {
				// The part number only, without the form code.
				var part []uint64
				if len(loc.ArrayPositions) > 0 && loc.ArrayPositions[0] != 0 {
					part = loc.ArrayPositions[:1]
				}
				locs = append(locs, wordLocation{term, int(loc.Pos), int(loc.Start), int(loc.End), part})
			}
		}
		slices.SortFunc(locs, func(a, b wordLocation) int { return a.pos - b.pos })
		hits[messageID(h.ID)] = slices.CompactFunc(locs, func(a, b wordLocation) bool { return a.pos == b.pos })
	}
	return hits
}

// openReferenceIndex returns an index of msgs whose locations have no form
// codes, only part numbers, as before schema version 8. Bleve's own phrase
// searcher requires the words of a phrase to have equal array positions,
// so on this index it is a reference for phraseQuery, which reads
// positions alone.
func openReferenceIndex(t *testing.T, msgs []*chat.Message) *Index {
	t.Helper()
	x := openTestIndex(t)
	batches := map[*shard]*bleve.Batch{}
	for _, m := range msgs {
		doc := messageDocument(m, nil, x.loc)
		for i, f := range doc.Fields {
			if text, ok := f.(*textField); ok {
				doc.Fields[i] = partsOnly{text}
			}
		}
		s, err := x.shardForWrite(shardNameOf(m.SentAt))
		if err != nil {
			t.Fatal(err)
		}
		if batches[s] == nil {
			batches[s] = s.idx.NewBatch()
		}
		if err := batches[s].IndexAdvanced(doc); err != nil {
			t.Fatal(err)
		}
	}
	for s, batch := range batches {
		if err := s.idx.Batch(batch); err != nil {
			t.Fatal(err)
		}
	}
	return x
}

// partsOnly is a textField whose locations keep their part number and drop
// their form code.
type partsOnly struct{ *textField }

func (f partsOnly) Analyze() {
	f.textField.Analyze()
	for _, tf := range f.freqs {
		for _, loc := range tf.Locations {
			if len(loc.ArrayPositions) == 2 {
				loc.ArrayPositions = loc.ArrayPositions[:1]
			}
			if len(loc.ArrayPositions) == 1 && loc.ArrayPositions[0] == 0 {
				loc.ArrayPositions = nil
			}
		}
	}
}

// hitsDiffer returns how got differs from want: in its hits or in the
// locations of one, or "" when they are the same.
func hitsDiffer(got, want map[string][]wordLocation) string {
	if len(got) != len(want) {
		return fmt.Sprintf("%d hits, want %d", len(got), len(want))
	}
	for id, locs := range want {
		other, ok := got[id]
		if !ok {
			return "no hit " + id
		}
		if !slices.EqualFunc(locs, other, func(x, y wordLocation) bool {
			return x.term == y.term && x.pos == y.pos && x.start == y.start && x.end == y.end && slices.Equal(x.part, y.part)
		}) {
			return fmt.Sprintf("hit %s has locations %+v, want %+v", id, other, locs)
		}
	}
	return ""
}

func TestSearch_PhraseMatchesBlevePhrase(t *testing.T) {
	msgs, parts := phraseCorpus(1500)
	x := openTestIndex(t, msgs...)
	ref := openReferenceIndex(t, msgs)
	if n := len(shardNames(t, x)); n != 2 {
		t.Fatalf("corpus in %d shards, want 2", n)
	}
	folded := make([][][]string, len(msgs))
	for i, m := range msgs {
		for _, part := range messageTextParts(m) {
			folded[i] = append(folded[i], strings.Fields(Fold(part)))
		}
	}

	// The phrases: runs of words of the corpus, runs that cross from one
	// part of a message into the next, and random runs of words.
	rng := rand.New(rand.NewPCG(9, 9))
	joiners := []string{" ", " ", "-", ".", ", "}
	phrase := func(words []string) string {
		var b strings.Builder
		for i, w := range words {
			if i > 0 {
				b.WriteString(joiners[rng.IntN(len(joiners))])
			}
			b.WriteString(w)
		}
		switch rng.IntN(4) {
		case 0:
			return stripMarks(b.String())
		case 1:
			return strings.ToUpper(b.String())
		}
		return b.String()
	}
	var phrases []string
	for len(phrases) < 400 {
		words := parts[rng.IntN(len(parts))]
		if len(words) == 0 {
			continue
		}
		part := words[rng.IntN(len(words))]
		n := 2 + rng.IntN(3)
		if len(part) < n {
			continue
		}
		from := rng.IntN(len(part) - n + 1)
		phrases = append(phrases, phrase(part[from:from+n]))
	}
	for len(phrases) < 500 {
		words := parts[rng.IntN(len(parts))]
		if len(words) < 2 {
			continue
		}
		i := rng.IntN(len(words) - 1)
		first, next := words[i], words[i+1]
		phrases = append(phrases, phrase(append(first[max(0, len(first)-1-rng.IntN(2)):len(first):len(first)], next[:min(len(next), 1+rng.IntN(2))]...)))
	}
	for len(phrases) < 600 {
		words := make([]string, 2+rng.IntN(3))
		for i := range words {
			words[i] = phraseVocabulary[rng.IntN(len(phraseVocabulary))]
		}
		phrases = append(phrases, phrase(words))
	}

	matched := map[int]int{} // phrases with hits, by number of words
	for _, p := range phrases {
		words := strings.Fields(Fold(p))
		if len(words) < 2 {
			t.Fatalf("phrase %q has fewer than two words", p)
		}
		var want []string
		for i, m := range msgs {
			if slices.ContainsFunc(folded[i], func(part []string) bool { return containsRun(part, words) }) {
				want = append(want, m.ID)
			}
		}

		byWords := query.NewPhraseQuery(words, fieldText)
		if got := queryIDs(t, ref, byWords); !slices.Equal(got, want) {
			t.Fatalf("phrase %q on the text field: %d hits, reference %d", p, len(got), len(want))
		}
		if len(want) > 0 {
			matched[min(len(words), 4)]++
		}
		for _, locations := range []bool{false, true} {
			old := phraseHits(t, ref, byWords, locations)
			for name, q := range map[string]query.Query{
				"phraseQuery": &phraseQuery{words: words},
				"buildText":   buildText(p),
			} {
				if diff := hitsDiffer(phraseHits(t, x, q, locations), old); diff != "" {
					t.Errorf("phrase %q, locations %v: %s differs from the phrase on the text field: %s", p, locations, name, diff)
				}
			}
		}
	}
	for n := 2; n <= 4; n++ {
		if matched[n] < 20 {
			t.Errorf("only %d phrases of %d words matched a message, want at least 20", matched[n], n)
		}
	}
}

// containsRun reports whether words occur in part one after the other.
func containsRun(part, words []string) bool {
	for start := 0; start+len(words) <= len(part); start++ {
		if slices.Equal(part[start:start+len(words)], words) {
			return true
		}
	}
	return false
}

func TestSearch_HighlightPhrases(t *testing.T) {
	nfd := norm.NFD.String("KHIẾU NẠI gấp, khiếu nại tiếp")
	msgs := []*chat.Message{
		testMessage("two", "khiếu thì khiếu, nhưng khiếu nại thì chưa; nại khiếu"),
		testMessage("three", "giao hàng chậm, giao hàng nhanh chậm quá, hàng chậm"),
		testMessage("nfd", nfd),
		testMessage("split", "gọi 0901.234.567 hoặc 0901 234 567 nhé"),
		testMessage("repeat", "a a a b a a"),
	}
	x := openTestIndex(t, msgs...)
	texts := map[string]string{}
	for _, m := range msgs {
		texts[m.ID] = m.Text
	}
	nfdWords := strings.Fields(nfd)

	tests := []struct {
		name  string
		query string
		id    string
		want  []string
	}{
		{"two words", `"khiếu nại"`, "two", []string{"khiếu", "nại"}},
		{"three words", `"giao hàng chậm"`, "three", []string{"giao", "hàng", "chậm"}},
		{"four words", `"giao hang nhanh cham"`, "three", []string{"giao", "hàng", "nhanh", "chậm"}},
		{"NFD text", `"khieu nai"`, "nfd", []string{nfdWords[0], nfdWords[1], nfdWords[3], nfdWords[4]}},
		{"split word", "0901.234.567", "split", []string{"0901", "234", "567", "0901", "234", "567"}},
		{"repeated words, three", `"a a a"`, "repeat", []string{"a", "a", "a"}},
		{"repeated words, two", `"a a"`, "repeat", []string{"a", "a", "a", "a", "a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := x.Search(context.Background(), tt.query, SearchOptions{Highlight: true})
			if err != nil {
				t.Fatal(err)
			}
			i := slices.IndexFunc(res.Hits, func(h Hit) bool { return h.ID == tt.id })
			if i < 0 {
				t.Fatalf("Search(%q) did not find %s", tt.query, tt.id)
			}
			if got := spanTexts(texts[tt.id], res.Hits[i].Spans); !slices.Equal(got, tt.want) {
				t.Errorf("spans = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSearch_PhraseRanking(t *testing.T) {
	t.Run("exact diacritics first", func(t *testing.T) {
		x := openTestIndex(t,
			testMessage("exact", "chị bị khóa thẻ tín dụng từ hôm qua, nhờ em kiểm tra giúp chị với"),
			testMessage("folded", "the tin dung"),
			testMessage("other", "thế tín dụng"),
		)
		got := searchIDs(t, x, `"thẻ tín dụng"`)
		if want := []string{"exact", "folded", "other"}; got[0] != want[0] || len(got) != len(want) {
			t.Errorf(`Search("thẻ tín dụng") = %v, want %s first of 3`, got, want[0])
		}
	})

	t.Run("highlight does not change scores", func(t *testing.T) {
		msgs := syntheticMessages(2000)
		for i, m := range msgs {
			if i%2 == 1 {
				m.SentAt = m.SentAt.AddDate(0, 4, 0)
			}
			// A phrase found only in an attachment name has no span.
			m.Attachments = nil
		}
		x := openTestIndex(t, msgs...)
		// Runs of 2, 3 and 4 words of some messages, as they are written.
		run := func(i, n int) string {
			words := strings.Fields(strings.Trim(msgs[i].Text, "."))
			return strings.Join(words[1:1+n], " ")
		}
		queries := []string{`"chuyển khoản"`, `"chuyen khoan"`, `"giao hàng" OR "khiếu nại"`}
		for i := 0; i < 40; i += 4 {
			queries = append(queries, `"`+run(i, 2)+`"`, `"`+run(i+1, 3)+`"`,
				`"`+run(i+2, 4)+`" OR "`+run(i+2, 2)+`"`, strings.ReplaceAll(run(i+3, 2), " ", "-"))
		}
		for _, q := range queries {
			var results [2]*Result
			for i, highlight := range []bool{false, true} {
				res, err := x.Search(context.Background(), q, SearchOptions{Limit: MaxLimit, Highlight: highlight})
				if err != nil {
					t.Fatal(err)
				}
				results[i] = res
			}
			plain, highlighted := results[0], results[1]
			if plain.Total == 0 {
				t.Errorf("Search(%q) found nothing", q)
			}
			if plain.Total != highlighted.Total || !slices.EqualFunc(plain.Hits, highlighted.Hits, func(a, b Hit) bool {
				return a.ID == b.ID && a.Score == b.Score
			}) {
				t.Errorf("Search(%q): hits or scores differ with Highlight", q)
			}
			for _, h := range highlighted.Hits {
				if len(h.Spans) == 0 {
					t.Errorf("Search(%q): hit %s has no spans", q, h.ID)
					break
				}
			}
		}
	})
}

// queryScores runs q on every shard of x and returns the score of each
// hit.
func queryScores(t *testing.T, x *Index, q query.Query) map[string]float64 {
	t.Helper()
	req := bleve.NewSearchRequestOptions(q, MaxWindow, 0, false)
	x.mu.RLock()
	defer x.mu.RUnlock()
	res, err := bleve.NewIndexAlias(x.shardsIn(allTime)...).Search(req)
	if err != nil {
		t.Fatalf("search: %v", err)
	}
	scores := make(map[string]float64, len(res.Hits))
	for _, h := range res.Hits {
		scores[messageID(h.ID)] = h.Score
	}
	return scores
}

// failingNext is a searcher whose Next fails, for the error path of
// phraseSearcher.
type failingNext struct {
	search.Searcher
	err error
}

func (f failingNext) Next(*search.SearchContext) (*search.DocumentMatch, error) { return nil, f.err }

// absentReader is a term reader that finds no message.
type absentReader struct{ bleveindex.TermFieldReader }

func (absentReader) Advance(bleveindex.IndexInternalID, *bleveindex.TermFieldDoc) (*bleveindex.TermFieldDoc, error) {
	return nil, nil
}

// TestPhraseSearcher_NextErrorReturned checks that an error of the
// conjunction, met while skipping a message whose words are out of order,
// reaches the caller.
func TestPhraseSearcher_NextErrorReturned(t *testing.T) {
	boom := errors.New("segment read failed")
	s := &phraseSearcher{
		Searcher: failingNext{err: boom},
		words:    []string{"giao", "hang"},
		readers:  []bleveindex.TermFieldReader{absentReader{}, absentReader{}},
		docs:     []*bleveindex.TermFieldDoc{{}, {}},
	}
	ctx := &search.SearchContext{DocumentMatchPool: search.NewDocumentMatchPool(2, 0)}
	match := &search.DocumentMatch{IndexInternalID: bleveindex.IndexInternalID("1")}
	got, err := s.firstPhrase(ctx, match, nil)
	if !errors.Is(err, boom) {
		t.Errorf("error = %v, want %v", err, boom)
	}
	if got != nil {
		t.Errorf("match = %v, want none", got)
	}
}
