package index

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/unicode/norm"

	"chatseal/chat"
	"chatseal/internal/failpoint"
)

// schemaVersion names the document layout: field names, analysis and
// indexing options. An index written with another layout must be rebuilt
// from the archive. Version 4 split the index into quarter shards and added
// the facets field, locations with byte offsets, and the to:, has: and tag:
// terms. Version 5 added the pairs field, and version 6 removed it again
// (see Phrases in the package documentation). Version 7 left the
// quarter-hour level out of the send-time trie (see sentAtFirstLevel).
// Version 8 replaced the exact field with form codes in the folded field's
// locations (see textField), and the facets field's time term with a
// time prefix of the document ID (see docID).
const schemaVersion = "8"

// Bleve internal keys of every shard: schemaVersion, and the name of the
// Config.Location in which the month terms were computed.
var (
	schemaKey   = []byte("chatseal.schema")
	locationKey = []byte("chatseal.location")
)

// Search window limits. Bleve keeps Offset+Limit hits in memory per search
// and per shard.
const (
	DefaultLimit = 20
	MaxLimit     = 1000
	MaxWindow    = 10000 // maximum Offset+Limit
)

// Config configures an Index.
type Config struct {
	// Path is the folder of the index. It holds one Bleve index per
	// quarter (see the package documentation) and is created when
	// missing. Required.
	Path string
	// Location is the time zone in which after: and before: dates are read
	// and the months of Facets are counted. Nil means Asia/Ho_Chi_Minh.
	// Opening an index with another location than the one it was built
	// with fails with ErrSchemaVersion.
	Location *time.Location
	// Logger receives open, close and shard events with the path, shard
	// names and document counts, never message text or queries. Nil
	// discards them.
	Logger *slog.Logger
}

// Index is the full-text index of one tenant's messages. Its methods are
// safe for concurrent use. Writes (AddTagged, DropShardsBefore) run one at
// a time, and searches run alongside them.
type Index struct {
	path   string
	loc    *time.Location
	logger *slog.Logger

	// writeMu serialises AddTagged calls, DropShardsBefore and Close.
	writeMu sync.Mutex
	// mu guards the set of shards. A search holds the read lock for its
	// whole run, so that closing a shard waits for the searches using it.
	mu struct {
		sync.RWMutex
		// shards maps a shard's name to the shard.
		shards map[string]*shard
		closed bool
	}
}

// Doc is a message with its reviewer tags, for AddTagged.
type Doc struct {
	Message *chat.Message
	// Tags are the reviewer tags that tag: matches, compared in any case.
	// The index keeps them only in the message's document, so the caller
	// stores them and passes them again whenever it adds the message.
	Tags []string
}

// Open opens the index at cfg.Path, creating the folder when it is
// missing. It fails with an error wrapping ErrSchemaVersion when a shard
// has another schema version or location, or when the folder holds an
// index of the layout before shards. Such an index must be deleted and
// rebuilt.
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
		return nil, fmt.Errorf("index: open %s: the folder contains a single Bleve index from before quarter shards; delete the folder and rebuild the index: %w", cfg.Path, ErrSchemaVersion)
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("index: open %s: %w", cfg.Path, err)
	}
	if err := os.MkdirAll(cfg.Path, 0o700); err != nil {
		return nil, fmt.Errorf("index: open %s: %w", cfg.Path, err)
	}

	shards, err := x.openShards()
	if err != nil {
		return nil, err
	}
	x.mu.shards = make(map[string]*shard, len(shards))
	var count uint64
	for _, s := range shards {
		x.mu.shards[s.name] = s
		n, err := s.idx.DocCount()
		if err != nil {
			closeShards(shards)
			return nil, fmt.Errorf("index: open %s: count documents: %w", s.path, err)
		}
		count += n
	}
	x.logger.Info("index opened", "path", cfg.Path, "shards", len(shards), "documents", count)
	return x, nil
}

// Add indexes msgs without reviewer tags; see AddTagged.
func (x *Index) Add(msgs []*chat.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	docs := make([]Doc, len(msgs))
	for i, m := range msgs {
		docs[i].Message = m
	}
	return x.AddTagged(docs)
}

// SetTags replaces the reviewer tags of msg by indexing it again with tags.
// The message must be the one indexed, with the same SentAt, so that its
// document stays in the same shard.
func (x *Index) SetTags(msg *chat.Message, tags []string) error {
	return x.AddTagged([]Doc{{Message: msg, Tags: tags}})
}

