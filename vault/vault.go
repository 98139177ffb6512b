// Package vault opens a chatseal data folder and wires the keys, the
// archive, the catalog and the index into the operations that the command
// line and the API share: import, search, show, stats, verify and rebuild.
//
// The archive is the only source of truth. The catalog and the index are fed
// from what the archive has committed, by the same code on import and on
// rebuild, so deleting both and rebuilding returns the same search results.
//
// A data folder has one writer at a time: Open takes an exclusive lock on
// the folder and fails when another process holds it.
package vault

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"golang.org/x/mod/sumdb/note"

	"chatseal/archive"
	"chatseal/audit"
	"chatseal/catalog"
	"chatseal/chat"
	"chatseal/crypto"
	"chatseal/index"
	"chatseal/retention"
)

// StorageKind names an object-store backend.
type StorageKind string

const (
	StorageFS StorageKind = "fs"
	StorageS3 StorageKind = "s3"
)

// Config is everything Open needs. The command line fills it from flags,
// environment and config file; the zero value of each field means its
// documented default.
type Config struct {
	// DataDir is the data folder holding keys, spool, catalog, index and,
	// for the fs store, the archive. Required.
	DataDir string
	// Tenant scopes every key, object and index. Empty means "default".
	Tenant string
	// Location is the tenant's time zone: segments are partitioned by the
	// calendar month of sent_at in it, and query dates are read in it. Nil
	// means Asia/Ho_Chi_Minh.
	Location *time.Location

	// Storage selects the object store. Empty means "fs", under
	// DataDir/archive.
	Storage StorageKind
	// S3 configures the s3 store; used when Storage is "s3".
	S3 archive.S3Config
	// LockMode is the Object Lock mode of new segments on a bucket with
	// Object Lock. Empty means GOVERNANCE.
	LockMode archive.LockMode

	// Retention sets each segment's retain-until date.
	Retention retention.Policy

	// KeyPassphrase supplies the passphrase of key files protected with
	// one. Nil means protected key files cannot be opened.
	KeyPassphrase crypto.Passphrase

	// Retry sets how failed object-store operations are retried. The zero
	// value retries with backoff from 200 ms up to 30 s between attempts,
	// for up to 10 minutes.
	Retry archive.RetryPolicy
	// SpoolMaxMessages caps how many messages an import may acknowledge
	// into the spool while a flush is still running, for example while the
	// object store is unreachable. Zero means 1,000,000.
	SpoolMaxMessages int

	// FlushMessages is how many spooled messages trigger a flush to
	// segments during an import. Zero means 5,000: small enough that the
	// background indexer works on one flush while the next is read.
	FlushMessages int
	// BatchMessages is how many messages an import acknowledges (fsyncs to
	// the spool) at a time. Zero means 1,000.
	BatchMessages int

	// Custodians are the people who held the archived accounts, and when;
	// custodian: in a query and scopes read them. Nil defines none.
	Custodians []Custodian
	// Teams group custodians and accounts for scoped searches.
	Teams []Team
	// Matters are the cases under investigation; a scope may name one.
	Matters []Matter

	// MustExist makes Open fail with ErrNoArchive, creating nothing, when
	// the data folder contains no archive keys. Commands that only read or
	// check an archive set it, so a mistyped folder never becomes a new,
	// empty archive.
	MustExist bool

	// Logger receives the vault's logs. Nil discards them.
	Logger *slog.Logger
}

