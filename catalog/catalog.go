// Package catalog is chatseal's metadata store in Pebble: where each message
// is (segment), which messages were seen before (dedup keys), conversations,
// the tenant's next log sequence number, and the flush intents of the write
// path.
//
// The catalog is derived data. Everything in it except pending intents can
// be recreated from the archive by a rebuild, and an intent only records
// work that is either finished in the archive or still in the spool.
//
// Key layout (elements separated by 0x00):
//
//	d tenant source account source_id → message id      (dedup)
//	m tenant id                        → segment id, \n, record without raw
//	c tenant account conversation time(8) id → ""       (thread order)
//	v tenant account conversation      → Conversation JSON
//	s tenant segment_id                → archive.SegmentInfo JSON
//	i tenant segment_id                → Intent JSON     (flush in progress)
//	x tenant segment_id                → ""              (segment indexed)
//	n tenant                           → next seq (8 bytes, big endian)
//	t tenant                           → Stats JSON
//	h tenant index(8)                  → Merkle stored hash (32 bytes)
//	q tenant sha256(item)              → quarantine object holding the item
//	g tenant account conversation target kind → time of the recall or last edit
//	a tenant sha256(hex)               → attachment object key
//	T tenant id                        → reviewer tags, newline-separated
//	A tenant                           → audit log head, as package audit encodes it
package catalog

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/cockroachdb/pebble"
	"github.com/cockroachdb/pebble/bloom"
	"golang.org/x/mod/sumdb/tlog"

	"chatseal/archive"
	"chatseal/chat"
	"chatseal/internal/pebblelog"
)

// ErrNotFound is returned when a message, segment or conversation is not in
// the catalog.
var ErrNotFound = errors.New("not found in catalog")

// Catalog is an open catalog. It is safe for concurrent use, but the write
// path (intents and commits) assumes a single writer per tenant.
type Catalog struct {
	db *pebble.DB

	// commit serialises Commit and keeps its row buffer for the next one.
	commit struct {
		sync.Mutex
		rows *rowBatch
	}
}

// Open opens or creates the catalog in dir.
func Open(dir string, logger *slog.Logger) (*Catalog, error) {
	// A 64 MiB memtable (Pebble's default is 4 MiB) lets an import of tens
	// of thousands of messages land in memory and the WAL, flushed and
	// compacted in few large steps instead of many small ones.
	opts := &pebble.Options{Logger: pebblelog.Logger{L: logger}, MemTableSize: 64 << 20}
	// Most dedup lookups of an import are misses, and bloom filters
	// resolve those without reading data blocks.
	opts.Levels = make([]pebble.LevelOptions, 7)
	for i := range opts.Levels {
		opts.Levels[i].FilterPolicy = bloom.FilterPolicy(10)
	}
	db, err := pebble.Open(dir, opts)
	if err != nil {
		return nil, fmt.Errorf("catalog: open %s: %w", dir, err)
	}
	return &Catalog{db: db}, nil
}

// Close closes the catalog.
func (c *Catalog) Close() error { return c.db.Close() }

// Entry is a message as the catalog keeps it: the record without its raw
// payload, and the segment that holds the full record.
type Entry struct {
	Segment string        `json:"segment"`
	Message *chat.Message `json:"message"`
}

// Conversation summarises one thread seen from one account.
type Conversation struct {
	Account      string                `json:"account"`
	Conversation string                `json:"conversation"`
	Source       string                `json:"source"`
	Kind         chat.ConversationKind `json:"kind"`
	Messages     int64                 `json:"messages"`
	First        time.Time             `json:"first"`
	Last         time.Time             `json:"last"`
}

// Stats are a tenant's running totals.
type Stats struct {
	Messages      int64 `json:"messages"`
	Conversations int64 `json:"conversations"`
	Segments      int64 `json:"segments"`
	ArchiveBytes  int64 `json:"archive_bytes"`
}

// Intent records a flush in progress: the segment about to be written and
// the spooled messages it holds. It is written (fsynced) before the PUT and
// removed by the commit, so a restart can tell a finished PUT from one that
// never happened.
type Intent struct {
	Segment    archive.SegmentInfo `json:"segment"`
	MessageIDs []string            `json:"message_ids"`
}

func key(kind byte, parts ...string) []byte {
	b := []byte{kind}
	for _, p := range parts {
		b = append(b, 0)
		b = append(b, p...)
	}
	return b
}

