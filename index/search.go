package index

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"chatseal/chat"
)

// SearchOptions selects a page of results.
type SearchOptions struct {
	// Limit is the number of hits to return, at most MaxLimit. Zero means
	// DefaultLimit.
	Limit int
	// Offset is the number of best hits to skip. Offset+Limit is at most
	// MaxWindow. Offset must be zero with After.
	Offset int
	// After is Result.Next of the previous page: the page starts after the
	// last hit of that page. It must come from a search with the same Sort.
	// Pages never repeat or skip a hit while the index does not change,
	// and there is no window limit. Empty means the first page.
	After string
	// Sort orders the hits. The zero value is SortRelevance.
	Sort Sort
	// NoShorthand turns off the expansion of chat abbreviations (see
	// ParseQuery). The zero value expands them.
	NoShorthand bool
	// Scope restricts the search to some accounts. Nil searches every
	// account. The restriction is part of the query, so Total and Facets
	// count only the messages in scope, whatever the query names.
	Scope *Scope
	// Custodian resolves custodian: in the query, as QueryOptions.Custodian
	// does.
	Custodian func(name string) ([]CustodianSpan, error)
	// Highlight fills Hit.Spans.
	Highlight bool
	// Facets fills Result.Facets.
	Facets bool
	// FacetLimit is the number of values each facet lists, at most
	// MaxFacetLimit. Zero means DefaultFacetLimit.
	FacetLimit int
}

// Scope is the set of messages a search may see: the messages of Accounts,
// and the messages of each span's account sent within the span (a
// custodian's tenure of an account).
type Scope struct {
	// Accounts are the accounts whose messages may match.
	Accounts []string
	// Spans are accounts whose messages may match only within a time
	// range. A span with a zero From and To is the whole account.
	Spans []CustodianSpan
	// Conversations, when not nil, narrows the scope to the conversations
	// with these ids within Accounts and Spans. An empty, non-nil list
	// matches nothing.
	Conversations []string
}

// A Scope with no accounts and no spans matches nothing.

// Contains reports whether the scope lets a search see m, by the same rules
// as the scope's query: for the messages a caller shows beside the hits,
// such as the neighbours of a hit in its conversation. A nil scope
// contains every message.
func (s *Scope) Contains(m *chat.Message) bool {
	if s == nil {
		return true
	}
	inConversations := func(spanConversations []string) bool {
		if s.Conversations != nil && !slices.Contains(s.Conversations, m.Conversation) {
			return false
		}
		return spanConversations == nil || slices.Contains(spanConversations, m.Conversation)
	}
	if slices.Contains(s.Accounts, m.Account) && inConversations(nil) {
		return true
	}
	for _, span := range s.Spans {
		if span.Account != m.Account || !inConversations(span.Conversations) {
			continue
		}
		if !span.From.IsZero() && m.SentAt.Before(span.From) {
			continue
		}
		if !span.To.IsZero() && !m.SentAt.Before(span.To) {
			continue
		}
		return true
	}
	return false
}

// Sort is the order of the hits of a search.
type Sort uint8

const (
	// SortRelevance orders hits by descending score, then by ascending
	// send time and ID.
	SortRelevance Sort = iota
	// SortNewest orders hits by descending send time, then by descending
	// ID. Messages without a send time come last.
	SortNewest
	// SortOldest orders hits by ascending send time, then by ascending
	// ID. Messages without a send time come first.
	SortOldest
)

var sortNames = []string{"relevance", "newest", "oldest"}

// String returns the name of s: relevance, newest or oldest.
func (s Sort) String() string {
	if int(s) < len(sortNames) {
		return sortNames[s]
	}
	return "Sort(" + strconv.Itoa(int(s)) + ")"
}

// ParseSort returns the Sort named name: relevance, newest or oldest.
func ParseSort(name string) (Sort, error) {
	if i := slices.Index(sortNames, name); i >= 0 {
		return Sort(i), nil
	}
	return 0, fmt.Errorf("index: %w %q, expected relevance, newest or oldest", ErrInvalidSort, name)
}

// Result is one page of a search.
type Result struct {
	// Total counts every matching message, not only those in Hits.
	Total uint64
	// Hits are in the order of SearchOptions.Sort.
	Hits []Hit
	// Next is the SearchOptions.After of the next page. It is empty when
	// no hit follows this page, even when the page is full.
	Next string
	// Facets counts the matching messages by attribute. It is set when
	// SearchOptions.Facets is.
	Facets *Facets
}

