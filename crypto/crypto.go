// Package crypto manages the age keys that protect the archive.
//
// Who holds which key:
//
//   - The primary identity (keys/archive.key in the data folder) is used by
//     the server to encrypt new segments and to read the archive for search,
//     verify and rebuild.
//   - The recovery identity (keys/recovery.key) is a second, independent key
//     to which every segment is also encrypted. It exists so that the archive
//     survives the loss of the primary key: move it off the server (a safe,
//     an offline USB key, the company lawyer) after the first start. Its
//     public key (keys/recovery.pub) stays, and is all the server needs.
//
// Every segment is encrypted to all recipients of the keyring, so either
// identity alone decrypts every segment, with chatseal or with the standard
// `age -d -i KEYFILE` tool. Losing both identities loses the archive: nobody,
// including chatseal's authors, can decrypt it again.
//
// Key files are written with mode 0600 in a folder of mode 0700, through a
// temporary file, fsync and rename, so a crash never leaves half a key.
package crypto

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"filippo.io/age"
)

// File names inside the keys folder.
const (
	PrimaryFile  = "archive.key"
	RecoveryFile = "recovery.key"
	// PrimaryPublicFile holds the primary key's public key, readable
	// without the passphrase of a protected archive.key.
	PrimaryPublicFile = "archive.pub"
	// RecoveryPublicFile holds the recovery key's public key, which is all
	// the server needs once recovery.key is kept offline.
	RecoveryPublicFile = "recovery.pub"
)

// ErrNoKeys is returned by Load when the keys folder holds no key files.
var ErrNoKeys = errors.New("no archive keys")

// ErrKeyMissing is wrapped by errors about one key file that must be
// restored from a backup.
var ErrKeyMissing = errors.New("key file missing")

// Keyring is the set of identities a server can decrypt with and the set of
// recipients it encrypts new segments to.
type Keyring struct {
	// Dir is the keys folder.
	Dir string

	identities []age.Identity
	recipients []age.Recipient
	// publicKeys are the recipients' age1... strings, in the same order.
	publicKeys []string
	// roles name each recipient: "primary", "recovery".
	roles []string
}

// Created names the key files that Create wrote, for the notice asking
// the administrator to back them up.
type Created struct {
	PrimaryPath  string
	RecoveryPath string
}

// Create makes a new primary and recovery identity in dir. It fails if either
// key file already exists, so it never overwrites a key.
func Create(dir string) (*Created, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("crypto: create keys folder %s: %w", dir, err)
	}
	created := &Created{
		PrimaryPath:  filepath.Join(dir, PrimaryFile),
		RecoveryPath: filepath.Join(dir, RecoveryFile),
	}
	for _, p := range []string{created.PrimaryPath, created.RecoveryPath} {
		if _, err := os.Stat(p); err == nil {
			return nil, fmt.Errorf("crypto: key file %s already exists; refusing to overwrite it", p)
		}
	}
	if err := writeNewIdentity(created.PrimaryPath, "primary"); err != nil {
		return nil, err
	}
	if err := writeNewIdentity(created.RecoveryPath, "recovery"); err != nil {
		return nil, err
	}
	recovery, err := readIdentity(created.RecoveryPath)
	if err != nil {
		return nil, err
	}
	if err := writeFileAtomic(filepath.Join(dir, RecoveryPublicFile), []byte(recovery.Recipient().String()+"\n"), 0o644); err != nil {
		return nil, err
	}
	return created, nil
}

// Exists reports whether dir holds at least one of the key files.
func Exists(dir string) bool {
	for _, name := range []string{PrimaryFile, RecoveryFile, RecoveryPublicFile} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return true
		}
	}
	return false
}

// Load reads the keyring from dir. The primary identity is required. For
// the recovery key either its identity (recovery.key) or only its public
// key (recovery.pub) is enough, so recovery.key can be moved off the
// server. ErrNoKeys is returned when dir holds no key file at all, and an
// error naming the missing file otherwise.
func Load(dir string) (*Keyring, error) { return LoadWith(dir, nil) }