// prefixOf returns the prefix shared by every key whose leading elements
// are parts.
func prefixOf(kind byte, parts ...string) []byte {
	return append(key(kind, parts...), 0)
}

// prefixBounds returns the iterator bounds of every key starting with p.
func prefixBounds(p []byte) *pebble.IterOptions {
	upper := append([]byte(nil), p...)
	for i := len(upper) - 1; i >= 0; i-- {
		if upper[i] < 0xff {
			upper[i]++
			return &pebble.IterOptions{LowerBound: p, UpperBound: upper[:i+1]}
		}
	}
	return &pebble.IterOptions{LowerBound: p}
}

func (c *Catalog) getJSON(k []byte, v any) error {
	data, closer, err := c.db.Get(k)
	if errors.Is(err, pebble.ErrNotFound) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("catalog: get: %w", err)
	}
	defer closer.Close()
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("catalog: decode value of key %q: %w", k, err)
	}
	return nil
}

// HasDedup reports whether a message with the dedup key (see
// archive.DedupKey) is committed.
func (c *Catalog) HasDedup(dedup []byte) (bool, error) {
	_, closer, err := c.db.Get(append([]byte{'d', 0}, dedup...))
	if errors.Is(err, pebble.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("catalog: dedup lookup: %w", err)
	}
	closer.Close()
	return true, nil
}

// NextSeq returns the seq the tenant's next message gets.
func (c *Catalog) NextSeq(tenant string) (uint64, error) {
	data, closer, err := c.db.Get(key('n', tenant))
	if errors.Is(err, pebble.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("catalog: read next seq of %s: %w", tenant, err)
	}
	defer closer.Close()
	if len(data) != 8 {
		return 0, fmt.Errorf("catalog: next seq of %s has %d bytes, want 8", tenant, len(data))
	}
	return binary.BigEndian.Uint64(data), nil
}

// Stats returns the tenant's totals.
func (c *Catalog) Stats(tenant string) (Stats, error) {
	var s Stats
	err := c.getJSON(key('t', tenant), &s)
	if errors.Is(err, ErrNotFound) {
		return Stats{}, nil
	}
	return s, err
}

// PutIntents records flush intents in one fsynced batch.
func (c *Catalog) PutIntents(tenant string, intents []Intent) error {
	b := c.db.NewBatch()
	defer b.Close()
	for _, in := range intents {
		v, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("catalog: encode intent %s: %w", in.Segment.ID, err)
		}
		b.Set(key('i', tenant, in.Segment.ID), v, nil)
	}
	if err := b.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("catalog: record %d flush intents: %w", len(intents), err)
	}
	return nil
}

// Intents returns the tenant's pending flush intents.
func (c *Catalog) Intents(tenant string) ([]Intent, error) {
	var out []Intent
	err := c.scan(prefixOf('i', tenant), func(k, v []byte) error {
		var in Intent
		if err := json.Unmarshal(v, &in); err != nil {
			return fmt.Errorf("catalog: decode intent %q: %w", k, err)
		}
		out = append(out, in)
		return nil
	})
	return out, err
}

// SegmentCommit is one stored segment and the messages it holds.
type SegmentCommit struct {
	Info     archive.SegmentInfo
	Messages []*chat.Message
	// Leaves are the Merkle leaf hashes of Messages' records, in order.
	Leaves []tlog.Hash
	// Heads, when set, are Messages' records cut before the raw payload,
	// as archive.SealedSegment has them. The message rows are made from
	// them instead of encoding each message once more.
	Heads [][]byte
}

