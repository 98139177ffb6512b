package index

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
)

// A shard is the Bleve index of the messages sent in one calendar quarter
// in UTC, in the folder named after the quarter: "2024-Q2" holds the
// messages sent from 2024-04-01 00:00 UTC, included, to 2024-07-01 00:00
// UTC, excluded. Quarters are taken in UTC, not in Config.Location, so
// that a message's shard never depends on the configuration.
type shard struct {
	name       string
	path       string
	start, end time.Time // the quarter, end excluded
	idx        bleve.Index
	// dicts caches the term dictionaries that pruneShards looks terms up
	// in, for the shard's current snapshot.
	dicts dictCache
}

// Suffixes of the folders of shards being created or dropped. Open deletes
// such folders: they are the leftovers of a crash.
const (
	newShardSuffix     = ".new"
	droppedShardSuffix = ".dropped"
)

// Years of the first and last shard. A message sent before year 1 (or with
// a zero SentAt, 0001-01-01) goes to the shard 0001-Q1, one sent after
// 9999 to 9999-Q4.
const (
	minShardYear = 1
	maxShardYear = 9999
)

// ShardInfo describes one shard of the index.
type ShardInfo struct {
	// Name is the quarter, as "2024-Q2", and the shard's folder name.
	Name string
	// Start and End bound the send times of the quarter in UTC, End
	// excluded.
	Start, End time.Time
	// Documents is the number of messages in the shard.
	Documents uint64
}

// shardNameOf returns the name of the shard of a message sent at t.
func shardNameOf(t time.Time) string {
	t = t.UTC()
	year, quarter := t.Year(), (int(t.Month())-1)/3+1
	switch {
	case year < minShardYear:
		year, quarter = minShardYear, 1
	case year > maxShardYear:
		year, quarter = maxShardYear, 4
	}
	return fmt.Sprintf("%04d-Q%d", year, quarter)
}

// parseShardName returns the quarter that a shard's folder name names, and
// false when name is not a shard name.
func parseShardName(name string) (start, end time.Time, ok bool) {
	yearText, quarterText, found := strings.Cut(name, "-Q")
	if !found || len(yearText) != 4 || len(quarterText) != 1 {
		return time.Time{}, time.Time{}, false
	}
	year, err := strconv.Atoi(yearText)
	if err != nil || year < minShardYear || year > maxShardYear || yearText[0] == '+' || yearText[0] == '-' {
		return time.Time{}, time.Time{}, false
	}
	quarter := int(quarterText[0] - '0')
	if quarter < 1 || quarter > 4 {
		return time.Time{}, time.Time{}, false
	}
	start = time.Date(year, time.Month(3*quarter-2), 1, 0, 0, 0, 0, time.UTC)
	return start, start.AddDate(0, 3, 0), true
}

// openShards opens every shard in x.path, oldest first, after deleting the
// folders that a crash left behind. On error it closes the shards it
// opened.
func (x *Index) openShards() ([]*shard, error) {
	entries, err := os.ReadDir(x.path)
	if err != nil {
		return nil, fmt.Errorf("index: open %s: %w", x.path, err)
	}

	var shards []*shard
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() {
			continue
		}
		if strings.HasSuffix(name, newShardSuffix) || strings.HasSuffix(name, droppedShardSuffix) {
			if err := os.RemoveAll(filepath.Join(x.path, name)); err != nil {
				closeShards(shards)
				return nil, fmt.Errorf("index: open %s: delete unfinished shard folder %s: %w", x.path, name, err)
			}
			x.logger.Warn("unfinished index shard deleted", "path", filepath.Join(x.path, name))
			continue
		}
		start, end, ok := parseShardName(name)
		if !ok {
			continue
		}
		s := &shard{name: name, path: filepath.Join(x.path, name), start: start, end: end}
		if s.idx, err = x.openShard(s.path); err != nil {
			closeShards(shards)
			return nil, err
		}
		shards = append(shards, s)
	}
	// ReadDir sorts by name, and names sort by quarter.
	return shards, nil
}

// openShard opens the Bleve index at path and checks its schema version and
// location.
func (x *Index) openShard(path string) (bleve.Index, error) {
	idx, err := bleve.Open(path)
	if err != nil {
		return nil, fmt.Errorf("index: open shard %s: %w", path, err)
	}
	version, err := idx.GetInternal(schemaKey)
	if err != nil {
		_ = idx.Close()
		return nil, fmt.Errorf("index: open shard %s: read schema version: %w", path, err)
	}
	if string(version) != schemaVersion {
		_ = idx.Close()
		return nil, fmt.Errorf("index: open shard %s: schema version is %q, expected %q; delete the index folder and rebuild the index: %w", path, version, schemaVersion, ErrSchemaVersion)
	}
	location, err := idx.GetInternal(locationKey)
	if err != nil {
		_ = idx.Close()
		return nil, fmt.Errorf("index: open shard %s: read location: %w", path, err)
	}
	// NOTE: locations are compared by name, so an index built with the
	// fixed UTC+7 zone that defaultLocation falls back to ("ICT") is
	// rebuilt on a machine that has Asia/Ho_Chi_Minh, and back.
	if string(location) != x.loc.String() {
		_ = idx.Close()
		return nil, fmt.Errorf("index: open shard %s: months were counted in location %q, Config.Location is %q; delete the index folder and rebuild the index: %w", path, location, x.loc.String(), ErrSchemaVersion)
	}
	return idx, nil
}