// Hit is one matching message. The caller reads the message itself from its
// catalog by ID; the index stores no message content.
type Hit struct {
	ID    string
	Score float64
	// Spans are the words of the message's Text that matched, in order,
	// as byte offsets into the Text, whether their folded or exact form
	// matched. Words that matched in IndexText or attachment names are not
	// listed, and neither are entities that a field matched (phone:,
	// money: and the others). Set when SearchOptions.Highlight is.
	Spans []Span
}

// Search runs the query q (see ParseQuery for its language) and returns
// one page of hits. It reads only the shards that the time bounds of q
// can reach. A malformed query returns a *SyntaxError.
func (x *Index) Search(ctx context.Context, q string, opts SearchOptions) (*Result, error) {
	limit := opts.Limit
	if limit == 0 {
		limit = DefaultLimit
	}
	if limit < 0 || limit > MaxLimit {
		return nil, fmt.Errorf("index: search: invalid limit %d, expected 0 to %d", opts.Limit, MaxLimit)
	}
	if opts.Offset < 0 || opts.Offset+limit > MaxWindow {
		return nil, fmt.Errorf("index: search: invalid offset %d, expected 0 to %d with limit %d", opts.Offset, MaxWindow-limit, limit)
	}
	if opts.After != "" && opts.Offset != 0 {
		return nil, fmt.Errorf("index: search: offset %d given with a cursor; use one or the other", opts.Offset)
	}
	if int(opts.Sort) >= len(sortNames) {
		return nil, fmt.Errorf("index: search: invalid sort %d", opts.Sort)
	}
	facetLimit := opts.FacetLimit
	if facetLimit == 0 {
		facetLimit = DefaultFacetLimit
	}
	if facetLimit < 0 || facetLimit > MaxFacetLimit {
		return nil, fmt.Errorf("index: search: invalid facet limit %d, expected 0 to %d", opts.FacetLimit, MaxFacetLimit)
	}
	var after []string
	if opts.After != "" {
		var err error
		if after, err = decodeCursor(opts.After, opts.Sort, searchKey(q, opts)); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidCursor, err)
		}
	}

	bq, span, err := compileQuery(q, QueryOptions{Location: x.loc, NoShorthand: opts.NoShorthand, Custodian: opts.Custodian})
	if err != nil {
		return nil, err
	}
	if scope := opts.Scope.query(); scope != nil {
		scoped := query.NewBooleanQuery([]query.Query{bq}, nil, nil)
		scoped.AddFilter(scope)
		bq = scoped
	}

	// One hit more than the page shows whether a next page exists.
	req := bleve.NewSearchRequestOptions(bq, limit+1, opts.Offset, false)
	req.SortByCustom(sortOrder(opts.Sort))
	req.SearchAfter = after
	req.IncludeLocations = opts.Highlight
	// Relevance, the usual order, is collected by topHits (see there).
	var top *topHits
	if opts.Sort == SortRelevance {
		top = &topHits{size: opts.Offset + limit + 1}
		if after != nil {
			score, _ := strconv.ParseFloat(after[0], 64)
			top.after = &relevanceKey{score: score, id: after[1]}
		}
		req.Size, req.From, req.SearchAfter = opts.Offset+limit+1, 0, nil
		req.SortByCustom(search.SortOrder{&search.SortScore{Desc: true}})
		if !opts.Highlight && scoresByBound(bq) {
			// Highlighting reads every word's locations anyway.
			top.exact = &exactSearch{ctx: ctx, query: withoutFilters(bq), mapping: searchMapping}
			ctx = context.WithValue(ctx, boundFormsKey{}, true)
		}
		ctx = context.WithValue(ctx, search.MakeDocumentMatchHandlerKey, top.handlerMaker())
	}
	if opts.Facets {
		addFacetRequests(req, facetLimit)
	}

	// The read lock keeps the shards open until the search ends.
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.mu.closed {
		return nil, fmt.Errorf("index: search %s: %w", x.path, bleve.ErrorIndexClosed)
	}
	shards, err := pruneShards(ctx, x.shardsFor(span), requiredTerms(bq))
	if err != nil {
		return nil, fmt.Errorf("index: search %s: %w", x.path, err)
	}
	if len(shards) == 0 {
		return emptyResult(opts.Facets), nil
	}
	res, err := bleve.NewIndexAlias(shards...).SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("index: search %s: %w", x.path, err)
	}
	if res.Status != nil && len(res.Status.Errors) > 0 {
		errs := make([]error, 0, len(res.Status.Errors))
		for shard, err := range res.Status.Errors {
			errs = append(errs, fmt.Errorf("shard %s: %w", shard, err))
		}
		return nil, fmt.Errorf("index: search %s: %w", x.path, errors.Join(errs...))
	}

	hits := res.Hits
	if top != nil {
		hits = top.merge()
		hits = hits[min(opts.Offset, len(hits)):]
	}
	more := len(hits) > limit
	hits = hits[:min(limit, len(hits))]
	if top != nil && opts.Highlight {
		for _, h := range hits {
			h.Complete(nil)
		}
	}
	out := &Result{Total: res.Total, Hits: make([]Hit, len(hits))}
	for i, h := range hits {
		out.Hits[i] = Hit{ID: messageID(h.ID), Score: h.Score}
		if opts.Highlight {
			out.Hits[i].Spans = textSpans(h.Locations)
		}
	}
	if more {
		out.Next = encodeCursor(opts.Sort, hits[len(hits)-1], searchKey(q, opts))
	}
	if opts.Facets {
		out.Facets = readFacets(res, facetLimit)
	}
	return out, nil
}

