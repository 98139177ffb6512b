package vault

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"chatseal/archive"
	"chatseal/crypto"
)

// writeCheckpoint signs the current head of the tenant's Merkle log and
// stores it as <tenant>/checkpoints/<size>.note, locked like a segment. A
// checkpoint for the same size that already exists is kept.
func (v *Vault) writeCheckpoint(ctx context.Context) error {
	size, err := v.catalog.TreeSize(v.cfg.Tenant)
	if err != nil || size == 0 {
		return err
	}
	root, err := v.catalog.TreeHash(v.cfg.Tenant, size)
	if err != nil {
		return fmt.Errorf("vault: checkpoint at size %d: %w", size, err)
	}
	now := time.Now().UTC()
	cp := archive.Checkpoint{Tenant: v.cfg.Tenant, Size: size, Root: root, Time: now}
	signed, err := note.Sign(&note.Note{Text: cp.Text()}, v.signer)
	if err != nil {
		return fmt.Errorf("vault: sign checkpoint at size %d: %w", size, err)
	}
	opts := archive.PutOptions{IfNoneMatch: true, ContentType: "text/plain; charset=utf-8"}
	if v.objectLock {
		opts.RetainUntil = v.cfg.Retention.SegmentRetainUntil(now, now)
		opts.Mode = v.cfg.LockMode
	}
	key := archive.CheckpointKey(v.cfg.Tenant, size)
	err = v.store.Put(ctx, key, bytes.NewReader(signed), int64(len(signed)), opts)
	if errors.Is(err, archive.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("vault: store checkpoint %s: %w", key, err)
	}
	v.log.Info("signed checkpoint", "tenant", v.cfg.Tenant, "size", size, "root", root.String())
	return nil
}

// TrustedCheckpoint reads a checkpoint to verify from: spec is either a
// tree size, naming the archive's own checkpoint of that size, or the path
// of a saved checkpoint note. Either way its signature must verify with the
// archive's checkpoint key.
func (v *Vault) TrustedCheckpoint(ctx context.Context, spec string) (*archive.Checkpoint, error) {
	var data []byte
	if size, err := strconv.ParseInt(spec, 10, 64); err == nil {
		r, err := v.store.Get(ctx, archive.CheckpointKey(v.cfg.Tenant, size))
		if errors.Is(err, archive.ErrNotExist) {
			var sizes []string
			v.store.List(ctx, archive.CheckpointPrefix(v.cfg.Tenant), func(o archive.ObjectInfo) error {
				name := strings.TrimSuffix(o.Key[strings.LastIndexByte(o.Key, '/')+1:], ".note")
				sizes = append(sizes, strings.TrimLeft(name, "0"))
				return nil
			})
			return nil, fmt.Errorf("vault: no checkpoint of size %d; checkpoints exist for sizes %s", size, strings.Join(sizes, ", "))
		}
		if err != nil {
			return nil, fmt.Errorf("vault: checkpoint of size %d: %w", size, err)
		}
		defer r.Close()
		if data, err = io.ReadAll(io.LimitReader(r, 1<<20)); err != nil {
			return nil, fmt.Errorf("vault: read checkpoint of size %d: %w", size, err)
		}
	} else {
		if data, err = os.ReadFile(spec); err != nil {
			return nil, fmt.Errorf("vault: read checkpoint file: %w", err)
		}
	}
	verifier, err := crypto.NewVerifier(v.verifierKey)
	if err != nil {
		return nil, err
	}
	n, err := note.Open(data, note.VerifierList(verifier))
	if err != nil {
		return nil, fmt.Errorf("vault: checkpoint %s does not verify with the archive's key: %w", spec, err)
	}
	cp, err := archive.ParseCheckpoint(n.Text)
	if err != nil {
		return nil, err
	}
	return &cp, nil
}

