package vault

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"
	"golang.org/x/mod/sumdb/tlog"

	"chatseal/archive"
	"chatseal/catalog"
	"chatseal/chat"
	"chatseal/internal/failpoint"
)

// Flush moves every spooled message into segments, then into the catalog and
// the index. The steps, each safe to repeat after a crash:
//
//  1. group the spool by account and month, assign seqs and segment ids;
//  2. record an intent per segment in the catalog (fsync);
//  3. PUT each segment (never overwriting a key);
//  4. commit segments and messages to the catalog, removing the intents
//     (fsync);
//  5. remove the messages from the spool (fsync);
//  6. hand them to the background indexer, which adds them to the index
//     and marks the segments indexed.
//
// recover finishes whatever step a crash interrupted.
func (v *Vault) Flush(ctx context.Context) error {
	if err := v.waitFlush(); err != nil {
		return err
	}
	return v.flushMessages(ctx, v.spool.Pending())
}

// startFlush flushes the spooled messages in the background, so that an
// import reads and spools the next batch meanwhile. At most one flush runs
// at a time. While one runs (a slow or unreachable store makes it retry),
// startFlush returns at once and the import keeps acknowledging messages
// into the spool. Once the spool contains SpoolMaxMessages, it waits.
// A flush's error is returned by the next startFlush, Flush or waitFlush.
func (v *Vault) startFlush(ctx context.Context) error {
	if v.flushing != nil {
		select {
		case <-v.flushing:
		default:
			if v.spool.Len() < v.cfg.SpoolMaxMessages {
				return nil
			}
			v.log.Warn("spool is full while a flush is still running; waiting for the object store", "spooled", v.spool.Len())
		}
	}
	if err := v.waitFlush(); err != nil {
		return err
	}
	pending := v.spool.Pending()
	if len(pending) == 0 {
		return nil
	}
	done := make(chan struct{})
	v.flushing = done
	v.flushingCount = len(pending)
	go func() {
		defer close(done)
		v.flushErr = v.flushMessages(ctx, pending)
	}()
	return nil
}

// waitFlush waits for the background flush, if any, and returns its error.
func (v *Vault) waitFlush() error {
	if v.flushing == nil {
		return nil
	}
	<-v.flushing
	v.flushing = nil
	v.flushingCount = 0
	err := v.flushErr
	v.flushErr = nil
	return err
}

// unflushed returns how many spooled messages no flush has taken yet.
func (v *Vault) unflushed() int {
	return v.spool.Len() - v.flushingCount
}

// flushMessages writes pending, which must be spooled, to segments, the
// catalog and the index queue.
func (v *Vault) flushMessages(ctx context.Context, pending []*chat.Message) error {
	if v.needsRecovery {
		if err := v.recover(ctx); err != nil {
			return fmt.Errorf("vault: flush: an earlier flush failed and recovery is still impossible: %w", err)
		}
		v.needsRecovery = false
	}
	if len(pending) == 0 {
		return nil
	}
	if err := v.indexer.failure(); err != nil {
		return err
	}
	started := time.Now()

	segs, err := v.planSegments(pending)
	if err != nil {
		return err
	}

	intents := make([]catalog.Intent, len(segs))
	for i, s := range segs {
		intents[i] = catalog.Intent{Segment: s.Info}
		for _, m := range s.Messages {
			intents[i].MessageIDs = append(intents[i].MessageIDs, m.ID)
		}
	}
	if err := v.catalog.PutIntents(v.cfg.Tenant, intents); err != nil {
		return err
	}

	failpoint.Hit("before-segment-put")
	if err := v.putSegments(ctx, segs); err != nil {
		return v.abortFlush(ctx, err)
	}
	failpoint.Hit("after-segment-put")
	if err := v.catalog.Commit(v.cfg.Tenant, segs); err != nil {
		return v.abortFlush(ctx, err)
	}
	// The heads keep each segment's plain text in memory, and the index
	// needs only the messages.
	for i := range segs {
		segs[i].Heads = nil
	}
	if err := v.spool.Remove(pending); err != nil {
		return err
	}
	failpoint.Hit("before-checkpoint")
	if err := v.writeCheckpoint(ctx); err != nil {
		return err
	}
	v.indexer.enqueue(segs)
	v.log.Info("flushed spool", "messages", len(pending), "segments", len(segs), "duration", time.Since(started))
	return nil
}

// abortFlush settles the intents of a flush that failed after recording
// them: segments that were stored are adopted, the others dropped, so that
// the next flush starts from a consistent seq. When the store cannot be
// reached for that, the vault refuses to flush until recovery succeeds.
func (v *Vault) abortFlush(ctx context.Context, cause error) error {
	if err := v.recover(ctx); err != nil {
		v.needsRecovery = true
		v.log.Error("recovery after a failed flush failed; spooled messages are kept", "err", err)
	}
	return cause
}