// Commit records stored segments in one fsynced batch: segment rows,
// message rows, dedup keys, thread order, conversation summaries, the next
// seq and the totals, and it removes the segments' intents. Messages whose
// id is already in the catalog are skipped, so a repeated commit of the same
// segment changes nothing.
func (c *Catalog) Commit(tenant string, segs []SegmentCommit) error {
	c.commit.Lock()
	defer c.commit.Unlock()
	// The reads below see committed rows only. The rows they need that
	// this commit writes are the leaves and Merkle hashes, which
	// extendTree keeps in memory.
	b := c.commit.rows.reuse(commitSizeHint(tenant, segs))
	c.commit.rows = nil
	defer func() {
		if cap(b.buf) <= maxKeptRows {
			c.commit.rows = b
		}
	}()

	stats, err := c.Stats(tenant)
	if err != nil {
		return err
	}
	next, err := c.NextSeq(tenant)
	if err != nil {
		return err
	}
	convs := map[string]*Conversation{}
	// The batch copies each row, so one buffer serves every message row.
	var row []byte
	leaves := map[uint64]tlog.Hash{}
	committed := map[string]bool{}

	for _, seg := range segs {
		segKey := key('s', tenant, seg.Info.ID)
		known := committed[seg.Info.ID]
		if !known {
			_, closer, err := c.db.Get(segKey)
			switch {
			case err == nil:
				closer.Close()
				known = true
			case !errors.Is(err, pebble.ErrNotFound):
				return fmt.Errorf("catalog: read segment %s: %w", seg.Info.ID, err)
			}
		}
		if known {
			b.del(key('i', tenant, seg.Info.ID))
			continue
		}
		committed[seg.Info.ID] = true
		v, err := json.Marshal(seg.Info)
		if err != nil {
			return fmt.Errorf("catalog: encode segment %s: %w", seg.Info.ID, err)
		}
		b.set(segKey, v)
		b.del(key('i', tenant, seg.Info.ID))
		stats.Segments++
		stats.ArchiveBytes += seg.Info.ObjectBytes

		if seg.Leaves != nil && len(seg.Leaves) != len(seg.Messages) {
			return fmt.Errorf("catalog: segment %s has %d leaf hashes for %d messages", seg.Info.ID, len(seg.Leaves), len(seg.Messages))
		}
		if seg.Heads != nil && len(seg.Heads) != len(seg.Messages) {
			return fmt.Errorf("catalog: segment %s has %d record heads for %d messages", seg.Info.ID, len(seg.Heads), len(seg.Messages))
		}
		for i, m := range seg.Messages {
			row = append(row[:0], seg.Info.ID...)
			row = append(row, '\n')
			if seg.Heads != nil {
				row = append(append(row, seg.Heads[i]...), '}')
			} else if row, err = appendSlimRecord(row, m); err != nil {
				return err
			}
			if err := c.addMessage(b, row, tenant, m, convs, &stats); err != nil {
				return err
			}
			if seg.Leaves != nil {
				leaves[m.Seq] = seg.Leaves[i]
			}
			if m.Seq+1 > next {
				next = m.Seq + 1
			}
		}
	}
	size, err := extendTree(b, c.db, tenant, leaves)
	if err != nil {
		return err
	}
	// A leaf in the tree is its stored hash at level 0. A leaf beyond the
	// tree gets a row of its own until the leaves before it arrive.
	for seq, h := range leaves {
		if seq >= size {
			b.set(leafKey(tenant, seq), h[:])
		}
	}

	for _, conv := range convs {
		v, err := json.Marshal(conv)
		if err != nil {
			return fmt.Errorf("catalog: encode conversation %s: %w", conv.Conversation, err)
		}
		b.set(key('v', tenant, conv.Account, conv.Conversation), v)
	}
	var seqBuf [8]byte
	binary.BigEndian.PutUint64(seqBuf[:], next)
	b.set(key('n', tenant), seqBuf[:])
	sv, err := json.Marshal(stats)
	if err != nil {
		return fmt.Errorf("catalog: encode stats: %w", err)
	}
	b.set(key('t', tenant), sv)

	pb := c.db.NewBatchWithSize(len(b.buf) + 16*len(b.rows))
	defer pb.Close()
	if err := b.writeTo(pb); err != nil {
		return fmt.Errorf("catalog: commit %d segments: %w", len(segs), err)
	}
	if err := pb.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("catalog: commit %d segments: %w", len(segs), err)
	}
	return nil
}

// commitSizeHint estimates the bytes of Commit's batch for segs, so that
// the batch is allocated once instead of doubling as it grows. Each message
// adds its row without the raw payload, its dedup, thread and leaf rows and
// about two Merkle hashes, each key led by the tenant.
func commitSizeHint(tenant string, segs []SegmentCommit) int {
	n := 0
	for _, seg := range segs {
		n += 512
		for _, m := range seg.Messages {
			n += chat.RecordSizeHint(m) - len(m.Raw) - len(m.Raw)/8
			n += 6*len(tenant) + 3*len(m.ID) + 2*(len(m.Account)+len(m.Conversation)) + len(m.Source) + len(m.SourceID) + 256
		}
	}
	return n
}

