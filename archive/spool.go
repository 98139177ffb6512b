package archive

import (
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"

	"github.com/cockroachdb/pebble"

	"chatseal/chat"
	"chatseal/internal/pebblelog"
)

// Spool is the local, durable queue of accepted messages that are not yet in
// a segment. A message is acknowledged only after Add has returned, which is
// after the Pebble batch holding it was fsynced.
//
// The spool is the only local state that is not derived: it must be drained
// (flushed to segments) before the data folder is thrown away.
//
// Keys: "m" + message id → record line (chat.EncodeRecord, seq 0). Dedup
// keys live in memory alone, derived from the records at open. Spools
// written before that also hold "k" + dedup key → message id, which
// OpenSpool deletes.
//
// The spool also keeps every spooled message in memory, loaded at open and
// kept in step by Add and Remove, so that lookups and flushes do not read
// Pebble back. Its size is bounded by the flush threshold of the writer.
type Spool struct {
	db *pebble.DB

	mu struct {
		sync.Mutex
		// byID holds every spooled message; dedup holds their dedup keys.
		byID  map[string]*chat.Message
		dedup map[string]struct{}
		// lines holds the records that Add encoded, for SealRecords.
		// Messages loaded at open have none, and neither do those added
		// beyond maxLines.
		lines map[string]Line
	}
	// maxLines is how many spooled messages may have a line in memory.
	maxLines int
}

// maxSpoolLines is the default of Spool.maxLines. A flush normally takes
// the spool's messages long before that many are spooled. While the object
// store is unreachable, though, an import goes on spooling, and each line
// is about as large as its message. Beyond this count, sealing encodes the
// messages again.
const maxSpoolLines = 50_000

// Line is the record line of a message, with its newline, and the offset
// in it at which the raw payload's members start (see
// chat.EncodeRecordSplit).
type Line struct {
	Bytes []byte
	Raw   int
}

// OpenSpool opens or creates the spool in dir.
func OpenSpool(dir string, logger *slog.Logger) (*Spool, error) {
	// Messages usually leave the spool within one memtable's lifetime, so
	// a large memtable (64 MiB, Pebble's default is 4) means most of them
	// never reach an sstable.
	db, err := pebble.Open(dir, &pebble.Options{Logger: pebblelog.Logger{L: logger}, MemTableSize: 64 << 20})
	if err != nil {
		return nil, fmt.Errorf("archive: open spool %s: %w", dir, err)
	}
	if err := dropDedupRows(db); err != nil {
		db.Close()
		return nil, fmt.Errorf("archive: open spool %s: %w", dir, err)
	}
	s := &Spool{db: db, maxLines: maxSpoolLines}
	s.mu.byID = map[string]*chat.Message{}
	s.mu.dedup = map[string]struct{}{}
	s.mu.lines = map[string]Line{}
	err = s.scanPebble(func(m *chat.Message) error {
		s.mu.byID[m.ID] = m
		s.mu.dedup[string(DedupKey(m))] = struct{}{}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// dropDedupRows deletes the "k" rows of a spool written by an earlier
// version, which nothing reads.
func dropDedupRows(db *pebble.DB) error {
	start, end := []byte{'k'}, []byte{'l'}
	it, err := db.NewIter(&pebble.IterOptions{LowerBound: start, UpperBound: end})
	if err != nil {
		return err
	}
	found := it.First()
	if err := errors.Join(it.Error(), it.Close()); err != nil || !found {
		return err
	}
	return db.DeleteRange(start, end, pebble.Sync)
}

// Close closes the spool.
func (s *Spool) Close() error { return s.db.Close() }

// Len returns the number of spooled messages.
func (s *Spool) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.mu.byID)
}

// DedupKey returns the key under which the spool and the catalog recognise
// a message seen before: tenant, source, account, conversation and source
// id. The conversation is part of the key because some platforms number
// messages per chat (Telegram, Slack), so a source id alone repeats.
func DedupKey(m *chat.Message) []byte {
	parts := [...]string{m.Tenant, m.Source, m.Account, m.Conversation, m.SourceID}
	n := len(parts) - 1
	for _, part := range parts {
		n += len(part)
	}
	k := make([]byte, 0, n)
	for i, part := range parts {
		if i > 0 {
			k = append(k, 0)
		}
		k = append(k, part...)
	}
	return k
}

// Has reports whether a message with the given dedup key is spooled.
func (s *Spool) Has(dedup []byte) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.mu.dedup[string(dedup)]
	return ok, nil
}

