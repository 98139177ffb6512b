package index

import (
	"context"
	"errors"
	"math"
	"slices"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/searcher"
	bleveindex "github.com/blevesearch/bleve_index_api"
)

// phraseQuery matches the messages whose folded text has words (two or
// more folded terms) at consecutive positions.
//
// It runs in two steps. A conjunction of the words' term searchers, which
// read no positions, finds and scores the messages that have every word.
// Then one term reader per word, with positions, is advanced to each such
// message to check that the words follow each other. Bleve's own phrase
// searcher reads every word's positions inside the conjunction and builds
// maps of them for each message, which costs several times more per
// message. The score is the conjunction's, the sum of the words' scores,
// plus the boosted score of each exact form that the message has, which
// the word's locations tell (see textField).
type phraseQuery struct {
	words []string
	// forms are the exact forms of the words that have marks.
	forms []phraseForm
}

// phraseForm is the exact form of word number word of a phrase, as its
// formCode.
type phraseForm struct {
	word int
	code uint64
}

func (q *phraseQuery) Searcher(ctx context.Context, r bleveindex.IndexReader, _ mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	withLocations := options.IncludeTermVectors
	options.IncludeTermVectors = false

	s := &phraseSearcher{words: q.words, withLocations: withLocations}
	var terms []search.Searcher
	for _, word := range q.words {
		ts, err := searcher.NewTermSearcher(ctx, r, word, fieldText, 1.0, options)
		if err != nil {
			s.closeAll(terms)
			return nil, err
		}
		terms = append(terms, ts)
		reader, err := r.TermFieldReader(ctx, []byte(word), fieldText, false, false, true)
		if err != nil {
			s.closeAll(terms)
			return nil, err
		}
		s.readers = append(s.readers, reader)
	}
	conj, err := searcher.NewConjunctionSearcher(ctx, r, terms, options)
	if err != nil {
		s.closeAll(terms)
		return nil, err
	}
	s.Searcher = conj
	s.docs = make([]*bleveindex.TermFieldDoc, len(q.words))
	for i := range s.docs {
		s.docs[i] = &bleveindex.TermFieldDoc{}
	}

	if options.Score != "none" && len(q.forms) > 0 {
		docs, err := r.DocCount()
		if err != nil {
			s.Close()
			return nil, err
		}
		for _, form := range q.forms {
			term := []byte(q.words[form.word])
			s.forms = append(s.forms, phraseFormScorer{phraseForm: form, exactScorer: newExactScorer(term, docs, s.readers[form.word].Count(), options)})
		}
		// As a conjunction searcher does, normalise by the children's
		// weights.
		s.SetQueryNorm(1.0 / math.Sqrt(s.Weight()))
	}
	return s, nil
}

// phraseSearcher returns the matches of its embedded conjunction whose
// words are at consecutive positions (see phraseQuery).
type phraseSearcher struct {
	search.Searcher
	words []string
	// readers read the positions of each word, and docs are their
	// reusable results.
	readers []bleveindex.TermFieldReader
	docs    []*bleveindex.TermFieldDoc
	// withLocations adds the locations of the phrase's words to each
	// match, for Hit.Spans.
	withLocations bool
	// forms add to the score of a match with their exact forms.
	forms []phraseFormScorer
}

// phraseFormScorer adds the score of one exact form to the phrase's
// matches.
type phraseFormScorer struct {
	phraseForm
	exactScorer
}

func (s *phraseSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	match, err := s.Searcher.Next(ctx)
	return s.firstPhrase(ctx, match, err)
}

func (s *phraseSearcher) Advance(ctx *search.SearchContext, id bleveindex.IndexInternalID) (*search.DocumentMatch, error) {
	match, err := s.Searcher.Advance(ctx, id)
	return s.firstPhrase(ctx, match, err)
}

