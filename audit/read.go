package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Objects returns the keys of a tenant's audit objects in chain order.
func Objects(ctx context.Context, store Store, tenant string) ([]string, error) {
	var keys []string
	err := store.List(ctx, Prefix(tenant), func(key string) error {
		if strings.HasSuffix(key, objectSuffix) {
			keys = append(keys, key)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("audit: list objects: %w", err)
	}
	// Keys hold the year and month, then a ULID, so that their order is
	// the order of their events.
	slices.Sort(keys)
	return keys, nil
}

// record is an event with the hash of its JSON line.
type record struct {
	Event
	hash string
}

// readObject reads and decodes the events of one object.
func readObject(ctx context.Context, store Store, key string) ([]record, error) {
	data, err := store.Get(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("audit: read %s: %w", key, err)
	}
	plain, err := decoder.DecodeAll(data, nil)
	if err != nil {
		return nil, fmt.Errorf("audit: %s: %w: the object does not decompress: %v", key, ErrBroken, err)
	}
	var out []record
	for n, line := range bytes.Split(bytes.TrimSuffix(plain, []byte("\n")), []byte("\n")) {
		var r record
		if err := json.Unmarshal(line, &r.Event); err != nil {
			return nil, fmt.Errorf("audit: %s line %d: %w: the line is not an event: %v", key, n+1, ErrBroken, err)
		}
		r.hash = hashLine(line)
		out = append(out, r)
	}
	return out, nil
}

// ObjectEvents returns the events of one audit object, oldest first.
func ObjectEvents(ctx context.Context, store Store, key string) ([]Event, error) {
	records, err := readObject(ctx, store, key)
	if err != nil {
		return nil, err
	}
	events := make([]Event, len(records))
	for i, r := range records {
		events[i] = r.Event
	}
	return events, nil
}

// Report is the outcome of a Verify that found the chain whole.
type Report struct {
	Objects int
	// Head is the head that the archive's objects give.
	Head Head
}

// Verify reads every audit object of a tenant in order. It checks that
// each event names the hash of the one before it, that the event ids
// increase, and that the chain ends at want, the head that the catalog
// keeps (a zero want is not compared). For a chain that does not hold
// together, it returns an error wrapping ErrBroken that names the object
// and the event. progress, when not nil, is called after each object.
func Verify(ctx context.Context, store Store, tenant string, want Head, progress func(done, total int)) (*Report, error) {
	keys, err := Objects(ctx, store, tenant)
	if err != nil {
		return nil, err
	}
	var head Head
	lastID := ""
	for n, key := range keys {
		if progress != nil && n > 0 {
			progress(n, len(keys))
		}
		records, err := readObject(ctx, store, key)
		if err != nil {
			return nil, err
		}
		if len(records) == 0 {
			return nil, fmt.Errorf("audit: %s: %w: the object contains no event", key, ErrBroken)
		}
		for i, r := range records {
			switch {
			case r.Prev != head.Hash && head.Events == 0:
				return nil, fmt.Errorf("audit: %s event %d (%s): %w: the first event of the log names a previous event; the objects before it were removed", key, i+1, r.ID, ErrBroken)
			case r.Prev != head.Hash && i == 0:
				return nil, fmt.Errorf("audit: %s event 1 (%s): %w: it does not follow the last event of %s; an event between them was changed or removed, or an object between them was removed", key, r.ID, ErrBroken, head.Object)
			case r.Prev != head.Hash:
				return nil, fmt.Errorf("audit: %s event %d (%s): %w: it does not follow event %d of the same object; one of them was changed", key, i+1, r.ID, ErrBroken, i)
			case r.ID <= lastID:
				return nil, fmt.Errorf("audit: %s event %d (%s): %w: its id does not follow %s", key, i+1, r.ID, ErrBroken, lastID)
			}
			lastID = r.ID
			head.Hash = r.hash
			head.Events++
		}
		if last := records[len(records)-1].ID; !strings.HasSuffix(key, "/"+last+objectSuffix) {
			return nil, fmt.Errorf("audit: %s: %w: the object is named for another event than its last, %s", key, ErrBroken, last)
		}
		head.Object = key
	}
	if progress != nil && len(keys) > 0 {
		progress(len(keys), len(keys))
	}
	if want != (Head{}) && want != head {
		if want.Events > head.Events {
			return nil, fmt.Errorf("audit: %w: the catalog records %d events ending in %s, the archive contains %d ending in %s; the newest objects were removed", ErrBroken, want.Events, want.Object, head.Events, orNone(head.Object))
		}
		return nil, fmt.Errorf("audit: %w: the catalog records %d events ending in %s, the archive contains %d ending in %s", ErrBroken, want.Events, orNone(want.Object), head.Events, orNone(head.Object))
	}
	return &Report{Objects: len(keys), Head: head}, nil
}

// ArchiveHead returns the head that the archive's audit objects give,
// without checking the chain, for a rebuild of the catalog.
func ArchiveHead(ctx context.Context, store Store, tenant string) (Head, error) {
	keys, err := Objects(ctx, store, tenant)
	if err != nil || len(keys) == 0 {
		return Head{}, err
	}
	var head Head
	for _, key := range keys {
		records, err := readObject(ctx, store, key)
		if err != nil {
			return Head{}, err
		}
		head.Events += int64(len(records))
		if len(records) > 0 {
			head.Hash = records[len(records)-1].hash
		}
		head.Object = key
	}
	return head, nil
}

func orNone(key string) string {
	if key == "" {
		return "no object"
	}
	return key
}
