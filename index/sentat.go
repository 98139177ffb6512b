package index

import (
	"context"
	"time"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/searcher"
	bleveindex "github.com/blevesearch/bleve_index_api"
)

// The attrs field records when a message was sent as a trie of terms, the
// same idea as Lucene's and Bleve's numeric range terms, but coarser and
// fewer. The value is the quarter-hour since 1970-01-01 UTC, 24 bits,
// which reaches the year 2448. Each message gets one term per level: the
// value shifted right by 0, 6, 12 and 18 bits (15 minutes, 16 hours, about
// 43 days, about 7.5 years). A range query covers its edges with fine terms
// and its middle with coarse ones.
//
// Bleve's own date field writes 16 terms per document at nanosecond
// precision, about half of them unique to the document. With it,
// BenchmarkIndex measured Add at twice the CPU time. The query language
// needs days only, and since 1980 every time zone offset is a multiple of
// 15 minutes (checked against tzdata 2025b), so quarter-hours give exact
// day boundaries.
const (
	sentAtUnit      = 15 * 60 // seconds per value step
	sentAtLevelBits = 6
	sentAtLevels    = 4
	sentAtBits      = sentAtLevelBits * sentAtLevels
	sentAtMax       = 1<<sentAtBits - 1
	// sentAtTermSize is the length of a term: attrSentAt, a level byte,
	// then the shifted value in 3 bytes, big-endian.
	sentAtTermSize = len(attrSentAt) + 4
)

// sentAtValue returns the quarter-hour of t, and false when t is before
// 1970 or after the range of the field.
func sentAtValue(t time.Time) (uint32, bool) {
	sec := t.Unix()
	if sec < 0 || sec/sentAtUnit > sentAtMax {
		return 0, false
	}
	return uint32(sec / sentAtUnit), true
}

// appendSentAtTerm appends the term of unit u at level, where u is a
// quarter-hour shifted right by level*sentAtLevelBits.
func appendSentAtTerm(dst []byte, level int, u uint32) []byte {
	dst = append(dst, attrSentAt...)
	return append(dst, byte(level), byte(u>>16), byte(u>>8), byte(u))
}

// sentAtTerms returns the terms of the quarter-hours lo to hi, both
// included: whole blocks of 64 at the next level where they fit, single
// values at the edges. It returns at most 2*63 terms per level below the
// top and 64 at the top.
func sentAtTerms(lo, hi uint32) [][]byte {
	var terms [][]byte
	emit := func(level int, from, to uint32) {
		for u := from; u <= to; u++ {
			terms = append(terms, appendSentAtTerm(make([]byte, 0, sentAtTermSize), level, u))
		}
	}
	if lo > hi {
		return nil
	}
	const block = 1 << sentAtLevelBits
	for level := 0; level < sentAtLevels; level++ {
		// lo and hi are in units of this level here.
		firstBlock := (lo + block - 1) / block
		endBlock := (hi + 1) / block // exclusive
		if level == sentAtLevels-1 || firstBlock >= endBlock {
			emit(level, lo, hi)
			break
		}
		if lo < firstBlock*block {
			emit(level, lo, firstBlock*block-1)
		}
		if endBlock*block <= hi {
			emit(level, endBlock*block, hi)
		}
		lo, hi = firstBlock, endBlock-1
	}
	return terms
}

// sentAtQuery matches messages sent from quarter-hour lo to hi, both
// included. It implements query.Query.
type sentAtQuery struct {
	lo, hi uint32
}

// newSentAtQuery returns the query for messages sent at or after from (when
// not zero) and before to (when not zero).
//
// NOTE: a bound that is not on a quarter-hour is widened to the
// quarter-hour around it, so up to 15 minutes of messages beyond the bound
// match too. Only local midnights before 1980 in a few time zones (Liberia,
// Kiribati) are off the quarter-hour.
func newSentAtQuery(from, to time.Time) *sentAtQuery {
	q := &sentAtQuery{lo: 0, hi: sentAtMax}
	if !from.IsZero() {
		sec := from.Unix()
		switch {
		case sec/sentAtUnit > sentAtMax:
			q.lo, q.hi = 1, 0 // matches nothing
		case sec > 0:
			q.lo = uint32(sec / sentAtUnit)
		}
	}
	if !to.IsZero() {
		sec := to.Unix()
		switch {
		case sec <= 0:
			q.lo, q.hi = 1, 0
		case (sec+sentAtUnit-1)/sentAtUnit-1 < sentAtMax:
			q.hi = min(q.hi, uint32((sec+sentAtUnit-1)/sentAtUnit-1))
		}
	}
	return q
}

func (q *sentAtQuery) Searcher(ctx context.Context, r bleveindex.IndexReader, _ mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	terms := sentAtTerms(q.lo, q.hi)
	if contains, ok := r.(bleveindex.IndexReaderContains); ok {
		var err error
		if terms, err = presentTerms(contains, terms); err != nil {
			return nil, err
		}
	}
	return searcher.NewMultiTermSearcherBytes(ctx, r, terms, fieldAttrs, 1.0, options, true)
}

// presentTerms returns the terms of the attrs field that occur in the index,
// reusing the backing array of terms, so that the disjunction stays small.
func presentTerms(r bleveindex.IndexReaderContains, terms [][]byte) (present [][]byte, err error) {
	dict, err := r.FieldDictContains(fieldAttrs)
	if err != nil {
		return nil, err
	}
	if closer, ok := dict.(bleveindex.FieldDict); ok {
		defer func() {
			if closeErr := closer.Close(); err == nil {
				err = closeErr
			}
		}()
	}

	present = terms[:0]
	for _, term := range terms {
		found, err := dict.Contains(term)
		if err != nil {
			return nil, err
		}
		if found {
			present = append(present, term)
		}
	}
	return present, nil
}
