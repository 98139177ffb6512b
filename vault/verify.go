package vault

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"

	"chatseal/archive"
	"chatseal/audit"
	"chatseal/chat"
)

// VerifyProblem is one thing verify found wrong. Object names the segment
// object (or is empty for a problem of the whole archive).
type VerifyProblem struct {
	Object string `json:"object,omitempty"`
	Detail string `json:"detail"`
}

func (p VerifyProblem) String() string {
	if p.Object == "" {
		return p.Detail
	}
	return p.Object + ": " + p.Detail
}

// VerifyReport is the outcome of Verify. The archive is intact when
// Problems is empty.
type VerifyReport struct {
	Segments int   `json:"segments"`
	Messages int64 `json:"messages"`
	// Attachments counts the attachment objects read and hashed.
	Attachments int `json:"attachments"`
	// AuditEvents counts the audit events whose hash chain was checked.
	AuditEvents int64           `json:"audit_events"`
	Bytes       int64           `json:"bytes"`
	Problems    []VerifyProblem `json:"problems"`
}

// OK reports whether verify found nothing wrong.
func (r *VerifyReport) OK() bool { return len(r.Problems) == 0 }

// Verify re-reads and decrypts every segment and checks it against the
// catalog: the object's size and SHA-256, the plaintext's SHA-256, the
// record count, the seq range, and that every record is the catalog's
// message of that id in that segment. Every attachment object a record
// names is decrypted and checked against the SHA-256 in the record, which
// the Merkle log covers. It also reports segment objects the
// catalog does not know, and gaps or overlaps in the seq numbering. An error
// is returned only when verify itself cannot run; damage is reported in the
// VerifyReport.
func (v *Vault) Verify(ctx context.Context, progress func(done, total int)) (*VerifyReport, error) {
	return v.VerifySince(ctx, nil, progress)
}

// VerifySince is Verify for what was added after a trusted checkpoint: it
// checks that the log still has the trusted root at the trusted size, then
// reads only the segments holding later records and checks only later
// checkpoints (each consistent with the trusted one). A nil since verifies
// everything. Either way it checks the whole audit log's hash chain too,
// and is an audit event.
func (v *Vault) VerifySince(ctx context.Context, since *archive.Checkpoint, progress func(done, total int)) (*VerifyReport, error) {
	rep, err := v.verifySince(ctx, since, progress)
	if err == nil {
		arep, aerr := audit.Verify(ctx, auditStore{v}, v.cfg.Tenant, v.audit.Head(), nil)
		switch {
		case errors.Is(aerr, audit.ErrBroken):
			rep.Problems = append(rep.Problems, VerifyProblem{Object: audit.Prefix(v.cfg.Tenant), Detail: aerr.Error()})
		case aerr != nil:
			err = fmt.Errorf("vault: verify audit log: %w", aerr)
		default:
			rep.AuditEvents = arep.Head.Events
		}
	}
	e := audit.Event{Action: audit.ActionVerify}
	outcome := err
	if rep != nil {
		e.Results = count(rep.Segments)
		e.Details = map[string]string{"messages": strconv.FormatInt(rep.Messages, 10), "problems": strconv.Itoa(len(rep.Problems))}
		if since != nil {
			e.Details["since_tree_size"] = strconv.FormatInt(since.Size, 10)
		}
		if err == nil && !rep.OK() {
			// Damage is reported in rep, not as an error, but the check
			// did not pass.
			outcome = fmt.Errorf("verify found problems: %d; the first: %s", len(rep.Problems), rep.Problems[0])
		}
	}
	// record returns outcome, with the audit failure joined to it.
	if rerr := v.record(ctx, e, outcome); err != nil || errors.Is(rerr, ErrAudit) {
		return nil, rerr
	}
	return rep, nil
}

