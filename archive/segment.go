package archive

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/zstd"
	"golang.org/x/mod/sumdb/tlog"

	"chatseal/chat"
	"chatseal/crypto"
)

// SegmentSuffix ends every segment key.
const SegmentSuffix = ".jsonl.zst.age"

// MaxRecordLine is the longest record line a segment reader accepts.
const MaxRecordLine = 64 << 20

// SegmentInfo describes one segment object. The catalog keeps it so that
// verify can check the object and rebuild can trust nothing but the object.
type SegmentInfo struct {
	ID           string    `json:"id"` // ULID, also the last element of Key
	Key          string    `json:"key"`
	Tenant       string    `json:"tenant"`
	Account      string    `json:"account"`
	Month        string    `json:"month"` // YYYY-MM of sent_at in the tenant's zone
	Count        int       `json:"count"`
	FirstSeq     uint64    `json:"first_seq"`
	LastSeq      uint64    `json:"last_seq"`
	PlainBytes   int64     `json:"plain_bytes"`
	PlainSHA256  string    `json:"plain_sha256"`  // of the JSON Lines
	ObjectBytes  int64     `json:"object_bytes"`  // of the stored object
	ObjectSHA256 string    `json:"object_sha256"` // of the stored object
	RetainUntil  time.Time `json:"retain_until,omitzero"`
	LockMode     LockMode  `json:"lock_mode,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
}

// SegmentPrefix returns the key prefix of every segment of tenant.
func SegmentPrefix(tenant string) string {
	return EscapeKeyElement(tenant) + "/segments/"
}

// SegmentKey returns the object key of a segment:
// <tenant>/segments/<account>/<yyyy>/<mm>/<id>.jsonl.zst.age.
func SegmentKey(tenant, account, month, id string) string {
	yyyy, mm, _ := strings.Cut(month, "-")
	return SegmentPrefix(tenant) + EscapeKeyElement(account) + "/" + yyyy + "/" + mm + "/" + strings.ToLower(id) + SegmentSuffix
}

// EscapeKeyElement maps an id to bytes valid in one key element: a-z, 0-9,
// '.' and '-' are kept (except a leading '.'), every other byte is written
// as '_' and two lowercase hex digits. Upper-case letters are escaped too, so
// distinct ids never share a key.
func EscapeKeyElement(id string) string {
	var b strings.Builder
	for i := 0; i < len(id); i++ {
		c := id[i]
		keep := c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' && i > 0
		if keep {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "_%02x", c)
	}
	return b.String()
}

var (
	zstdEncoderOnce sync.Once
	zstdEncoder     *zstd.Encoder
)

func encoder() *zstd.Encoder {
	zstdEncoderOnce.Do(func() {
		var err error
		zstdEncoder, err = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderConcurrency(1))
		if err != nil {
			panic("archive: internal invariant broken: zstd encoder with fixed options failed: " + err.Error())
		}
	})
	return zstdEncoder
}

// SealedSegment is a segment ready to be stored.
type SealedSegment struct {
	Info   SegmentInfo
	Object []byte
	// Leaves are the RFC 6962 leaf hashes of the segment's records, in
	// record (and so seq) order.
	Leaves []tlog.Hash
	// Heads are the segment's records in the same order, each cut before
	// its raw payload (see chat.EncodeRecordSplit): with a closing brace,
	// the record of the message without Raw, as the catalog keeps it.
	Heads [][]byte
}

// SealSegment encodes msgs as JSON Lines, compresses them with zstd and
// encrypts them to every recipient of kr. msgs must already carry their
// ids and seqs; info supplies Tenant, Account, Month, ID and the lock fields.
func SealSegment(kr *crypto.Keyring, info SegmentInfo, msgs []*chat.Message) (*SealedSegment, error) {
	return SealRecords(kr, info, msgs, nil)
}

// SealRecords is SealSegment with the record lines that the spool encoded
// for msgs before their seqs were set. A message with a line gets it with
// its seq set (chat.AppendWithSeq) instead of being encoded again. lines
// may be nil, or hold zero Lines for messages without one.
func SealRecords(kr *crypto.Keyring, info SegmentInfo, msgs []*chat.Message, lines []Line) (*SealedSegment, error) {
	if len(msgs) == 0 {
		return nil, errors.New("archive: seal segment: no messages")
	}
	size := 0
	for _, m := range msgs {
		size += chat.RecordSizeHint(m)
	}
	plain := make([]byte, 0, size)
	var err error
	leaves := make([]tlog.Hash, len(msgs))
	heads := make([][]byte, len(msgs))
	for i, m := range msgs {
		start := len(plain)
		var line Line
		if i < len(lines) {
			line = lines[i]
		}
		var raw int
		plain, raw, err = appendRecord(plain, m, line)
		if err != nil {
			return nil, fmt.Errorf("archive: seal segment %s: %w", info.ID, err)
		}
		leaves[i] = LeafHash(plain[start : len(plain)-1])
		heads[i] = plain[start:raw:raw]
	}
	compressed := encoder().EncodeAll(plain, make([]byte, 0, len(plain)/3))
	object, err := kr.Seal(compressed)
	if err != nil {
		return nil, fmt.Errorf("archive: seal segment %s: %w", info.ID, err)
	}

	plainSum := sha256.Sum256(plain)
	objectSum := sha256.Sum256(object)
	info.Key = SegmentKey(info.Tenant, info.Account, info.Month, info.ID)
	info.Count = len(msgs)
	info.FirstSeq = msgs[0].Seq
	info.LastSeq = msgs[len(msgs)-1].Seq
	info.PlainBytes = int64(len(plain))
	info.PlainSHA256 = hex.EncodeToString(plainSum[:])
	info.ObjectBytes = int64(len(object))
	info.ObjectSHA256 = hex.EncodeToString(objectSum[:])
	return &SealedSegment{Info: info, Object: object, Leaves: leaves, Heads: heads}, nil
}

// appendRecord appends the record line of m to dst, from line when it is
// the spooled line of m, and returns the offset of its raw members.
func appendRecord(dst []byte, m *chat.Message, line Line) ([]byte, int, error) {
	if line.Bytes != nil {
		start := len(dst)
		out, grew, err := chat.AppendWithSeq(dst, line.Bytes, m.ID, m.Seq)
		if err == nil {
			return out, start + line.Raw + grew, nil
		}
		// The line belongs to another message, so m is encoded instead.
	}
	return chat.EncodeRecordSplit(dst, m)
}

// LeafHash returns the Merkle leaf hash of one record line (without its
// newline): SHA-256 over a zero byte and the line, as RFC 6962 defines a
// leaf. The leaf index of a record is its seq.
func LeafHash(record []byte) tlog.Hash {
	return tlog.RecordHash(record)
}

// PutSegment stores a sealed segment with its Object Lock retention. The
// key must not exist yet: a segment is never rewritten.
func PutSegment(ctx context.Context, st Store, seg *SealedSegment) error {
	opts := PutOptions{
		RetainUntil: seg.Info.RetainUntil,
		Mode:        seg.Info.LockMode,
		IfNoneMatch: true,
		ContentType: "application/age-encrypted",
	}
	err := st.Put(ctx, seg.Info.Key, bytes.NewReader(seg.Object), int64(len(seg.Object)), opts)
	if errors.Is(err, ErrExist) {
		// A segment key is a fresh ULID, so an existing object is either
		// this very write, retried by the client after a lost response, or
		// a redo after a crash; both are fine when the bytes are ours.
		if same, cerr := sameObject(ctx, st, seg.Info.Key, seg.Info.ObjectSHA256); cerr == nil && same {
			return nil
		}
	}
	if err != nil {
		return fmt.Errorf("archive: put segment %s: %w", seg.Info.Key, err)
	}
	return nil
}

// sameObject reports whether the object key has the given SHA-256.
func sameObject(ctx context.Context, st Store, key, sha string) (bool, error) {
	r, err := st.Get(ctx, key)
	if err != nil {
		return false, err
	}
	defer r.Close()
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return false, err
	}
	return hex.EncodeToString(h.Sum(nil)) == sha, nil
}

// SegmentReadResult holds the sizes, hashes and record count measured
// while reading a whole segment object.
type SegmentReadResult struct {
	Count        int
	PlainBytes   int64
	PlainSHA256  string
	ObjectBytes  int64
	ObjectSHA256 string
}

// ReadSegment streams the segment object key: it decrypts it with kr,
// decompresses it and calls fn with each record line (without its newline)
// and the decoded message. fn must not keep line. It returns the hashes
// and sizes of the object and its plaintext, computed while reading.
func ReadSegment(ctx context.Context, st Store, kr *crypto.Keyring, key string, fn func(line []byte, m *chat.Message) error) (*SegmentReadResult, error) {
	obj, err := st.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	defer obj.Close()

	objectHash := sha256.New()
	counted := &countingReader{r: io.TeeReader(obj, objectHash)}
	plainReader, err := kr.Decrypt(counted)
	if err != nil {
		return nil, fmt.Errorf("archive: read segment %s: %w", key, err)
	}
	dec, err := zstd.NewReader(plainReader, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(1<<30))
	if err != nil {
		return nil, fmt.Errorf("archive: read segment %s: %w", key, err)
	}
	defer dec.Close()

	plainHash := sha256.New()
	res := &SegmentReadResult{}
	br := bufio.NewReaderSize(io.TeeReader(dec, plainHash), 256<<10)
	var long []byte
	for lineNo := 1; ; lineNo++ {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			long = append(long[:0], line...)
			for errors.Is(err, bufio.ErrBufferFull) && len(long) <= MaxRecordLine {
				line, err = br.ReadSlice('\n')
				long = append(long, line...)
			}
			if len(long) > MaxRecordLine {
				return nil, fmt.Errorf("archive: read segment %s: record %d is longer than %d bytes", key, lineNo, MaxRecordLine)
			}
			line = long
		}
		if len(line) > 0 {
			if line[len(line)-1] != '\n' {
				return nil, fmt.Errorf("archive: read segment %s: record %d has no line end; the segment is truncated", key, lineNo)
			}
			res.PlainBytes += int64(len(line))
			record := line[:len(line)-1]
			m, derr := chat.DecodeRecord(record)
			if derr != nil {
				return nil, fmt.Errorf("archive: read segment %s: record %d: %w", key, lineNo, derr)
			}
			res.Count++
			if fn != nil {
				if ferr := fn(record, m); ferr != nil {
					return nil, ferr
				}
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("archive: read segment %s: %w", key, err)
		}
		if cerr := ctx.Err(); cerr != nil {
			return nil, cerr
		}
	}
	// Drain what follows the plaintext so the object hash covers every byte.
	if _, err := io.Copy(io.Discard, counted); err != nil {
		return nil, fmt.Errorf("archive: read segment %s: %w", key, err)
	}
	res.PlainSHA256 = hex.EncodeToString(plainHash.Sum(nil))
	res.ObjectSHA256 = hex.EncodeToString(objectHash.Sum(nil))
	res.ObjectBytes = counted.n
	return res, nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