func (c *Config) setDefaults() {
	if c.Tenant == "" {
		c.Tenant = chat.DefaultTenant
	}
	if c.Location == nil {
		c.Location = defaultLocation()
	}
	if c.Storage == "" {
		c.Storage = StorageFS
	}
	if c.LockMode == "" {
		c.LockMode = archive.Governance
	}
	if c.FlushMessages <= 0 {
		c.FlushMessages = 5000
	}
	if c.SpoolMaxMessages <= 0 {
		c.SpoolMaxMessages = 1000000
	}
	if c.BatchMessages <= 0 {
		c.BatchMessages = 1000
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

func defaultLocation() *time.Location {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		return time.FixedZone("+07", 7*3600)
	}
	return loc
}

// Vault is an open data folder.
type Vault struct {
	cfg   Config
	log   *slog.Logger
	lock  *os.File
	store archive.Store
	keys  *crypto.Keyring
	// signer signs checkpoints; verifierKey is its public key.
	signer      note.Signer
	verifierKey string
	spool       *archive.Spool
	catalog     *catalog.Catalog
	index       *index.Index
	indexer     *indexer
	// audit appends to the tenant's audit log (see record).
	audit *audit.Log
	// recovered counts the segments, and their messages, whose flush a
	// crash interrupted and that recover committed, for the audit event
	// that Open records.
	recovered struct{ segments, messages int }
	// reindexed is set when Open replaced an index of another layout or
	// time zone, for the audit event that Open records.
	reindexed bool

	// flushing is closed when the background flush started by startFlush
	// ends; nil when none runs. flushingCount is how many messages it
	// took, and flushErr its result. Only the import goroutine touches
	// these three.
	flushing      chan struct{}
	flushingCount int
	flushErr      error
	// needsRecovery is set when a flush failed after recording intents and
	// the recovery that should settle them failed too.
	needsRecovery bool
	// objectLock is true when the store enforces retention itself.
	objectLock bool
	// KeysCreated is set when Open generated the keys of a new archive.
	KeysCreated *crypto.Created
}

// Paths of a data folder's parts.
func (c *Config) keysDir() string    { return filepath.Join(c.DataDir, "keys") }
func (c *Config) spoolDir() string   { return filepath.Join(c.DataDir, "spool") }
func (c *Config) catalogDir() string { return filepath.Join(c.DataDir, "catalog") }
func (c *Config) indexDir() string   { return filepath.Join(c.DataDir, "index", c.Tenant) }
func (c *Config) archiveDir() string { return filepath.Join(c.DataDir, "archive") }

// ErrNoArchive is wrapped by Open's error when Config.MustExist is set and
// the data folder contains no archive.
var ErrNoArchive = errors.New("no archive in the data folder")

// Open opens the data folder, creating it and the archive keys on first
// use, and finishes any flush a crash interrupted.
func Open(ctx context.Context, cfg Config) (*Vault, error) {
	cfg.setDefaults()
	if cfg.DataDir == "" {
		return nil, errors.New("vault: no data folder given")
	}
	if err := CheckOrganisation(cfg.Custodians, cfg.Teams, cfg.Matters); err != nil {
		return nil, err
	}
	if cfg.MustExist && !crypto.Exists(cfg.keysDir()) {
		return nil, fmt.Errorf("vault: %w: no archive keys in %s", ErrNoArchive, cfg.keysDir())
	}
	v := &Vault{cfg: cfg, log: cfg.Logger}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("vault: create data folder %s: %w", cfg.DataDir, err)
	}
	lock, err := lockDir(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	v.lock = lock

	if err := v.open(ctx); err != nil {
		v.Close()
		return nil, err
	}
	return v, nil
}

func (v *Vault) open(ctx context.Context) error {
	var err error
	v.store, err = openStore(ctx, &v.cfg)
	if err != nil {
		return err
	}
	caps, err := v.store.Capabilities(ctx)
	if err != nil {
		return fmt.Errorf("vault: read store capabilities: %w", err)
	}
	v.objectLock = caps.ObjectLock

	// Attachments are encrypted into tmp before their PUT. Leftovers of a
	// crashed import are removed here.
	if err := os.RemoveAll(v.cfg.tmpDir()); err != nil {
		return fmt.Errorf("vault: clear %s: %w", v.cfg.tmpDir(), err)
	}
	if err := os.MkdirAll(v.cfg.tmpDir(), 0o700); err != nil {
		return fmt.Errorf("vault: %w", err)
	}
	if err := v.openKeys(ctx); err != nil {
		return err
	}
	v.spool, err = archive.OpenSpool(v.cfg.spoolDir(), v.log.With("component", "spool"))
	if err != nil {
		return err
	}
	if err := v.openDerived(); err != nil {
		return err
	}
	if err := v.recover(ctx); err != nil {
		return err
	}
	if err := v.openAudit(ctx); err != nil {
		return err
	}
	if v.reindexed {
		e := audit.Event{Action: audit.ActionRebuild, Details: map[string]string{"scope": "index", "reason": "the index had another layout or time zone", "timezone": v.cfg.Location.String()}}
		if err := v.record(ctx, e, nil); err != nil {
			return err
		}
	}
	if v.recovered.segments > 0 {
		e := audit.Event{Action: audit.ActionRecover, Results: count(v.recovered.messages), Details: map[string]string{"segments": strconv.Itoa(v.recovered.segments)}}
		if err := v.record(ctx, e, nil); err != nil {
			return err
		}
	}
	v.indexer = newIndexer(v)
	return nil
}

func (v *Vault) openDerived() error {
	return v.openDerivedAt(v.cfg.catalogDir(), v.cfg.indexDir())
}

func (v *Vault) openDerivedAt(catalogDir, indexDir string) error {
	var err error
	v.catalog, err = catalog.Open(catalogDir, v.log.With("component", "catalog"))
	if err != nil {
		return err
	}
	v.index, err = index.Open(index.Config{Path: indexDir, Location: v.cfg.Location})
	if errors.Is(err, index.ErrSchemaVersion) {
		// A newer chatseal indexes differently, or the index counted
		// months in another time zone. The index is derived, so start a
		// new one and let recovery index every segment again.
		v.log.Warn("search index has another layout or time zone than this chatseal and configuration; chatseal rebuilds it from the archive now, with nothing for you to do", "path", indexDir, "timezone", v.cfg.Location.String())
		if err := os.RemoveAll(indexDir); err != nil {
			return fmt.Errorf("vault: remove outdated index %s: %w", indexDir, err)
		}
		if err := v.catalog.ClearIndexed(v.cfg.Tenant); err != nil {
			return err
		}
		v.reindexed = true
		v.index, err = index.Open(index.Config{Path: indexDir, Location: v.cfg.Location})
	}
	if err != nil {
		return fmt.Errorf("vault: open index: %w", err)
	}
	return nil
}

func (v *Vault) closeDerived() error {
	var errs []error
	if v.index != nil {
		errs = append(errs, v.index.Close())
		v.index = nil
	}
	if v.catalog != nil {
		errs = append(errs, v.catalog.Close())
		v.catalog = nil
	}
	return errors.Join(errs...)
}

func openStore(ctx context.Context, cfg *Config) (archive.Store, error) {
	var st archive.Store
	var err error
	switch cfg.Storage {
	case StorageFS:
		st, err = archive.NewFS(cfg.archiveDir())
	case StorageS3:
		st, err = archive.NewS3(ctx, cfg.S3, cfg.Logger.With("component", "s3"))
	default:
		return nil, fmt.Errorf("vault: unknown storage kind %q; use \"fs\" or \"s3\"", cfg.Storage)
	}
	if err != nil {
		return nil, err
	}
	return archive.NewRetrying(st, cfg.Retry, cfg.Logger.With("component", "store")), nil
}

// openKeys loads the keyring, or creates it when the archive is new. It
// refuses to create keys for an archive that already holds segments: new
// keys could not read them, and the real keys must be restored instead.
func (v *Vault) openKeys(ctx context.Context) error {
	dir := v.cfg.keysDir()
	keys, err := crypto.LoadWith(dir, v.cfg.KeyPassphrase)
	if err == nil {
		v.keys = keys
		return v.openSigner(ctx)
	}
	if !errors.Is(err, crypto.ErrNoKeys) {
		return err
	}
	hasSegments, lerr := v.archiveHasSegments(ctx)
	if lerr != nil {
		return lerr
	}
	if hasSegments {
		return fmt.Errorf("vault: %w: no key file in %s but the archive already holds segments; restore %s and %s from your backup (new keys cannot read the existing archive)", crypto.ErrKeyMissing, dir, crypto.PrimaryFile, crypto.RecoveryPublicFile)
	}
	created, err := crypto.Create(dir)
	if err != nil {
		return err
	}
	v.KeysCreated = created
	v.log.Info("created archive keys", "primary", created.PrimaryPath, "recovery", created.RecoveryPath)
	v.keys, err = crypto.LoadWith(dir, v.cfg.KeyPassphrase)
	if err != nil {
		return err
	}
	return v.openSigner(ctx)
}

// openSigner loads the checkpoint signing key, creating it for an archive
// that has no checkpoint yet. An archive with checkpoints but no key needs
// the key restored: a new key would not match the signed checkpoints.
func (v *Vault) openSigner(ctx context.Context) error {
	dir := v.cfg.keysDir()
	if !crypto.SignerExists(dir) {
		found := false
		err := v.store.List(ctx, archive.CheckpointPrefix(v.cfg.Tenant), func(archive.ObjectInfo) error {
			found = true
			return errStop
		})
		if err != nil && !errors.Is(err, errStop) {
			return fmt.Errorf("vault: list checkpoints: %w", err)
		}
		if found {
			return fmt.Errorf("vault: %w: checkpoint signing key %s, and the archive holds checkpoints it signed; restore it from your backup", crypto.ErrKeyMissing, filepath.Join(dir, crypto.SignerFile))
		}
		path, err := crypto.CreateSigner(dir)
		if err != nil {
			return err
		}
		v.log.Info("created checkpoint signing key", "path", path)
	}
	var err error
	v.signer, v.verifierKey, err = crypto.LoadSigner(dir)
	return err
}

var errStop = errors.New("stop listing")

func (v *Vault) archiveHasSegments(ctx context.Context) (bool, error) {
	found := false
	err := v.store.List(ctx, archive.SegmentPrefix(v.cfg.Tenant), func(archive.ObjectInfo) error {
		found = true
		return errStop
	})
	if err != nil && !errors.Is(err, errStop) {
		return false, fmt.Errorf("vault: list archive: %w", err)
	}
	return found, nil
}

// Close waits for the background indexer and releases the data folder
// lock. It flushes nothing: spooled messages stay durable in the spool and
// are flushed by the next import.
func (v *Vault) Close() error {
	var errs []error
	errs = append(errs, v.waitFlush())
	if v.indexer != nil {
		errs = append(errs, v.indexer.stop())
		v.indexer = nil
	}
	errs = append(errs, v.closeDerived())
	if v.spool != nil {
		errs = append(errs, v.spool.Close())
		v.spool = nil
	}
	if v.lock != nil {
		errs = append(errs, v.lock.Close())
		v.lock = nil
	}
	return errors.Join(errs...)
}

// ObjectLock reports whether the store enforces retention itself.
func (v *Vault) ObjectLock() bool { return v.objectLock }

// Location returns the tenant's time zone, in which dates are read and
// shown.
func (v *Vault) Location() *time.Location { return v.cfg.Location }

func lockDir(dir string) (*os.File, error) {
	path := filepath.Join(dir, "LOCK")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("vault: open lock file %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("vault: data folder %s is in use by another chatseal process (lock %s): %w", dir, path, err)
	}
	return f, nil
}
