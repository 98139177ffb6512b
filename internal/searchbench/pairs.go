package searchbench

import (
	"context"
	"fmt"
	"iter"
	"strings"

	"github.com/blevesearch/bleve/v2"
	bleveanalysis "github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/blevesearch/bleve/v2/search/query"

	"chatseal/chat"
	"chatseal/index"
)

// The pair prototype is a raw Bleve index, built with bleve/v2 directly,
// that tests one way to make two-syllable phrases fast. Besides the
// folded words with positions (field text, as package index has it), its
// field pair holds every two adjacent folded words as one term
// ("giao hang"). A two-word phrase is then one term query on pair, with
// no position checks, and its hit count is the term's document frequency.
// Words are adjacent when their positions are, as for a phrase query, so
// the pair term matches exactly the messages that the phrase matches.
//
// The prototype also has an attrs field with the phone and money terms of
// package index's layout ("phone:+84912345678", "money:" and 16 digits),
// from extractPhones and extractAmounts. It times a phone: or money:
// query alone two ways. The first is how package index runs it: a boolean
// query whose only clause is a filter, for which Bleve walks every
// document with a match-all searcher and tests each against the filter.
// The second runs the filter as the query itself.

// Engine names of the prototype.
const (
	enginePhrase      = "raw bleve phrase"
	enginePair        = "raw bleve pair term"
	enginePairCount   = "raw bleve pair count only"
	engineFilterOnly  = "raw bleve filter only"
	engineFilterQuery = "raw bleve filter as query"
)

const (
	pairAnalyzerName = "searchbench_pairs"
	pairField        = "pair"
	pairTextField    = "text"
	attrsField       = "attrs"
)

func init() {
	err := registry.RegisterAnalyzer(pairAnalyzerName, func(map[string]any, *registry.Cache) (bleveanalysis.Analyzer, error) {
		return pairAnalyzer{}, nil
	})
	if err != nil {
		panic("searchbench: internal error: " + err.Error())
	}
}

// pairAnalyzer emits one term per two adjacent words of the folded text.
type pairAnalyzer struct{}

func (pairAnalyzer) Analyze(input []byte) bleveanalysis.TokenStream {
	words := strings.Fields(index.Fold(string(input)))
	if len(words) < 2 {
		return nil
	}
	tokens := make([]bleveanalysis.Token, len(words)-1)
	stream := make(bleveanalysis.TokenStream, len(tokens))
	for i := range tokens {
		tokens[i] = bleveanalysis.Token{
			Term:     []byte(words[i] + " " + words[i+1]),
			Position: i + 1,
			Type:     bleveanalysis.AlphaNumeric,
		}
		stream[i] = &tokens[i]
	}
	return stream
}

// pairMapping maps a document {"text": ..., "attrs": [...]} to the text
// field (the folded analyzer of package index, with positions), the pair
// field and the keyword field attrs.
// Nothing is stored, no field has doc values and _all is off, as in
// package index.
func pairMapping() *mapping.IndexMappingImpl {
	m := bleve.NewIndexMapping()
	m.DefaultAnalyzer = index.FoldedAnalyzer
	m.StoreDynamic = false
	m.IndexDynamic = false
	m.DocValuesDynamic = false

	doc := bleve.NewDocumentStaticMapping()
	doc.AddSubDocumentMapping("_all", bleve.NewDocumentDisabledMapping())
	text := bleve.NewTextFieldMapping()
	text.Analyzer = index.FoldedAnalyzer
	text.Store, text.IncludeInAll, text.DocValues = false, false, false
	text.IncludeTermVectors = true
	pair := bleve.NewTextFieldMapping()
	pair.Name = pairField
	pair.Analyzer = pairAnalyzerName
	pair.Store, pair.IncludeInAll, pair.DocValues, pair.IncludeTermVectors = false, false, false, false
	doc.AddFieldMappingsAt(pairTextField, text, pair)
	attrs := bleve.NewKeywordFieldMapping()
	attrs.Store, attrs.IncludeInAll, attrs.DocValues, attrs.IncludeTermVectors = false, false, false, false
	doc.AddFieldMappingsAt(attrsField, attrs)
	m.DefaultMapping = doc
	return m
}

type pairDocument struct {
	Text  string   `json:"text"`
	Attrs []string `json:"attrs,omitempty"`
}

// attrTerms returns the phone and money terms of text in package index's
// layout.
func attrTerms(text string) []string {
	var terms []string
	for _, number := range extractPhones(text) {
		terms = append(terms, "phone:"+number)
	}
	for _, amount := range extractAmounts(text) {
		terms = append(terms, moneyTerm(amount))
	}
	return terms
}

func moneyTerm(amount int64) string { return fmt.Sprintf("money:%016d", amount) }

// pairIndex is the prototype index; its engines share it.
type pairIndex struct {
	idx  bleve.Index
	path string
}

func openPairIndex(path string) (*pairIndex, error) {
	idx, err := bleve.New(path, pairMapping())
	if err != nil {
		return nil, fmt.Errorf("searchbench: create pair index %s: %w", path, err)
	}
	return &pairIndex{idx: idx, path: path}, nil
}

