package vault

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/klauspost/compress/zstd"
	"github.com/oklog/ulid/v2"

	"chatseal/archive"
	"chatseal/ingest"
)

// quarantine keeps input items that could not be parsed. They are written
// to the archive, encrypted like segments, as
// <tenant>/quarantine/<yyyy>/<mm>/<ulid>.jsonl.zst.age, one JSON object per
// item with the file, line, offset, reason and the original bytes.
type quarantine struct {
	v       *Vault
	buf     bytes.Buffer
	items   int
	sums    [][]byte
	objects []string
	// known counts items skipped because an earlier import quarantined
	// the same bytes from the same file and line.
	known int64
}

// quarantineFlushBytes bounds the memory the quarantine holds before it
// writes an object.
const quarantineFlushBytes = 32 << 20

type quarantineItem struct {
	File      string `json:"file"`
	Line      int    `json:"line"`
	Offset    int64  `json:"offset"`
	Reason    string `json:"reason"`
	Truncated bool   `json:"truncated,omitempty"`
	Raw       string `json:"raw,omitempty"`
	RawBase64 string `json:"raw_base64,omitempty"`
	At        string `json:"quarantined_at"`
}

func newQuarantine(v *Vault) *quarantine { return &quarantine{v: v} }

func (q *quarantine) add(ctx context.Context, bad *ingest.BadRecord) error {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%d\x00", bad.File, bad.Line)
	h.Write(bad.Raw)
	sum := h.Sum(nil)
	seen, err := q.v.catalog.HasQuarantined(q.v.cfg.Tenant, sum)
	if err != nil {
		return err
	}
	if seen {
		q.known++
		return nil
	}
	q.sums = append(q.sums, sum)
	item := quarantineItem{
		File: bad.File, Line: bad.Line, Offset: bad.Offset, Reason: bad.Reason,
		Truncated: bad.Truncated, At: time.Now().UTC().Format(time.RFC3339),
	}
	if utf8.Valid(bad.Raw) {
		item.Raw = string(bad.Raw)
	} else {
		item.RawBase64 = base64.StdEncoding.EncodeToString(bad.Raw)
	}
	enc := json.NewEncoder(&q.buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(item); err != nil {
		return fmt.Errorf("vault: quarantine %s:%d: %w", bad.File, bad.Line, err)
	}
	q.items++
	if q.buf.Len() >= quarantineFlushBytes {
		return q.flush(ctx)
	}
	return nil
}

// quarantineMark is the state of a quarantine before an input, so that the
// items of an input that was not of its source's format at all can be
// dropped instead of archived.
type quarantineMark struct {
	bufLen, items, sums int
	objects             int
	known               int64
}

func (q *quarantine) mark() quarantineMark {
	return quarantineMark{bufLen: q.buf.Len(), items: q.items, sums: len(q.sums), objects: len(q.objects), known: q.known}
}

// rollback drops the items added since m, and reports whether it could:
// items already written to the archive stay.
func (q *quarantine) rollback(m quarantineMark) bool {
	if len(q.objects) != m.objects {
		return false
	}
	q.buf.Truncate(m.bufLen)
	q.items, q.sums, q.known = m.items, q.sums[:m.sums], m.known
	return true
}

func (q *quarantine) flush(ctx context.Context) error {
	if q.items == 0 {
		return nil
	}
	enc, err := zstd.NewWriter(nil)
	if err != nil {
		return fmt.Errorf("vault: quarantine: %w", err)
	}
	compressed := enc.EncodeAll(q.buf.Bytes(), nil)
	enc.Close()
	sealed, err := q.v.keys.Seal(compressed)
	if err != nil {
		return fmt.Errorf("vault: quarantine: %w", err)
	}
	now := time.Now().In(q.v.cfg.Location)
	key := fmt.Sprintf("%s/quarantine/%04d/%02d/%s%s", archive.EscapeKeyElement(q.v.cfg.Tenant),
		now.Year(), int(now.Month()), strings.ToLower(ulid.Make().String()), archive.SegmentSuffix)
	err = q.v.store.Put(ctx, key, bytes.NewReader(sealed), int64(len(sealed)), archive.PutOptions{IfNoneMatch: true, ContentType: "application/age-encrypted"})
	if err != nil {
		return fmt.Errorf("vault: write quarantine of %d items: %w", q.items, err)
	}
	q.v.log.Info("quarantined unparseable input", "items", q.items, "object", key)
	if err := q.v.catalog.MarkQuarantined(q.v.cfg.Tenant, key, q.sums); err != nil {
		return err
	}
	q.objects = append(q.objects, key)
	q.buf.Reset()
	q.items = 0
	q.sums = nil
	return nil
}
