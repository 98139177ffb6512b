package index

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/scorer"
	"github.com/blevesearch/bleve/v2/search/searcher"
	bleveindex "github.com/blevesearch/bleve_index_api"
)

// exactBoost weighs the match of a word's exact form (its diacritics)
// against the match of its folded form. The coordination factor alone ranks
// exact matches first in TestSearch_ExactRankingOnCorpus; the boost widens
// the margin.
const exactBoost = 2.0

// ParseQuery parses a search query and returns the bleve query that runs it
// on an index built by Add. Dates are read in loc; nil means
// Asia/Ho_Chi_Minh. A malformed query returns a *SyntaxError.
//
// The language, close to Gmail's:
//
//	khiếu nại            every word must match, diacritics optional
//	"thẻ tín dụng"       the words in this order
//	-spam  -"mã OTP"     the word or phrase must not match; NOT spam too
//	a OR b               either; OR binds tighter than the implicit AND
//	a AND b              the same as a b
//	(a OR b) c           parentheses group
//	from:u123            sender id exactly, or words of the sender's name
//	from:"Nguyễn An"     a quoted value may hold spaces
//	to:u123              recipient id, exactly: the account for an inbound
//	                     message; for an outbound one the conversation id
//	                     (the peer of a direct conversation) and the ids
//	                     of the message's Members
//	account:cskh-hn-01   archived messaging account, exactly
//	conversation:g42     conversation id, exactly
//	kind:image           message kind (chat.Kinds), any case
//	source:zalo          chat platform, any case
//	has:attachment       has an attachment; also has:link (a link in the
//	                     text or kind link), has:phone, has:money,
//	                     has:email, has:card and has:bank
//	tag:privileged       reviewer tag given to AddTagged or SetTags, any
//	                     case
//	custodian:an.nguyen  the messages of the custodian's accounts within
//	                     the spans that QueryOptions.Custodian returns
//	phone:0912 345 678   phone number in the text, written any usual way
//	money:350k           amount in VND in the text (350k, 1tr5, 1.500.000đ,
//	                     2 tỷ); a bare number is VND
//	money:1tr..2tr       amount in a range, both ends included
//	money>=1tr  money<500k  comparisons >=, >, <=, < and =
//	card:4111 1111 1111 1111  payment card number, Luhn-valid, any grouping
//	bank:0123 456 789    bank account number after stk, tk or số tài khoản
//	email:an@example.com email address, any case
//	url:example.com      links to that host (or www.example.com)
//	url:https://example.com/a  that link; without a scheme, http or https
//	after:2024-03-01     sent on or after 00:00 of that day in loc
//	before:2024-04-01    sent before 00:00 of that day in loc
//
// A message without a send time (a zero SentAt) matches no after:, before:
// or custodian span with a bound.
//
// Words and phrases match the folded text, so khieu nai finds khiếu nại and
// -thẻ also excludes thế. Where the query has diacritics, hits with the same
// diacritics score higher. A word is split like the indexed text, and a word
// that splits into several ("khiếu-nại", "0901.234.567") is matched as a
// phrase. A word with no letters or digits is ignored; a query made only of
// such words matches nothing. A query of only exclusions matches every
// message except those. Field names are ASCII letters before a colon; an
// unknown name is an error, except before "//" as in a URL.
//
// A bare word that is a chat abbreviation in Shorthand ("ko", "sdt", "đc")
// also matches the words it stands for ("không", "số điện thoại", "được"),
// a multi-word expansion as a phrase. An exclusion expands too: -ko
// excludes both ko and không. A word written as =word (or -=word) matches
// only itself, and neither words inside a phrase nor field values are
// expanded. QueryOptions.NoShorthand turns expansion off for the whole
// query.
func ParseQuery(q string, loc *time.Location) (query.Query, error) {
	return ParseQueryOptions(q, QueryOptions{Location: loc})
}

// QueryOptions changes how ParseQueryOptions reads a query.
type QueryOptions struct {
	// Location is the time zone of after: and before: dates. Nil means
	// Asia/Ho_Chi_Minh.
	Location *time.Location
	// NoShorthand turns off the expansion of chat abbreviations, so every
	// word matches only itself. The zero value expands them.
	NoShorthand bool
	// Custodian returns the spans of a custodian named in custodian:NAME:
	// the accounts the custodian used and when. An error wrapping
	// ErrUnknownCustodian becomes a *SyntaxError that names the custodian,
	// and any other error is returned wrapped. Nil makes custodian: a
	// syntax error.
	Custodian func(name string) ([]CustodianSpan, error)
}

