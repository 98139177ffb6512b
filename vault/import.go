package vault

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/oklog/ulid/v2"

	"chatseal/archive"
	"chatseal/chat"
	"chatseal/ingest"
	"chatseal/ingest/jsonl"
	"chatseal/ingest/zalo"
	"chatseal/internal/failpoint"
)

// ImportRequest names the files to import and the facts they lack.
type ImportRequest struct {
	// Source is the input format: "zalo" or "jsonl".
	Source string
	// Account is the chatseal account the files belong to. Required.
	Account string
	// AccountUID is the platform's id of the archived account (Zalo capture
	// files write it as "0").
	AccountUID string
	// Files are the input paths, imported in order.
	Files []string
}

// ImportSources lists the values ImportRequest.Source accepts.
func ImportSources() []string { return append([]string(nil), ingest.Sources...) }

// ImportProgress is reported while an import runs.
type ImportProgress struct {
	File       string
	FileBytes  int64 // size of the current file
	BytesRead  int64 // consumed of the current file
	Read       int64 // messages read so far, all files
	Stored     int64
	Duplicates int64
	BadRecords int64
}

// ImportSummary is the outcome of an import.
type ImportSummary struct {
	// Read counts messages parsed from the input.
	Read int64 `json:"read"`
	// Stored counts messages new to the archive.
	Stored int64 `json:"stored"`
	// Duplicates counts messages already archived or repeated in the input.
	Duplicates int64 `json:"duplicates"`
	// Quarantined counts input items that could not be parsed; each is kept
	// in the quarantine with its reason.
	Quarantined int64 `json:"quarantined"`
	// BadRecords lists the first quarantined items (file, line, reason).
	BadRecords []*ingest.BadRecord `json:"-"`
	// AlreadyQuarantined counts the quarantined items that an earlier import
	// had already kept, so they were not stored again.
	AlreadyQuarantined int64 `json:"already_quarantined"`
	// QuarantineObjects are the archive objects holding the quarantined items.
	QuarantineObjects []string `json:"quarantine_objects,omitempty"`
	// Warnings counts messages stored with parse warnings.
	Warnings int64 `json:"warnings"`
}

// maxReportedBadRecords caps ImportSummary.BadRecords; the quarantine keeps
// every item regardless.
const maxReportedBadRecords = 50

// Import reads every file, stores the messages not archived before, and
// flushes them to segments and the index. A message counts as stored once
// its batch is fsynced to the spool. An error later, such as a failed PUT,
// leaves it in the spool for the next run, so it is never lost.
// Unparseable items go to the quarantine and the import goes on.
func (v *Vault) Import(ctx context.Context, req ImportRequest, progress func(ImportProgress)) (*ImportSummary, error) {
	if req.Account == "" {
		return nil, errors.New("vault: import: no account given; pass --account")
	}
	if !ingest.ValidSource(req.Source) {
		return nil, fmt.Errorf("vault: import: unknown source %q; supported: %v", req.Source, ingest.Sources)
	}
	for _, f := range req.Files {
		info, err := os.Stat(f)
		if err != nil {
			return nil, fmt.Errorf("vault: import: %w", err)
		}
		if info.IsDir() {
			return nil, fmt.Errorf("vault: import: %s is a folder; the %s importer reads files", f, req.Source)
		}
	}

	im := &importer{v: v, req: req, progress: progress, sum: &ImportSummary{}}
	im.q = newQuarantine(v)
	for _, f := range req.Files {
		if err := im.importFile(ctx, f); err != nil {
			im.q.flush(ctx)
			return im.sum, err
		}
	}
	if err := im.q.flush(ctx); err != nil {
		return im.sum, err
	}
	im.sum.QuarantineObjects = im.q.objects
	im.sum.AlreadyQuarantined = im.q.known
	if err := v.Flush(ctx); err != nil {
		return im.sum, err
	}
	if err := v.indexer.wait(); err != nil {
		return im.sum, err
	}
	return im.sum, nil
}

