package vault

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/oklog/ulid/v2"

	"chatseal/archive"
	"chatseal/audit"
	"chatseal/chat"
	"chatseal/ingest"
	"chatseal/ingest/sources"
	"chatseal/internal/failpoint"
)

// ImportRequest names the inputs to import and the facts they lack.
type ImportRequest struct {
	// Source is the input format, one of ImportSources.
	Source string
	// Account is the chatseal account the inputs belong to. Required.
	Account string
	// AccountUID is the platform's id of the archived account (Zalo capture
	// files write it as "0"; for Zalo OA it is the OA id).
	AccountUID string
	// Conversation names the conversation of an export that has no id of
	// its own (WhatsApp). Empty derives it from the file name.
	Conversation string
	// SelfName is the archived account's display name, for exports that
	// name people without ids (WhatsApp, Messenger).
	SelfName string
	// DateOrder is "dmy", "mdy", "ymd" or "" to detect it (WhatsApp).
	DateOrder string
	// Location is the zone of local times written in the input
	// (WhatsApp). Nil means the vault's Location.
	Location *time.Location
	// Inputs are the paths (files, folders or zips, as the source
	// accepts), imported in order.
	Inputs []string
}

// ErrInputUnreadable is wrapped by the error for an input that cannot be
// read as its source's format: the wrong format, a damaged zip, a file cut
// in the middle. Running the import again does not help; the error states
// what is wrong and where. Messages read before the damage are kept.
var ErrInputUnreadable = errors.New("input cannot be read as its source's format")

// ImportSources lists the values ImportRequest.Source accepts.
func ImportSources() []string { return sources.Names() }

// ImportProgress is reported while an import runs.
type ImportProgress struct {
	File       string
	FileBytes  int64 // size of the current input, 0 for a folder
	BytesRead  int64 // consumed of the current input
	Read       int64 // messages read so far, all inputs
	Stored     int64
	Duplicates int64
	BadRecords int64
}

// ImportSummary is the outcome of an import.
type ImportSummary struct {
	// DryRun is set when nothing was stored.
	DryRun bool `json:"dry_run,omitempty"`
	// Read counts messages parsed from the input.
	Read int64 `json:"read"`
	// Stored counts messages new to the archive (in a dry run: messages
	// that would be offered for storing).
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
	// WarningCodes counts warnings by code: those carried by messages and
	// those about the input as a whole.
	WarningCodes map[string]int64 `json:"warning_codes,omitempty"`
	// InputWarnings lists the first warnings about the input as a whole
	// (a repaired escape, an item skipped for lack of a time).
	InputWarnings []ingest.Warning `json:"input_warnings,omitempty"`
	// Attachments counts attachment bytes found in the inputs.
	Attachments AttachmentSummary `json:"attachments"`
	// NotImported lists the inputs after the one that stopped the import,
	// which were not read at all.
	NotImported []string `json:"not_imported,omitempty"`
	// Unreadable names the input that stopped the import because it could
	// not be read in the source's format (ErrInputUnreadable). Its items
	// count in Quarantined only when some of them could be read.
	Unreadable string `json:"unreadable,omitempty"`
}

// AttachmentSummary counts the attachments an import met.
type AttachmentSummary struct {
	// Stored counts files written to the archive (in a dry run: files
	// the input holds).
	Stored int64 `json:"stored"`
	// Deduplicated counts files already in the archive (same SHA-256).
	Deduplicated int64 `json:"deduplicated"`
	// Missing counts files the input names but does not hold.
	Missing int64 `json:"missing"`
	// Bytes is the size of the stored objects.
	Bytes int64 `json:"bytes"`
}

// maxReported caps the lists of ImportSummary; the quarantine keeps every
// item regardless, and WarningCodes counts every warning.
const maxReported = 50

// warn records an input-level warning. One that names a message is listed
// but not counted, because that message carries the code too and is
// counted by countMessageWarnings.
func (s *ImportSummary) warn(w ingest.Warning) {
	if s.WarningCodes == nil {
		s.WarningCodes = map[string]int64{}
	}
	n := int64(1)
	if w.Count > 1 {
		n = int64(w.Count)
	}
	if w.SourceID == "" {
		s.WarningCodes[w.Code] += n
	}
	if len(s.InputWarnings) < maxReported {
		s.InputWarnings = append(s.InputWarnings, w)
	}
}

func (s *ImportSummary) countMessageWarnings(m *chat.Message) {
	if len(m.Warnings) == 0 {
		return
	}
	s.Warnings++
	if s.WarningCodes == nil {
		s.WarningCodes = map[string]int64{}
	}
	for _, code := range m.Warnings {
		s.WarningCodes[code]++
	}
}

func checkRequest(req ImportRequest) error {
	if req.Account == "" {
		return errors.New("vault: import: no account given; pass --account")
	}
	if _, ok := sources.Lookup(req.Source); !ok {
		return fmt.Errorf("vault: import: unknown source %q; supported: %v", req.Source, sources.Names())
	}
	for _, f := range req.Inputs {
		if _, err := os.Stat(f); err != nil {
			return fmt.Errorf("vault: import: %w", err)
		}
	}
	return nil
}

