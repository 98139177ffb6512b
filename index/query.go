package index

import (
	"context"
	"errors"
	"fmt"
	"math"
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
// A word is the disjunction of its folded term and, when it has marks, its
// exact form. Every message with the exact form also has the folded term, so
// the disjunction matches what the folded term matches, and a message that
// has both scores the sum of both instead of half the folded score (bleve's
// coordination factor). A phrase must match its words in order, which
// phraseQuery finds, and each exact form of its words that a match has
// adds to its score. No boolean should-clause is used because, in tests
// against bleve v2.6.3, a BooleanSearcher under a conjunction lost some
// should matches.
func buildText(text string) query.Query {
	var a analysis
	analyze(&a, text)
	if len(a.tokens) == 0 {
		return nil
	}

	if len(a.tokens) == 1 {
		t := &a.tokens[0]
		folded := termQuery(fieldText, string(a.foldedTerm(t)))
		term := a.exactTerm(t)
		if term == nil {
			return folded
		}
		return &wordQuery{folded: folded.Term, exact: string(term)}
	}

	words := make([]string, len(a.tokens))
	for i := range a.tokens {
		words[i] = string(a.foldedTerm(&a.tokens[i]))
	}
	q := &phraseQuery{words: words}
	for i := range a.tokens {
		if term := a.exactTerm(&a.tokens[i]); term != nil {
			q.exact = append(q.exact, string(term))
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
		return termQuery(fieldAttrs, attrConversation+n.text), nil
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

// exactFormQuery matches the messages whose exact field has form, boosted
// by exactBoost, with the score of the same term query on the exact field.
// The exact field is a set of length 1 (see textField.Analyze): every
// message with the form has it once, at a norm of 1, so the query reads
// only which messages have it, not their frequencies and norms. Its
// searcher then skips to a message through the posting list's bitmap,
// where a term searcher decodes the frequency of every message on the way.
// With term searchers, the exact forms took most of the CPU time of the
// phrase "chuyển khoản" on the index of BenchmarkSearch.
type exactFormQuery struct {
	form string
}

func (q *exactFormQuery) Searcher(ctx context.Context, r bleveindex.IndexReader, _ mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	term := []byte(q.form)
	reader, err := r.TermFieldReader(ctx, term, fieldExact, false, false, false)
	if err != nil {
		return nil, err
	}
	count, err := r.DocCount()
	if err != nil {
		reader.Close()
		return nil, err
	}
	return &exactFormSearcher{
		reader: reader,
		scorer: scorer.NewTermQueryScorer(term, fieldExact, exactBoost, count, reader.Count(), 0, options),
	}, nil
}

// exactFormSearcher is the searcher of an exactFormQuery. It scores every
// match as a term searcher scores a term of frequency 1 and norm 1.
type exactFormSearcher struct {
	reader bleveindex.TermFieldReader
	scorer *scorer.TermQueryScorer
	tfd    bleveindex.TermFieldDoc
}

func (s *exactFormSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	match, err := s.reader.Next(s.tfd.Reset())
	return s.score(ctx, match, err)
}

func (s *exactFormSearcher) Advance(ctx *search.SearchContext, id bleveindex.IndexInternalID) (*search.DocumentMatch, error) {
	match, err := s.reader.Advance(id, s.tfd.Reset())
	return s.score(ctx, match, err)
}

// score returns the scored match of a reader's match, nil at the end.
func (s *exactFormSearcher) score(ctx *search.SearchContext, match *bleveindex.TermFieldDoc, err error) (*search.DocumentMatch, error) {
	if match == nil || err != nil {
		return nil, err
	}
	match.Freq, match.Norm = 1, 1
	return s.scorer.Score(ctx, match), nil
}

func (s *exactFormSearcher) Close() error               { return s.reader.Close() }
func (s *exactFormSearcher) Weight() float64            { return s.scorer.Weight() }
func (s *exactFormSearcher) SetQueryNorm(qnorm float64) { s.scorer.SetQueryNorm(qnorm) }
func (s *exactFormSearcher) Count() uint64              { return s.reader.Count() }
func (s *exactFormSearcher) Min() int                   { return 0 }
func (s *exactFormSearcher) DocumentMatchPoolSize() int { return 1 }
func (s *exactFormSearcher) Size() int                  { return s.reader.Size() + s.tfd.Size() + s.scorer.Size() }

// termsQuery matches the documents with any of terms in field, through
// one multi-term searcher, as bleve's own term range query does.
type termsQuery struct {
	field string
	terms [][]byte
}

func (q *termsQuery) Searcher(ctx context.Context, r bleveindex.IndexReader, _ mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	return searcher.NewMultiTermSearcherBytes(ctx, r, q.terms, q.field, 1.0, options, true)
}

// wordQuery matches the messages whose text has a word's folded form. It
// scores them as the disjunction of the folded term and the exact form
// would (see buildText). A message without the exact form gets the folded
// term's score, halved by the coordination factor, and one with it the sum
// of both. Every message with the exact form has the folded term, so the
// folded term's posting list drives the search, and the searcher only
// checks whether the exact form's bitmap contains each match. A disjunction
// searcher would merge both posting lists, hit by hit.
type wordQuery struct {
	folded, exact string
}

func (q *wordQuery) Searcher(ctx context.Context, r bleveindex.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	if options.Score == "none" || options.Explain {
		disjunction := query.NewDisjunctionQuery([]query.Query{termQuery(fieldText, q.folded), &exactFormQuery{form: q.exact}})
		return disjunction.Searcher(ctx, r, m, options)
	}
	folded, err := searcher.NewTermSearcher(ctx, r, q.folded, fieldText, 1.0, options)
	if err != nil {
		return nil, err
	}
	exact, err := (&exactFormQuery{form: q.exact}).Searcher(ctx, r, m, options)
	if err != nil {
		folded.Close()
		return nil, err
	}
	s := &wordSearcher{folded: folded, exact: exact.(*exactFormSearcher)}
	// As a disjunction searcher does, normalise by the children's weights.
	s.SetQueryNorm(1.0 / math.Sqrt(s.Weight()))
	return s, nil
}

// wordSearcher is the searcher of a wordQuery.
type wordSearcher struct {
	folded search.Searcher
	exact  *exactFormSearcher
	// exactScore is the score that the exact form adds, the same for every
	// message (see exactFormSearcher).
	exactScore float64
	cursor     exactCursor
}

// exactCursor finds which matches of a search, in increasing order, have
// an exact form, by reading the form's posting list alongside them.
// Bleve's term reader starts again from the first message when asked to
// seek to a message at or before its own, so the cursor seeks only when
// the form's next message is behind the match.
type exactCursor struct {
	// next is the internal ID of the next message with the form at or
	// after the last match, unless end is set: no such message is left.
	// read is set once the reader was first read.
	next bleveindex.IndexInternalID
	end  bool
	read bool
	tfd  bleveindex.TermFieldDoc
}

// has reports whether the message of id has the form. stepped is set when
// no message with the form lies between the last match and id, so that
// the reader may step to its next message instead of seeking.
func (c *exactCursor) has(reader bleveindex.TermFieldReader, id bleveindex.IndexInternalID, stepped bool) (bool, error) {
	if !c.read || (!c.end && c.next.Compare(id) < 0) {
		var next *bleveindex.TermFieldDoc
		var err error
		if stepped && c.read {
			next, err = reader.Next(c.tfd.Reset())
		} else {
			next, err = reader.Advance(id, c.tfd.Reset())
		}
		if err != nil {
			return false, err
		}
		c.read = true
		c.end = next == nil
		if next != nil {
			c.next = append(c.next[:0], next.ID...)
		}
	}
	return !c.end && c.next.Equals(id), nil
}

func (s *wordSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	match, err := s.folded.Next(ctx)
	return s.score(match, err, true)
}

func (s *wordSearcher) Advance(ctx *search.SearchContext, id bleveindex.IndexInternalID) (*search.DocumentMatch, error) {
	match, err := s.folded.Advance(ctx, id)
	return s.score(match, err, false)
}

// score adds the exact form's score to a match with the exact form, and
// halves the score of a match without it. After a Next of the folded term,
// the exact form's next message cannot come before the match, because every
// message with the exact form has the folded term and the last one was
// consumed. So stepped is set then, and the reader steps with Next instead
// of seeking.
func (s *wordSearcher) score(match *search.DocumentMatch, err error, stepped bool) (*search.DocumentMatch, error) {
	if match == nil || err != nil {
		return match, err
	}
	has, err := s.cursor.has(s.exact.reader, match.IndexInternalID, stepped)
	if err != nil {
		return nil, err
	}
	if has {
		match.Score += s.exactScore
	} else {
		match.Score *= 0.5
	}
	return match, nil
}

func (s *wordSearcher) Weight() float64 { return s.folded.Weight() + s.exact.Weight() }

func (s *wordSearcher) SetQueryNorm(qnorm float64) {
	s.folded.SetQueryNorm(qnorm)
	s.exact.SetQueryNorm(qnorm)
	one := bleveindex.TermFieldDoc{Freq: 1, Norm: 1}
	ctx := &search.SearchContext{DocumentMatchPool: search.NewDocumentMatchPool(1, 0)}
	s.exactScore = s.exact.scorer.Score(ctx, &one).Score
}

func (s *wordSearcher) Close() error {
	return errors.Join(s.folded.Close(), s.exact.Close())
}

func (s *wordSearcher) Count() uint64              { return s.folded.Count() }
func (s *wordSearcher) Min() int                   { return 0 }
func (s *wordSearcher) DocumentMatchPoolSize() int { return s.folded.DocumentMatchPoolSize() }
func (s *wordSearcher) Size() int                  { return s.folded.Size() + s.exact.Size() + len(s.cursor.next) }