// CustodianSpan is an account that a custodian used, and when: the
// messages of Account sent from From, included, to To, excluded. A zero
// From or To leaves that side open.
type CustodianSpan struct {
	Account  string
	From, To time.Time
	// Conversations, when not nil, narrows a scope's span to these
	// conversations of Account. The custodian: field ignores it.
	Conversations []string
}

// ParseQueryOptions is ParseQuery with options.
func ParseQueryOptions(q string, opts QueryOptions) (query.Query, error) {
	built, _, err := compileQuery(q, opts)
	return built, err
}

// compileQuery returns the bleve query of q and the send times that its
// matches can have, which Search uses to skip shards.
func compileQuery(q string, opts QueryOptions) (query.Query, timeSpan, error) {
	loc := opts.Location
	if loc == nil {
		loc = defaultLocation()
	}
	tree, err := parseTree(q, loc)
	if err != nil {
		return nil, timeSpan{}, err
	}
	b := &queryBuilder{expand: !opts.NoShorthand, custodian: opts.Custodian}
	built, err := b.build(tree)
	if err != nil {
		return nil, timeSpan{}, err
	}
	if built == nil {
		return query.NewMatchNoneQuery(), timeSpan{}, nil
	}
	return built, b.timeSpan(tree), nil
}

// queryBuilder turns a syntax tree into a bleve query.
type queryBuilder struct {
	// expand turns on chat shorthand expansion of bare words.
	expand    bool
	custodian func(name string) ([]CustodianSpan, error)
	// spans holds the custodian spans resolved by build, by name.
	spans map[string][]CustodianSpan
}

// build returns the bleve query of n, or nil when n has nothing to search
// for (only words without letters or digits).
func (b *queryBuilder) build(n *node) (query.Query, error) {
	switch n.kind {
	case nodeAnd:
		return b.buildAnd(n.children)
	case nodeOr:
		var alternatives []query.Query
		for _, child := range n.children {
			q, err := b.build(child)
			if err != nil {
				return nil, err
			}
			if q != nil {
				alternatives = append(alternatives, q)
			}
		}
		switch len(alternatives) {
		case 0:
			return nil, nil
		case 1:
			return alternatives[0], nil
		}
		return query.NewDisjunctionQuery(alternatives), nil
	case nodeNot:
		// An exclusion outside a sequence, as in "a OR -b".
		return b.buildAnd([]*node{n})
	case nodeText:
		if n.phrase {
			return buildText(n.text), nil
		}
		return buildWord(n.text, b.expand && !n.literal), nil
	case nodeField:
		return b.buildField(n)
	}
	panic("index: internal error: unknown query node kind")
}

// buildAnd returns the query that all of children match. Exclusions become
// must-not clauses, and fields become a filter, which selects without adding
// to the score, so ranking depends on the words alone. With no words or
// fields, the query matches every message not excluded.
func (b *queryBuilder) buildAnd(children []*node) (query.Query, error) {
	var must, filters, mustNot []query.Query
	for _, child := range children {
		var target *[]query.Query
		var q query.Query
		var err error
		switch child.kind {
		case nodeNot:
			target = &mustNot
			q, err = b.build(child.children[0])
		case nodeField:
			target = &filters
			q, err = b.buildField(child)
		default:
			target = &must
			q, err = b.build(child)
		}
		if err != nil {
			return nil, err
		}
		if q != nil {
			*target = append(*target, q)
		}
	}
	if len(must)+len(filters)+len(mustNot) == 0 {
		return nil, nil
	}
	// Without words, bleve runs a boolean query's filter over every
	// document (its must side matches all). The fields then become the
	// must side: the query walks only their posting lists, and the scores,
	// which no word contributes to, order nothing anyway. At one million
	// messages this takes phone: from about 30 ms to under 1 ms.
	if len(must) == 0 && len(filters) > 0 {
		must, filters = filters, nil
		if len(must) > 1 {
			must = []query.Query{query.NewConjunctionQuery(must)}
		}
	}
	if len(must) == 1 && len(filters) == 0 && len(mustNot) == 0 {
		return must[0], nil
	}

	bq := query.NewBooleanQuery(must, nil, mustNot)
	switch len(filters) {
	case 0:
	case 1:
		bq.AddFilter(filters[0])
	default:
		bq.AddFilter(query.NewConjunctionQuery(filters))
	}
	return bq, nil
}

