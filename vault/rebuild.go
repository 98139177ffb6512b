package vault

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/oklog/ulid/v2"

	"chatseal/archive"
	"chatseal/audit"
	"chatseal/catalog"
)

// RebuildReport counts what a rebuild read.
type RebuildReport struct {
	Segments int   `json:"segments"`
	Messages int64 `json:"messages"`
	// TagChanges counts the tag change objects replayed.
	TagChanges int `json:"tag_changes"`
}

// rebuildCommitSegments is how many segments go into one catalog commit
// during a rebuild.
const rebuildCommitSegments = 64

// Rebuild recreates the catalog and the index from the archive and the keys
// alone. It builds them in new folders and swaps them in only when every
// segment was read, so a rebuild that fails (a damaged segment, say) leaves
// the previous catalog and index as they were. The spool is kept: messages
// still in it are flushed afterwards as usual.
func (v *Vault) Rebuild(ctx context.Context, progress func(done, total int)) (*RebuildReport, error) {
	rep, err := v.rebuild(ctx, progress)
	e := audit.Event{Action: audit.ActionRebuild}
	if rep != nil {
		e.Results = count(rep.Messages)
		e.Details = map[string]string{"segments": strconv.Itoa(rep.Segments), "tag_changes": strconv.Itoa(rep.TagChanges)}
	}
	if err := v.record(ctx, e, err); err != nil {
		return nil, err
	}
	return rep, nil
}

func (v *Vault) rebuild(ctx context.Context, progress func(done, total int)) (*RebuildReport, error) {
	if err := v.waitFlush(); err != nil {
		v.log.Warn("an earlier flush failed; rebuild goes on from the archive", "err", err)
	}
	if err := v.indexer.wait(); err != nil {
		v.log.Warn("earlier indexing failed; rebuild recreates the index anyway", "err", err)
	}
	v.indexer.stop()
	v.indexer = newIndexer(v)
	oldHead := v.audit.Head()
	if err := v.closeDerived(); err != nil {
		return nil, fmt.Errorf("vault: rebuild: close catalog and index: %w", err)
	}
	newCatalog, newIndex := v.cfg.catalogDir()+".rebuild", v.cfg.indexDir()+".rebuild"
	for _, dir := range []string{newCatalog, newIndex} {
		if err := os.RemoveAll(dir); err != nil {
			return nil, fmt.Errorf("vault: rebuild: remove %s: %w", dir, err)
		}
	}
	if err := v.openDerivedAt(newCatalog, newIndex); err != nil {
		return nil, err
	}

	// abandon drops the partial copy and goes back to the previous
	// catalog and index, untouched.
	abandon := func(err error) error {
		v.indexer.wait()
		v.closeDerived()
		os.RemoveAll(newCatalog)
		os.RemoveAll(newIndex)
		if oerr := v.openDerived(); oerr != nil {
			return errors.Join(err, oerr)
		}
		return err
	}
	rep, err := v.rebuildInto(ctx, progress)
	if err != nil {
		return nil, abandon(err)
	}

	if err := v.indexer.wait(); err != nil {
		return nil, fmt.Errorf("vault: rebuild: index: %w", err)
	}
	if rep.TagChanges, err = v.replayTags(ctx); err != nil {
		return nil, abandon(err)
	}
	if err := v.closeDerived(); err != nil {
		return nil, err
	}
	for _, swap := range []struct{ from, to string }{{newCatalog, v.cfg.catalogDir()}, {newIndex, v.cfg.indexDir()}} {
		if err := os.RemoveAll(swap.to); err != nil {
			return nil, fmt.Errorf("vault: rebuild: remove old %s: %w", swap.to, err)
		}
		if err := os.Rename(swap.from, swap.to); err != nil {
			return nil, fmt.Errorf("vault: rebuild: move %s into place: %w", swap.from, err)
		}
	}
	if err := v.openDerived(); err != nil {
		return nil, err
	}
	// The new catalog learns the audit log's head from the archive, unless
	// the old catalog counted more events: then the newest objects were
	// removed, and keeping the old head lets verify go on reporting it.
	head, err := audit.ArchiveHead(ctx, auditStore{v}, v.cfg.Tenant)
	if err != nil {
		return nil, fmt.Errorf("vault: rebuild: %w", err)
	}
	if oldHead.Events > head.Events {
		v.log.Warn("the archive contains fewer audit events than the catalog recorded: the newest audit objects were removed; verify and audit verify report it", "catalog_events", oldHead.Events, "archive_events", head.Events, "catalog_last_object", oldHead.Object)
		head = oldHead
	}
	if err := (auditHeads{v}).SaveHead(head, nil); err != nil {
		return nil, fmt.Errorf("vault: rebuild: save audit head: %w", err)
	}
	if err := v.openAudit(ctx); err != nil {
		return nil, err
	}
	if err := v.recover(ctx); err != nil {
		return nil, err
	}
	return rep, nil
}

