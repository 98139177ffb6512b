package vault

import (
	"context"
	"fmt"
	"strings"
	"time"

	"chatseal/audit"
	"chatseal/index"
)

// CompactIndex merges each closed quarter of the search index into one
// segment once the messages flushed so far are indexed, and returns the
// quarters it merged (see index.Index.Compact). An import of old history
// leaves many segments in each quarter, and every search looks its terms
// up in each of them. Run it after an import or a rebuild; it changes no
// message, and searches may run meanwhile.
func (v *Vault) CompactIndex(ctx context.Context, progress func(index.CompactProgress)) ([]string, error) {
	merged, err := v.compactIndex(ctx, progress)
	// A compaction that found nothing to merge changed nothing, and is
	// not recorded.
	if len(merged) == 0 && err == nil {
		return merged, nil
	}
	e := audit.Event{Action: audit.ActionCompact, Results: count(len(merged)), Details: map[string]string{"quarters": strings.Join(merged, " ")}}
	return merged, v.record(ctx, e, err)
}

func (v *Vault) compactIndex(ctx context.Context, progress func(index.CompactProgress)) ([]string, error) {
	if err := v.waitFlush(); err != nil {
		return nil, fmt.Errorf("vault: compact index: an earlier flush failed: %w", err)
	}
	if err := v.indexer.wait(); err != nil {
		return nil, fmt.Errorf("vault: compact index: indexing failed: %w", err)
	}
	merged, err := v.index.Compact(ctx, time.Now(), progress)
	if err != nil {
		return merged, fmt.Errorf("vault: compact index: %w", err)
	}
	return merged, nil
}