// buildText returns the query of a word or phrase, or nil when text has no
// letters or digits.
//
// A word matches its folded term. When it has marks, it scores as the
// disjunction of its folded term and its exact form (see wordQuery), so a
// message with the form scores the sum of both instead of half the folded
// score (bleve's coordination factor). A phrase must match its words in
// order, which phraseQuery finds, and each exact form of its words that a
// match has adds to its score. No boolean should-clause is used because,
// in tests against bleve v2.6.3, a BooleanSearcher under a conjunction
// lost some should matches.
func buildText(text string) query.Query {
	var a analysis
	analyze(&a, text)
	if len(a.tokens) == 0 {
		return nil
	}

	if len(a.tokens) == 1 {
		t := &a.tokens[0]
		folded := termQuery(fieldText, string(a.foldedTerm(t)))
		form := a.exactTerm(t)
		if form == nil {
			return folded
		}
		return &wordQuery{folded: folded.Term, form: formCode(form)}
	}

	words := make([]string, len(a.tokens))
	for i := range a.tokens {
		words[i] = string(a.foldedTerm(&a.tokens[i]))
	}
	q := &phraseQuery{words: words}
	for i := range a.tokens {
		if form := a.exactTerm(&a.tokens[i]); form != nil {
			q.forms = append(q.forms, phraseForm{word: i, code: formCode(form)})
		}
	}
	return q
}

// buildField returns the query of a field:value term.
func (b *queryBuilder) buildField(n *node) (query.Query, error) {
	switch n.field {
	case "from":
		byID := termQuery(fieldAttrs, attrSender+n.text)
		var a analysis
		analyze(&a, n.text)
		if len(a.tokens) == 0 {
			return byID, nil
		}
		words := make([]query.Query, len(a.tokens))
		for i := range a.tokens {
			words[i] = termQuery(fieldAttrs, attrName+string(a.foldedTerm(&a.tokens[i])))
		}
		return query.NewDisjunctionQuery([]query.Query{byID, query.NewConjunctionQuery(words)}), nil
	case "to":
		return termQuery(fieldAttrs, attrTo+n.text), nil
	case "account":
		return termQuery(fieldFacets, facetAccount+n.text), nil
	case "conversation":
		q := query.NewPrefixQuery(facetConversation + n.text + "\x00")
		q.SetField(fieldFacets)
		return q, nil
	case "kind":
		return termQuery(fieldFacets, facetKind+n.text), nil
	case "source":
		return termQuery(fieldAttrs, attrSource+n.text), nil
	case "has":
		return termQuery(fieldAttrs, attrHas+n.text), nil
	case "tag":
		return termQuery(fieldAttrs, attrTag+n.text), nil
	case "custodian":
		return b.buildCustodian(n)
	case "phone":
		return termQuery(fieldAttrs, attrPhone+n.text), nil
	case "money":
		return newMoneyQuery(n.low, n.high), nil
	case "card":
		return termQuery(fieldAttrs, attrCard+n.text), nil
	case "bank":
		return termQuery(fieldAttrs, attrBank+n.text), nil
	case "email":
		return termQuery(fieldAttrs, attrEmail+n.text), nil
	case "url":
		terms, ok := urlQueryTerms(n.text)
		if !ok {
			panic("index: internal error: url: value not checked by the parser")
		}
		if len(terms) == 1 {
			return termQuery(fieldAttrs, terms[0]), nil
		}
		alternatives := make([]query.Query, len(terms))
		for i, term := range terms {
			alternatives[i] = termQuery(fieldAttrs, term)
		}
		return query.NewDisjunctionQuery(alternatives), nil
	case "after":
		return newTimeRangeQuery(n.date, time.Time{}), nil
	case "before":
		return newTimeRangeQuery(time.Time{}, n.date), nil
	}
	panic("index: internal error: unknown query field " + n.field)
}

