package index

import (
	"context"
	"errors"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search/query"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// fieldTerm is one term of one field.
type fieldTerm struct {
	field, term string
}

// maxRequiredTerms bounds the terms that pruneShards looks up in each
// shard.
const maxRequiredTerms = 4

// requiredTerms returns terms that every message matching q has, at most
// maxRequiredTerms of them. It returns none for a query it cannot read, so
// a shard is never skipped wrongly.
func requiredTerms(q query.Query) []fieldTerm {
	var out []fieldTerm
	var walk func(q query.Query)
	walk = func(q query.Query) {
		if len(out) >= maxRequiredTerms {
			return
		}
		switch q := q.(type) {
		case *query.TermQuery:
			out = append(out, fieldTerm{field: q.FieldVal, term: q.Term})
		case *query.ConjunctionQuery:
			for _, c := range q.Conjuncts {
				walk(c)
			}
		case *query.BooleanQuery:
			if q.Must != nil {
				walk(q.Must)
			}
			if q.Filter != nil {
				walk(q.Filter)
			}
		case *pairPhraseQuery:
			for i := 1; i < len(q.words); i++ {
				walk(termQuery(fieldPairs, pairTerm(q.words[i-1], q.words[i])))
			}
		}
	}
	walk(q)
	if len(out) > maxRequiredTerms {
		out = out[:maxRequiredTerms]
	}
	return out
}

// pruneShards returns the indexes of the shards in which every term of
// terms occurs, in their order. A shard that lacks one cannot match, and
// skipping it saves building its searchers and collector. A dictionary
// keeps the terms of deleted messages until a merge, so a shard is kept
// whenever it may match.
func pruneShards(ctx context.Context, shards []*shard, terms []fieldTerm) ([]bleve.Index, error) {
	out := make([]bleve.Index, 0, len(shards))
	for _, s := range shards {
		has := true
		if len(terms) > 0 && len(shards) > 1 {
			var err error
			if has, err = s.hasTerms(ctx, terms); err != nil {
				return nil, err
			}
		}
		if has {
			out = append(out, s.idx)
		}
	}
	return out, nil
}

// dictCache holds the term dictionaries of a shard's segments for the
// fields that pruneShards looked terms up in, for the snapshot they belong
// to. Segments never change, so the dictionaries stay right as long as the
// snapshot is the shard's current one, and a search holds a reference to
// it while it reads them. A process that searches often (a server, the
// bench command) then skips building them. For a phone number at one
// million messages, that was about a quarter of the search, by one ad-hoc
// estimate.
type dictCache struct {
	mu sync.Mutex
	// snapshot identifies the snapshot the dictionaries belong to. The
	// cache holds the pointer, so no later snapshot can reuse its address.
	snapshot *scorch.IndexSnapshot
	fields   map[string][]segment.TermDictionary
}

// hasTerms reports whether every term occurs in the shard. It looks each
// term up in the segments' term dictionaries and reads no posting list.
// With TermFieldReader instead, checking 14 shards took most of the time
// of a search for a phone number at one million messages, in a CPU
// profile.
func (s *shard) hasTerms(ctx context.Context, terms []fieldTerm) (has bool, err error) {
	ix, err := s.idx.Advanced()
	if err != nil {
		return false, err
	}
	r, err := ix.Reader()
	if err != nil {
		return false, err
	}
	defer func() { err = errors.Join(err, r.Close()) }()
	snapshot, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return true, nil
	}

	c := &s.dicts
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.snapshot != snapshot {
		c.snapshot, c.fields = snapshot, map[string][]segment.TermDictionary{}
	}
	for _, t := range terms {
		dicts, ok := c.fields[t.field]
		if !ok {
			for _, seg := range snapshot.Segments() {
				dict, err := seg.Segment().Dictionary(t.field)
				if err != nil {
					return false, err
				}
				dicts = append(dicts, dict)
			}
			c.fields[t.field] = dicts
		}
		found := false
		for _, dict := range dicts {
			if found, err = dict.Contains([]byte(t.term)); err != nil {
				return false, err
			}
			if found {
				break
			}
		}
		if !found {
			return false, ctx.Err()
		}
	}
	return true, nil
}
