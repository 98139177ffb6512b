package index

import (
	"context"
	"math"
	"time"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"chatseal/chat"
)

// The attrs field records when a message was sent as a trie of terms, the
// same idea as Lucene's and Bleve's numeric range terms, but coarser and
// fewer. The value is the quarter-hour since 1970-01-01 UTC, 24 bits,
// which reaches the year 2448. Each message gets one term per indexed
// level: the value shifted right by 6, 12 and 18 bits (16 hours, about 43
// days, about 7.5 years). A range query covers its middle with these
// terms, coarse ones inside fine ones, and each edge shorter than 16 hours
// with a range of document IDs, which start with the send time (docID).
//
// Bleve's own date field writes 16 terms per document at nanosecond
// precision, about half of them unique to the document. With it,
// BenchmarkIndex measured Add at twice the CPU time. Level 0, the
// quarter-hour itself, was indexed too until schema version 7. It gave
// exact day boundaries in every time zone without time terms, but it was
// nearly unique to each message in a sparse archive, and leaving it out
// took 4 to 8% off the import's time in side-by-side runs. A search pays
// instead: a day boundary inside a 16-hour block brings in the document
// IDs of up to 16 hours of messages. At a million messages, queries with two
// dates took about 1 ms more at p50 (BENCHMARKS.md has both figures).
const (
	sentAtUnit      = 15 * 60 // seconds per value step
	sentAtLevelBits = 6
	sentAtLevels    = 4
	// sentAtFirstLevel is the finest level with terms in the index.
	sentAtFirstLevel = 1
	// sentAtBlockMicros is the span of a unit at sentAtFirstLevel.
	sentAtBlockMicros = microsPerQuarterHour << (sentAtFirstLevel * sentAtLevelBits)
	// sentAtMaxBlock is the last unit at sentAtFirstLevel.
	sentAtMaxBlock = sentAtMax >> (sentAtFirstLevel * sentAtLevelBits)
	sentAtBits     = sentAtLevelBits * sentAtLevels
	sentAtMax      = 1<<sentAtBits - 1
	// sentAtTermSize is the length of a term: attrSentAt, a level byte,
	// then the shifted value in 3 bytes, big-endian.
	sentAtTermSize = len(attrSentAt) + 4
)

// A message's Bleve document ID records the send time once more, at
// microsecond precision: docTimeDigits lowercase hex digits of the
// microseconds since 1970-01-01 UTC plus maxTimeMicros, then the message
// ID (see docID). Document IDs therefore sort by send time, then by
// message ID. The time sorts sort by document ID, and a time range query
// matches a range of document IDs where the range starts or ends inside a
// 16-hour block or before 1970, where the trie has no terms.
//
// Until schema version 7 a numeric term of the facets field held the
// time, read from doc values for the sort. It was unique to almost every
// message, and Bleve's cost is mostly per term. The document ID is a term
// of every message anyway, so the longer ID costs less than the term did:
// 2.4% less CPU time per import of BenchmarkImport's corpus in five
// alternating runs. Sorting by document ID instead of doc values took a
// time-sorted search for a common word on 20,000 messages from about 11 to
// about 4 ms of CPU time (BENCHMARKS.md).
//
// Times are clamped to ±maxTimeMicros, from 1684 to 2255, and compare
// equal to the bound outside. A zero SentAt gets -maxTimeMicros, which no
// time range matches, and every other time is clamped above it.
// Nanoseconds are dropped, so times within one microsecond compare equal.
const (
	maxTimeMicros        = 1 << 53
	microsPerQuarterHour = sentAtUnit * 1_000_000
	// docTimeDigits is the width of the time prefix of a document ID:
	// 2*maxTimeMicros is below 16^14.
	docTimeDigits = 14
)

// appendDocTime appends the time prefix of a document ID for micros,
// clamped to ±maxTimeMicros.
func appendDocTime(dst []byte, micros int64) []byte {
	v := uint64(max(-maxTimeMicros, min(micros, maxTimeMicros)) + maxTimeMicros)
	const hex = "0123456789abcdef"
	for shift := 4 * (docTimeDigits - 1); shift >= 0; shift -= 4 {
		dst = append(dst, hex[v>>shift&0xf])
	}
	return dst
}