func (p *pairIndex) load(ctx context.Context, msgs iter.Seq[*chat.Message], progress *progressMeter) error {
	batch := p.idx.NewBatch()
	flush := func() error {
		n := batch.Size()
		if err := p.idx.Batch(batch); err != nil {
			return fmt.Errorf("searchbench: pair index %s: %w", p.path, err)
		}
		progress.add(n)
		batch.Reset()
		return ctx.Err()
	}
	for m := range msgs {
		if err := batch.Index(m.ID, pairDocument{Text: m.Text, Attrs: attrTerms(m.Text)}); err != nil {
			return fmt.Errorf("searchbench: pair index %s: message %s: %w", p.path, m.ID, err)
		}
		if batch.Size() == addBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if batch.Size() > 0 {
		return flush()
	}
	return nil
}

func (p *pairIndex) close() error {
	if err := p.idx.Close(); err != nil {
		return fmt.Errorf("searchbench: close pair index %s: %w", p.path, err)
	}
	return nil
}

// pairEngine runs queries on the prototype in the way that mode, one of
// the engine names of the prototype, names.
type pairEngine struct {
	p    *pairIndex
	mode string
}

func (e *pairEngine) name() string { return e.mode }

func (e *pairEngine) search(ctx context.Context, q *Query) ([]int64, int64, error) {
	if e.mode == engineFilterOnly || e.mode == engineFilterQuery {
		return e.filter(ctx, q)
	}
	words := strings.Fields(index.Fold(q.Words))
	if !q.Phrase || len(words) != 2 {
		return nil, 0, fmt.Errorf("searchbench: %s: query %q is not a two-word phrase", e.mode, q.Words)
	}
	pair := words[0] + " " + words[1]

	if e.mode == enginePairCount {
		return e.count(ctx, pair)
	}
	var bq query.Query
	if e.mode == enginePhrase {
		bq = query.NewPhraseQuery(words, pairTextField)
	} else {
		t := query.NewTermQuery(pair)
		t.SetField(pairField)
		bq = t
	}
	return e.top(ctx, bq)
}

// filter runs a phone or money query on the attrs field.
func (e *pairEngine) filter(ctx context.Context, q *Query) ([]int64, int64, error) {
	var fq query.Query
	switch q.Class {
	case ClassPhone:
		numbers := normalizeNumber(strings.Map(keepDigits, q.Phone), false)
		if len(numbers) == 0 {
			return nil, 0, fmt.Errorf("searchbench: %s: phone query %q is not a phone number", e.mode, q.Phone)
		}
		t := query.NewTermQuery("phone:" + numbers[0])
		t.SetField(attrsField)
		fq = t
	case ClassMoney:
		inclusive := true
		r := query.NewTermRangeInclusiveQuery(moneyTerm(q.MoneyLow), moneyTerm(q.MoneyHigh), &inclusive, &inclusive)
		r.SetField(attrsField)
		fq = r
	default:
		return nil, 0, fmt.Errorf("searchbench: %s: class %q has no filter", e.mode, q.Class)
	}
	if e.mode == engineFilterOnly {
		b := query.NewBooleanQuery(nil, nil, nil)
		b.AddFilter(fq)
		fq = b
	}
	return e.top(ctx, fq)
}

// top returns the 20 best hits of bq, by score then ID as package index
// sorts them, and the count of all hits.
func (e *pairEngine) top(ctx context.Context, bq query.Query) ([]int64, int64, error) {
	req := bleve.NewSearchRequestOptions(bq, 20, 0, false)
	req.SortBy([]string{"-_score", "_id"})
	res, err := e.p.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, 0, fmt.Errorf("searchbench: %s: %w", e.mode, err)
	}
	ids := make([]int64, 0, len(res.Hits))
	for _, h := range res.Hits {
		id, ok := rowID(h.ID)
		if !ok {
			return nil, 0, fmt.Errorf("searchbench: %s: hit %q is not a corpus ID", e.mode, h.ID)
		}
		ids = append(ids, id)
	}
	return ids, int64(res.Total), nil
}

// count returns the document frequency of pair without visiting its
// postings: per segment, the cardinality of the term's roaring bitmap
// less the deleted documents (zapx v16.3.4, PostingsList.Count).
func (e *pairEngine) count(ctx context.Context, pair string) ([]int64, int64, error) {
	adv, err := e.p.idx.Advanced()
	if err != nil {
		return nil, 0, fmt.Errorf("searchbench: %s: %w", e.mode, err)
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, 0, fmt.Errorf("searchbench: %s: %w", e.mode, err)
	}
	defer r.Close()
	tfr, err := r.TermFieldReader(ctx, []byte(pair), pairField, false, false, false)
	if err != nil {
		return nil, 0, fmt.Errorf("searchbench: %s: %w", e.mode, err)
	}
	defer tfr.Close()
	return nil, int64(tfr.Count()), nil
}