// Passphrase returns the passphrase of a protected key file; path names the
// file, for a prompt.
type Passphrase func(path string) (string, error)

// LoadWith is Load with a source of passphrases for key files protected
// with one (see Protect). Besides the primary and recovery keys it loads
// retired primary identities (keys/retired/*.key), for reading segments
// written before a rotation, and extra recipients (keys/recipients.txt)
// that new segments are also encrypted to.
func LoadWith(dir string, pass Passphrase) (*Keyring, error) {
	k := &Keyring{Dir: dir}
	primaryPath := filepath.Join(dir, PrimaryFile)
	recoveryPath := filepath.Join(dir, RecoveryFile)
	recoveryPubPath := filepath.Join(dir, RecoveryPublicFile)

	primary, perr := readIdentityWith(primaryPath, pass)
	if perr != nil && !errors.Is(perr, fs.ErrNotExist) {
		return nil, perr
	}
	recovery, rerr := readIdentityWith(recoveryPath, pass)
	if rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
		return nil, rerr
	}
	var recoveryPub *age.X25519Recipient
	pub, pubErr := os.ReadFile(recoveryPubPath)
	if pubErr == nil {
		r, err := age.ParseX25519Recipient(strings.TrimSpace(string(pub)))
		if err != nil {
			return nil, fmt.Errorf("crypto: %s is not an age public key (age1...): %w", recoveryPubPath, err)
		}
		recoveryPub = r
	} else if !errors.Is(pubErr, fs.ErrNotExist) {
		return nil, fmt.Errorf("crypto: read %s: %w", recoveryPubPath, pubErr)
	}

	switch {
	case primary == nil && recovery == nil && recoveryPub == nil:
		return nil, fmt.Errorf("crypto: %w in %s", ErrNoKeys, dir)
	case primary == nil:
		return nil, fmt.Errorf("crypto: %w: %s; restore it from your backup (chatseal writes new segments with it)", ErrKeyMissing, primaryPath)
	case recovery == nil && recoveryPub == nil:
		return nil, fmt.Errorf("crypto: %w: recovery key %s and its public key %s are both missing; restore one of them (every segment must also be encrypted to the recovery key)", ErrKeyMissing, recoveryPath, recoveryPubPath)
	}

	if _, err := os.Stat(filepath.Join(dir, PrimaryPublicFile)); errors.Is(err, fs.ErrNotExist) {
		// Keyrings created before archive.pub existed get it now.
		if err := writeFileAtomic(filepath.Join(dir, PrimaryPublicFile), []byte(primary.Recipient().String()+"\n"), 0o644); err != nil {
			return nil, err
		}
	}
	k.identities = append(k.identities, primary)
	k.recipients = append(k.recipients, primary.Recipient())
	k.publicKeys = append(k.publicKeys, primary.Recipient().String())
	k.roles = append(k.roles, "primary")
	if recovery != nil {
		k.identities = append(k.identities, recovery)
		if recoveryPub != nil && recoveryPub.String() != recovery.Recipient().String() {
			return nil, fmt.Errorf("crypto: %s does not belong to %s; restore the matching pair", recoveryPubPath, recoveryPath)
		}
		recoveryPub = recovery.Recipient()
		if errors.Is(pubErr, fs.ErrNotExist) {
			// Archives created before recovery.pub existed get it now,
			// so recovery.key can be moved away later.
			if err := writeFileAtomic(recoveryPubPath, []byte(recoveryPub.String()+"\n"), 0o644); err != nil {
				return nil, err
			}
		}
	}
	k.recipients = append(k.recipients, recoveryPub)
	k.publicKeys = append(k.publicKeys, recoveryPub.String())
	k.roles = append(k.roles, "recovery")

	if err := k.loadRetired(pass); err != nil {
		return nil, err
	}
	if err := k.loadExtraRecipients(); err != nil {
		return nil, err
	}
	return k, nil
}

