package audit

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/oklog/ulid/v2"
)

// HeadStore keeps the head of the chain durably. Append saves the head it
// is about to write as pending before the object's Put and clears it
// after, so that an Append cut short by a crash is settled at the next
// Open: the object is either in the archive, and the pending head is the
// head, or not, and the saved head still is.
type HeadStore interface {
	LoadHead() (head Head, pending *Head, err error)
	SaveHead(head Head, pending *Head) error
}

// Log appends events to a tenant's audit log. It is safe for concurrent
// use. One process at a time may append to a tenant's log.
type Log struct {
	store  Store
	heads  HeadStore
	tenant string

	mu      sync.Mutex
	head    Head
	pending *Head
	lastID  ulid.ULID
}

// Open returns the log of tenant, settling an Append that a crash cut
// short. When the HeadStore has no head, as after the loss of a catalog,
// Open reads it from the archive's objects, so that the chain goes on
// from its real end.
func Open(ctx context.Context, store Store, heads HeadStore, tenant string) (*Log, error) {
	head, pending, err := heads.LoadHead()
	if err != nil {
		return nil, fmt.Errorf("audit: load head: %w", err)
	}
	if head == (Head{}) && pending == nil {
		if head, err = ArchiveHead(ctx, store, tenant); err != nil {
			return nil, err
		}
		if head != (Head{}) {
			if err := heads.SaveHead(head, nil); err != nil {
				return nil, fmt.Errorf("audit: save head: %w", err)
			}
		}
	}
	l := &Log{store: store, heads: heads, tenant: tenant, head: head, pending: pending}
	if err := l.settle(ctx); err != nil {
		return nil, err
	}
	return l, nil
}

// Head returns the head of the chain.
func (l *Log) Head() Head {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.head
}

// settle decides a pending head: it becomes the head when its object is
// in the archive, and is dropped when not. The caller holds l.mu or has
// the log to itself.
func (l *Log) settle(ctx context.Context) error {
	if l.pending != nil {
		_, err := l.store.Get(ctx, l.pending.Object)
		switch {
		case err == nil:
			l.head = *l.pending
		case errors.Is(err, ErrNotExist):
		default:
			return fmt.Errorf("audit: check object %s of an unfinished append: %w", l.pending.Object, err)
		}
		if err := l.heads.SaveHead(l.head, nil); err != nil {
			return fmt.Errorf("audit: save head: %w", err)
		}
		l.pending = nil
	}
	if l.head.Object != "" {
		id, err := objectID(l.head.Object)
		if err != nil {
			return err
		}
		l.lastID = id
	}
	return nil
}

// Append records events in one new object. It assigns each event its ID,
// its At when zero, and its Prev. When Append returns nil, the object is in
// the archive and the head is saved.
func (l *Log) Append(ctx context.Context, events ...Event) error {
	if len(events) == 0 {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.settle(ctx); err != nil {
		return err
	}

	var buf bytes.Buffer
	prev := l.head.Hash
	now := time.Now().UTC()
	for i := range events {
		e := &events[i]
		if e.Actor == "" || e.Action == "" || e.Outcome == "" {
			return fmt.Errorf("audit: append: event %d of %d lacks an actor, an action or an outcome", i+1, len(events))
		}
		if e.At.IsZero() {
			e.At = now
		}
		e.At = e.At.UTC()
		id, err := l.nextID(e.At)
		if err != nil {
			return err
		}
		e.ID = strings.ToLower(id.String())
		e.Prev = prev
		line, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("audit: encode event %s: %w", e.ID, err)
		}
		prev = hashLine(line)
		buf.Write(line)
		buf.WriteByte('\n')
	}
	last := events[len(events)-1]
	key := Prefix(l.tenant) + last.At.Format("2006/01") + "/" + last.ID + objectSuffix
	next := Head{Object: key, Hash: prev, Events: l.head.Events + int64(len(events))}

	data := encoder.EncodeAll(buf.Bytes(), nil)
	if err := l.heads.SaveHead(l.head, &next); err != nil {
		return fmt.Errorf("audit: save pending head: %w", err)
	}
	l.pending = &next
	if err := l.store.Put(ctx, key, data, last.At); err != nil {
		// The Put may have stored the object before it failed; the next
		// Append or Open settles that.
		return fmt.Errorf("audit: put %s: %w", key, err)
	}
	if err := l.heads.SaveHead(next, nil); err != nil {
		return fmt.Errorf("audit: save head: %w", err)
	}
	l.head, l.pending = next, nil
	return nil
}

// nextID returns a ULID for an event at t that sorts after every ID of the
// log, even when the clock went back since the last event.
func (l *Log) nextID(t time.Time) (ulid.ULID, error) {
	ms := ulid.Timestamp(t)
	if ms <= l.lastID.Time() {
		ms = l.lastID.Time() + 1
	}
	id, err := ulid.New(ms, rand.Reader)
	if err != nil {
		return ulid.ULID{}, fmt.Errorf("audit: new event id: %w", err)
	}
	l.lastID = id
	return id, nil
}

// objectID returns the ULID in the name of an audit object.
func objectID(key string) (ulid.ULID, error) {
	name := strings.TrimSuffix(path.Base(key), objectSuffix)
	id, err := ulid.ParseStrict(strings.ToUpper(name))
	if err != nil {
		return ulid.ULID{}, fmt.Errorf("audit: object %s: name is not a ULID: %w", key, err)
	}
	return id, nil
}

// maxObjectBytes bounds the decompressed size of one audit object, which
// holds the events of one Append.
const maxObjectBytes = 64 << 20

var (
	encoder, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault))
	decoder, _ = zstd.NewReader(nil, zstd.WithDecoderMaxMemory(maxObjectBytes), zstd.WithDecoderConcurrency(1))
)