// putConcurrency is how many segments a flush seals and stores at once.
// Each PUT waits on the network or on fsync, so a few in flight hide most
// of that wait.
const putConcurrency = 8

// putSegments seals and stores segs, filling in each one's sizes and
// hashes. It returns the first error after every started PUT has ended.
func (v *Vault) putSegments(ctx context.Context, segs []catalog.SegmentCommit) error {
	sem := make(chan struct{}, putConcurrency)
	errs := make([]error, len(segs))
	var wg sync.WaitGroup
	for i := range segs {
		sem <- struct{}{}
		wg.Add(1)
		go func(i int) {
			defer func() { <-sem; wg.Done() }()
			sealed, err := archive.SealRecords(v.keys, segs[i].Info, segs[i].Messages, v.spool.Lines(segs[i].Messages))
			if err == nil {
				err = archive.PutSegment(ctx, v.store, sealed)
			}
			if err != nil {
				errs[i] = err
				return
			}
			segs[i].Info = sealed.Info
			segs[i].Leaves = sealed.Leaves
			segs[i].Heads = sealed.Heads
		}(i)
	}
	wg.Wait()
	return errors.Join(errs...)
}

// planSegments groups messages into segments by account and calendar month
// of sent_at, orders each by time, and assigns seqs from the catalog's next
// seq in that order.
func (v *Vault) planSegments(msgs []*chat.Message) ([]catalog.SegmentCommit, error) {
	type groupKey struct{ account, month string }
	groups := map[groupKey][]*chat.Message{}
	for _, m := range msgs {
		k := groupKey{m.Account, m.SentAt.In(v.cfg.Location).Format("2006-01")}
		groups[k] = append(groups[k], m)
	}
	keys := make([]groupKey, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].account != keys[j].account {
			return keys[i].account < keys[j].account
		}
		return keys[i].month < keys[j].month
	})

	next, err := v.catalog.NextSeq(v.cfg.Tenant)
	if err != nil {
		return nil, err
	}
	segs := make([]catalog.SegmentCommit, 0, len(keys))
	for _, k := range keys {
		ms := groups[k]
		sort.SliceStable(ms, func(i, j int) bool {
			if !ms[i].SentAt.Equal(ms[j].SentAt) {
				return ms[i].SentAt.Before(ms[j].SentAt)
			}
			return ms[i].ID < ms[j].ID
		})
		newest := ms[0].SentAt
		for _, m := range ms {
			m.Seq = next
			next++
			if m.SentAt.After(newest) {
				newest = m.SentAt
			}
		}
		id := ulid.Make()
		created := ulid.Time(id.Time())
		info := archive.SegmentInfo{
			ID:        id.String(),
			Tenant:    v.cfg.Tenant,
			Account:   k.account,
			Month:     k.month,
			CreatedAt: created.UTC(),
		}
		info.RetainUntil = v.cfg.Retention.SegmentRetainUntil(newest, created)
		info.Count = len(ms)
		info.FirstSeq = ms[0].Seq
		info.LastSeq = ms[len(ms)-1].Seq
		if v.objectLock {
			info.LockMode = v.cfg.LockMode
		}
		segs = append(segs, catalog.SegmentCommit{Info: info, Messages: ms})
	}
	return segs, nil
}

// indexSegments adds the segments' messages to the index, in one call so
// that the index can run its batches side by side, and records that they
// are there.
func (v *Vault) indexSegments(segs []catalog.SegmentCommit) error {
	var msgs []*chat.Message
	var ids []string
	for _, s := range segs {
		msgs = append(msgs, s.Messages...)
		ids = append(ids, s.Info.ID)
	}
	if err := v.index.Add(msgs); err != nil {
		return fmt.Errorf("vault: index: %w", err)
	}
	failpoint.Hit("before-index-mark")
	return v.catalog.MarkIndexed(v.cfg.Tenant, ids)
}