// shardsIn returns the Bleve indexes of shardsFor(span). The caller holds
// x.mu.
func (x *Index) shardsIn(span timeSpan) []bleve.Index {
	var out []bleve.Index
	for _, s := range x.shardsFor(span) {
		out = append(out, s.idx)
	}
	return out
}

// shardsFor returns the shards that may hold messages sent within span.
// The first and the last possible shard also hold the messages sent before
// or after their quarter. The caller holds x.mu.
func (x *Index) shardsFor(span timeSpan) []*shard {
	if span.empty() {
		return nil
	}
	first, last := shardNameOf(time.Time{}), shardNameOf(time.Date(maxShardYear+1, 1, 1, 0, 0, 0, 0, time.UTC))
	var out []*shard
	for _, s := range x.mu.shards {
		quarter := timeSpan{from: unixMicros(s.start), to: unixMicros(s.end)}
		if s.name == first {
			quarter.from = allTime.from
		}
		if s.name == last {
			quarter.to = allTime.to
		}
		if !quarter.intersect(span).empty() {
			out = append(out, s)
		}
	}
	return out
}

// emptyResult is the result of a search that no shard can match.
func emptyResult(facets bool) *Result {
	r := &Result{Hits: []Hit{}}
	if facets {
		r.Facets = &Facets{}
	}
	return r
}

// sortOrder returns the bleve sort order of s. Every order ends with the
// document ID, so that it is total and a cursor names one position. A
// document ID starts with the send time (see docID), so the time sorts
// sort by it alone.
func sortOrder(s Sort) search.SortOrder {
	switch s {
	case SortNewest, SortOldest:
		return search.SortOrder{&search.SortDocID{Desc: s == SortNewest}}
	}
	return search.SortOrder{&search.SortScore{Desc: true}, &search.SortDocID{}}
}

// cursor is the content of Result.Next: the sort it was made for, the
// search it continues (searchKey) and the sort keys of the last hit, as
// bleve's SearchAfter reads them.
type cursor struct {
	Version int      `json:"v"`
	Sort    string   `json:"s"`
	Search  string   `json:"q"`
	Keys    []string `json:"k"`
}

// cursorVersion 3 has document IDs (see docID), where version 2 had
// message IDs and the time sorts' numeric keys.
const cursorVersion = 3

// searchKey identifies the search a cursor continues: a hash of the query,
// the shorthand switch and the scope. A cursor of another search would
// start its page at an unrelated position and skip hits.
func searchKey(q string, opts SearchOptions) string {
	h := fnv.New64a()
	fmt.Fprintf(h, "%q %t", q, opts.NoShorthand)
	if s := opts.Scope; s != nil {
		fmt.Fprintf(h, " %q %q", s.Accounts, s.Conversations)
		for _, span := range s.Spans {
			fmt.Fprintf(h, " %q %d %d %q", span.Account, span.From.UnixMicro(), span.To.UnixMicro(), span.Conversations)
		}
	}
	return strconv.FormatUint(h.Sum64(), 36)
}