// Import reads every input, stores the messages not archived before, and
// flushes them to segments and the index. A message counts as stored once
// its batch is fsynced to the spool; the bytes of its attachments are in
// the archive before that. An error later, such as a failed PUT, leaves it
// in the spool for the next run, so it is never lost. Unparseable items go
// to the quarantine and the import goes on. The import is an audit event,
// recorded when it ends, whatever its outcome.
func (v *Vault) Import(ctx context.Context, req ImportRequest, progress func(ImportProgress)) (*ImportSummary, error) {
	sum, err := v.importInputs(ctx, req, progress)
	e := audit.Event{Action: audit.ActionImport, Targets: req.Inputs, Details: map[string]string{"source": req.Source, "account": req.Account}}
	if sum != nil {
		e.Results = count(sum.Stored)
		e.Details["read"] = strconv.FormatInt(sum.Read, 10)
		e.Details["duplicates"] = strconv.FormatInt(sum.Duplicates, 10)
		e.Details["quarantined"] = strconv.FormatInt(sum.Quarantined, 10)
		if sum.DryRun {
			e.Details["dry_run"] = "true"
		}
	}
	return sum, v.record(ctx, e, err)
}

func (v *Vault) importInputs(ctx context.Context, req ImportRequest, progress func(ImportProgress)) (*ImportSummary, error) {
	if err := checkRequest(req); err != nil {
		return nil, err
	}
	im := &importer{v: v, req: req, progress: progress, sum: &ImportSummary{}}
	im.q = newQuarantine(v)
	for i, f := range req.Inputs {
		if err := im.importInput(ctx, f); err != nil {
			im.stopped(req.Inputs, i, err)
			// Store what was acknowledged before the failure, so that the
			// archive and search show it now rather than at the next run.
			// A failure of this flush leaves it spooled, still safe.
			im.q.flush(ctx)
			if ctx.Err() == nil && v.Flush(ctx) == nil {
				v.indexer.wait()
			}
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

// DryRunImport parses every input and reports what Import would read,
// quarantine and warn about, without opening an archive or writing
// anything. Duplicates are counted within the inputs only, and Stored
// counts the messages that Import would offer for storing.
func DryRunImport(ctx context.Context, req ImportRequest, loc *time.Location, progress func(ImportProgress)) (*ImportSummary, error) {
	if err := checkRequest(req); err != nil {
		return nil, err
	}
	if req.Location == nil {
		req.Location = loc
	}
	im := &importer{req: req, progress: progress, sum: &ImportSummary{DryRun: true}, dryRun: true}
	for i, f := range req.Inputs {
		if err := im.importInput(ctx, f); err != nil {
			im.stopped(req.Inputs, i, err)
			return im.sum, err
		}
	}
	return im.sum, nil
}

// stopped records in the summary that input i of inputs stopped the import
// with err.
func (im *importer) stopped(inputs []string, i int, err error) {
	im.sum.NotImported = inputs[i+1:]
	if errors.Is(err, ErrInputUnreadable) {
		im.sum.Unreadable = inputs[i]
	}
}

type importer struct {
	v        *Vault // nil in a dry run
	req      ImportRequest
	progress func(ImportProgress)
	sum      *ImportSummary
	q        *quarantine
	cur      ImportProgress
	dryRun   bool
}

func (im *importer) options(input string) ingest.Options {
	loc := im.req.Location
	if loc == nil && im.v != nil {
		loc = im.v.cfg.Location
	}
	return ingest.Options{
		Account:      im.req.Account,
		AccountUID:   im.req.AccountUID,
		Location:     loc,
		Conversation: im.req.Conversation,
		SelfName:     im.req.SelfName,
		DateOrder:    im.req.DateOrder,
		Warn: func(w ingest.Warning) {
			if w.File == "" {
				w.File = input
			}
			im.sum.warn(w)
		},
	}
}

func (im *importer) importInput(ctx context.Context, path string) error {
	// An empty file holds no messages in any format. Each importer would
	// otherwise judge it by its own rules: an empty line file reads as
	// nothing, an empty JSON file as a wrong format.
	if info, err := os.Stat(path); err == nil && info.Mode().IsRegular() && info.Size() == 0 {
		im.options(path).Emit(ingest.Warning{Code: ingest.WarnEmptyInput, Detail: "the file is empty; nothing was read from it"})
		return nil
	}
	r, err := sources.Open(im.req.Source, path, im.options(path))
	if err != nil {
		return fmt.Errorf("vault: import %s: %w: %w", path, ErrInputUnreadable, err)
	}
	var qmark quarantineMark
	if im.q != nil {
		qmark = im.q.mark()
	}
	reportedBad := len(im.sum.BadRecords)
	if c, ok := r.(io.Closer); ok {
		defer c.Close()
	}
	media, _ := r.(ingest.MediaOpener)
	var size int64
	if info, err := os.Stat(path); err == nil && !info.IsDir() {
		size = info.Size()
	}
	im.cur.File, im.cur.FileBytes, im.cur.BytesRead = path, size, 0

	var fileRead, fileBad int64
	var firstBad *ingest.BadRecord
	var batchSize = 1000
	if im.v != nil {
		batchSize = im.v.cfg.BatchMessages
	}
	batch := make([]*chat.Message, 0, batchSize)
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
			if len(im.sum.BadRecords) < maxReported {
				im.sum.BadRecords = append(im.sum.BadRecords, bad)
			}
			if im.q != nil {
				if err := im.q.add(ctx, bad); err != nil {
					return err
				}
			}
			continue
		}
		if err != nil {
			// The input ends here (cut off, or damaged past repair). What
			// was read before is good: keep it, then report where it broke.
			if cerr := im.commitBatch(ctx, batch); cerr != nil {
				return cerr
			}
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return err
			}
			return fmt.Errorf("vault: import %s: %w: %w", path, ErrInputUnreadable, err)
		}
		im.sum.Read++
		im.cur.Read++
		fileRead++

		dup, err := im.isDuplicate(m, seen)
		if err != nil {
			return err
		}
		if dup {
			im.sum.Duplicates++
			im.cur.Duplicates++
			continue
		}
		if err := im.resolveAttachments(ctx, m, media); err != nil {
			return err
		}
		im.sum.countMessageWarnings(m)
		if im.dryRun {
			im.sum.Stored++
			im.cur.Stored++
		} else {
			m.ID = ulid.Make().String()
			m.IngestedAt = time.Now().UTC().Truncate(time.Millisecond)
			batch = append(batch, m)
			if len(batch) >= batchSize {
				if err := im.commitBatch(ctx, batch); err != nil {
					return err
				}
				batch = batch[:0]
				clear(seen)
			}
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
		// Not one item parsed: the input is of another format, and its
		// items are not evidence of a damaged export. They are dropped
		// from the quarantine rather than archived, when not yet written.
		kept := "not archived"
		if im.q != nil && !im.q.rollback(qmark) {
			kept = "already archived in the quarantine"
		} else {
			im.sum.Quarantined -= fileBad
			im.sum.BadRecords = im.sum.BadRecords[:reportedBad]
		}
		return fmt.Errorf("vault: import: %w: no item of %s could be read as %s input (%d items, %s; first: %s); check --source", ErrInputUnreadable, path, im.req.Source, fileBad, kept, firstBad.Error())
	}
	return nil
}

// isDuplicate reports whether m repeats a message of the current batch or,
// outside a dry run, one already archived or spooled. In a dry run seen
// spans the whole import.
func (im *importer) isDuplicate(m *chat.Message, seen map[string]struct{}) (bool, error) {
	tenant := chat.DefaultTenant
	if im.v != nil {
		tenant = im.v.cfg.Tenant
	}
	m.Tenant = tenant
	dk := string(archive.DedupKey(m))
	if _, dup := seen[dk]; dup {
		return true, nil
	}
	if im.v != nil {
		known, err := im.v.isKnown([]byte(dk))
		if err != nil || known {
			return known, err
		}
	}
	seen[dk] = struct{}{}
	return false, nil
}

// resolveAttachments stores the attachment bytes of m, or in a dry run
// only checks that the input holds them.
func (im *importer) resolveAttachments(ctx context.Context, m *chat.Message, media ingest.MediaOpener) error {
	for _, a := range m.Attachments {
		if a.Present != nil && !*a.Present {
			// The export itself reports these bytes as missing.
			im.sum.Attachments.Missing++
		}
	}
	if !im.dryRun {
		res, err := im.v.storeAttachments(ctx, m, media)
		im.sum.Attachments.Stored += int64(res.stored)
		im.sum.Attachments.Deduplicated += int64(res.deduplicated)
		im.sum.Attachments.Missing += int64(res.missing)
		im.sum.Attachments.Bytes += res.bytes
		return err
	}
	if media == nil {
		return nil
	}
	for _, a := range m.Attachments {
		if a.Path == "" || a.Present != nil {
			continue
		}
		rc, _, err := media.OpenMedia(a.Path)
		if err != nil {
			im.sum.Attachments.Missing++
			if !slices.Contains(m.Warnings, ingest.WarnMediaNotInExport) {
				m.Warnings = append(m.Warnings, ingest.WarnMediaNotInExport)
			}
			continue
		}
		rc.Close()
		im.sum.Attachments.Stored++
	}
	return nil
}

// commitBatch acknowledges a batch (fsync to the spool) and flushes the
// spool when it has grown past the flush size.
func (im *importer) commitBatch(ctx context.Context, batch []*chat.Message) error {
	if len(batch) == 0 || im.dryRun {
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
