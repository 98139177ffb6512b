package index

import (
	"cmp"
	"container/heap"
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
)

// topHits keeps the best hits of a search by relevance, in the order of
// SortRelevance: descending score, then ascending message ID.
//
// Bleve's collector can sort by score and ID itself. A sort on the ID,
// though, makes it read the ID of every hit before comparing it. In a CPU
// profile of common words at one million messages, that was 29% of the
// time. topHits takes over the collection through bleve's
// MakeDocumentMatchHandler hook, with a sort on the score alone, so bleve
// reads no ID. topHits reads the ID of a hit only when the hit enters the
// best hits, or ties with the worst of them or with the cursor. Bleve still counts every hit in Total and builds the facets.
//
// One shardHits collects each shard, on the shard's own goroutine; merge
// joins them when the search has ended.
//
// When exact is set, the search ran with boundFormsKey: a hit's score is
// an upper bound, exact only when its words' exact forms are all there.
// A hit whose bound is below the worst of the best hits is dropped, since
// its score is lower still. Any other hit gets its exact score from a
// second searcher of the same query, which reads the locations and is
// advanced to that hit alone. Hits come in increasing document order, so
// that searcher only moves forward.
type topHits struct {
	// size is Offset+Limit: each shard keeps its size best hits.
	size int
	// after, when set, drops the hits at or before the cursor's position.
	after *relevanceKey
	// exact, when set, gives the exact scores of hits whose scores are
	// bounds.
	exact *exactSearch

	mu     sync.Mutex
	shards []*shardHits
}

// exactSearch holds the query of a search, with its context and mapping
// but without boundFormsKey, from which each shard builds the searcher of
// exact scores.
type exactSearch struct {
	ctx     context.Context
	query   query.Query
	mapping mapping.IndexMapping
}

// relevanceKey is a position in the relevance order.
type relevanceKey struct {
	score float64
	id    string
}

// handlerMaker returns the function that bleve calls once per shard to
// make the shard's hit handler.
func (t *topHits) handlerMaker() search.MakeDocumentMatchHandler {
	return func(ctx *search.SearchContext) (search.DocumentMatchHandler, bool, error) {
		s := &shardHits{top: t, ctx: ctx}
		t.mu.Lock()
		t.shards = append(t.shards, s)
		t.mu.Unlock()
		return s.add, false, nil
	}
}

// merge returns the best hits of all shards in relevance order, at most
// size of them. It must be called after the search has returned.
func (t *topHits) merge() []*search.DocumentMatch {
	var all []*search.DocumentMatch
	for _, s := range t.shards {
		all = append(all, s.hits...)
	}
	slices.SortFunc(all, func(a, b *search.DocumentMatch) int { return -worseFirst(a, b) })
	if len(all) > t.size {
		all = all[:t.size]
	}
	return all
}

// shardHits is a min-heap of a shard's best hits, the worst on top. Every
// hit in it has its ID and its exact score.
type shardHits struct {
	top  *topHits
	ctx  *search.SearchContext
	hits []*search.DocumentMatch

	// exact and exactCtx find exact scores (see topHits), made at the
	// first hit that needs one.
	exact    search.Searcher
	exactCtx *search.SearchContext
}

// worseFirst orders hits from the worst to the best: by ascending score,
// then by descending ID. Both hits must have their IDs when their scores
// are equal.
func worseFirst(a, b *search.DocumentMatch) int {
	if c := cmp.Compare(a.Score, b.Score); c != 0 {
		return c
	}
	return cmp.Compare(b.ID, a.ID)
}

func (s *shardHits) Len() int           { return len(s.hits) }
func (s *shardHits) Less(i, j int) bool { return worseFirst(s.hits[i], s.hits[j]) < 0 }
func (s *shardHits) Swap(i, j int)      { s.hits[i], s.hits[j] = s.hits[j], s.hits[i] }
func (s *shardHits) Push(x any)         { s.hits = append(s.hits, x.(*search.DocumentMatch)) }
func (s *shardHits) Pop() any {
	last := s.hits[len(s.hits)-1]
	s.hits = s.hits[:len(s.hits)-1]
	return last
}

// loadID sets the ID of a hit from the shard's reader.
func (s *shardHits) loadID(d *search.DocumentMatch) error {
	if d.ID != "" {
		return nil
	}
	id, err := s.ctx.IndexReader.ExternalID(d.IndexInternalID)
	d.ID = id
	return err
}

// rescore replaces the bound score of hit d by its exact score.
func (s *shardHits) rescore(d *search.DocumentMatch) error {
	if s.exact == nil {
		e := s.top.exact
		searcher, err := e.query.Searcher(e.ctx, s.ctx.IndexReader, e.mapping, search.SearcherOptions{})
		if err != nil {
			return fmt.Errorf("index: exact scores: %w", err)
		}
		s.exact = searcher
		s.exactCtx = &search.SearchContext{
			DocumentMatchPool: search.NewDocumentMatchPool(searcher.DocumentMatchPoolSize(), 0),
			IndexReader:       s.ctx.IndexReader,
		}
	}
	m, err := s.exact.Advance(s.exactCtx, d.IndexInternalID)
	if err != nil {
		return fmt.Errorf("index: exact scores: %w", err)
	}
	if m == nil || !m.IndexInternalID.Equals(d.IndexInternalID) {
		return fmt.Errorf("index: exact scores: internal error: the query's second searcher does not match document %x", []byte(d.IndexInternalID))
	}
	d.Score = m.Score
	s.exactCtx.DocumentMatchPool.Put(m)
	return nil
}

// add is the shard's hit handler. A hit that it does not keep goes back to
// the search's pool. Bleve calls it with nil when the shard's search ends.
func (s *shardHits) add(d *search.DocumentMatch) error {
	if d == nil {
		if s.exact != nil {
			return s.exact.Close()
		}
		return nil
	}
	drop := func() error {
		s.ctx.DocumentMatchPool.Put(d)
		return nil
	}

	if s.top.exact != nil {
		// The exact score is at most the bound, so a hit that would not
		// enter at its bound does not enter at all.
		if len(s.hits) >= s.top.size {
			worst := s.hits[0]
			if d.Score < worst.Score {
				return drop()
			}
			if d.Score == worst.Score {
				if err := s.loadID(d); err != nil {
					return err
				}
				if worseFirst(d, worst) <= 0 {
					return drop()
				}
			}
		}
		if err := s.rescore(d); err != nil {
			return err
		}
	}

	if after := s.top.after; after != nil {
		if d.Score > after.score {
			return drop()
		}
		if d.Score == after.score {
			if err := s.loadID(d); err != nil {
				return err
			}
			if d.ID <= after.id {
				return drop()
			}
		}
	}

	if len(s.hits) < s.top.size {
		if err := s.loadID(d); err != nil {
			return err
		}
		heap.Push(s, d)
		return nil
	}

	worst := s.hits[0]
	if d.Score < worst.Score {
		return drop()
	}
	if err := s.loadID(d); err != nil {
		return err
	}
	if worseFirst(d, worst) <= 0 {
		return drop()
	}
	s.hits[0] = d
	heap.Fix(s, 0)
	s.ctx.DocumentMatchPool.Put(worst)
	return nil
}
