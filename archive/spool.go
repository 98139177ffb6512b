package archive

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
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
// Keys: "m" + message id → record line (chat.EncodeRecord, seq 0);
// "k" + dedup key → message id.
type Spool struct {
	db *pebble.DB

	mu struct {
		sync.Mutex
		count int
	}
}

// OpenSpool opens or creates the spool in dir.
func OpenSpool(dir string, logger *slog.Logger) (*Spool, error) {
	db, err := pebble.Open(dir, &pebble.Options{Logger: pebblelog.Logger{L: logger}})
	if err != nil {
		return nil, fmt.Errorf("archive: open spool %s: %w", dir, err)
	}
	s := &Spool{db: db}
	n := 0
	err = s.scan(func(*chat.Message) error { n++; return nil })
	if err != nil {
		db.Close()
		return nil, err
	}
	s.mu.count = n
	return s, nil
}

// Close closes the spool.
func (s *Spool) Close() error { return s.db.Close() }

// Len returns the number of spooled messages.
func (s *Spool) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mu.count
}

// DedupKey returns the key under which the spool and the catalog recognise
// a message seen before: tenant, source, account and source id.
func DedupKey(m *chat.Message) []byte {
	var b bytes.Buffer
	for i, part := range []string{m.Tenant, m.Source, m.Account, m.SourceID} {
		if i > 0 {
			b.WriteByte(0)
		}
		b.WriteString(part)
	}
	return b.Bytes()
}

// Has reports whether a message with the given dedup key is spooled.
func (s *Spool) Has(dedup []byte) (bool, error) {
	_, closer, err := s.db.Get(append([]byte{'k'}, dedup...))
	if errors.Is(err, pebble.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("archive: spool lookup: %w", err)
	}
	closer.Close()
	return true, nil
}

// Add writes msgs to the spool in one fsynced batch. When Add returns nil
// every message is durable.
func (s *Spool) Add(msgs []*chat.Message) error {
	b := s.db.NewBatch()
	defer b.Close()
	var rec []byte
	var err error
	for _, m := range msgs {
		rec, err = chat.EncodeRecord(rec[:0], m)
		if err != nil {
			return fmt.Errorf("archive: spool add: %w", err)
		}
		b.Set(append([]byte{'m'}, m.ID...), rec[:len(rec)-1], nil)
		b.Set(append([]byte{'k'}, DedupKey(m)...), []byte(m.ID), nil)
	}
	if err := b.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("archive: spool add %d messages: %w", len(msgs), err)
	}
	s.mu.Lock()
	s.mu.count += len(msgs)
	s.mu.Unlock()
	return nil
}

// Scan calls fn with every spooled message, in id order (ULIDs, so about
// the order of acceptance).
func (s *Spool) Scan(fn func(*chat.Message) error) error { return s.scan(fn) }

func (s *Spool) scan(fn func(*chat.Message) error) error {
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
		b.Delete(append([]byte{'k'}, DedupKey(m)...), nil)
	}
	if err := b.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("archive: spool remove %d messages: %w", len(msgs), err)
	}
	s.mu.Lock()
	s.mu.count -= len(msgs)
	s.mu.Unlock()
	return nil
}
