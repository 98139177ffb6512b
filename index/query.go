package index

import (
	"time"

	"github.com/blevesearch/bleve/v2/search/query"
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
//	-spam  -"mã OTP"     the word or phrase must not match
//	a OR b               either; OR binds tighter than the implicit AND
//	(a OR b) c           parentheses group
//	from:u123            sender id exactly, or words of the sender's name
//	from:"Nguyễn An"     a quoted value may hold spaces
//	account:cskh-hn-01   archived messaging account, exactly
//	conversation:g42     conversation id, exactly
//	kind:image           message kind (chat.Kinds), any case
//	source:zalo          chat platform, any case
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
}

// ParseQueryOptions is ParseQuery with options.
func ParseQueryOptions(q string, opts QueryOptions) (query.Query, error) {
	loc := opts.Location
	if loc == nil {
		loc = defaultLocation()
	}
	tree, err := parseTree(q, loc)
	if err != nil {
		return nil, err
	}
	built := buildQuery(tree, !opts.NoShorthand)
	if built == nil {
		return query.NewMatchNoneQuery(), nil
	}
	return built, nil
}

// buildQuery returns the bleve query of n, or nil when n has nothing to
// search for (only words without letters or digits). expand turns on chat
// shorthand expansion of the bare words of n.
func buildQuery(n *node, expand bool) query.Query {
	switch n.kind {
	case nodeAnd:
		return buildAnd(n.children, expand)
	case nodeOr:
		var alternatives []query.Query
		for _, child := range n.children {
			if q := buildQuery(child, expand); q != nil {
				alternatives = append(alternatives, q)
			}
		}
		switch len(alternatives) {
		case 0:
			return nil
		case 1:
			return alternatives[0]
		}
		return query.NewDisjunctionQuery(alternatives)
	case nodeNot:
		// An exclusion outside a sequence, as in "a OR -b".
		return buildAnd([]*node{n}, expand)
	case nodeText:
		if n.phrase {
			return buildText(n.text)
		}
		return buildWord(n.text, expand && !n.literal)
	case nodeField:
		return buildField(n)
	}
	panic("index: internal error: unknown query node kind")
}

// buildAnd returns the query that all of children match. Exclusions become
// must-not clauses, and fields become a filter, which selects without adding
// to the score, so ranking depends on the words alone. With no words or
// fields, the query matches every message not excluded.
func buildAnd(children []*node, expand bool) query.Query {
	var must, filters, mustNot []query.Query
	for _, child := range children {
		switch child.kind {
		case nodeNot:
			if q := buildQuery(child.children[0], expand); q != nil {
				mustNot = append(mustNot, q)
			}
		case nodeField:
			filters = append(filters, buildField(child))
		default:
			if q := buildQuery(child, expand); q != nil {
				must = append(must, q)
			}
		}
	}
	if len(must)+len(filters)+len(mustNot) == 0 {
		return nil
	}
	if len(must) == 1 && len(filters) == 0 && len(mustNot) == 0 {
		return must[0]
	}

	b := query.NewBooleanQuery(must, nil, mustNot)
	switch len(filters) {
	case 0:
	case 1:
		b.AddFilter(filters[0])
	default:
		b.AddFilter(query.NewConjunctionQuery(filters))
	}
	return b
}

// buildText returns the query of a word or phrase, or nil when text has no
// letters or digits.
//
// A word is the disjunction of its folded term and, when it has marks, its
// exact form. Every message with the exact form also has the folded term, so
// the disjunction matches what the folded term matches, and a message that
// has both scores the sum of both instead of half the folded score (bleve's
// coordination factor). A phrase must match on the folded terms, and a
// disjunction of its folded terms and exact forms adds the same kind of
// score. No boolean should-clause is used because, in tests against bleve
// v2.6.3, a BooleanSearcher under a conjunction lost some should matches.
func buildText(text string) query.Query {
	var a analysis
	analyze(&a, text)
	if len(a.tokens) == 0 {
		return nil
	}

	var terms []query.Query
	for i := range a.tokens {
		terms = append(terms, termQuery(fieldText, string(a.foldedTerm(&a.tokens[i]))))
	}
	exact := false
	for i := range a.tokens {
		if term := a.exactTerm(&a.tokens[i]); term != nil {
			q := termQuery(fieldExact, string(term))
			q.SetBoost(exactBoost)
			terms = append(terms, q)
			exact = true
		}
	}

	if len(a.tokens) == 1 {
		if !exact {
			return terms[0]
		}
		return query.NewDisjunctionQuery(terms)
	}

	words := make([]string, len(a.tokens))
	for i := range a.tokens {
		words[i] = string(a.foldedTerm(&a.tokens[i]))
	}
	inOrder := query.NewPhraseQuery(words, fieldText)
	if !exact {
		return inOrder
	}
	return query.NewConjunctionQuery([]query.Query{inOrder, query.NewDisjunctionQuery(terms)})
}

// buildField returns the query of a field:value term.
func buildField(n *node) query.Query {
	switch n.field {
	case "from":
		byID := termQuery(fieldAttrs, attrSender+n.text)
		var a analysis
		analyze(&a, n.text)
		if len(a.tokens) == 0 {
			return byID
		}
		words := make([]query.Query, len(a.tokens))
		for i := range a.tokens {
			words[i] = termQuery(fieldAttrs, attrName+string(a.foldedTerm(&a.tokens[i])))
		}
		return query.NewDisjunctionQuery([]query.Query{byID, query.NewConjunctionQuery(words)})
	case "account":
		return termQuery(fieldAttrs, attrAccount+n.text)
	case "conversation":
		return termQuery(fieldAttrs, attrConversation+n.text)
	case "kind":
		return termQuery(fieldAttrs, attrKind+n.text)
	case "source":
		return termQuery(fieldAttrs, attrSource+n.text)
	case "phone":
		return termQuery(fieldAttrs, attrPhone+n.text)
	case "money":
		return newMoneyQuery(n.low, n.high)
	case "card":
		return termQuery(fieldAttrs, attrCard+n.text)
	case "bank":
		return termQuery(fieldAttrs, attrBank+n.text)
	case "email":
		return termQuery(fieldAttrs, attrEmail+n.text)
	case "url":
		terms, ok := urlQueryTerms(n.text)
		if !ok {
			panic("index: internal error: url: value not checked by the parser")
		}
		if len(terms) == 1 {
			return termQuery(fieldAttrs, terms[0])
		}
		alternatives := make([]query.Query, len(terms))
		for i, term := range terms {
			alternatives[i] = termQuery(fieldAttrs, term)
		}
		return query.NewDisjunctionQuery(alternatives)
	case "after":
		return newSentAtQuery(n.date, time.Time{})
	case "before":
		return newSentAtQuery(time.Time{}, n.date)
	}
	panic("index: internal error: unknown query field " + n.field)
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