// recover finishes flushes that a crash interrupted. Intents are settled
// in seq order: one whose segment object exists is adopted (committed from
// the object itself); one whose object is missing is redone, sealing the
// same spooled messages under the same segment id and seqs, so the log has
// no gap whichever PUTs of a flush finished. Then spooled messages already
// in the catalog are removed from the spool, and committed segments missing
// from the index are indexed.
func (v *Vault) recover(ctx context.Context) error {
	intents, err := v.catalog.Intents(v.cfg.Tenant)
	if err != nil {
		return err
	}
	sort.Slice(intents, func(i, j int) bool { return intents[i].Segment.FirstSeq < intents[j].Segment.FirstSeq })
	for _, in := range intents {
		key := archive.SegmentKey(in.Segment.Tenant, in.Segment.Account, in.Segment.Month, in.Segment.ID)
		_, err := v.store.Stat(ctx, key)
		switch {
		case errors.Is(err, archive.ErrNotExist):
			v.log.Warn("redoing segment whose flush was interrupted before its PUT", "segment", in.Segment.ID, "messages", len(in.MessageIDs))
			if err := v.redoIntent(ctx, in); err != nil {
				return err
			}
		case err != nil:
			return fmt.Errorf("vault: recover intent %s: %w", in.Segment.ID, err)
		default:
			v.log.Warn("adopting segment stored before a crash", "segment", in.Segment.ID)
		}
		commit, err := v.readSegmentCommit(ctx, key, in.Segment)
		if err != nil {
			return err
		}
		if err := v.catalog.Commit(v.cfg.Tenant, []catalog.SegmentCommit{*commit}); err != nil {
			return err
		}
		v.recovered.segments++
		v.recovered.messages += len(commit.Messages)
	}

	// A crash between a catalog commit and its checkpoint leaves records
	// that no checkpoint covers, so sign them now. This is a no-op when
	// the newest checkpoint is current.
	if err := v.writeCheckpoint(ctx); err != nil {
		return err
	}

	var stale []*chat.Message
	for _, m := range v.spool.Pending() {
		ok, err := v.catalog.HasDedup(archive.DedupKey(m))
		if err != nil {
			return err
		}
		if ok {
			stale = append(stale, m)
		}
	}
	if len(stale) > 0 {
		v.log.Info("removing spooled messages already committed", "messages", len(stale))
		if err := v.spool.Remove(stale); err != nil {
			return err
		}
	}
	return v.indexMissing(ctx)
}

// indexMissing indexes every committed segment not marked indexed.
// NOTE: it reads one index mark per segment at every open, which is cheap
// for thousands of segments but grows with the archive.
func (v *Vault) indexMissing(ctx context.Context) error {
	var todo []archive.SegmentInfo
	err := v.catalog.Segments(v.cfg.Tenant, func(info archive.SegmentInfo) error {
		ok, err := v.catalog.IsIndexed(v.cfg.Tenant, info.ID)
		if err == nil && !ok {
			todo = append(todo, info)
		}
		return err
	})
	if err != nil || len(todo) == 0 {
		return err
	}
	v.log.Info("indexing segments missing from the index", "segments", len(todo))
	for _, info := range todo {
		commit, err := v.readSegmentCommit(ctx, info.Key, info)
		if err != nil {
			return err
		}
		if err := v.indexSegments([]catalog.SegmentCommit{*commit}); err != nil {
			return err
		}
	}
	return nil
}

// redoIntent seals and stores the segment an intent describes, from the
// spooled messages it lists, with the seqs the intent assigned.
func (v *Vault) redoIntent(ctx context.Context, in catalog.Intent) error {
	msgs := make([]*chat.Message, len(in.MessageIDs))
	for i, id := range in.MessageIDs {
		m := v.spool.Get(id)
		if m == nil {
			return fmt.Errorf("vault: redo segment %s: message %s is neither stored nor spooled; restore the spool or the segment from backup", in.Segment.ID, id)
		}
		m.Seq = in.Segment.FirstSeq + uint64(i)
		msgs[i] = m
	}
	sealed, err := archive.SealSegment(v.keys, in.Segment, msgs)
	if err != nil {
		return err
	}
	return archive.PutSegment(ctx, v.store, sealed)
}

// readSegmentCommit reads a stored segment back into the form Commit takes,
// with sizes and hashes measured from the object.
func (v *Vault) readSegmentCommit(ctx context.Context, key string, info archive.SegmentInfo) (*catalog.SegmentCommit, error) {
	var msgs []*chat.Message
	var leaves []tlog.Hash
	res, err := archive.ReadSegment(ctx, v.store, v.keys, key, func(line []byte, m *chat.Message) error {
		msgs = append(msgs, m)
		leaves = append(leaves, archive.LeafHash(line))
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(msgs) == 0 {
		return nil, fmt.Errorf("vault: segment %s contains no records", key)
	}
	info.Key = key
	info.Count = res.Count
	info.FirstSeq = msgs[0].Seq
	info.LastSeq = msgs[len(msgs)-1].Seq
	info.PlainBytes = res.PlainBytes
	info.PlainSHA256 = res.PlainSHA256
	info.ObjectBytes = res.ObjectBytes
	info.ObjectSHA256 = res.ObjectSHA256
	return &catalog.SegmentCommit{Info: info, Messages: msgs, Leaves: leaves}, nil
}
