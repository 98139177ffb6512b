package index

import (
	"context"
	"errors"
	"hash/maphash"
	"strings"
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
		case *phraseQuery:
			for _, word := range q.words {
				walk(termQuery(fieldText, word))
			}
		case *wordQuery:
			walk(termQuery(fieldText, q.folded))
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
	// entities maps each segment of snapshot that a search has needed to
	// its entity set. A set is kept while its segment stays in the shard,
	// across snapshots.
	entities map[segment.Segment]entitySet
}

// entityPrefixes are the attrs prefixes of the terms in entity sets. Such a
// value, a phone number for example, is searched alone and occurs in few
// messages and few shards.
var entityPrefixes = []string{attrPhone, attrCard, attrBank, attrEmail, attrURL, attrURLHost}

// entitySet contains the hashes of a segment's entity terms. A term whose
// hash is absent is not in the segment. A hash that is present may, rarely,
// come from another term, which keeps a shard without a match but loses no
// hit.
//
// At one million messages, looking a phone number up in 14 shards' term
// dictionaries took about 6 µs of a 13 µs search, in a loop over the bench
// command's phone queries. With these sets the search took 8 µs.
type entitySet map[uint64]struct{}

var entitySeed = maphash.MakeSeed()

func isEntityTerm(t fieldTerm) bool {
	if t.field != fieldAttrs {
		return false
	}
	for _, p := range entityPrefixes {
		if strings.HasPrefix(t.term, p) {
			return true
		}
	}
	return false
}

// buildEntitySet reads the entity terms of a segment's attrs dictionary.
func buildEntitySet(seg segment.Segment) (entitySet, error) {
	dict, err := seg.Dictionary(fieldAttrs)
	if err != nil {
		return nil, err
	}
	set := entitySet{}
	for _, prefix := range entityPrefixes {
		end := []byte(prefix)
		// Every prefix ends with a colon, so the next byte value bounds
		// the terms that start with it.
		end[len(end)-1]++
		var it segment.DictionaryIterator
		if d, ok := dict.(termsOnlyIterator); ok {
			it = d.AutomatonIteratorOmitCount(anyTerm{}, []byte(prefix), end)
		} else {
			it = dict.AutomatonIterator(anyTerm{}, []byte(prefix), end)
		}
		for {
			entry, err := it.Next()
			if err != nil {
				return nil, err
			}
			if entry == nil {
				break
			}
			set[maphash.String(entitySeed, entry.Term)] = struct{}{}
		}
	}
	return set, nil
}

// termsOnlyIterator is a term dictionary that lists its terms without
// reading their posting lists, as zap's does.
type termsOnlyIterator interface {
	AutomatonIteratorOmitCount(a segment.Automaton, startKeyInclusive, endKeyExclusive []byte) segment.DictionaryIterator
}

// anyTerm is the automaton that accepts every term.
type anyTerm struct{}

func (anyTerm) Start() int               { return 0 }
func (anyTerm) IsMatch(int) bool         { return true }
func (anyTerm) CanMatch(int) bool        { return true }
func (anyTerm) WillAlwaysMatch(int) bool { return true }
func (anyTerm) Accept(int, byte) int     { return 0 }

// hasTerms reports whether every term occurs in the shard. It looks each
// term up in the segments' term dictionaries, or in their entity sets, and
// reads no posting list. With TermFieldReader instead, checking 14 shards
// took most of the time of a search for a phone number at one million
// messages, in a CPU profile.
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
		kept := make(map[segment.Segment]entitySet, len(c.entities))
		for _, seg := range snapshot.Segments() {
			if set, ok := c.entities[seg.Segment()]; ok {
				kept[seg.Segment()] = set
			}
		}
		c.snapshot, c.fields, c.entities = snapshot, map[string][]segment.TermDictionary{}, kept
	}
	for _, t := range terms {
		var found bool
		if isEntityTerm(t) {
			found, err = c.hasEntity(snapshot, t.term)
		} else {
			found, err = c.hasTerm(snapshot, t)
		}
		if err != nil {
			return false, err
		}
		if !found {
			return false, ctx.Err()
		}
	}
	return true, nil
}

// hasTerm looks t up in the term dictionaries of the snapshot's segments.
// The caller holds c.mu.
func (c *dictCache) hasTerm(snapshot *scorch.IndexSnapshot, t fieldTerm) (bool, error) {
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
	for _, dict := range dicts {
		found, err := dict.Contains([]byte(t.term))
		if found || err != nil {
			return found, err
		}
	}
	return false, nil
}

// hasEntity looks an entity term up in the entity sets of the snapshot's
// segments, building the sets that are missing. The caller holds c.mu.
func (c *dictCache) hasEntity(snapshot *scorch.IndexSnapshot, term string) (bool, error) {
	h := maphash.String(entitySeed, term)
	for _, seg := range snapshot.Segments() {
		set, ok := c.entities[seg.Segment()]
		if !ok {
			var err error
			if set, err = buildEntitySet(seg.Segment()); err != nil {
				return false, err
			}
			c.entities[seg.Segment()] = set
		}
		if _, ok := set[h]; ok {
			return true, nil
		}
	}
	return false, nil
}