// buildCustodian returns the query of custodian:NAME: the messages of any
// of the custodian's accounts sent within the span of that account.
func (b *queryBuilder) buildCustodian(n *node) (query.Query, error) {
	if b.custodian == nil {
		return nil, &SyntaxError{
			Pos:      n.column,
			Expected: `a field this search supports ("custodian:" needs a custodian list, and none is configured)`,
			Got:      `"custodian:"`,
		}
	}
	spans, err := b.custodian(n.text)
	if errors.Is(err, ErrUnknownCustodian) {
		return nil, &SyntaxError{Pos: n.valueColumn, Expected: `a known custodian after "custodian:"`, Got: fmt.Sprintf("%q", n.text), Err: err}
	}
	if err != nil {
		return nil, fmt.Errorf("query: custodian %q: %w", n.text, err)
	}
	if b.spans == nil {
		b.spans = make(map[string][]CustodianSpan)
	}
	b.spans[n.text] = spans

	var alternatives []query.Query
	for _, span := range spans {
		if span.Account == "" {
			continue
		}
		account := termQuery(fieldFacets, facetAccount+span.Account)
		if span.From.IsZero() && span.To.IsZero() {
			alternatives = append(alternatives, account)
			continue
		}
		alternatives = append(alternatives, query.NewConjunctionQuery([]query.Query{account, newTimeRangeQuery(span.From, span.To)}))
	}
	switch len(alternatives) {
	case 0:
		return query.NewMatchNoneQuery(), nil
	case 1:
		return alternatives[0], nil
	}
	return query.NewDisjunctionQuery(alternatives), nil
}

// newMoneyQuery returns the query of the messages with an amount from low
// to high VND, both included: a range over the fixed-width money terms.
func newMoneyQuery(low, high int64) query.Query {
	low, high = max(low, 0), min(high, maxMoney)
	if low > high {
		return query.NewMatchNoneQuery()
	}
	inclusive := true
	q := query.NewTermRangeInclusiveQuery(moneyTerm(low), moneyTerm(high), &inclusive, &inclusive)
	q.SetField(fieldAttrs)
	return q
}

func termQuery(field, term string) *query.TermQuery {
	q := query.NewTermQuery(term)
	q.SetField(field)
	return q
}

// timeSpan is a range of send times in microseconds since 1970-01-01 UTC,
// from included to to excluded, saturated at the int64 range for an open
// side. It is empty when from >= to.
type timeSpan struct {
	from, to int64
}

var allTime = timeSpan{from: math.MinInt64, to: math.MaxInt64}

func (s timeSpan) empty() bool { return s.from >= s.to }

func (s timeSpan) intersect(o timeSpan) timeSpan {
	return timeSpan{from: max(s.from, o.from), to: min(s.to, o.to)}
}

// hull returns the smallest span that holds s and o.
func (s timeSpan) hull(o timeSpan) timeSpan {
	switch {
	case s.empty():
		return o
	case o.empty():
		return s
	}
	return timeSpan{from: min(s.from, o.from), to: max(s.to, o.to)}
}

// newTimeSpan returns the span from from to to. A zero time leaves that
// side open.
func newTimeSpan(from, to time.Time) timeSpan {
	s := allTime
	if !from.IsZero() {
		s.from = unixMicros(from)
	}
	if !to.IsZero() {
		s.to = unixMicros(to)
	}
	return s
}

// timeSpan returns a span that holds the send time of every message with a
// send time that n matches. Only after:, before: and custodian: bound it.
// It must run after build, which resolves the custodians.
func (b *queryBuilder) timeSpan(n *node) timeSpan {
	switch n.kind {
	case nodeAnd:
		s := allTime
		for _, child := range n.children {
			if child.kind != nodeNot {
				s = s.intersect(b.timeSpan(child))
			}
		}
		return s
	case nodeOr:
		var s timeSpan // empty
		for _, child := range n.children {
			s = s.hull(b.timeSpan(child))
		}
		return s
	case nodeField:
		switch n.field {
		case "after":
			return newTimeSpan(n.date, time.Time{})
		case "before":
			return newTimeSpan(time.Time{}, n.date)
		case "custodian":
			var s timeSpan // empty
			for _, span := range b.spans[n.text] {
				if span.Account != "" {
					s = s.hull(newTimeSpan(span.From, span.To))
				}
			}
			return s
		}
	}
	return allTime
}

