package index

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"

	"chatseal/chat"
)

// schemaVersion names the document layout: field names, analysis and
// indexing options. An index written with another layout must be rebuilt
// from the archive.
const schemaVersion = "3"

// schemaKey is the bleve internal key that stores schemaVersion.
var schemaKey = []byte("chatseal.schema")

// Search window limits. Bleve keeps Offset+Limit hits in memory per search.
const (
	DefaultLimit = 20
	MaxLimit     = 1000
	MaxWindow    = 10000 // maximum Offset+Limit
)

// Config configures an Index.
type Config struct {
	// Path is the folder of the Bleve index. It is created with a new,
	// empty index when it holds none. Required.
	Path string
	// Location is the time zone in which after: and before: dates are read.
	// Nil means Asia/Ho_Chi_Minh.
	Location *time.Location
	// Logger receives open and close events with the path and document
	// count, never message text or queries. Nil discards them.
	Logger *slog.Logger
}

// Index is the full-text index of one tenant's messages. Its methods are
// safe for concurrent use.
type Index struct {
	idx    bleve.Index
	path   string
	loc    *time.Location
	logger *slog.Logger
}

// SearchOptions selects a page of results.
type SearchOptions struct {
	// Limit is the number of hits to return, at most MaxLimit. Zero means
	// DefaultLimit.
	Limit int
	// Offset is the number of best hits to skip. Offset+Limit is at most
	// MaxWindow.
	Offset int
	// NoShorthand turns off the expansion of chat abbreviations (see
	// ParseQuery). The zero value expands them.
	NoShorthand bool
}

// Result is one page of a search.
type Result struct {
	// Total counts every matching message, not only those in Hits.
	Total uint64
	// Hits are ordered by descending score, then by ascending ID.
	Hits []Hit
}

// Hit is one matching message. The caller reads the message itself from its
// catalog by ID; the index stores no message content.
type Hit struct {
	ID    string
	Score float64
}

// Open opens the index at cfg.Path, creating it when the folder holds no
// index. It fails when the index on disk has another schema version; such an
// index must be deleted and rebuilt.
func Open(cfg Config) (*Index, error) {
	if cfg.Path == "" {
		return nil, errors.New("index: open: Config.Path is empty")
	}
	x := &Index{path: cfg.Path, loc: cfg.Location, logger: cfg.Logger}
	if x.loc == nil {
		x.loc = defaultLocation()
	}
	if x.logger == nil {
		x.logger = slog.New(slog.DiscardHandler)
	}

	_, err := os.Stat(filepath.Join(cfg.Path, "index_meta.json"))
	switch {
	case err == nil:
		err = x.openExisting()
	case errors.Is(err, fs.ErrNotExist):
		err = x.create()
	default:
		err = fmt.Errorf("index: open %s: %w", cfg.Path, err)
	}
	if err != nil {
		return nil, err
	}

	count, err := x.idx.DocCount()
	if err != nil {
		_ = x.idx.Close()
		return nil, fmt.Errorf("index: open %s: count documents: %w", cfg.Path, err)
	}
	x.logger.Info("index opened", "path", cfg.Path, "documents", count)
	return x, nil
}

func (x *Index) openExisting() error {
	idx, err := bleve.Open(x.path)
	if err != nil {
		return fmt.Errorf("index: open %s: %w", x.path, err)
	}
	version, err := idx.GetInternal(schemaKey)
	if err != nil {
		_ = idx.Close()
		return fmt.Errorf("index: open %s: read schema version: %w", x.path, err)
	}
	if string(version) != schemaVersion {
		_ = idx.Close()
		return fmt.Errorf("index: open %s: schema version is %q, expected %q; delete the folder and rebuild the index: %w", x.path, version, schemaVersion, ErrSchemaVersion)
	}
	x.idx = idx
	return nil
}

func (x *Index) create() error {
	idx, err := bleve.New(x.path, newMapping())
	if err != nil {
		return fmt.Errorf("index: create %s: %w", x.path, err)
	}
	if err := idx.SetInternal(schemaKey, []byte(schemaVersion)); err != nil {
		_ = idx.Close()
		return fmt.Errorf("index: create %s: write schema version: %w", x.path, err)
	}
	x.idx = idx
	return nil
}

// Add indexes msgs in one batch. A message whose ID is already in the index
// replaces the earlier document, so adding the same messages again is safe.
// Within msgs, the last message with a given ID wins. The batch is durable
// on disk when Add returns nil.
func (x *Index) Add(msgs []*chat.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	batch := x.idx.NewBatch()
	for i, m := range msgs {
		if m == nil {
			return fmt.Errorf("index: add: message %d of %d is nil", i, len(msgs))
		}
		if m.ID == "" {
			return fmt.Errorf("index: add: message %d of %d has an empty ID", i, len(msgs))
		}
		if err := batch.IndexAdvanced(messageDocument(m)); err != nil {
			return fmt.Errorf("index: add message %s: %w", m.ID, err)
		}
	}
	if err := x.idx.Batch(batch); err != nil {
		return fmt.Errorf("index: add batch of %d messages, first %s: %w", len(msgs), msgs[0].ID, err)
	}
	return nil
}

// Search runs the query q (see ParseQuery for its language) and returns one
// page of hits. A malformed query returns a *SyntaxError.
func (x *Index) Search(ctx context.Context, q string, opts SearchOptions) (*Result, error) {
	limit := opts.Limit
	if limit == 0 {
		limit = DefaultLimit
	}
	if limit < 0 || limit > MaxLimit {
		return nil, fmt.Errorf("index: search: invalid limit %d, expected 0 to %d", opts.Limit, MaxLimit)
	}
	if opts.Offset < 0 || opts.Offset+limit > MaxWindow {
		return nil, fmt.Errorf("index: search: invalid offset %d, expected 0 to %d with limit %d", opts.Offset, MaxWindow-limit, limit)
	}

	bq, err := ParseQueryOptions(q, QueryOptions{Location: x.loc, NoShorthand: opts.NoShorthand})
	if err != nil {
		return nil, err
	}
	req := bleve.NewSearchRequestOptions(bq, limit, opts.Offset, false)
	req.SortBy([]string{"-_score", "_id"})
	res, err := x.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("index: search %s: %w", x.path, err)
	}

	out := &Result{Total: res.Total, Hits: make([]Hit, len(res.Hits))}
	for i, h := range res.Hits {
		out.Hits[i] = Hit{ID: h.ID, Score: h.Score}
	}
	return out, nil
}

// Count returns the number of messages in the index.
func (x *Index) Count() (uint64, error) {
	n, err := x.idx.DocCount()
	if err != nil {
		return 0, fmt.Errorf("index: count %s: %w", x.path, err)
	}
	return n, nil
}

// Close stops bleve's background persister and merger, waits for them, and
// closes the index files.
func (x *Index) Close() error {
	if err := x.idx.Close(); err != nil {
		return fmt.Errorf("index: close %s: %w", x.path, err)
	}
	x.logger.Info("index closed", "path", x.path)
	return nil
}

// defaultLocation returns Asia/Ho_Chi_Minh from the system's time zone
// database, or a fixed UTC+7 zone when the database is missing. The two
// agree on every date since 1975, when Vietnam last changed its offset.
var defaultLocation = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		return time.FixedZone("ICT", 7*60*60)
	}
	return loc
})
