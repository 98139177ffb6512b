// Package export opens a chat export the way users hand it over: a single
// file, an unpacked folder or a zip, and shows each as a read-only file
// tree. Nothing is ever extracted to disk, so an entry whose name climbs out
// of the archive ("../x", "/etc/x") can only be reported, never written.
//
// Zip entries are guarded against bombs: an entry that declares more than
// Limits.MaxEntryBytes, or that expands more than Limits.MaxRatio times its
// compressed size, is refused, and archive/zip itself stops any entry that
// produces more bytes than it declared.
package export

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// Kind is the shape an export was handed over in.
type Kind int

const (
	File Kind = iota
	Dir
	Zip
)

func (k Kind) String() string {
	switch k {
	case Dir:
		return "folder"
	case Zip:
		return "zip"
	}
	return "file"
}

// Limits bound what a zip may expand to.
type Limits struct {
	// MaxEntryBytes is the largest uncompressed entry accepted.
	MaxEntryBytes int64
	// MaxRatio is the largest uncompressed-to-compressed ratio accepted
	// for an entry larger than 1 MiB.
	MaxRatio int64
}

// DefaultLimits accept any real chat export: media files of a few GB, text
// compressing at most a few hundred times.
var DefaultLimits = Limits{MaxEntryBytes: 8 << 30, MaxRatio: 1000}

// ErrUnsafeEntry is wrapped by the error for a zip entry whose name is
// absolute or leaves the archive.
var ErrUnsafeEntry = errors.New("zip entry name leaves the archive")

// ErrTooLarge is wrapped by the error for a zip entry refused by Limits.
var ErrTooLarge = errors.New("zip entry exceeds the size limits")

// Export is an opened export.
type Export struct {
	// Path is the path the user gave.
	Path string
	Kind Kind
	// Unsafe lists zip entries skipped because their names leave the
	// archive. They are never opened.
	Unsafe []string

	root   string // Dir: the folder; File: the folder holding the file
	name   string // File: the file's base name
	zr     *zip.ReadCloser
	files  map[string]*zip.File
	limits Limits
}

// Open opens path as an export. A path ending in .zip (any case) or
// starting with the zip signature is read as a zip.
func Open(path string, limits Limits) (*Export, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	e := &Export{Path: path, limits: limits}
	if info.IsDir() {
		e.Kind, e.root = Dir, path
		return e, nil
	}
	if !isZip(path) {
		e.Kind, e.root, e.name = File, filepath.Dir(path), filepath.Base(path)
		return e, nil
	}
	zr, err := zip.OpenReader(path)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, fmt.Errorf("%s: cannot read as a zip (truncated or damaged?): %w", path, err)
	}
	e.Kind, e.zr = Zip, zr
	e.files = make(map[string]*zip.File, len(zr.File))
	for _, f := range zr.File {
		name := strings.ReplaceAll(f.Name, `\`, "/")
		if strings.HasSuffix(name, "/") {
			continue
		}
		if !fs.ValidPath(name) || strings.HasPrefix(name, "/") {
			e.Unsafe = append(e.Unsafe, f.Name)
			continue
		}
		e.files[name] = f
	}
	return e, nil
}

func isZip(path string) bool {
	if strings.EqualFold(filepath.Ext(path), ".zip") {
		return true
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var sig [4]byte
	if _, err := io.ReadFull(f, sig[:]); err != nil {
		return false
	}
	return string(sig[:]) == "PK\x03\x04"
}

// Close releases the zip, if any.
func (e *Export) Close() error {
	if e.zr != nil {
		return e.zr.Close()
	}
	return nil
}

// Name returns the file's base name for a File export, and "" otherwise.
func (e *Export) Name() string { return e.name }

// Files lists the regular files of the export, slash-separated and
// relative to its root, sorted. A File export lists its one file.
func (e *Export) Files() ([]string, error) {
	switch e.Kind {
	case File:
		return []string{e.name}, nil
	case Zip:
		names := make([]string, 0, len(e.files))
		for n := range e.files {
			names = append(names, n)
		}
		sort.Strings(names)
		return names, nil
	}
	var names []string
	err := filepath.WalkDir(e.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			rel, err := filepath.Rel(e.root, p)
			if err != nil {
				return err
			}
			names = append(names, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(names)
	return names, err
}

// Stat returns the size of the file at name, or an error wrapping
// fs.ErrNotExist.
func (e *Export) Stat(name string) (int64, error) {
	if e.Kind == Zip {
		f, ok := e.files[path.Clean(name)]
		if !ok {
			return 0, fmt.Errorf("%s: %s: %w", e.Path, name, fs.ErrNotExist)
		}
		return int64(f.UncompressedSize64), nil
	}
	p, err := e.localPath(name)
	if err != nil {
		return 0, err
	}
	info, err := os.Stat(p)
	if err != nil {
		return 0, err
	}
	if !info.Mode().IsRegular() {
		return 0, fmt.Errorf("%s: not a regular file: %w", p, fs.ErrNotExist)
	}
	return info.Size(), nil
}

// Open opens the file at name, relative to the export's root, and returns
// its size. A name that leaves the root is refused with fs.ErrNotExist: an
// export may only point inside itself.
func (e *Export) Open(name string) (io.ReadCloser, int64, error) {
	if e.Kind == Zip {
		f, ok := e.files[path.Clean(name)]
		if !ok {
			return nil, 0, fmt.Errorf("%s: %s: %w", e.Path, name, fs.ErrNotExist)
		}
		size := int64(f.UncompressedSize64)
		if size > e.limits.MaxEntryBytes || (size > 1<<20 && size > e.limits.MaxRatio*max(int64(f.CompressedSize64), 1)) {
			return nil, 0, fmt.Errorf("%s: %s: %w (%d bytes from %d compressed)", e.Path, name, ErrTooLarge, size, f.CompressedSize64)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, 0, fmt.Errorf("%s: %s: %w", e.Path, name, err)
		}
		return rc, size, nil
	}
	p, err := e.localPath(name)
	if err != nil {
		return nil, 0, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, 0, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	if !info.Mode().IsRegular() {
		f.Close()
		return nil, 0, fmt.Errorf("%s: not a regular file: %w", p, fs.ErrNotExist)
	}
	return f, info.Size(), nil
}

// localPath maps name to a path under the root of a File or Dir export.
func (e *Export) localPath(name string) (string, error) {
	clean := path.Clean(strings.ReplaceAll(name, `\`, "/"))
	if !fs.ValidPath(clean) {
		return "", fmt.Errorf("%s: %q points outside the export: %w", e.Path, name, fs.ErrNotExist)
	}
	return filepath.Join(e.root, filepath.FromSlash(clean)), nil
}