// shardForWrite returns the shard named name, creating it when missing.
// The caller holds x.writeMu.
func (x *Index) shardForWrite(name string) (*shard, error) {
	x.mu.RLock()
	s, closed := x.mu.shards[name], x.mu.closed
	x.mu.RUnlock()
	if closed {
		return nil, fmt.Errorf("index: add to %s: %w", x.path, bleve.ErrorIndexClosed)
	}
	if s != nil {
		return s, nil
	}

	s, err := x.createShard(name)
	if err != nil {
		return nil, err
	}
	x.mu.Lock()
	x.mu.shards[name] = s
	x.mu.Unlock()
	x.logger.Info("index shard created", "path", s.path)
	return s, nil
}

// createShard creates the shard named name. It builds the Bleve index in a
// folder with newShardSuffix, writes the schema version and location, and
// renames the folder, so that a crash never leaves a shard without them.
func (x *Index) createShard(name string) (*shard, error) {
	start, end, ok := parseShardName(name)
	if !ok {
		panic("index: internal error: invalid shard name " + name)
	}
	path := filepath.Join(x.path, name)
	tmp := path + newShardSuffix
	if err := os.RemoveAll(tmp); err != nil {
		return nil, fmt.Errorf("index: create shard %s: %w", path, err)
	}

	idx, err := bleve.New(tmp, newMapping())
	if err != nil {
		return nil, fmt.Errorf("index: create shard %s: %w", path, err)
	}
	err = idx.SetInternal(schemaKey, []byte(schemaVersion))
	if err == nil {
		err = idx.SetInternal(locationKey, []byte(x.loc.String()))
	}
	if closeErr := idx.Close(); err == nil {
		err = closeErr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err == nil {
		err = syncDir(x.path)
	}
	if err != nil {
		return nil, fmt.Errorf("index: create shard %s: %w", path, err)
	}

	idx, err = x.openShard(path)
	if err != nil {
		return nil, err
	}
	return &shard{name: name, path: path, start: start, end: end, idx: idx}, nil
}

// Shards describes the shards of the index, oldest first.
func (x *Index) Shards() ([]ShardInfo, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	infos := make([]ShardInfo, 0, len(x.mu.shards))
	for _, s := range x.mu.shards {
		n, err := s.idx.DocCount()
		if err != nil {
			return nil, fmt.Errorf("index: count %s: %w", s.path, err)
		}
		infos = append(infos, ShardInfo{Name: s.name, Start: s.start, End: s.end, Documents: n})
	}
	slices.SortFunc(infos, func(a, b ShardInfo) int { return strings.Compare(a.Name, b.Name) })
	return infos, nil
}

// DropShardsBefore deletes the shards whose whole quarter ends at or before
// t, and returns their names, oldest first. The shard 2024-Q1 holds the
// messages sent from 2024-01-01 to 2024-04-01 UTC, so it is dropped when t
// is 2024-04-01 00:00 UTC or later. Searches that run meanwhile finish
// first. The messages of a dropped shard no longer match any search; the
// archive keeps them, and adding one of them again creates its shard again.
//
// Each shard is closed, its folder renamed with droppedShardSuffix and then
// deleted, so that a crash leaves no half-deleted shard for Open to read.
func (x *Index) DropShardsBefore(t time.Time) ([]string, error) {
	x.writeMu.Lock()
	defer x.writeMu.Unlock()

	x.mu.RLock()
	var drop []*shard
	for _, s := range x.mu.shards {
		if !s.end.After(t) {
			drop = append(drop, s)
		}
	}
	closed := x.mu.closed
	x.mu.RUnlock()
	if closed {
		return nil, fmt.Errorf("index: drop shards of %s: %w", x.path, bleve.ErrorIndexClosed)
	}
	slices.SortFunc(drop, func(a, b *shard) int { return strings.Compare(a.name, b.name) })

	var dropped []string
	for _, s := range drop {
		// Taking the write lock waits for the searches that use the shard.
		x.mu.Lock()
		delete(x.mu.shards, s.name)
		x.mu.Unlock()

		err := s.idx.Close()
		if err == nil {
			err = os.Rename(s.path, s.path+droppedShardSuffix)
		}
		if err == nil {
			err = os.RemoveAll(s.path + droppedShardSuffix)
		}
		if err != nil {
			return dropped, fmt.Errorf("index: drop shard %s: %w", s.path, err)
		}
		dropped = append(dropped, s.name)
		x.logger.Info("index shard dropped", "path", s.path)
	}
	return dropped, nil
}

// closeShards closes shards after a failed open, ignoring errors.
func closeShards(shards []*shard) {
	for _, s := range shards {
		_ = s.idx.Close()
	}
}

// syncDir flushes the entries of the folder dir to disk, so that a rename
// in it survives a crash.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if closeErr := d.Close(); err == nil {
		err = closeErr
	}
	if errors.Is(err, os.ErrInvalid) {
		// Some platforms cannot sync a folder.
		return nil
	}
	return err
}