func (v *Vault) verifySince(ctx context.Context, since *archive.Checkpoint, progress func(done, total int)) (*VerifyReport, error) {
	rep := &VerifyReport{Problems: []VerifyProblem{}}
	var from uint64
	if since != nil {
		from = uint64(since.Size)
	}
	var segs []archive.SegmentInfo
	known := map[string]bool{}
	if err := v.catalog.Segments(v.cfg.Tenant, func(info archive.SegmentInfo) error {
		known[info.Key] = true
		if since == nil || info.LastSeq >= from {
			segs = append(segs, info)
		}
		return nil
	}); err != nil {
		return nil, err
	}

	err := v.store.List(ctx, archive.SegmentPrefix(v.cfg.Tenant), func(o archive.ObjectInfo) error {
		if !known[o.Key] {
			rep.Problems = append(rep.Problems, VerifyProblem{Object: o.Key, Detail: "segment object is not in the catalog (added after the fact, or the catalog is stale: run rebuild)"})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("vault: verify: list segments: %w", err)
	}

	type seqRange struct {
		first, last uint64
		key         string
	}
	var ranges []seqRange
	attachments := map[string]string{}
	for i, info := range segs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		problems := v.verifySegment(ctx, info, attachments)
		rep.Problems = append(rep.Problems, problems...)
		rep.Segments++
		rep.Messages += int64(info.Count)
		rep.Bytes += info.ObjectBytes
		ranges = append(ranges, seqRange{info.FirstSeq, info.LastSeq, info.Key})
		if progress != nil {
			progress(i+1, len(segs))
		}
	}

	if err := v.verifyAttachments(ctx, attachments, rep); err != nil {
		return nil, err
	}

	sort.Slice(ranges, func(i, j int) bool { return ranges[i].first < ranges[j].first })
	var want uint64
	if since != nil && len(ranges) > 0 && ranges[0].first <= from {
		want = ranges[0].first
	} else {
		want = from
	}
	for _, r := range ranges {
		if r.first != want {
			rep.Problems = append(rep.Problems, VerifyProblem{Object: r.key, Detail: fmt.Sprintf("seq numbering breaks: segment starts at seq %d, want %d", r.first, want)})
		}
		want = r.last + 1
	}
	stats, err := v.catalog.Stats(v.cfg.Tenant)
	if err != nil {
		return nil, err
	}
	size, err := v.catalog.TreeSize(v.cfg.Tenant)
	if err != nil {
		return nil, err
	}
	if since == nil && size != rep.Messages {
		rep.Problems = append(rep.Problems, VerifyProblem{Detail: fmt.Sprintf("the Merkle log holds %d leaves but the segments hold %d records", size, rep.Messages)})
	}
	cpProblems, err := v.verifyCheckpoints(ctx, size, since)
	if err != nil {
		return nil, err
	}
	rep.Problems = append(rep.Problems, cpProblems...)
	if since != nil {
		return rep, nil
	}
	if stats.Messages != rep.Messages {
		rep.Problems = append(rep.Problems, VerifyProblem{Detail: fmt.Sprintf("catalog counts %d messages but its segments hold %d", stats.Messages, rep.Messages)})
	}
	return rep, nil
}

// verifyAttachments reads every attachment object of attachments (SHA-256
// to object key) and checks its plaintext's hash.
func (v *Vault) verifyAttachments(ctx context.Context, attachments map[string]string, rep *VerifyReport) error {
	sums := make([]string, 0, len(attachments))
	for sum := range attachments {
		sums = append(sums, sum)
	}
	sort.Strings(sums)
	for _, sum := range sums {
		if err := ctx.Err(); err != nil {
			return err
		}
		key := attachments[sum]
		rep.Attachments++
		if key != AttachmentKey(v.cfg.Tenant, sum) {
			rep.Problems = append(rep.Problems, VerifyProblem{Object: key, Detail: fmt.Sprintf("attachment object is not at the key of its SHA-256 %s", sum)})
			continue
		}
		rc, err := v.openAttachment(ctx, sum)
		if err == nil {
			_, err = io.Copy(io.Discard, rc)
			rc.Close()
		}
		switch {
		case errors.Is(err, archive.ErrNotExist):
			rep.Problems = append(rep.Problems, VerifyProblem{Object: key, Detail: "attachment object is missing from the store"})
		case err != nil:
			rep.Problems = append(rep.Problems, VerifyProblem{Object: key, Detail: fmt.Sprintf("attachment cannot be read or does not match its SHA-256: %v", err)})
		}
	}
	return nil
}

func (v *Vault) verifySegment(ctx context.Context, info archive.SegmentInfo, attachments map[string]string) []VerifyProblem {
	var problems []VerifyProblem
	add := func(format string, args ...any) {
		problems = append(problems, VerifyProblem{Object: info.Key, Detail: fmt.Sprintf(format, args...)})
	}
	var first, last uint64
	n := 0
	res, err := archive.ReadSegment(ctx, v.store, v.keys, info.Key, func(line []byte, m *chat.Message) error {
		if n == 0 {
			first = m.Seq
		} else if m.Seq != last+1 {
			add("record %d has seq %d, want %d", n+1, m.Seq, last+1)
		}
		last = m.Seq
		n++
		for _, a := range m.Attachments {
			if a.SHA256 != "" && a.Object != "" {
				attachments[a.SHA256] = a.Object
			}
		}
		leaf, err := v.catalog.Leaf(v.cfg.Tenant, m.Seq)
		if err != nil {
			add("record %d: Merkle leaf %d: %v", n, m.Seq, err)
		} else if leaf != archive.LeafHash(line) {
			add("record %d (seq %d): leaf hash %s differs from the Merkle log's %s", n, m.Seq, archive.LeafHash(line), leaf)
		}
		e, err := v.catalog.Message(v.cfg.Tenant, m.ID)
		if err != nil {
			add("record %d: message %s is not in the catalog", n, m.ID)
			return nil
		}
		if e.Segment != info.ID {
			add("record %d: catalog places message %s in segment %s", n, m.ID, e.Segment)
		}
		if e.Message.Seq != m.Seq || e.Message.SourceID != m.SourceID {
			add("record %d: message %s differs from the catalog (seq %d vs %d)", n, m.ID, m.Seq, e.Message.Seq)
		}
		return nil
	})
	if errors.Is(err, archive.ErrNotExist) {
		add("segment object is missing from the store")
		return problems
	}
	if err != nil {
		add("cannot read segment: %v", err)
		return problems
	}
	if res.ObjectBytes != info.ObjectBytes {
		add("object has %d bytes, catalog recorded %d", res.ObjectBytes, info.ObjectBytes)
	}
	if res.ObjectSHA256 != info.ObjectSHA256 {
		add("object SHA-256 is %s, catalog recorded %s", res.ObjectSHA256, info.ObjectSHA256)
	}
	if res.PlainSHA256 != info.PlainSHA256 {
		add("plaintext SHA-256 is %s, catalog recorded %s", res.PlainSHA256, info.PlainSHA256)
	}
	if res.Count != info.Count {
		add("segment holds %d records, catalog recorded %d", res.Count, info.Count)
	}
	if n > 0 && (first != info.FirstSeq || last != info.LastSeq) {
		add("segment holds seqs %d..%d, catalog recorded %d..%d", first, last, info.FirstSeq, info.LastSeq)
	}
	return problems
}