// Add writes msgs to the spool in one fsynced batch. When Add returns nil
// every message is durable.
func (s *Spool) Add(msgs []*chat.Message) error {
	// Each message is its key, its record and Pebble's few bytes of
	// framing.
	size := 0
	for _, m := range msgs {
		size += chat.RecordSizeHint(m) + len(m.ID) + 16
	}
	b := s.db.NewBatchWithSize(size)
	defer b.Close()
	// The records stay in memory until they are sealed, all in one
	// buffer.
	buf := make([]byte, 0, size)
	lines := make([]Line, len(msgs))
	for i, m := range msgs {
		start := len(buf)
		var raw int
		var err error
		buf, raw, err = chat.EncodeRecordSplit(buf, m)
		if err != nil {
			return fmt.Errorf("archive: spool add: %w", err)
		}
		lines[i] = Line{Bytes: buf[start:len(buf):len(buf)], Raw: raw - start}
		b.Set(append([]byte{'m'}, m.ID...), buf[start:len(buf)-1], nil)
	}
	if err := b.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("archive: spool add %d messages: %w", len(msgs), err)
	}
	s.mu.Lock()
	keepLines := len(s.mu.lines)+len(msgs) <= s.maxLines
	for i, m := range msgs {
		s.mu.byID[m.ID] = m
		s.mu.dedup[string(DedupKey(m))] = struct{}{}
		if keepLines {
			s.mu.lines[m.ID] = lines[i]
		}
	}
	s.mu.Unlock()
	return nil
}

// Lines returns the record line that Add encoded for each of msgs, or a
// zero Line for a message whose line the spool does not keep.
func (s *Spool) Lines(msgs []*chat.Message) []Line {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Line, len(msgs))
	for i, m := range msgs {
		out[i] = s.mu.lines[m.ID]
	}
	return out
}

// Get returns the spooled message with the id, or nil.
func (s *Spool) Get(id string) *chat.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mu.byID[id]
}

// Pending returns every spooled message in id order (ULIDs, so about the
// order of acceptance). The messages are shared with the spool: a caller may
// set fields the spool does not key on (Seq), and nothing else.
func (s *Spool) Pending() []*chat.Message {
	s.mu.Lock()
	out := make([]*chat.Message, 0, len(s.mu.byID))
	for _, m := range s.mu.byID {
		out = append(out, m)
	}
	s.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// scanPebble calls fn with every message stored in Pebble, in id order.
func (s *Spool) scanPebble(fn func(*chat.Message) error) error {
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: []byte{'m'}, UpperBound: []byte{'n'}})
	if err != nil {
		return fmt.Errorf("archive: spool scan: %w", err)
	}
	defer it.Close()
	for it.First(); it.Valid(); it.Next() {
		m, err := chat.DecodeRecord(it.Value())
		if err != nil {
			return fmt.Errorf("archive: spool record %s: %w", it.Key()[1:], err)
		}
		if err := fn(m); err != nil {
			return err
		}
	}
	return it.Error()
}

// Remove deletes msgs from the spool in one fsynced batch. Call it only
// after the catalog has committed them.
func (s *Spool) Remove(msgs []*chat.Message) error {
	b := s.db.NewBatch()
	defer b.Close()
	for _, m := range msgs {
		b.Delete(append([]byte{'m'}, m.ID...), nil)
	}
	if err := b.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("archive: spool remove %d messages: %w", len(msgs), err)
	}
	s.mu.Lock()
	for _, m := range msgs {
		delete(s.mu.byID, m.ID)
		delete(s.mu.dedup, string(DedupKey(m)))
		delete(s.mu.lines, m.ID)
	}
	s.mu.Unlock()
	return nil
}