// docID returns the Bleve document ID of m: the time prefix of its send
// time, then its ID.
func docID(m *chat.Message) string {
	micros := int64(-maxTimeMicros)
	if !m.SentAt.IsZero() {
		micros = max(unixMicros(m.SentAt), -maxTimeMicros+1)
	}
	b := make([]byte, 0, docTimeDigits+len(m.ID))
	return string(append(appendDocTime(b, micros), m.ID...))
}

// messageID returns the message ID of a Bleve document ID.
func messageID(docID string) string {
	if len(docID) < docTimeDigits {
		return docID
	}
	return docID[docTimeDigits:]
}

// unixMicros returns the microseconds from 1970-01-01 UTC to t, saturated
// at the int64 range.
func unixMicros(t time.Time) int64 {
	sec := t.Unix()
	switch {
	case sec > math.MaxInt64/1_000_000-1:
		return math.MaxInt64
	case sec < math.MinInt64/1_000_000+1:
		return math.MinInt64
	}
	return sec*1_000_000 + int64(t.Nanosecond()/1000)
}

// newTimeRangeQuery returns the query of the messages sent at or after from
// and before to. A zero bound leaves that side open. The bounds are exact
// to the microsecond. Whole 16-hour blocks match the trie terms of the
// attrs field. The part of a block at either end, and any part before
// 1970, match a range of document IDs. A message with a zero SentAt has
// neither and matches no time range.
func newTimeRangeQuery(from, to time.Time) query.Query {
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	if !from.IsZero() {
		lo = unixMicros(from)
	}
	if !to.IsZero() {
		hi = unixMicros(to)
	}
	if lo >= hi {
		return query.NewMatchNoneQuery()
	}

	var parts []query.Query
	if lo < 0 {
		parts = append(parts, newTimeTermRange(lo, min(hi, 0)))
	}
	if start := max(lo, 0); start < hi {
		// Whole blocks are [first, end), within the trie's range.
		first := start / sentAtBlockMicros
		if start%sentAtBlockMicros != 0 {
			first++
		}
		end := min(hi/sentAtBlockMicros, sentAtMaxBlock+1)
		if first < end {
			if start < first*sentAtBlockMicros {
				parts = append(parts, newTimeTermRange(start, first*sentAtBlockMicros))
			}
			parts = append(parts, &sentAtQuery{lo: uint32(first), hi: uint32(end - 1)})
			if end <= sentAtMaxBlock && end*sentAtBlockMicros < hi {
				parts = append(parts, newTimeTermRange(end*sentAtBlockMicros, hi))
			}
		} else {
			parts = append(parts, newTimeTermRange(start, hi))
		}
	}

	if len(parts) == 1 {
		return parts[0]
	}
	return query.NewDisjunctionQuery(parts)
}

// newTimeTermRange returns the query of the documents sent from lo
// included to hi excluded, in microseconds, as a range of document IDs
// (see docID). It never matches a zero SentAt, -maxTimeMicros.
func newTimeTermRange(lo, hi int64) query.Query {
	lo = max(lo, -maxTimeMicros+1)
	include, exclude := true, false
	q := query.NewTermRangeInclusiveQuery(string(appendDocTime(nil, lo)), string(appendDocTime(nil, hi)), &include, &exclude)
	q.SetField(fieldID)
	return q
}

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

// sentAtTerms returns the terms of the units lo to hi of sentAtFirstLevel
// (16-hour blocks), both included: whole blocks of 64 at the next level
// where they fit, single values at the edges. It returns at most 2*63
// terms per level below the top and 64 at the top.
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
	for level := sentAtFirstLevel; level < sentAtLevels; level++ {
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

// sentAtQuery matches messages sent from unit lo to unit hi of
// sentAtFirstLevel, both included. It implements query.Query.
type sentAtQuery struct {
	lo, hi uint32
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
