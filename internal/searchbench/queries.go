package searchbench

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
	"unicode"

	"chatseal/chat"
	"chatseal/index"
)

// Class is a kind of query that the benchmark times.
type Class string

// Query classes, in the order of the report.
const (
	// ClassCommonWord is one of the 50 syllables found in the most messages.
	ClassCommonWord Class = "common word"
	// ClassRareWord is a syllable found in at most one message in 10,000.
	ClassRareWord Class = "rare word"
	// ClassPhrase is a two-syllable word of the vocabulary, in quotes,
	// with its diacritics: "giao hàng".
	ClassPhrase Class = "phrase"
	// ClassPhraseUnmarked is the same phrase without diacritics: "giao hang".
	ClassPhraseUnmarked Class = "phrase, no diacritics"
	// ClassWordDatesAccount is a word of a message with the message's
	// account and a 91-day window around its date.
	ClassWordDatesAccount Class = "word + dates + account"
	// ClassPhone is a phone number found in a message, typed in national
	// form.
	ClassPhone Class = "phone"
	// ClassMoney is a range from 80% to 125% of an amount found in a
	// message.
	ClassMoney Class = "money range"
)

// Classes lists every Class in report order.
var Classes = []Class{
	ClassCommonWord, ClassRareWord, ClassPhrase, ClassPhraseUnmarked,
	ClassWordDatesAccount, ClassPhone, ClassMoney,
}

// Query is one query instance, in a form that each engine translates to
// its own language.
type Query struct {
	Class Class
	// Words is a word, or a phrase when Phrase is set, as a user types it.
	Words  string
	Phrase bool
	// Account, when set, restricts hits to one archived account.
	Account string
	// After and Before, when set, restrict hits to messages sent on or
	// after 00:00 of After and before 00:00 of Before, Vietnam time.
	After, Before time.Time
	// Phone is a phone number in national form ("0912345678") or a
	// hotline's digits.
	Phone string
	// MoneyLow and MoneyHigh bound an amount in VND, both included, when
	// the class is ClassMoney.
	MoneyLow, MoneyHigh int64
}

// Chatseal returns q in the query language of package index.
func (q *Query) Chatseal() string {
	switch q.Class {
	case ClassPhone:
		return "phone:" + q.Phone
	case ClassMoney:
		return fmt.Sprintf("money:%d..%d", q.MoneyLow, q.MoneyHigh)
	}
	s := q.Words
	if q.Phrase {
		s = `"` + s + `"`
	}
	if q.Account != "" {
		s += " account:" + q.Account
	}
	if !q.After.IsZero() {
		s += " after:" + q.After.Format(time.DateOnly)
	}
	if !q.Before.IsZero() {
		s += " before:" + q.Before.Format(time.DateOnly)
	}
	return s
}

// vietnam is the time zone in which package index reads after: and
// before: dates by default.
var vietnam = time.FixedZone("ICT", 7*60*60)

// Query selection limits.
const (
	commonWordPool = 50
	phrasePool     = 100
	// rareShare is the largest share of messages that a rare word is in.
	rareShare = 1.0 / 10_000
	// dateWindowDays is the length of the window of ClassWordDatesAccount.
	dateWindowDays = 91
)

// sampler reads a corpus once and draws the query instances of every
// class from what the messages contain. It keeps word counts and a
// reservoir per class, so its memory does not grow with the corpus.
type sampler struct {
	rng   *rand.Rand
	vocab *vocabulary
	// eligible is false for shorthand that package index expands at query
	// time, so that both engines search for the same word.
	shorthand map[string]bool
	// compounds maps the folded form of each two-syllable vocabulary word
	// to its spelling.
	compounds map[string]string

	messages   int
	wordDocs   map[string]int
	phraseDocs map[string]int
	seenWords  map[string]bool

	dated, phones, amounts reservoir[Query]
	tokens                 []string
}

// reservoir keeps a uniform sample of size items from a stream (Vitter's
// algorithm R).
type reservoir[T any] struct {
	size  int
	seen  int
	items []T
}

func (r *reservoir[T]) offer(rng *rand.Rand, item func() T) {
	r.seen++
	if len(r.items) < r.size {
		r.items = append(r.items, item())
		return
	}
	if k := rng.IntN(r.seen); k < r.size {
		r.items[k] = item()
	}
}

func newSampler(seed int64, perClass int) *sampler {
	s := &sampler{
		rng:        rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15)),
		vocab:      loadVocabulary(),
		shorthand:  make(map[string]bool),
		compounds:  make(map[string]string),
		wordDocs:   make(map[string]int),
		phraseDocs: make(map[string]int),
		seenWords:  make(map[string]bool),
		dated:      reservoir[Query]{size: perClass},
		phones:     reservoir[Query]{size: perClass},
		amounts:    reservoir[Query]{size: perClass},
	}
	for _, e := range index.Shorthand() {
		s.shorthand[e.Abbreviation] = true
	}
	for _, c := range s.vocab.compounds {
		s.compounds[index.Fold(c)] = strings.ToLower(c)
	}
	return s
}