type importer struct {
	v        *Vault
	req      ImportRequest
	progress func(ImportProgress)
	sum      *ImportSummary
	q        *quarantine
	cur      ImportProgress
}

func (im *importer) importFile(ctx context.Context, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("vault: import: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return fmt.Errorf("vault: import: %w", err)
	}
	opts := ingest.Options{Account: im.req.Account, AccountUID: im.req.AccountUID, Location: im.v.cfg.Location}
	var r ingest.Reader
	switch im.req.Source {
	case "zalo":
		r = zalo.NewReader(f, path, opts)
	case "jsonl":
		r = jsonl.NewReader(f, path, opts)
	}
	im.cur.File, im.cur.FileBytes, im.cur.BytesRead = path, info.Size(), 0

	var fileRead, fileBad int64
	var firstBad *ingest.BadRecord
	batch := make([]*chat.Message, 0, im.v.cfg.BatchMessages)
	seen := map[string]struct{}{}
	lastReport := time.Now()
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		m, err := r.Next()
		if err == io.EOF {
			break
		}
		var bad *ingest.BadRecord
		if errors.As(err, &bad) {
			im.sum.Quarantined++
			im.cur.BadRecords++
			fileBad++
			if firstBad == nil {
				firstBad = bad
			}
			if len(im.sum.BadRecords) < maxReportedBadRecords {
				im.sum.BadRecords = append(im.sum.BadRecords, bad)
			}
			if err := im.q.add(ctx, bad); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("vault: import %s: %w", path, err)
		}
		im.sum.Read++
		im.cur.Read++
		fileRead++

		m.Tenant = im.v.cfg.Tenant
		dk := string(archive.DedupKey(m))
		if _, dup := seen[dk]; dup {
			im.sum.Duplicates++
			im.cur.Duplicates++
			continue
		}
		dup, err := im.v.isKnown([]byte(dk))
		if err != nil {
			return err
		}
		if dup {
			im.sum.Duplicates++
			im.cur.Duplicates++
			continue
		}
		seen[dk] = struct{}{}
		m.ID = ulid.Make().String()
		m.IngestedAt = time.Now().UTC().Truncate(time.Millisecond)
		if len(m.Warnings) > 0 {
			im.sum.Warnings++
		}
		batch = append(batch, m)

		if len(batch) >= im.v.cfg.BatchMessages {
			if err := im.commitBatch(ctx, batch); err != nil {
				return err
			}
			batch = batch[:0]
			clear(seen)
		}
		if im.progress != nil && time.Since(lastReport) > 100*time.Millisecond {
			im.cur.BytesRead = r.Offset()
			im.progress(im.cur)
			lastReport = time.Now()
		}
	}
	if err := im.commitBatch(ctx, batch); err != nil {
		return err
	}
	if im.progress != nil {
		im.cur.BytesRead = r.Offset()
		im.progress(im.cur)
	}
	if fileRead == 0 && fileBad > 0 {
		return fmt.Errorf("vault: import: no line of %s could be read as %s input (%d lines quarantined; first: %s); check --source", path, im.req.Source, fileBad, firstBad.Error())
	}
	return nil
}

// commitBatch acknowledges a batch (fsync to the spool) and flushes the
// spool when it has grown past the flush size.
func (im *importer) commitBatch(ctx context.Context, batch []*chat.Message) error {
	if len(batch) == 0 {
		return nil
	}
	if err := im.v.spool.Add(batch); err != nil {
		return err
	}
	failpoint.Hit("after-spool-add")
	im.sum.Stored += int64(len(batch))
	im.cur.Stored += int64(len(batch))
	if im.v.unflushed() >= im.v.cfg.FlushMessages {
		return im.v.startFlush(ctx)
	}
	return nil
}

// isKnown reports whether a message with the dedup key is archived or
// spooled.
func (v *Vault) isKnown(dedup []byte) (bool, error) {
	ok, err := v.catalog.HasDedup(dedup)
	if err != nil || ok {
		return ok, err
	}
	return v.spool.Has(dedup)
}
