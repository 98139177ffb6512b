package archive

import (
	"context"
	"errors"
	"io"
	"time"
)

// Errors returned by every Store implementation. Callers test them with
// errors.Is.
var (
	// ErrNotExist is returned when the object named by a key does not exist.
	ErrNotExist = errors.New("object does not exist")
	// ErrExist is returned by Put with IfNoneMatch when the key already
	// exists.
	ErrExist = errors.New("object already exists")
	// ErrLocked is returned by Delete when Object Lock retention or a legal
	// hold forbids removing the object.
	ErrLocked = errors.New("object is locked")
)

// LockMode is an S3 Object Lock retention mode.
type LockMode string

const (
	// Governance lets a user with the bypass permission shorten or remove
	// the retention.
	Governance LockMode = "GOVERNANCE"
	// Compliance lets nobody, not even the bucket owner, shorten it.
	Compliance LockMode = "COMPLIANCE"
)

// PutOptions control how an object is written.
type PutOptions struct {
	// RetainUntil, when not zero and the store supports Object Lock, is the
	// date before which the object version cannot be deleted.
	RetainUntil time.Time
	// Mode is the retention mode used with RetainUntil. Empty means
	// Governance.
	Mode LockMode
	// LegalHold sets the object's legal hold flag.
	LegalHold bool
	// IfNoneMatch makes Put fail with ErrExist when the key exists.
	IfNoneMatch bool
	// ContentType is stored as the object's MIME type when the store keeps
	// one. Empty means application/octet-stream.
	ContentType string
}

// ObjectInfo describes a stored object.
type ObjectInfo struct {
	Key     string
	Size    int64
	ModTime time.Time
}

// Capabilities lists the protections a store enforces by itself.
type Capabilities struct {
	// ObjectLock is true when objects written with RetainUntil are
	// protected from deletion by the store.
	ObjectLock bool
}

// Store is a flat namespace of immutable objects: the archive's only
// durable state. Keys use only the bytes [a-z0-9._/-] and never start with
// '/'. Implementations are safe for concurrent use.
type Store interface {
	// Put writes the object key with size bytes from r. The object is
	// visible to Get only after Put returns nil, and then in full.
	Put(ctx context.Context, key string, r io.Reader, size int64, opts PutOptions) error
	// Get opens the object key for reading. It returns ErrNotExist when
	// the key is absent.
	Get(ctx context.Context, key string) (io.ReadCloser, error)
	// Stat returns the object's metadata, or ErrNotExist.
	Stat(ctx context.Context, key string) (ObjectInfo, error)
	// List calls fn for each object whose key starts with prefix, in
	// lexical key order. It stops at and returns the first error of fn.
	List(ctx context.Context, prefix string, fn func(ObjectInfo) error) error
	// Delete removes the object permanently, every stored version of it
	// included. It returns ErrLocked when retention or a legal hold
	// forbids this, and nil when the key is already absent.
	Delete(ctx context.Context, key string) error
	// Capabilities reports what the store enforces.
	Capabilities(ctx context.Context) (Capabilities, error)
}
