package searchbench

import (
	"context"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"chatseal/chat"
	"chatseal/index"
)

// Engine names in the report.
const (
	engineChatseal = "bleve (index)"
	engineFTS5     = "sqlite fts5"
)

// addBatch is the number of messages per Index.Add, as imports use.
const addBatch = 1000

// chatsealEngine is package index: Bleve with chatseal's fields and query
// language.
type chatsealEngine struct {
	idx  *index.Index
	path string
}

func openChatseal(path string) (*chatsealEngine, error) {
	idx, err := index.Open(index.Config{Path: path})
	if err != nil {
		return nil, err
	}
	return &chatsealEngine{idx: idx, path: path}, nil
}

// load adds msgs in batches of addBatch.
func (e *chatsealEngine) load(ctx context.Context, msgs iter.Seq[*chat.Message], progress *progressMeter) error {
	batch := make([]*chat.Message, 0, addBatch)
	flush := func() error {
		if err := e.idx.Add(batch); err != nil {
			return err
		}
		progress.add(len(batch))
		batch = batch[:0]
		return ctx.Err()
	}
	for m := range msgs {
		batch = append(batch, m)
		if len(batch) == addBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if len(batch) > 0 {
		return flush()
	}
	return nil
}

func (e *chatsealEngine) name() string { return engineChatseal }

func (e *chatsealEngine) search(ctx context.Context, q *Query) ([]int64, int64, error) {
	res, err := e.idx.Search(ctx, q.Chatseal(), index.SearchOptions{Limit: 20})
	if err != nil {
		return nil, 0, fmt.Errorf("searchbench: index: %s query: %w", q.Class, err)
	}
	ids := make([]int64, 0, len(res.Hits))
	for _, h := range res.Hits {
		id, ok := rowID(h.ID)
		if !ok {
			return nil, 0, fmt.Errorf("searchbench: index: hit %q is not a corpus ID", h.ID)
		}
		ids = append(ids, id)
	}
	return ids, int64(res.Total), nil
}

func (e *chatsealEngine) close() error { return e.idx.Close() }

// Settling of Bleve's background merges after a load.
const (
	settlePoll   = 2 * time.Second
	settleQuiet  = 3 // polls without a change
	settleMaxima = 5 * time.Minute
)

// waitForMerges waits until the set of segment files under dir has not
// changed for settleQuiet polls, or settleMaxima has passed, so that
// Bleve's merger does not run while queries are timed. It returns the
// time waited. Package index does not expose Bleve's statistics, so the
// files are the only sign of merging that it can see.
func waitForMerges(ctx context.Context, dir string) (time.Duration, error) {
	start := time.Now()
	var last []string
	quiet := 0
	for quiet < settleQuiet && time.Since(start) < settleMaxima {
		var files []string
		err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasSuffix(path, ".zap") {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return time.Since(start), fmt.Errorf("searchbench: list segments of %s: %w", dir, err)
		}
		slices.Sort(files)
		if slices.Equal(files, last) {
			quiet++
		} else {
			quiet = 0
		}
		last = files
		select {
		case <-ctx.Done():
			return time.Since(start), ctx.Err()
		case <-time.After(settlePoll):
		}
	}
	return time.Since(start), nil
}

// dirSize returns the bytes of the files under path, or of path itself
// when it is a file.
func dirSize(path string) (int64, error) {
	var total int64
	err := filepath.WalkDir(path, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		total += info.Size()
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("searchbench: size of %s: %w", path, err)
	}
	return total, nil
}