// eligible reports whether a folded token can be a query word: letters
// only, and not an abbreviation that package index would expand.
func (s *sampler) eligible(token string) bool {
	if s.shorthand[token] {
		return false
	}
	for _, r := range token {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

// spell returns the query spelling of a folded token: its vocabulary
// spelling, with diacritics, or the token itself.
func (s *sampler) spell(token string) string {
	if w, ok := s.vocab.spelling[token]; ok {
		return w
	}
	return token
}

func (s *sampler) add(m *chat.Message) {
	s.messages++
	s.tokens = strings.Fields(index.Fold(m.Text))

	clear(s.seenWords)
	for i, t := range s.tokens {
		if !s.seenWords[t] {
			s.seenWords[t] = true
			s.wordDocs[t]++
		}
		if i+1 < len(s.tokens) {
			pair := t + " " + s.tokens[i+1]
			if _, ok := s.compounds[pair]; ok && !s.seenWords[pair] {
				s.seenWords[pair] = true
				s.phraseDocs[pair]++
			}
		}
	}

	var candidates []string
	for _, t := range s.tokens {
		if s.eligible(t) {
			candidates = append(candidates, t)
		}
	}
	if len(candidates) > 0 {
		s.dated.offer(s.rng, func() Query {
			day := m.SentAt.In(vietnam)
			after := time.Date(day.Year(), day.Month(), day.Day()-dateWindowDays/2, 0, 0, 0, 0, vietnam)
			return Query{
				Class:   ClassWordDatesAccount,
				Words:   s.spell(candidates[s.rng.IntN(len(candidates))]),
				Account: m.Account,
				After:   after,
				Before:  after.AddDate(0, 0, dateWindowDays),
			}
		})
	}

	if phones := extractPhones(m.Text); len(phones) > 0 {
		s.phones.offer(s.rng, func() Query {
			return Query{Class: ClassPhone, Phone: e164ToQuery(phones[s.rng.IntN(len(phones))])}
		})
	}
	if amounts := extractAmounts(m.Text); len(amounts) > 0 {
		s.amounts.offer(s.rng, func() Query {
			a := amounts[s.rng.IntN(len(amounts))]
			return Query{Class: ClassMoney, MoneyLow: a * 4 / 5, MoneyHigh: a * 5 / 4}
		})
	}
}

// queries returns perClass instances of every class, drawn with the
// sampler's generator, so the same corpus gives the same queries.
func (s *sampler) queries(perClass int) map[Class][]Query {
	out := make(map[Class][]Query)

	type counted struct {
		text string
		docs int
	}
	byDocs := func(m map[string]int, keep func(string) bool) []counted {
		var list []counted
		for t, n := range m {
			if keep(t) {
				list = append(list, counted{t, n})
			}
		}
		slices.SortFunc(list, func(a, b counted) int {
			return cmp.Or(cmp.Compare(b.docs, a.docs), strings.Compare(a.text, b.text))
		})
		return list
	}
	draw := func(list []counted) counted { return list[s.rng.IntN(len(list))] }

	words := byDocs(s.wordDocs, s.eligible)
	if len(words) > 0 {
		common := words[:min(commonWordPool, len(words))]
		for range perClass {
			out[ClassCommonWord] = append(out[ClassCommonWord], Query{Class: ClassCommonWord, Words: s.spell(draw(common).text)})
		}

		limit := max(1, int(float64(s.messages)*rareShare))
		first := len(words)
		for first > 0 && words[first-1].docs <= limit {
			first--
		}
		rare := words[first:]
		if len(rare) == 0 {
			rare = words[len(words)-1:]
		}
		for range perClass {
			out[ClassRareWord] = append(out[ClassRareWord], Query{Class: ClassRareWord, Words: s.spell(draw(rare).text)})
		}
	}

	phrases := byDocs(s.phraseDocs, func(string) bool { return true })
	if len(phrases) > 0 {
		pool := phrases[:min(phrasePool, len(phrases))]
		for range perClass {
			spelled := s.compounds[draw(pool).text]
			out[ClassPhrase] = append(out[ClassPhrase], Query{Class: ClassPhrase, Words: spelled, Phrase: true})
			out[ClassPhraseUnmarked] = append(out[ClassPhraseUnmarked], Query{Class: ClassPhraseUnmarked, Words: stripMarks(spelled), Phrase: true})
		}
	}

	out[ClassWordDatesAccount] = s.dated.items
	out[ClassPhone] = s.phones.items
	out[ClassMoney] = s.amounts.items
	return out
}
