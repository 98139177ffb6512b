package index

import (
	"slices"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"chatseal/chat"
)

// Facet limits: the number of values each facet of a Result lists.
const (
	DefaultFacetLimit = 10
	MaxFacetLimit     = 1000
)

// Facets counts the hits of a search by attribute. Each hit has one
// account, one conversation and one kind, and one month unless it has no
// send time.
type Facets struct {
	Accounts Facet `json:"accounts"`
	// Months are the months of the send times, as YYYY-MM in
	// Config.Location.
	Months        Facet `json:"months"`
	Conversations Facet `json:"conversations"`
	Kinds         Facet `json:"kinds"`
}

// Facet is the count of hits by the values of one attribute.
type Facet struct {
	// Values are the values with the most hits, by descending count, then
	// ascending Value and Account; at most the facet limit of the search.
	Values []FacetCount `json:"values"`
	// Other counts the hits whose value is not in Values.
	Other uint64 `json:"other"`
}

// FacetCount is the number of hits with one value.
type FacetCount struct {
	// Value is the account, the month, the conversation id or the kind.
	Value string `json:"value"`
	// Account is the account of a conversation in Facets.Conversations,
	// because a conversation id is unique only within its account. It is
	// empty in the other facets.
	Account string `json:"account,omitempty"`
	Count   uint64 `json:"count"`
}

// facetPrefixes maps the name of each facet request to its term prefix.
var facetPrefixes = map[string]string{
	"account":      facetAccount,
	"month":        facetMonth,
	"conversation": facetConversation,
	"kind":         facetKind,
}

// facetShardSize returns the number of values to request from each shard
// for a facet that lists limit values. Bleve's alias adds up the values
// that each shard returns, so a value outside a shard's list loses that
// shard's hits. Requesting more than limit values makes that rare.
//
// NOTE: with many shards and more distinct values than this size in one
// of them, the counts of the listed values can be low. Months, accounts
// and kinds have few values per shard; conversations can have more.
func facetShardSize(limit int) int {
	return min(max(10*limit, 100), 10*MaxFacetLimit)
}

// addFacetRequests adds the requests of the four facets to req.
func addFacetRequests(req *bleve.SearchRequest, limit int) {
	for name, prefix := range facetPrefixes {
		fr := bleve.NewFacetRequest(fieldFacets, facetShardSize(limit))
		fr.SetPrefixFilter(prefix)
		req.AddFacet(name, fr)
	}
}

// readFacets returns the facets of res, trimmed to limit values each.
func readFacets(res *bleve.SearchResult, limit int) *Facets {
	read := func(name string) Facet {
		fr := res.Facets[name]
		if fr == nil {
			return Facet{}
		}
		prefix := facetPrefixes[name]
		var values []FacetCount
		for _, tf := range fr.Terms.Terms() {
			value, ok := strings.CutPrefix(tf.Term, prefix)
			if !ok || tf.Count <= 0 {
				continue
			}
			c := FacetCount{Value: value, Count: uint64(tf.Count)}
			if name == "conversation" {
				c.Value, c.Account, _ = strings.Cut(value, "\x00")
			}
			values = append(values, c)
		}
		slices.SortFunc(values, func(a, b FacetCount) int {
			switch {
			case a.Count != b.Count:
				if a.Count > b.Count {
					return -1
				}
				return 1
			case a.Value != b.Value:
				return strings.Compare(a.Value, b.Value)
			}
			return strings.Compare(a.Account, b.Account)
		})
		if len(values) > limit {
			values = values[:limit]
		}

		// Every hit with a value for this facet has exactly one.
		withValue := res.Total - min(uint64(fr.Missing), res.Total)
		var listed uint64
		for _, c := range values {
			listed += c.Count
		}
		return Facet{Values: values, Other: withValue - min(listed, withValue)}
	}
	return &Facets{
		Accounts:      read("account"),
		Months:        read("month"),
		Conversations: read("conversation"),
		Kinds:         read("kind"),
	}
}

// facetsOptions indexes the facets field with doc values, which facets
// read.
const facetsOptions = bleveindex.IndexField | bleveindex.DocValues

// facetsField is the bleve field of the attributes that a search counts
// by: account, conversation, kind and month as prefixed terms. It has doc
// values, which cost index space per term, so it holds nothing else.
type facetsField struct {
	account, conversation, kind string
	month                       string // YYYY-MM, or empty without a send time

	length int
	freqs  bleveindex.TokenFrequencies
	size   int
}

// newFacetsField returns the facets field of m, with the month of its send
// time in loc. A message with a zero SentAt gets no month.
func newFacetsField(m *chat.Message, loc *time.Location) *facetsField {
	f := &facetsField{
		account:      m.Account,
		conversation: m.Conversation,
		kind:         lowerASCII(string(m.Kind)),
	}
	if !m.SentAt.IsZero() {
		f.month = m.SentAt.In(loc).Format("2006-01")
	}
	return f
}

func (f *facetsField) Name() string                             { return fieldFacets }
func (f *facetsField) ArrayPositions() []uint64                 { return nil }
func (f *facetsField) Options() bleveindex.FieldIndexingOptions { return facetsOptions }
func (f *facetsField) EncodedFieldType() byte                   { return 't' }
func (f *facetsField) AnalyzedLength() int                      { return f.length }
func (f *facetsField) Value() []byte                            { return nil }
func (f *facetsField) Size() int                                { return fieldStructSize + f.size }

func (f *facetsField) AnalyzedTokenFrequencies() bleveindex.TokenFrequencies { return f.freqs }

func (f *facetsField) NumPlainTextBytes() uint64 {
	return uint64(len(f.account) + len(f.conversation) + len(f.kind) + len(f.month))
}

func (f *facetsField) Analyze() {
	t := newAttrTerms(4, 48+2*len(f.account)+len(f.conversation))
	t.add(facetAccount, f.account)
	t.add(facetKind, f.kind)
	t.add(facetMonth, f.month)
	t.buf = appendConversationTerm(t.buf, f.account, f.conversation)
	t.ends = append(t.ends, len(t.buf))
	f.freqs, f.length, f.size = t.frequencies()
}

// appendConversationTerm appends the facets term of a conversation: the
// prefix, the conversation id, a NUL byte and the account.
func appendConversationTerm(dst []byte, account, conversation string) []byte {
	dst = append(dst, facetConversation...)
	dst = append(dst, conversation...)
	dst = append(dst, 0)
	return append(dst, account...)
}