// exactScorer scores the exact form of a query word: the amount that a
// message with the form adds to its score. It is the score of a term of
// frequency 1 and norm 1, boosted by exactBoost, with the folded term's
// document frequency, because the index keeps no count of the messages
// with a form. So every message with the form gains the same amount.
type exactScorer struct {
	scorer *scorer.TermQueryScorer
	score  float64
}

func newExactScorer(term []byte, docs, withTerm uint64, options search.SearcherOptions) exactScorer {
	return exactScorer{scorer: scorer.NewTermQueryScorer(term, fieldText, exactBoost, docs, withTerm, 0, options)}
}

func (e *exactScorer) setQueryNorm(qnorm float64) {
	e.scorer.SetQueryNorm(qnorm)
	once := bleveindex.TermFieldDoc{Freq: 1, Norm: 1}
	ctx := &search.SearchContext{DocumentMatchPool: search.NewDocumentMatchPool(1, 0)}
	e.score = e.scorer.Score(ctx, &once).Score
}

// hasForm reports whether any of a word's locations has the exact form
// of code (see textField).
func hasForm(vectors []*bleveindex.TermFieldVector, code uint64) bool {
	for _, v := range vectors {
		if len(v.ArrayPositions) == 2 && v.ArrayPositions[1] == code {
			return true
		}
	}
	return false
}

// termsQuery matches the documents with any of terms in field, through
// one multi-term searcher, as bleve's own term range query does.
type termsQuery struct {
	field string
	terms [][]byte
}

func (q *termsQuery) Searcher(ctx context.Context, r bleveindex.IndexReader, _ mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	return searcher.NewMultiTermSearcherBytes(ctx, r, q.terms, q.field, 1.0, options, true)
}

// wordQuery matches the messages whose text has a word's folded form,
// and scores them as a disjunction of the folded term and the word's exact
// form would. A message without the form gets the folded term's score,
// halved by the coordination factor. One with it gets the sum of that
// score and the form's (see exactScorer). The searcher reads the folded term's
// locations, which carry the form codes (see textField), so one posting
// list serves both.
type wordQuery struct {
	folded string
	form   uint64 // formCode of the word's exact term
}

func (q *wordQuery) Searcher(ctx context.Context, r bleveindex.IndexReader, _ mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	if options.Score == "none" {
		return searcher.NewTermSearcher(ctx, r, q.folded, fieldText, 1.0, options)
	}
	if err := search.RecordTermSearcher(ctx); err != nil {
		return nil, err
	}
	bound := ctx != nil && ctx.Value(boundFormsKey{}) != nil && !options.IncludeTermVectors && !options.Explain
	term := []byte(q.folded)
	reader, err := r.TermFieldReader(ctx, term, fieldText, true, true, !bound)
	if err != nil {
		return nil, err
	}
	docs, err := r.DocCount()
	if err != nil {
		reader.Close()
		return nil, err
	}
	s := &wordSearcher{
		reader:        reader,
		form:          q.form,
		bound:         bound,
		withLocations: options.IncludeTermVectors,
		explain:       options.Explain,
		folded:        scorer.NewTermQueryScorer(term, fieldText, 1.0, docs, reader.Count(), 0, options),
		exact:         newExactScorer(term, docs, reader.Count(), options),
	}
	// As a disjunction searcher does, normalise by the children's weights.
	s.SetQueryNorm(1.0 / math.Sqrt(s.Weight()))
	return s, nil
}

// boundFormsKey, set in the context of a search, makes the wordQuery
// searchers of the search read no locations and score every match as if
// its message had the exact form: an upper bound of its score. A search
// that sets it must find the exact score of each hit that the bound does
// not rule out, as topHits does. Reading the locations of a common word in
// every message that has it made such searches two to three times slower
// at one million messages.
type boundFormsKey struct{}