// encodeCursor returns the cursor that starts the page after hit: base64url
// of the JSON form of cursor. For SortRelevance the keys are the score,
// written so that it parses back to the same float64, and the document ID;
// for the time sorts the document ID alone.
func encodeCursor(s Sort, hit *search.DocumentMatch, key string) string {
	c := cursor{Version: cursorVersion, Sort: s.String(), Search: key}
	switch s {
	case SortRelevance:
		c.Keys = []string{strconv.FormatFloat(hit.Score, 'g', -1, 64), hit.ID}
	default:
		c.Keys = []string{hit.ID}
	}
	data, err := json.Marshal(c)
	if err != nil {
		panic("index: internal error: encode cursor: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(data)
}

// decodeCursor returns the SearchAfter keys of a cursor, or an error when
// the cursor is malformed or was made for another sort than s.
func decodeCursor(text string, s Sort, key string) ([]string, error) {
	data, err := base64.RawURLEncoding.DecodeString(text)
	if err != nil {
		return nil, fmt.Errorf("index: search: invalid cursor: not base64url: %w", err)
	}
	var c cursor
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("index: search: invalid cursor: %w", err)
	}
	if c.Version != cursorVersion {
		return nil, fmt.Errorf("index: search: invalid cursor: version %d, expected %d", c.Version, cursorVersion)
	}
	if c.Sort != s.String() {
		return nil, fmt.Errorf("index: search: the cursor is for sort %q, the search sorts by %q; search again without the cursor", c.Sort, s)
	}
	if c.Search != key {
		return nil, errors.New("index: search: the cursor is for another query or scope; search again without the cursor")
	}
	if s != SortRelevance {
		if len(c.Keys) != 1 || len(c.Keys[0]) <= docTimeDigits {
			return nil, fmt.Errorf("index: search: invalid cursor: %d keys, expected a document ID", len(c.Keys))
		}
		return c.Keys, nil
	}
	if len(c.Keys) != 2 || len(c.Keys[1]) <= docTimeDigits {
		return nil, fmt.Errorf("index: search: invalid cursor: %d keys, expected a score and a document ID", len(c.Keys))
	}
	if _, err := strconv.ParseFloat(c.Keys[0], 64); err != nil {
		return nil, fmt.Errorf("index: search: invalid cursor: sort key %q is not a number", c.Keys[0])
	}
	return c.Keys, nil
}

// query returns the filter of the scope, or nil for a nil scope.
func (s *Scope) query() query.Query {
	if s == nil {
		return nil
	}
	if (len(s.Accounts) == 0 && len(s.Spans) == 0) || (s.Conversations != nil && len(s.Conversations) == 0) {
		return query.NewMatchNoneQuery()
	}
	// accountTerms returns the terms of an account's messages, or of those
	// in some of its conversations when the scope or the span names them.
	accountTerms := func(account string, spanConversations []string) [][]byte {
		conversations := s.Conversations
		if spanConversations != nil {
			conversations = spanConversations
			if s.Conversations != nil {
				conversations = slices.DeleteFunc(slices.Clone(conversations), func(c string) bool { return !slices.Contains(s.Conversations, c) })
			}
		}
		if conversations == nil {
			return [][]byte{[]byte(facetAccount + account)}
		}
		var terms [][]byte
		for _, conversation := range conversations {
			terms = append(terms, appendConversationTerm(nil, account, conversation))
		}
		return terms
	}
	var alternatives []query.Query
	var terms [][]byte
	for _, account := range s.Accounts {
		terms = append(terms, accountTerms(account, nil)...)
	}
	if len(terms) > 0 {
		alternatives = append(alternatives, &termsQuery{field: fieldFacets, terms: terms})
	}
	for _, span := range s.Spans {
		if span.Account == "" {
			continue
		}
		spanTerms := accountTerms(span.Account, span.Conversations)
		if len(spanTerms) == 0 {
			continue
		}
		account := &termsQuery{field: fieldFacets, terms: spanTerms}
		if span.From.IsZero() && span.To.IsZero() {
			alternatives = append(alternatives, account)
			continue
		}
		alternatives = append(alternatives, query.NewConjunctionQuery([]query.Query{account, newTimeRangeQuery(span.From, span.To)}))
	}
	switch len(alternatives) {
	case 0:
		return query.NewMatchNoneQuery()
	case 1:
		return alternatives[0]
	}
	return query.NewDisjunctionQuery(alternatives)
}

// textSpans returns the byte spans in the message's Text of the locations
// of a hit in the text field, sorted, with overlapping spans merged.
// A location whose first array position is not 0 is in another part of
// the message (see textField).
func textSpans(locations search.FieldTermLocationMap) []Span {
	var spans []Span
	for _, locs := range locations[fieldText] {
		for _, loc := range locs {
			if (len(loc.ArrayPositions) == 0 || loc.ArrayPositions[0] == 0) && loc.End > loc.Start {
				spans = append(spans, Span{Start: int(loc.Start), End: int(loc.End)})
			}
		}
	}
	return mergeSpans(spans)
}