// firstPhrase returns match when its words form the phrase, or else the
// next match of the conjunction that does.
func (s *phraseSearcher) firstPhrase(ctx *search.SearchContext, match *search.DocumentMatch, err error) (*search.DocumentMatch, error) {
	for match != nil && err == nil {
		var ok bool
		if ok, err = s.check(match); err != nil {
			return nil, err
		}
		if ok {
			s.addExactScores(match)
			return match, nil
		}
		ctx.DocumentMatchPool.Put(match)
		match, err = s.Searcher.Next(ctx)
	}
	return match, err
}

// check reports whether the words are at consecutive positions in the
// message of match, and records their locations when withLocations is
// set.
func (s *phraseSearcher) check(match *search.DocumentMatch) (bool, error) {
	for i, reader := range s.readers {
		doc, err := reader.Advance(match.IndexInternalID, s.docs[i].Reset())
		if err != nil {
			return false, err
		}
		if doc == nil || !doc.ID.Equals(match.IndexInternalID) {
			// The conjunction matched the message, so every word is
			// there. A reader that disagrees leaves it out.
			return false, nil
		}
		s.docs[i] = doc
	}

	found := false
	// last is the position of the last word recorded, and positions start
	// at 1.
	last := uint64(0)
	for _, first := range s.docs[0].Vectors {
		if !s.followed(first.Pos) {
			continue
		}
		found = true
		if !s.withLocations {
			break
		}
		for i, word := range s.words {
			v := s.vectorAt(i, first.Pos+uint64(i))
			if v.Pos <= last {
				// An earlier occurrence that overlaps this one
				// recorded the word already.
				continue
			}
			last = v.Pos
			match.FieldTermLocations = append(match.FieldTermLocations, search.FieldTermLocation{
				Field: fieldText,
				Term:  word,
				Location: search.Location{
					Pos:   v.Pos,
					Start: v.Start,
					End:   v.End,
					// The reader reuses its vectors for the next
					// message.
					ArrayPositions: slices.Clone(v.ArrayPositions),
				},
			})
		}
	}
	return found, nil
}

// addExactScores adds to match's score the score of each exact form that
// its message has. check has read every word's locations in the message.
func (s *phraseSearcher) addExactScores(match *search.DocumentMatch) {
	for i := range s.forms {
		f := &s.forms[i]
		if hasForm(s.docs[f.word].Vectors, f.code) {
			match.Score += f.score
		}
	}
}

func (s *phraseSearcher) Weight() float64 {
	w := s.Searcher.Weight()
	for i := range s.forms {
		w += s.forms[i].scorer.Weight()
	}
	return w
}

func (s *phraseSearcher) SetQueryNorm(qnorm float64) {
	s.Searcher.SetQueryNorm(qnorm)
	for i := range s.forms {
		s.forms[i].setQueryNorm(qnorm)
	}
}

// followed reports whether each word after the first is at the position
// after the previous one, the first being at pos.
func (s *phraseSearcher) followed(pos uint64) bool {
	for i := 1; i < len(s.docs); i++ {
		if s.vectorAt(i, pos+uint64(i)) == nil {
			return false
		}
	}
	return true
}

// vectorAt returns the location of word i at pos, or nil. A word's
// locations are few and in position order.
func (s *phraseSearcher) vectorAt(i int, pos uint64) *bleveindex.TermFieldVector {
	for _, v := range s.docs[i].Vectors {
		if v.Pos == pos {
			return v
		}
		if v.Pos > pos {
			break
		}
	}
	return nil
}

func (s *phraseSearcher) closeAll(terms []search.Searcher) {
	for _, t := range terms {
		_ = t.Close()
	}
	for _, r := range s.readers {
		_ = r.Close()
	}
}

func (s *phraseSearcher) Close() error {
	var errs []error
	if s.Searcher != nil {
		errs = append(errs, s.Searcher.Close())
	}
	for _, r := range s.readers {
		errs = append(errs, r.Close())
	}
	return errors.Join(errs...)
}

func (s *phraseSearcher) Size() int {
	n := s.Searcher.Size()
	for _, r := range s.readers {
		n += r.Size()
	}
	for i := range s.forms {
		n += s.forms[i].scorer.Size()
	}
	return n
}