// addMessage adds the rows of m to b, with row as its message row.
func (c *Catalog) addMessage(b *rowBatch, row []byte, tenant string, m *chat.Message, convs map[string]*Conversation, stats *Stats) error {
	// Commit skips segments already in the catalog, and a message belongs
	// to exactly one segment, so its rows are new here.
	b.set(key('m', tenant, m.ID), row)
	b.set(append([]byte{'d', 0}, archive.DedupKey(m)...), []byte(m.ID))
	b.set(threadKey(tenant, m.Account, m.Conversation, m.SentAt, m.ID), nil)
	if m.Target != "" && (m.Kind == chat.KindRecall || m.Kind == chat.KindEdit) {
		k := key('g', tenant, m.Account, m.Conversation, m.Target, string(m.Kind))
		b.set(k, []byte(m.SentAt.UTC().Format(time.RFC3339Nano)))
	}
	for _, a := range m.Attachments {
		if a.SHA256 != "" && a.Object != "" {
			b.set(key('a', tenant, a.SHA256), []byte(a.Object))
		}
	}
	stats.Messages++

	ck := m.Account + "\x00" + m.Conversation
	conv, ok := convs[ck]
	if !ok {
		conv = &Conversation{}
		err := getJSONFrom(c.db, key('v', tenant, m.Account, m.Conversation), conv)
		if errors.Is(err, ErrNotFound) {
			conv = &Conversation{Account: m.Account, Conversation: m.Conversation, Source: m.Source, Kind: m.ConversationKind}
			stats.Conversations++
		} else if err != nil {
			return err
		}
		convs[ck] = conv
	}
	conv.Messages++
	if conv.First.IsZero() || m.SentAt.Before(conv.First) {
		conv.First = m.SentAt
	}
	if m.SentAt.After(conv.Last) {
		conv.Last = m.SentAt
	}
	return nil
}

func getJSONFrom(r pebble.Reader, k []byte, v any) error {
	data, closer, err := r.Get(k)
	if errors.Is(err, pebble.ErrNotFound) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("catalog: get: %w", err)
	}
	defer closer.Close()
	return json.Unmarshal(data, v)
}

func threadKey(tenant, account, conversation string, at time.Time, id string) []byte {
	k := key('c', tenant, account, conversation)
	k = append(k, 0)
	k = binary.BigEndian.AppendUint64(k, uint64(at.UnixNano())^(1<<63))
	return append(k, id...)
}

// HasQuarantined reports whether an input item with the given SHA-256 was
// put in quarantine before.
func (c *Catalog) HasQuarantined(tenant string, sum []byte) (bool, error) {
	_, closer, err := c.db.Get(key('q', tenant, string(sum)))
	if errors.Is(err, pebble.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("catalog: quarantine lookup: %w", err)
	}
	closer.Close()
	return true, nil
}

// MarkQuarantined records that the items with the given SHA-256 sums are
// kept in the quarantine object.
func (c *Catalog) MarkQuarantined(tenant, object string, sums [][]byte) error {
	b := c.db.NewBatch()
	defer b.Close()
	for _, sum := range sums {
		b.Set(key('q', tenant, string(sum)), []byte(object), nil)
	}
	if err := b.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("catalog: record %d quarantined items: %w", len(sums), err)
	}
	return nil
}

// Attachment returns the object that holds the attachment with the given
// hex SHA-256, or ErrNotFound.
func (c *Catalog) Attachment(tenant, sha string) (string, error) {
	v, closer, err := c.db.Get(key('a', tenant, sha))
	if errors.Is(err, pebble.ErrNotFound) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("catalog: attachment lookup: %w", err)
	}
	defer closer.Close()
	return string(v), nil
}

// MarkAttachment records that object holds the attachment with the given
// hex SHA-256. Message commits record it too, so a rebuild restores it.
func (c *Catalog) MarkAttachment(tenant, sha, object string) error {
	if err := c.db.Set(key('a', tenant, sha), []byte(object), pebble.Sync); err != nil {
		return fmt.Errorf("catalog: record attachment %s: %w", sha, err)
	}
	return nil
}

