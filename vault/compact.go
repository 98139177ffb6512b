package vault

import (
	"context"
	"fmt"
	"time"

	"chatseal/index"
)

// CompactIndex merges each closed quarter of the search index into one
// segment once the messages flushed so far are indexed, and returns the
// quarters it merged (see index.Index.Compact). An import of old history
// leaves many segments in each quarter, and every search looks its terms
// up in each of them. Run it after an import or a rebuild; it changes no
// message, and searches may run meanwhile.
func (v *Vault) CompactIndex(ctx context.Context, progress func(index.CompactProgress)) ([]string, error) {
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