// scoresByBound reports whether q scores some match by a bound under
// boundFormsKey: whether a wordQuery contributes to its score. A filter or
// a negated clause does not.
func scoresByBound(q query.Query) bool {
	switch q := q.(type) {
	case *wordQuery:
		return true
	case *query.ConjunctionQuery:
		return slices.ContainsFunc(q.Conjuncts, scoresByBound)
	case *query.DisjunctionQuery:
		return slices.ContainsFunc(q.Disjuncts, scoresByBound)
	case *query.BooleanQuery:
		return (q.Must != nil && scoresByBound(q.Must)) || (q.Should != nil && scoresByBound(q.Should))
	}
	return false
}

// withoutFilters returns q with the filters of its boolean queries left
// out where the query still has a clause that scores. Filters do not
// change a score, so the searcher of exact scores (see topHits), which is
// advanced only to messages that match q, can skip building them.
func withoutFilters(q query.Query) query.Query {
	switch q := q.(type) {
	case *query.ConjunctionQuery:
		c := *q
		c.Conjuncts = mapQueries(q.Conjuncts, withoutFilters)
		return &c
	case *query.DisjunctionQuery:
		d := *q
		d.Disjuncts = mapQueries(q.Disjuncts, withoutFilters)
		return &d
	case *query.BooleanQuery:
		b := *q
		if b.Must != nil {
			b.Must = withoutFilters(b.Must)
		}
		if b.Should != nil {
			b.Should = withoutFilters(b.Should)
		}
		if b.Must != nil || b.Should != nil {
			b.Filter = nil
		}
		return &b
	}
	return q
}

func mapQueries(qs []query.Query, f func(query.Query) query.Query) []query.Query {
	out := make([]query.Query, len(qs))
	for i, q := range qs {
		out[i] = f(q)
	}
	return out
}

// wordSearcher is the searcher of a wordQuery.
type wordSearcher struct {
	reader bleveindex.TermFieldReader
	tfd    bleveindex.TermFieldDoc
	form   uint64
	// bound scores each match as if it had the form (see boundFormsKey).
	bound         bool
	withLocations bool
	explain       bool
	folded        *scorer.TermQueryScorer
	exact         exactScorer
}

func (s *wordSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	match, err := s.reader.Next(s.tfd.Reset())
	return s.score(ctx, match, err)
}

func (s *wordSearcher) Advance(ctx *search.SearchContext, id bleveindex.IndexInternalID) (*search.DocumentMatch, error) {
	match, err := s.reader.Advance(id, s.tfd.Reset())
	return s.score(ctx, match, err)
}

// score returns the scored match of a reader's match, nil at the end.
func (s *wordSearcher) score(ctx *search.SearchContext, tfd *bleveindex.TermFieldDoc, err error) (*search.DocumentMatch, error) {
	if tfd == nil || err != nil {
		return nil, err
	}
	has := s.bound || hasForm(tfd.Vectors, s.form)
	if !s.withLocations {
		// The scorer turns vectors into the match's locations. A copy
		// without them keeps tfd's vectors for the reader to reuse.
		scored := *tfd
		scored.Vectors = nil
		tfd = &scored
	}
	match := s.folded.Score(ctx, tfd)
	folded := match.Expl
	if has {
		match.Score += s.exact.score
	} else {
		match.Score *= 0.5
	}
	if s.explain {
		message := "word without its exact form, coordination 1/2, of:"
		if has {
			message = "word with its exact form, sum of the folded term and the form:"
		}
		match.Expl = &search.Explanation{Value: match.Score, Message: message, Children: []*search.Explanation{folded}}
	}
	return match, nil
}

func (s *wordSearcher) Weight() float64 { return s.folded.Weight() + s.exact.scorer.Weight() }

func (s *wordSearcher) SetQueryNorm(qnorm float64) {
	s.folded.SetQueryNorm(qnorm)
	s.exact.setQueryNorm(qnorm)
}

func (s *wordSearcher) Close() error               { return s.reader.Close() }
func (s *wordSearcher) Count() uint64              { return s.reader.Count() }
func (s *wordSearcher) Min() int                   { return 0 }
func (s *wordSearcher) DocumentMatchPoolSize() int { return 1 }
func (s *wordSearcher) Size() int {
	return s.reader.Size() + s.tfd.Size() + s.folded.Size() + s.exact.scorer.Size()
}