// Changed returns when a message was recalled and when it was last edited,
// from the recall and edit messages that target its source id. A time is
// zero when no such message exists.
func (c *Catalog) Changed(tenant, account, conversation, sourceID string) (recalled, edited time.Time, err error) {
	for _, kind := range []chat.Kind{chat.KindRecall, chat.KindEdit} {
		v, closer, gerr := c.db.Get(key('g', tenant, account, conversation, sourceID, string(kind)))
		if errors.Is(gerr, pebble.ErrNotFound) {
			continue
		}
		if gerr != nil {
			return recalled, edited, fmt.Errorf("catalog: read changes of %s: %w", sourceID, gerr)
		}
		at, perr := time.Parse(time.RFC3339Nano, string(v))
		closer.Close()
		if perr != nil {
			return recalled, edited, fmt.Errorf("catalog: changes of %s: %w", sourceID, perr)
		}
		if kind == chat.KindRecall {
			recalled = at
		} else {
			edited = at
		}
	}
	return recalled, edited, nil
}

// MarkIndexed records that the segments' messages are in the search index.
func (c *Catalog) MarkIndexed(tenant string, segmentIDs []string) error {
	b := c.db.NewBatch()
	defer b.Close()
	for _, id := range segmentIDs {
		b.Set(key('x', tenant, id), nil, nil)
	}
	if err := b.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("catalog: mark %d segments indexed: %w", len(segmentIDs), err)
	}
	return nil
}

// ClearIndexed removes every segment's index mark, so that all segments
// are indexed again. The vault calls it after discarding the index.
func (c *Catalog) ClearIndexed(tenant string) error {
	p := prefixOf('x', tenant)
	bounds := prefixBounds(p)
	if err := c.db.DeleteRange(bounds.LowerBound, bounds.UpperBound, pebble.Sync); err != nil {
		return fmt.Errorf("catalog: clear index marks: %w", err)
	}
	return nil
}

// IsIndexed reports whether MarkIndexed was called for the segment.
func (c *Catalog) IsIndexed(tenant, segmentID string) (bool, error) {
	_, closer, err := c.db.Get(key('x', tenant, segmentID))
	if errors.Is(err, pebble.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("catalog: read index mark of %s: %w", segmentID, err)
	}
	closer.Close()
	return true, nil
}

// Segment returns one segment's row.
func (c *Catalog) Segment(tenant, id string) (archive.SegmentInfo, error) {
	var info archive.SegmentInfo
	err := c.getJSON(key('s', tenant, id), &info)
	return info, err
}

// Segments calls fn for every segment of the tenant, in id order (ULIDs,
// so creation order).
func (c *Catalog) Segments(tenant string, fn func(archive.SegmentInfo) error) error {
	return c.scan(prefixOf('s', tenant), func(k, v []byte) error {
		var info archive.SegmentInfo
		if err := json.Unmarshal(v, &info); err != nil {
			return fmt.Errorf("catalog: decode segment %q: %w", k, err)
		}
		return fn(info)
	})
}

// Message returns one message's catalog entry.
func (c *Catalog) Message(tenant, id string) (*Entry, error) {
	data, closer, err := c.db.Get(key('m', tenant, id))
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, fmt.Errorf("catalog: message %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("catalog: get message %s: %w", id, err)
	}
	defer closer.Close()
	return decodeEntry(data)
}

// A message row is the segment id, a newline, and the record of the
// message without its raw payload, which stays in the segment.

// appendSlimRecord appends the record of m without its raw payload and
// without a newline to dst.
func appendSlimRecord(dst []byte, m *chat.Message) ([]byte, error) {
	slim := *m
	slim.Raw = nil
	slim.RawFormat = ""
	dst, err := chat.EncodeRecord(dst, &slim)
	if err != nil {
		return dst, fmt.Errorf("catalog: encode message %s: %w", m.ID, err)
	}
	return dst[:len(dst)-1], nil
}

func decodeEntry(data []byte) (*Entry, error) {
	seg, record, ok := bytes.Cut(data, []byte{'\n'})
	if !ok {
		return nil, fmt.Errorf("catalog: message row %.40q has no segment id", data)
	}
	m, err := chat.DecodeRecord(record)
	if err != nil {
		return nil, fmt.Errorf("catalog: message row of segment %s: %w", seg, err)
	}
	return &Entry{Segment: string(seg), Message: m}, nil
}

// Thread calls fn for every message of a conversation in time order.
func (c *Catalog) Thread(tenant, account, conversation string, fn func(*Entry) error) error {
	p := prefixOf('c', tenant, account, conversation)
	return c.scan(p, func(k, _ []byte) error {
		id := string(k[len(p)+8:])
		e, err := c.Message(tenant, id)
		if err != nil {
			return err
		}
		return fn(e)
	})
}

