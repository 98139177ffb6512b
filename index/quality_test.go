package index

import (
	"context"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"chatseal/chat"
	"chatseal/ingest"
	"chatseal/ingest/zalo"
	"chatseal/internal/testdata"
)

// bankSupportIndex indexes every message of the real vi-bank-support
// sample and returns the index with the messages by ID.
func bankSupportIndex(t *testing.T) (*Index, map[string]*chat.Message) {
	t.Helper()
	byID := map[string]*chat.Message{}
	var msgs []*chat.Message
	for _, a := range testdata.BankSupport(t) {
		f, err := os.Open(a.File)
		if err != nil {
			t.Fatal(err)
		}
		r := zalo.NewReader(f, a.File, ingest.Options{Account: a.Account, AccountUID: a.ZaloUID})
		for {
			m, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", a.File, err)
			}
			m.ID = fmt.Sprintf("%026d", len(msgs))
			msgs = append(msgs, m)
			byID[m.ID] = m
		}
		f.Close()
	}
	return openTestIndex(t, msgs...), byID
}

// foldedWords returns the set of folded words of every searchable text of
// m: its text, its index text and its attachment names and titles.
func foldedWords(m *chat.Message) (text, other map[string]bool) {
	text, other = map[string]bool{}, map[string]bool{}
	for _, w := range strings.Fields(Fold(m.Text)) {
		text[w] = true
	}
	extra := []string{m.IndexText}
	for _, a := range m.Attachments {
		extra = append(extra, a.Name, a.Title, a.Description)
	}
	for _, w := range strings.Fields(Fold(strings.Join(extra, " "))) {
		other[w] = true
	}
	return text, other
}

// TestQuality_AccentFreeWordsOnRealData checks on real customer text that
// an accent-free query of ordinary words finds every message whose folded
// text has all its words (recall 100%). Hits outside that set can only come
// from link titles and file names, and they must stay under 5%.
func TestQuality_AccentFreeWordsOnRealData(t *testing.T) {
	x, byID := bankSupportIndex(t)

	// Ordinary words are those in 3 to 400 messages, longer than one letter
	// and not chat shorthand, most frequent first. Pairs of them that occur
	// next to each other make two-word queries.
	shorthand := map[string]bool{}
	for _, e := range Shorthand() {
		shorthand[Fold(e.Abbreviation)] = true
	}
	docFreq := map[string]int{}
	pairFreq := map[string]int{}
	words := map[string]map[string]bool{}
	others := map[string]map[string]bool{}
	for id, m := range byID {
		text, other := foldedWords(m)
		words[id], others[id] = text, other
		for w := range text {
			docFreq[w]++
		}
		fields := strings.Fields(Fold(m.Text))
		for i := 0; i+1 < len(fields); i++ {
			pairFreq[fields[i]+" "+fields[i+1]]++
		}
	}
	ordinary := func(w string) bool {
		return len([]rune(w)) > 1 && docFreq[w] >= 3 && docFreq[w] <= 400 && !shorthand[w] && !regexp.MustCompile(`^[0-9]+$`).MatchString(w)
	}
	var singles []string
	for w := range docFreq {
		if ordinary(w) {
			singles = append(singles, w)
		}
	}
	sort.Slice(singles, func(i, j int) bool {
		if docFreq[singles[i]] != docFreq[singles[j]] {
			return docFreq[singles[i]] > docFreq[singles[j]]
		}
		return singles[i] < singles[j]
	})
	singles = singles[:min(60, len(singles))]
	var pairs []string
	for p, n := range pairFreq {
		a, b, _ := strings.Cut(p, " ")
		if n >= 3 && ordinary(a) && ordinary(b) && a != b {
			pairs = append(pairs, p)
		}
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairFreq[pairs[i]] != pairFreq[pairs[j]] {
			return pairFreq[pairs[i]] > pairFreq[pairs[j]]
		}
		return pairs[i] < pairs[j]
	})
	pairs = pairs[:min(40, len(pairs))]
	queries := append(singles, pairs...)
	if len(queries) < 50 {
		t.Fatalf("only %d ordinary queries in the sample", len(queries))
	}

	var totalHits, totalExtra int
	for _, q := range queries {
		res, err := x.Search(context.Background(), q, SearchOptions{Limit: MaxLimit, NoShorthand: true})
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		got := map[string]bool{}
		for _, h := range res.Hits {
			got[h.ID] = true
		}
		if res.Total > uint64(len(res.Hits)) {
			t.Fatalf("%q: %d hits, more than one page", q, res.Total)
		}
		var missing []string
		extra := 0
		for id := range byID {
			want := true
			inOther := true
			for _, w := range strings.Fields(q) {
				want = want && words[id][w]
				inOther = inOther && (words[id][w] || others[id][w])
			}
			switch {
			case want && !got[id]:
				missing = append(missing, id)
			case !want && got[id]:
				extra++
				if !inOther {
					t.Errorf("%q found message %s, which has the words nowhere", q, id)
				}
			}
		}
		slices.Sort(missing)
		if len(missing) > 0 {
			t.Errorf("%q: %d messages with the words not found, first %s", q, len(missing), missing[0])
		}
		totalHits += len(got)
		totalExtra += extra

		// None of these words is an abbreviation, so expanding shorthand
		// must not change what they find.
		expanded, err := x.Search(context.Background(), q, SearchOptions{Limit: MaxLimit})
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		if expanded.Total != res.Total {
			t.Errorf("%q: %d hits with shorthand expansion, %d without", q, expanded.Total, res.Total)
		}
	}
	if totalHits == 0 {
		t.Fatal("the queries found nothing")
	}
	if share := float64(totalExtra) / float64(totalHits); share > 0.05 {
		t.Errorf("%d of %d hits (%.1f%%) lie outside the messages with the words, over 5%%", totalExtra, totalHits, share*100)
	}
	t.Logf("%d queries, %d hits, %d outside the text set", len(queries), totalHits, totalExtra)
}

// TestQuality_PhoneWrittenOneWayFindsOthers takes the mobile numbers in the
// real sample and searches each written in four other ways.
func TestQuality_PhoneWrittenOneWayFindsOthers(t *testing.T) {
	x, byID := bankSupportIndex(t)
	mobile := regexp.MustCompile(`(?:^|[^0-9])(0[35789][0-9]{8})(?:[^0-9]|$)`)
	numbers := map[string][]string{}
	for id, m := range byID {
		for _, match := range mobile.FindAllStringSubmatch(m.Text, -1) {
			numbers[match[1]] = append(numbers[match[1]], id)
		}
	}
	if len(numbers) == 0 {
		t.Skip("no 10-digit mobile number written as one run of digits in the sample")
	}
	var list []string
	for n := range numbers {
		list = append(list, n)
	}
	slices.Sort(list)
	list = list[:min(15, len(list))]
	t.Logf("searching %d numbers, each written 4 ways", len(list))
	for _, n := range list {
		for _, written := range []string{
			n[:4] + " " + n[4:7] + " " + n[7:],
			n[:4] + "." + n[4:7] + "." + n[7:],
			"+84 " + n[1:],
			"84" + n[1:],
		} {
			res, err := x.Search(context.Background(), "phone:"+written, SearchOptions{Limit: MaxLimit})
			if err != nil {
				t.Fatalf("phone:%s: %v", written, err)
			}
			found := map[string]bool{}
			for _, h := range res.Hits {
				found[h.ID] = true
			}
			for _, id := range numbers[n] {
				if !found[id] {
					t.Errorf("phone:%s does not find message %s, which writes %s", written, id, n)
				}
			}
		}
	}
}