// rebuildInto reads every segment into the open (new, empty) catalog and
// index.
func (v *Vault) rebuildInto(ctx context.Context, progress func(done, total int)) (*RebuildReport, error) {
	var keys []string
	err := v.store.List(ctx, archive.SegmentPrefix(v.cfg.Tenant), func(o archive.ObjectInfo) error {
		if strings.HasSuffix(o.Key, archive.SegmentSuffix) {
			keys = append(keys, o.Key)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("vault: rebuild: list segments: %w", err)
	}

	rep := &RebuildReport{}
	var pending []catalog.SegmentCommit
	commit := func() error {
		if len(pending) == 0 {
			return nil
		}
		if err := v.catalog.Commit(v.cfg.Tenant, pending); err != nil {
			return err
		}
		v.indexer.enqueue(pending)
		pending = nil
		return v.indexer.failure()
	}
	for i, key := range keys {
		info, err := v.segmentInfoFromKey(key)
		if err != nil {
			return nil, err
		}
		c, err := v.readSegmentCommit(ctx, key, info)
		if err != nil {
			return nil, fmt.Errorf("vault: rebuild: %w", err)
		}
		c.Info.Account = c.Messages[0].Account
		newest := c.Messages[0].SentAt
		for _, m := range c.Messages {
			if m.SentAt.After(newest) {
				newest = m.SentAt
			}
		}
		c.Info.RetainUntil = v.cfg.Retention.SegmentRetainUntil(newest, c.Info.CreatedAt)
		pending = append(pending, *c)
		rep.Segments++
		rep.Messages += int64(c.Info.Count)
		if len(pending) >= rebuildCommitSegments {
			if err := commit(); err != nil {
				return nil, err
			}
		}
		if progress != nil {
			progress(i+1, len(keys))
		}
	}
	if err := commit(); err != nil {
		return nil, err
	}
	return rep, nil
}

// segmentInfoFromKey reads the facts a segment key carries:
// <tenant>/segments/<account>/<yyyy>/<mm>/<ulid>.jsonl.zst.age.
func (v *Vault) segmentInfoFromKey(key string) (archive.SegmentInfo, error) {
	rest := strings.TrimPrefix(key, archive.SegmentPrefix(v.cfg.Tenant))
	parts := strings.Split(rest, "/")
	if len(parts) != 4 {
		return archive.SegmentInfo{}, fmt.Errorf("vault: rebuild: segment key %q does not have the form <tenant>/segments/<account>/<yyyy>/<mm>/<id>%s", key, archive.SegmentSuffix)
	}
	name := strings.TrimSuffix(path.Base(key), archive.SegmentSuffix)
	id, err := ulid.ParseStrict(strings.ToUpper(name))
	if err != nil {
		return archive.SegmentInfo{}, fmt.Errorf("vault: rebuild: segment key %q: file name is not a ULID: %w", key, err)
	}
	info := archive.SegmentInfo{
		ID:        id.String(),
		Key:       key,
		Tenant:    v.cfg.Tenant,
		Month:     parts[1] + "-" + parts[2],
		CreatedAt: ulid.Time(id.Time()).UTC(),
	}
	if v.objectLock {
		info.LockMode = v.cfg.LockMode
	}
	return info, nil
}