// verifyCheckpoints checks every stored checkpoint: its signature, that its
// root is the Merkle root of the log at its size, and that each is
// consistent with the one before (an RFC 6962 consistency proof). It also
// reports records that no checkpoint covers yet.
func (v *Vault) verifyCheckpoints(ctx context.Context, treeSize int64, since *archive.Checkpoint) ([]VerifyProblem, error) {
	var problems []VerifyProblem
	add := func(key, format string, args ...any) {
		problems = append(problems, VerifyProblem{Object: key, Detail: fmt.Sprintf(format, args...)})
	}
	verifier, err := crypto.NewVerifier(v.verifierKey)
	if err != nil {
		return nil, err
	}
	var keys []string
	err = v.store.List(ctx, archive.CheckpointPrefix(v.cfg.Tenant), func(o archive.ObjectInfo) error {
		keys = append(keys, o.Key)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("vault: verify: list checkpoints: %w", err)
	}

	reader := v.catalog.HashReader(v.cfg.Tenant)
	var prev *archive.Checkpoint
	var newest int64
	if since != nil {
		if since.Size > treeSize {
			add("", "the trusted checkpoint covers %d records but the log holds only %d: records were removed after it was signed", since.Size, treeSize)
			return problems, nil
		}
		root, err := tlog.TreeHash(since.Size, reader)
		if err != nil {
			return nil, err
		}
		if root != since.Root {
			add("", "root hash of the log at size %d is %s, the trusted checkpoint says %s: records before it changed", since.Size, root, since.Root)
			return problems, nil
		}
		prev, newest = since, since.Size
	}
	for _, key := range keys {
		if since != nil && key < archive.CheckpointKey(v.cfg.Tenant, since.Size) {
			continue
		}
		cp, ok := v.readCheckpoint(ctx, key, verifier, add)
		if !ok {
			continue
		}
		if want := archive.CheckpointKey(v.cfg.Tenant, cp.Size); key != want {
			add(key, "checkpoint of size %d is stored under the wrong name (want %s): it may have been replaced", cp.Size, want)
		}
		if cp.Size > treeSize {
			add(key, "checkpoint covers %d records but the log holds only %d: records were removed after it was signed", cp.Size, treeSize)
			continue
		}
		root, err := tlog.TreeHash(cp.Size, reader)
		if err != nil {
			return nil, err
		}
		if root != cp.Root {
			add(key, "root hash of the log at size %d is %s, the signed checkpoint says %s: the archive changed after it was signed", cp.Size, root, cp.Root)
			continue
		}
		if prev != nil && prev.Size > 0 {
			proof, err := tlog.ProveTree(cp.Size, prev.Size, reader)
			if err == nil {
				err = tlog.CheckTree(proof, cp.Size, cp.Root, prev.Size, prev.Root)
			}
			if err != nil {
				add(key, "not consistent with the checkpoint at size %d: %v", prev.Size, err)
			}
		}
		prev = &cp
		newest = max(newest, cp.Size)
	}
	if treeSize > 0 && newest < treeSize {
		add(archive.CheckpointPrefix(v.cfg.Tenant), "records %d to %d are in no signed checkpoint", newest, treeSize-1)
	}
	return problems, nil
}

// readCheckpoint reads and opens one checkpoint note, reporting damage
// through add.
func (v *Vault) readCheckpoint(ctx context.Context, key string, verifier note.Verifier, add func(key, format string, args ...any)) (archive.Checkpoint, bool) {
	r, err := v.store.Get(ctx, key)
	if err != nil {
		add(key, "cannot read checkpoint: %v", err)
		return archive.Checkpoint{}, false
	}
	data, err := io.ReadAll(io.LimitReader(r, 1<<20))
	r.Close()
	if err != nil {
		add(key, "cannot read checkpoint: %v", err)
		return archive.Checkpoint{}, false
	}
	n, err := note.Open(data, note.VerifierList(verifier))
	if err != nil {
		add(key, "checkpoint signature does not verify with the archive's public key: %v", err)
		return archive.Checkpoint{}, false
	}
	cp, err := archive.ParseCheckpoint(n.Text)
	if err != nil {
		add(key, "%v", err)
		return archive.Checkpoint{}, false
	}
	if cp.Tenant != v.cfg.Tenant {
		add(key, "checkpoint is for tenant %q", cp.Tenant)
		return archive.Checkpoint{}, false
	}
	return cp, true
}
