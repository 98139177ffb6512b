package vault

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"chatseal/archive"
	"chatseal/audit"
	"chatseal/catalog"
	"chatseal/chat"
	"chatseal/ingest"
	"chatseal/ingest/export"
)

// Attachment objects are content-addressed: the key is the SHA-256 of the
// plaintext, so the same file sent in a hundred chats is stored once.
//
//	<tenant>/attachments/<first two hex digits>/<sha256>.age
//
// The object is the file encrypted with age to every archive recipient,
// without compression (media is compressed already).
const attachmentSuffix = ".age"

// AttachmentKey returns the object key of the attachment whose plaintext
// has the hex SHA-256 sum.
func AttachmentKey(tenant, sum string) string {
	return archive.EscapeKeyElement(tenant) + "/attachments/" + sum[:2] + "/" + sum + attachmentSuffix
}

// attachmentResult counts what storeAttachments did for one message.
type attachmentResult struct {
	stored, deduplicated, missing int
	bytes                         int64
}

// storeAttachments stores the bytes of every attachment of m that the
// export holds, and marks the others as missing. An attachment is resolved
// when it has a Path and its presence is not yet known. Its bytes are in
// the archive before the message is acknowledged, so an acknowledged
// message never points at an object that does not exist.
func (v *Vault) storeAttachments(ctx context.Context, m *chat.Message, media ingest.MediaOpener) (attachmentResult, error) {
	var res attachmentResult
	for i := range m.Attachments {
		a := &m.Attachments[i]
		if a.Path == "" || a.Present != nil || a.Object != "" {
			continue
		}
		if media == nil {
			continue
		}
		err := v.storeAttachment(ctx, m, a, media, &res)
		var reason string
		switch {
		case err == nil:
			continue
		case errors.Is(err, fs.ErrNotExist):
			reason = chat.AbsentNotInExport
		case errors.Is(err, export.ErrTooLarge):
			reason = "refused_by_size_limits"
		default:
			return res, err
		}
		absent := false
		a.Present, a.AbsentReason = &absent, reason
		res.missing++
		if !slices.Contains(m.Warnings, ingest.WarnMediaNotInExport) {
			m.Warnings = append(m.Warnings, ingest.WarnMediaNotInExport)
		}
	}
	return res, nil
}

func (v *Vault) storeAttachment(ctx context.Context, m *chat.Message, a *chat.Attachment, media ingest.MediaOpener, res *attachmentResult) error {
	rc, _, err := media.OpenMedia(a.Path)
	if err != nil {
		return err
	}
	defer rc.Close()

	// The key depends on the plaintext's hash, known only at the end, so
	// the ciphertext goes to a temporary file first. Memory stays flat
	// whatever the file's size.
	tmp, err := os.CreateTemp(v.cfg.tmpDir(), "attachment-*.age")
	if err != nil {
		return fmt.Errorf("vault: attachment %s: %w", a.Path, err)
	}
	defer func() {
		tmp.Close()
		os.Remove(tmp.Name())
	}()
	w, err := v.keys.Encrypt(tmp)
	if err != nil {
		return err
	}
	h := sha256.New()
	size, err := io.Copy(io.MultiWriter(w, h), rc)
	if err != nil {
		return fmt.Errorf("vault: read attachment %s: %w", a.Path, err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("vault: encrypt attachment %s: %w", a.Path, err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	key := AttachmentKey(v.cfg.Tenant, sum)

	present := true
	a.Present, a.SHA256, a.Object, a.Size = &present, sum, key, &size
	if _, err := v.catalog.Attachment(v.cfg.Tenant, sum); err == nil {
		res.deduplicated++
		return nil
	} else if !errors.Is(err, catalog.ErrNotFound) {
		return err
	}

	info, err := tmp.Stat()
	if err != nil {
		return err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return err
	}
	opts := archive.PutOptions{IfNoneMatch: true, ContentType: "application/age-encrypted"}
	if v.objectLock {
		// NOTE: the lock follows the first message that brings the file.
		// A later message with the same file does not extend it; disposal
		// must check that no retained message still refers to the object.
		opts.RetainUntil = v.cfg.Retention.SegmentRetainUntil(m.SentAt, m.IngestedAt)
		opts.Mode = v.cfg.LockMode
	}
	err = v.store.Put(ctx, key, tmp, info.Size(), opts)
	switch {
	case errors.Is(err, archive.ErrExist):
		// Stored by an earlier import that stopped before its messages
		// were acknowledged. The plaintext is the same by construction.
		res.deduplicated++
	case err != nil:
		return fmt.Errorf("vault: put attachment %s: %w", key, err)
	default:
		res.stored++
		res.bytes += info.Size()
	}
	return v.catalog.MarkAttachment(v.cfg.Tenant, sum, key)
}

// OpenAttachment returns a reader of the plaintext of the attachment with
// the hex SHA-256 sum, checking the sum as it reads: the reader's last
// Read returns an error when the bytes do not match. The opening is an
// audit event.
func (v *Vault) OpenAttachment(ctx context.Context, sum string) (io.ReadCloser, error) {
	rc, err := v.openAttachment(ctx, sum)
	if err := v.record(ctx, audit.Event{Action: audit.ActionViewAttachment, Targets: []string{"sha256:" + sum}}, err); err != nil {
		if rc != nil {
			rc.Close()
		}
		return nil, err
	}
	return rc, nil
}

func (v *Vault) openAttachment(ctx context.Context, sum string) (io.ReadCloser, error) {
	if len(sum) != sha256.Size*2 {
		return nil, fmt.Errorf("vault: attachment %q: not a SHA-256 sum", sum)
	}
	if _, err := hex.DecodeString(sum); err != nil {
		return nil, fmt.Errorf("vault: attachment %q: not a SHA-256 sum", sum)
	}
	key := AttachmentKey(v.cfg.Tenant, sum)
	obj, err := v.store.Get(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("vault: attachment %s: %w", key, err)
	}
	plain, err := v.keys.Decrypt(obj)
	if err != nil {
		obj.Close()
		return nil, fmt.Errorf("vault: attachment %s: %w", key, err)
	}
	return &checkedReader{r: plain, c: obj, h: sha256.New(), want: sum, key: key}, nil
}

// checkedReader fails at EOF when the bytes read do not hash to want.
type checkedReader struct {
	r io.Reader
	c io.Closer
	h interface {
		io.Writer
		Sum([]byte) []byte
	}
	want string
	key  string
}

func (r *checkedReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.h.Write(p[:n])
	if err == io.EOF && hex.EncodeToString(r.h.Sum(nil)) != r.want {
		return n, fmt.Errorf("vault: attachment %s: content does not match its SHA-256", r.key)
	}
	return n, err
}

func (r *checkedReader) Close() error { return r.c.Close() }

func (c *Config) tmpDir() string { return filepath.Join(c.DataDir, "tmp") }