// AddTagged indexes the messages of docs with their tags, in Bleve batches
// of one shard each (see addBatchSize), addWorkers at a time. A
// message whose ID is already in the index replaces the earlier document,
// tags included, so adding the same messages again is safe, and adding a
// message without its tags removes them. Within docs, the last message
// with a given ID wins. Every batch is durable on disk when AddTagged
// returns nil. When it returns an error, some batches may have been
// written; adding docs again completes them. Calls run one at a time.
//
// NOTE: a message's document ID starts with its SentAt (see docID), which
// also routes it to a shard. Adding a message ID again with another SentAt
// leaves the earlier document in the index.
func (x *Index) AddTagged(docs []Doc) error {
	if len(docs) == 0 {
		return nil
	}
	for i, d := range docs {
		if d.Message == nil {
			return fmt.Errorf("index: add: message %d of %d is nil", i, len(docs))
		}
		if d.Message.ID == "" {
			return fmt.Errorf("index: add: message %d of %d has an empty ID", i, len(docs))
		}
	}

	// The batches below run concurrently, so each ID may be in one only:
	// the last Doc with an ID is kept.
	last := make(map[string]int, len(docs))
	for i, d := range docs {
		last[d.Message.ID] = i
	}
	if len(last) < len(docs) {
		kept := make([]Doc, 0, len(last))
		for i, d := range docs {
			if last[d.Message.ID] == i {
				kept = append(kept, d)
			}
		}
		docs = kept
	}

	// Most calls fall in one quarter, so the groups are a short list.
	type group struct {
		name string
		docs []Doc
	}
	var groups []group
	for _, d := range docs {
		name := shardNameOf(d.Message.SentAt)
		i := 0
		for i < len(groups) && groups[i].name != name {
			i++
		}
		if i == len(groups) {
			groups = append(groups, group{name: name})
		}
		groups[i].docs = append(groups[i].docs, d)
	}

	x.writeMu.Lock()
	defer x.writeMu.Unlock()
	size := addBatchSize(len(docs))
	var jobs []addJob
	for _, g := range groups {
		s, err := x.shardForWrite(g.name)
		if err != nil {
			return err
		}
		for from := 0; from < len(g.docs); from += size {
			jobs = append(jobs, addJob{s: s, docs: g.docs[from:min(from+size, len(g.docs))]})
		}
	}
	return x.runAddJobs(jobs)
}

// Bounds of the size of AddTagged's Bleve batches. Each batch becomes one
// segment, and fewer, larger segments leave Bleve's merger less to do. On
// the messages of BenchmarkIndex, two batches of 2,500 per call of 5,000
// took about 20% less time than five batches of 1,000, which Bleve merged
// as they came. The upper bound keeps a batch's memory in check.
const (
	minAddBatch = 1000
	maxAddBatch = 5000
)

// addBatchSize returns the size of the Bleve batches of an AddTagged call
// of n messages: n shared evenly among addWorkers batches, within
// minAddBatch and maxAddBatch.
func addBatchSize(n int) int {
	return min(max((n+addWorkers-1)/addWorkers, minAddBatch), maxAddBatch)
}

// addWorkers is how many Bleve batches AddTagged runs at once. A batch
// analyses its messages on every CPU, then builds its segment on one, then
// waits until Bleve's persister has written it. One at a time, batches
// kept this 2-core machine about 1.4 cores busy in BenchmarkIndex. Two at
// a time took the index rate there from 0.45 to 0.59 of the raw Bleve
// baseline, and three did no better.
const addWorkers = 2

// addJob is one Bleve batch of AddTagged.
type addJob struct {
	s    *shard
	docs []Doc
}

// runAddJobs runs jobs, addWorkers at a time, and returns the errors of
// those that failed. After an error it starts no further job.
func (x *Index) runAddJobs(jobs []addJob) error {
	var (
		mu   sync.Mutex
		errs []error
		next int
		wg   sync.WaitGroup
	)
	take := func() (addJob, bool) {
		mu.Lock()
		defer mu.Unlock()
		if len(errs) > 0 || next == len(jobs) {
			return addJob{}, false
		}
		next++
		return jobs[next-1], true
	}
	for range min(addWorkers, len(jobs)) {
		wg.Go(func() {
			for {
				job, ok := take()
				if !ok {
					return
				}
				if err := x.runAddJob(job); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (x *Index) runAddJob(job addJob) error {
	failpoint.Hit("during-index")
	batch := job.s.idx.NewBatch()
	// Each document allocates its own analysis buffers. Pooling them from
	// batch to batch made the index 3 to 8% slower in side-by-side runs on
	// BenchmarkImport's corpus (see BENCHMARKS.md).
	for _, d := range job.docs {
		if err := batch.IndexAdvanced(messageDocument(d.Message, d.Tags, x.loc)); err != nil {
			return fmt.Errorf("index: add message %s: %w", d.Message.ID, err)
		}
	}
	if err := job.s.idx.Batch(batch); err != nil {
		return fmt.Errorf("index: add batch of %d messages to shard %s, first %s: %w", len(job.docs), job.s.name, job.docs[0].Message.ID, err)
	}
	return nil
}

// Count returns the number of messages in the index.
func (x *Index) Count() (uint64, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	var total uint64
	for _, s := range x.mu.shards {
		n, err := s.idx.DocCount()
		if err != nil {
			return 0, fmt.Errorf("index: count %s: %w", s.path, err)
		}
		total += n
	}
	return total, nil
}

// Close stops bleve's background persister and merger of every shard,
// waits for them, and closes the index files.
func (x *Index) Close() error {
	x.writeMu.Lock()
	defer x.writeMu.Unlock()
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.mu.closed {
		return nil
	}
	x.mu.closed = true

	var errs []error
	for _, s := range x.mu.shards {
		if err := s.idx.Close(); err != nil {
			errs = append(errs, fmt.Errorf("index: close %s: %w", s.path, err))
		}
	}
	x.logger.Info("index closed", "path", x.path, "shards", len(x.mu.shards))
	return errors.Join(errs...)
}

// NormalizeTag returns the form of a reviewer tag that tag: compares, which
// is trimmed, lowercase and NFC-normalised.
func NormalizeTag(tag string) string {
	return norm.NFC.String(strings.ToLower(strings.TrimSpace(tag)))
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
