package index

import (
	"context"
	"errors"
	"fmt"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// CountIn counts, for each of groups, the messages that match q within
// opts.Scope and within that group, such as the tenures of one custodian.
// Only opts' Scope, NoShorthand and Custodian are used. A group is applied
// inside the query like a scope, so no count reaches past opts.Scope.
func (x *Index) CountIn(ctx context.Context, q string, opts SearchOptions, groups []Scope) ([]uint64, error) {
	bq, span, err := compileQuery(q, QueryOptions{Location: x.loc, NoShorthand: opts.NoShorthand, Custodian: opts.Custodian})
	if err != nil {
		return nil, err
	}
	var filters []query.Query
	if scope := opts.Scope.query(); scope != nil {
		filters = append(filters, scope)
	}

	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.mu.closed {
		return nil, fmt.Errorf("index: count %s: %w", x.path, bleve.ErrorIndexClosed)
	}
	counts := make([]uint64, len(groups))
	shards := x.shardsIn(span)
	if len(shards) == 0 {
		return counts, nil
	}
	alias := bleve.NewIndexAlias(shards...)
	for i := range groups {
		grouped := query.NewBooleanQuery([]query.Query{bq}, nil, nil)
		grouped.AddFilter(query.NewConjunctionQuery(append(filters[:len(filters):len(filters)], groups[i].query())))
		res, err := alias.SearchInContext(ctx, bleve.NewSearchRequestOptions(grouped, 0, 0, false))
		if err != nil {
			return nil, fmt.Errorf("index: count %s: %w", x.path, err)
		}
		if res.Status != nil && len(res.Status.Errors) > 0 {
			errs := make([]error, 0, len(res.Status.Errors))
			for shard, err := range res.Status.Errors {
				errs = append(errs, fmt.Errorf("shard %s: %w", shard, err))
			}
			return nil, fmt.Errorf("index: count %s: %w", x.path, errors.Join(errs...))
		}
		counts[i] = res.Total
	}
	return counts, nil
}