// Around returns up to n messages before and up to n after the message id
// sent at sentAt in its conversation, in time order, without the message
// itself.
func (c *Catalog) Around(tenant, account, conversation string, sentAt time.Time, id string, n int) (before, after []*Entry, err error) {
	p := prefixOf('c', tenant, account, conversation)
	it, err := c.db.NewIter(prefixBounds(p))
	if err != nil {
		return nil, nil, fmt.Errorf("catalog: thread of %s: %w", id, err)
	}
	defer it.Close()
	self := threadKey(tenant, account, conversation, sentAt, id)
	ids := func(valid bool, step func() bool) []string {
		var out []string
		for ok := valid; ok && len(out) < n; ok = step() {
			out = append(out, string(it.Key()[len(p)+8:]))
		}
		return out
	}
	var beforeIDs, afterIDs []string
	if it.SeekLT(self) {
		beforeIDs = ids(true, it.Prev)
	}
	if it.SeekGE(self) && bytes.Equal(it.Key(), self) {
		afterIDs = ids(it.Next(), it.Next)
	}
	for i := len(beforeIDs) - 1; i >= 0; i-- {
		e, err := c.Message(tenant, beforeIDs[i])
		if err != nil {
			return nil, nil, err
		}
		before = append(before, e)
	}
	for _, aid := range afterIDs {
		e, err := c.Message(tenant, aid)
		if err != nil {
			return nil, nil, err
		}
		after = append(after, e)
	}
	return before, after, it.Error()
}

// Conversations calls fn for every conversation of the tenant whose id is
// conversation, across accounts; an empty conversation matches all.
func (c *Catalog) Conversations(tenant, conversation string, fn func(Conversation) error) error {
	return c.scan(prefixOf('v', tenant), func(k, v []byte) error {
		var conv Conversation
		if err := json.Unmarshal(v, &conv); err != nil {
			return fmt.Errorf("catalog: decode conversation %q: %w", k, err)
		}
		if conversation != "" && conv.Conversation != conversation {
			return nil
		}
		return fn(conv)
	})
}

func (c *Catalog) scan(prefix []byte, fn func(k, v []byte) error) error {
	it, err := c.db.NewIter(prefixBounds(prefix))
	if err != nil {
		return fmt.Errorf("catalog: scan: %w", err)
	}
	defer it.Close()
	for it.First(); it.Valid(); it.Next() {
		if err := fn(bytes.Clone(it.Key()), it.Value()); err != nil {
			return err
		}
	}
	return it.Error()
}

// Tags returns the reviewer tags of a message, nil when it has none.
func (c *Catalog) Tags(tenant, id string) ([]string, error) {
	v, closer, err := c.db.Get(key('T', tenant, id))
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("catalog: tags of %s: %w", id, err)
	}
	defer closer.Close()
	return strings.Split(string(v), "\n"), nil
}

// SetTags replaces the reviewer tags of messages, each entry of tags being
// one message's complete list (empty to remove them all), in one synced
// batch. Tags must not contain a newline.
func (c *Catalog) SetTags(tenant string, tags map[string][]string) error {
	b := c.db.NewBatch()
	defer b.Close()
	for id, list := range tags {
		k := key('T', tenant, id)
		var err error
		if len(list) == 0 {
			err = b.Delete(k, nil)
		} else {
			err = b.Set(k, []byte(strings.Join(list, "\n")), nil)
		}
		if err != nil {
			return fmt.Errorf("catalog: set tags of %s: %w", id, err)
		}
	}
	if err := b.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("catalog: set tags of %d messages: %w", len(tags), err)
	}
	return nil
}

// AuditHead returns the stored head of a tenant's audit log, as the audit
// package encodes it, or nil when the tenant has no audit events yet.
func (c *Catalog) AuditHead(tenant string) ([]byte, error) {
	v, closer, err := c.db.Get(key('A', tenant))
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("catalog: audit head: %w", err)
	}
	defer closer.Close()
	return bytes.Clone(v), nil
}

// SetAuditHead stores the head of a tenant's audit log, synced.
func (c *Catalog) SetAuditHead(tenant string, head []byte) error {
	if err := c.db.Set(key('A', tenant), head, pebble.Sync); err != nil {
		return fmt.Errorf("catalog: set audit head: %w", err)
	}
	return nil
}
