package vault

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"chatseal/archive"
	"chatseal/audit"
	"chatseal/chat"
	"chatseal/crypto"
)

// errFound stops a segment read once the wanted record is found.
var errFound = errors.New("record found")

// Prove builds an inclusion proof of one message against the newest signed
// checkpoint, with the message's record line read from its segment. The
// proof holds the record, so it is an audit event.
func (v *Vault) Prove(ctx context.Context, id string) (*archive.InclusionProof, error) {
	p, err := v.prove(ctx, id)
	if err := v.record(ctx, audit.Event{Action: audit.ActionProve, Targets: []string{id}}, err); err != nil {
		return nil, err
	}
	return p, nil
}

func (v *Vault) prove(ctx context.Context, id string) (*archive.InclusionProof, error) {
	e, err := v.catalog.Message(v.cfg.Tenant, id)
	if err != nil {
		return nil, err
	}
	seg, err := v.catalog.Segment(v.cfg.Tenant, e.Segment)
	if err != nil {
		return nil, fmt.Errorf("vault: prove %s: segment %s: %w", id, e.Segment, err)
	}
	var record string
	_, err = archive.ReadSegment(ctx, v.store, v.keys, seg.Key, func(line []byte, m *chat.Message) error {
		if m.ID == id {
			record = string(line)
			return errFound
		}
		return nil
	})
	if err != nil && !errors.Is(err, errFound) {
		return nil, fmt.Errorf("vault: prove %s: %w", id, err)
	}
	if record == "" {
		return nil, fmt.Errorf("vault: prove %s: segment %s does not hold the message; run verify", id, seg.Key)
	}

	signed, cp, err := v.newestCheckpoint(ctx)
	if err != nil {
		return nil, err
	}
	seq := int64(e.Message.Seq)
	if cp == nil || seq >= cp.Size {
		return nil, fmt.Errorf("vault: prove %s: %w yet; run an import or reopen the archive to sign one", id, archive.ErrNoCheckpoint)
	}
	path, err := tlog.ProveRecord(cp.Size, seq, v.catalog.HashReader(v.cfg.Tenant))
	if err != nil {
		return nil, fmt.Errorf("vault: prove %s: %w", id, err)
	}
	p := &archive.InclusionProof{
		Format: archive.ProofFormat, Tenant: v.cfg.Tenant, MessageID: id, Seq: seq,
		Record: record, Checkpoint: signed, Path: make([]string, len(path)),
	}
	for i, h := range path {
		p.Path[i] = base64.StdEncoding.EncodeToString(h[:])
	}
	return p, nil
}

// newestCheckpoint returns the signed note and content of the checkpoint
// with the largest size, or nil when there is none.
func (v *Vault) newestCheckpoint(ctx context.Context) (string, *archive.Checkpoint, error) {
	var newest string
	err := v.store.List(ctx, archive.CheckpointPrefix(v.cfg.Tenant), func(o archive.ObjectInfo) error {
		newest = o.Key
		return nil
	})
	if err != nil || newest == "" {
		return "", nil, err
	}
	r, err := v.store.Get(ctx, newest)
	if err != nil {
		return "", nil, err
	}
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, 1<<20))
	if err != nil {
		return "", nil, fmt.Errorf("vault: read checkpoint %s: %w", newest, err)
	}
	verifier, err := crypto.NewVerifier(v.verifierKey)
	if err != nil {
		return "", nil, err
	}
	n, err := note.Open(data, note.VerifierList(verifier))
	if err != nil {
		return "", nil, fmt.Errorf("vault: checkpoint %s does not verify; run verify: %w", newest, err)
	}
	cp, err := archive.ParseCheckpoint(n.Text)
	if err != nil {
		return "", nil, err
	}
	return string(data), &cp, nil
}