// LoadIdentityFile reads one identity file for decryption only, for example
// a recovery key brought back from offline storage.
func LoadIdentityFile(path string) (*Keyring, error) {
	id, err := readIdentity(path)
	if err != nil {
		return nil, err
	}
	return &Keyring{Dir: filepath.Dir(path), identities: []age.Identity{id}}, nil
}

// Recipient is one public key the archive encrypts to.
type Recipient struct {
	Role      string // "primary" or "recovery"
	PublicKey string // age1...
}

// Recipients lists the keyring's recipients.
func (k *Keyring) Recipients() []Recipient {
	out := make([]Recipient, len(k.publicKeys))
	for i := range k.publicKeys {
		out[i] = Recipient{Role: k.roles[i], PublicKey: k.publicKeys[i]}
	}
	return out
}

// Encrypt returns a writer that encrypts to every recipient and writes the
// age file to dst. The caller must Close it to flush the last chunk.
func (k *Keyring) Encrypt(dst io.Writer) (io.WriteCloser, error) {
	if len(k.recipients) == 0 {
		return nil, errors.New("crypto: keyring has no recipients; it was loaded for decryption only")
	}
	w, err := age.Encrypt(dst, k.recipients...)
	if err != nil {
		return nil, fmt.Errorf("crypto: start encryption: %w", err)
	}
	return w, nil
}

// Seal encrypts plain to every recipient and returns the age file.
func (k *Keyring) Seal(plain []byte) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(plain) + 512)
	w, err := k.Encrypt(&buf)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(plain); err != nil {
		return nil, fmt.Errorf("crypto: encrypt: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("crypto: encrypt: %w", err)
	}
	return buf.Bytes(), nil
}

// Decrypt returns a reader of the plaintext of the age file src. It fails
// when none of the keyring's identities is a recipient of the file.
func (k *Keyring) Decrypt(src io.Reader) (io.Reader, error) {
	r, err := age.Decrypt(src, k.identities...)
	if err != nil {
		return nil, fmt.Errorf("crypto: decrypt: %w", err)
	}
	return r, nil
}

func writeNewIdentity(path, role string) error {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return fmt.Errorf("crypto: generate %s identity: %w", role, err)
	}
	if role == "primary" {
		pub := filepath.Join(filepath.Dir(path), PrimaryPublicFile)
		if err := writeFileAtomic(pub, []byte(id.Recipient().String()+"\n"), 0o644); err != nil {
			return err
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# chatseal %s archive key, created %s\n", role, time.Now().UTC().Format(time.RFC3339))
	fmt.Fprintf(&b, "# public key: %s\n", id.Recipient())
	fmt.Fprintf(&b, "%s\n", id)
	return writeFileAtomic(path, []byte(b.String()), 0o600)
}

func readIdentity(path string) (*age.X25519Identity, error) { return readIdentityWith(path, nil) }

func readIdentityWith(path string, pass Passphrase) (*age.X25519Identity, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, fmt.Errorf("crypto: read key file %s: %w", path, err)
	}
	if isProtected(data) {
		if data, err = unprotect(path, data, pass); err != nil {
			return nil, err
		}
	}
	ids, err := age.ParseIdentities(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("crypto: key file %s is not a valid age identity file: %w", path, err)
	}
	if len(ids) != 1 {
		return nil, fmt.Errorf("crypto: key file %s contains %d identities, want exactly 1", path, len(ids))
	}
	x, ok := ids[0].(*age.X25519Identity)
	if !ok {
		return nil, fmt.Errorf("crypto: key file %s contains a %T, want an X25519 identity (AGE-SECRET-KEY-1...)", path, ids[0])
	}
	return x, nil
}

// writeFileAtomic writes data to path through a temporary file in the same
// folder, fsyncs it and renames it into place, then fsyncs the folder.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return fmt.Errorf("crypto: write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return fmt.Errorf("crypto: write %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("crypto: write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("crypto: write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("crypto: write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("crypto: write %s: %w", path, err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
