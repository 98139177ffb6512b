package archive

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
)

// FSStore keeps objects as files under a root folder: the embedded default
// store. A file appears under its final name only after its bytes are
// fsynced (temporary file, fsync, rename or link, fsync of the folder).
//
// FSStore cannot enforce Object Lock; the catalog enforces retention
// instead, and Capabilities reports that.
type FSStore struct {
	root string
}

// tmpDir is the folder under the root for objects being written. Its name
// starts with a dot, which no valid key does, so List skips it.
const tmpDir = ".tmp"

// NewFS opens (and creates when missing) a file-system store at root.
func NewFS(root string) (*FSStore, error) {
	if err := os.MkdirAll(filepath.Join(root, tmpDir), 0o700); err != nil {
		return nil, fmt.Errorf("archive: open fs store %s: %w", root, err)
	}
	return &FSStore{root: root}, nil
}

// Root returns the store's root folder.
func (s *FSStore) Root() string { return s.root }

func (s *FSStore) path(key string) (string, error) {
	if err := ValidateKey(key); err != nil {
		return "", err
	}
	return filepath.Join(s.root, filepath.FromSlash(key)), nil
}

// ValidateKey checks that key uses only [a-z0-9._/-], has no empty, "." or
// ".." element and does not start with '/'.
func ValidateKey(key string) error {
	if key == "" {
		return errors.New("archive: empty object key")
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '/' || c == '-') {
			return fmt.Errorf("archive: object key %q: byte %q at offset %d is outside [a-z0-9._/-]", key, c, i)
		}
	}
	for _, part := range strings.Split(key, "/") {
		if part == "" || part == "." || part == ".." || strings.HasPrefix(part, ".") {
			return fmt.Errorf("archive: object key %q has an empty or dot-led path element", key)
		}
	}
	return nil
}

// Put implements Store. RetainUntil and LegalHold are accepted and not
// enforced.
func (s *FSStore) Put(ctx context.Context, key string, r io.Reader, size int64, opts PutOptions) error {
	final, err := s.path(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(final), 0o700); err != nil {
		return fmt.Errorf("archive: fs put %s: %w", key, err)
	}
	tmp, err := os.CreateTemp(filepath.Join(s.root, tmpDir), "put-*")
	if err != nil {
		return fmt.Errorf("archive: fs put %s: %w", key, err)
	}
	defer os.Remove(tmp.Name())

	n, err := io.Copy(tmp, r)
	if err == nil && size >= 0 && n != size {
		err = fmt.Errorf("wrote %d bytes, want %d", n, size)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("archive: fs put %s: %w", key, err)
	}

	if opts.IfNoneMatch {
		// A hard link fails when the target exists, which makes the
		// no-overwrite check and the publish one atomic step.
		if err := os.Link(tmp.Name(), final); err != nil {
			if errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("archive: fs put %s: %w", key, ErrExist)
			}
			return fmt.Errorf("archive: fs put %s: %w", key, err)
		}
	} else if err := os.Rename(tmp.Name(), final); err != nil {
		return fmt.Errorf("archive: fs put %s: %w", key, err)
	}
	return syncDir(filepath.Dir(final))
}

// Get implements Store.
func (s *FSStore) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	p, err := s.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	// A file where a folder of the key belongs means the object cannot be
	// there either.
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return nil, fmt.Errorf("archive: fs get %s: %w", key, ErrNotExist)
	}
	if err != nil {
		return nil, fmt.Errorf("archive: fs get %s: %w", key, err)
	}
	return f, nil
}

// Stat implements Store.
func (s *FSStore) Stat(ctx context.Context, key string) (ObjectInfo, error) {
	p, err := s.path(key)
	if err != nil {
		return ObjectInfo{}, err
	}
	info, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) || err == nil && info.IsDir() {
		return ObjectInfo{}, fmt.Errorf("archive: fs stat %s: %w", key, ErrNotExist)
	}
	if err != nil {
		return ObjectInfo{}, fmt.Errorf("archive: fs stat %s: %w", key, err)
	}
	return ObjectInfo{Key: key, Size: info.Size(), ModTime: info.ModTime()}, nil
}

// List implements Store. It collects the matching keys before calling fn,
// so fn may write to the store.
func (s *FSStore) List(ctx context.Context, prefix string, fn func(ObjectInfo) error) error {
	// Walk from the deepest folder that the prefix names completely.
	start := s.root
	if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
		start = filepath.Join(s.root, filepath.FromSlash(prefix[:i]))
	}
	var found []ObjectInfo
	err := filepath.WalkDir(start, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() {
			if p != start && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		rel, err := filepath.Rel(s.root, p)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if !strings.HasPrefix(key, prefix) || ValidateKey(key) != nil {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		found = append(found, ObjectInfo{Key: key, Size: info.Size(), ModTime: info.ModTime()})
		return nil
	})
	if err != nil {
		return fmt.Errorf("archive: fs list %q: %w", prefix, err)
	}
	sort.Slice(found, func(i, j int) bool { return found[i].Key < found[j].Key })
	for _, info := range found {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(info); err != nil {
			return err
		}
	}
	return nil
}

// Delete implements Store. The fs store holds one version of each object.
func (s *FSStore) Delete(ctx context.Context, key string) error {
	p, err := s.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("archive: fs delete %s: %w", key, err)
	}
	return syncDir(filepath.Dir(p))
}

// Capabilities implements Store: a local folder enforces no lock.
func (s *FSStore) Capabilities(ctx context.Context) (Capabilities, error) {
	return Capabilities{ObjectLock: false}, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("archive: sync folder %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("archive: sync folder %s: %w", dir, err)
	}
	return nil
}
