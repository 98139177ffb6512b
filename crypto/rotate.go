package crypto

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"filippo.io/age"
	"filippo.io/age/armor"
)

// Files and folders for rotation and escrow inside the keys folder.
const (
	// RetiredDir holds primary identities replaced by Rotate. They decrypt
	// the segments written before the rotation; nothing is encrypted to
	// them any more.
	RetiredDir = "retired"
	// RecipientsFile lists extra recipients (one age public key per line,
	// optionally followed by "# name"), such as an escrow key kept offline
	// by the company's lawyer. Every new segment is encrypted to them too.
	RecipientsFile = "recipients.txt"
)

// ErrPassphrase is wrapped by errors about a missing or wrong passphrase.
var ErrPassphrase = errors.New("key file passphrase missing or wrong")

// Rotate makes a new primary identity for new segments. The previous one
// moves to retired/ and keeps decrypting older segments. When the previous
// key file is protected with a passphrase, the new one is protected with
// the same passphrase, which pass must supply. It returns the path the
// previous key was moved to.
func Rotate(dir string, pass Passphrase) (string, error) {
	primary := filepath.Join(dir, PrimaryFile)
	old, err := os.ReadFile(primary)
	if err != nil {
		return "", fmt.Errorf("crypto: rotate: %w: %s", ErrKeyMissing, primary)
	}
	var passphrase string
	if isProtected(old) {
		// Check the passphrase on the old key before changing anything.
		if _, err := unprotect(primary, old, pass); err != nil {
			return "", err
		}
		if passphrase, err = pass(primary); err != nil {
			return "", err
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, RetiredDir), 0o700); err != nil {
		return "", fmt.Errorf("crypto: rotate: %w", err)
	}
	retired := filepath.Join(dir, RetiredDir, "archive-"+time.Now().UTC().Format("20060102T150405Z")+".key")
	if _, err := os.Stat(retired); err == nil {
		return "", fmt.Errorf("crypto: rotate: %s already exists; wait a second and retry", retired)
	}
	// Link first, so that a crash leaves the old key in at least one place.
	if err := os.Link(primary, retired); err != nil {
		return "", fmt.Errorf("crypto: rotate: keep old key as %s: %w", retired, err)
	}
	if err := os.Remove(primary); err != nil {
		return "", fmt.Errorf("crypto: rotate: %w", err)
	}
	if err := writeNewIdentity(primary, "primary"); err != nil {
		return "", err
	}
	if passphrase != "" {
		if err := Protect(primary, passphrase); err != nil {
			return "", err
		}
	}
	return retired, nil
}

// AddRecipient adds an age public key (age1...) that every new segment is
// also encrypted to. name is a free label kept as a comment.
func AddRecipient(dir, recipient, name string) error {
	recipient = strings.TrimSpace(recipient)
	if _, err := age.ParseX25519Recipient(recipient); err != nil {
		return fmt.Errorf("crypto: %q is not an age public key (age1...): %w", recipient, err)
	}
	path := filepath.Join(dir, RecipientsFile)
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("crypto: read %s: %w", path, err)
	}
	for _, line := range strings.Split(string(old), "\n") {
		if f := strings.Fields(line); len(f) > 0 && f[0] == recipient {
			return fmt.Errorf("crypto: recipient %s is already in %s", recipient, path)
		}
	}
	line := recipient
	if name = strings.TrimSpace(strings.ReplaceAll(name, "\n", " ")); name != "" {
		line += " # " + name
	}
	data := append(old, []byte(line+"\n")...)
	return writeFileAtomic(path, data, 0o644)
}

func (k *Keyring) loadRetired(pass Passphrase) error {
	paths, err := filepath.Glob(filepath.Join(k.Dir, RetiredDir, "*.key"))
	if err != nil {
		return fmt.Errorf("crypto: list retired keys: %w", err)
	}
	sort.Strings(paths)
	for _, p := range paths {
		id, err := readIdentityWith(p, pass)
		if err != nil {
			return err
		}
		k.identities = append(k.identities, id)
	}
	return nil
}

func (k *Keyring) loadExtraRecipients() error {
	path := filepath.Join(k.Dir, RecipientsFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("crypto: read %s: %w", path, err)
	}
	for i, line := range strings.Split(string(data), "\n") {
		key, name, _ := strings.Cut(line, "#")
		key = strings.TrimSpace(key)
		if key == "" {
			continue
		}
		r, err := age.ParseX25519Recipient(key)
		if err != nil {
			return fmt.Errorf("crypto: %s line %d: %q is not an age public key: %w", path, i+1, key, err)
		}
		k.recipients = append(k.recipients, r)
		k.publicKeys = append(k.publicKeys, key)
		role := "extra"
		if n := strings.TrimSpace(name); n != "" {
			role = "extra (" + n + ")"
		}
		k.roles = append(k.roles, role)
	}
	return nil
}

// ProtectAll protects the primary key and every retired key in dir with the
// passphrase (see Protect), skipping files already protected. The recovery
// key is left alone: it is meant to be kept offline. It returns the files
// it protected.
func ProtectAll(dir, passphrase string) ([]string, error) {
	paths, err := filepath.Glob(filepath.Join(dir, RetiredDir, "*.key"))
	if err != nil {
		return nil, fmt.Errorf("crypto: list retired keys: %w", err)
	}
	paths = append([]string{filepath.Join(dir, PrimaryFile)}, paths...)
	var done []string
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return done, fmt.Errorf("crypto: protect: %w", err)
		}
		if isProtected(data) {
			continue
		}
		if err := Protect(p, passphrase); err != nil {
			return done, err
		}
		done = append(done, p)
	}
	return done, nil
}

// Protect encrypts the identity file at path with a passphrase (age's
// scrypt recipient, ASCII-armored), as `age -p -a` would. chatseal then
// prompts for the passphrase whenever it loads the key.
func Protect(path, passphrase string) error {
	if passphrase == "" {
		return fmt.Errorf("crypto: protect %s: %w: empty", path, ErrPassphrase)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("crypto: protect: %w", err)
	}
	if isProtected(data) {
		return fmt.Errorf("crypto: %s is already protected with a passphrase", path)
	}
	if _, err := age.ParseIdentities(bytes.NewReader(data)); err != nil {
		return fmt.Errorf("crypto: %s is not an age identity file: %w", path, err)
	}
	r, err := age.NewScryptRecipient(passphrase)
	if err != nil {
		return fmt.Errorf("crypto: protect: %w", err)
	}
	var buf bytes.Buffer
	aw := armor.NewWriter(&buf)
	w, err := age.Encrypt(aw, r)
	if err != nil {
		return fmt.Errorf("crypto: protect: %w", err)
	}
	if _, err := w.Write(data); err != nil {
		return fmt.Errorf("crypto: protect: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("crypto: protect: %w", err)
	}
	if err := aw.Close(); err != nil {
		return fmt.Errorf("crypto: protect: %w", err)
	}
	return writeFileAtomic(path, buf.Bytes(), 0o600)
}

func isProtected(data []byte) bool {
	return bytes.HasPrefix(data, []byte(armor.Header)) || bytes.HasPrefix(data, []byte("age-encryption.org/v1"))
}

func unprotect(path string, data []byte, pass Passphrase) ([]byte, error) {
	if pass == nil {
		return nil, fmt.Errorf("crypto: key file %s is protected with a passphrase and none was given: %w", path, ErrPassphrase)
	}
	p, err := pass(path)
	if err != nil {
		return nil, fmt.Errorf("crypto: passphrase for %s: %w", path, err)
	}
	if p == "" {
		return nil, fmt.Errorf("crypto: key file %s is protected with a passphrase and none was given: %w", path, ErrPassphrase)
	}
	id, err := age.NewScryptIdentity(p)
	if err != nil {
		return nil, fmt.Errorf("crypto: passphrase for %s: %w", path, err)
	}
	var src io.Reader = bytes.NewReader(data)
	if bytes.HasPrefix(data, []byte(armor.Header)) {
		src = armor.NewReader(src)
	}
	r, err := age.Decrypt(src, id)
	if err != nil {
		return nil, fmt.Errorf("crypto: cannot open key file %s with the given passphrase: %w", path, ErrPassphrase)
	}
	plain, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("crypto: read protected key file %s: %w", path, err)
	}
	return plain, nil
}

// LoadPublic reads only the public side of the keyring in dir, which needs
// no passphrase: the primary key's archive.pub, the recovery key's
// recovery.pub and the extra recipients. The result can list recipients but
// neither encrypts nor decrypts.
func LoadPublic(dir string) (*Keyring, error) {
	k := &Keyring{Dir: dir}
	for _, f := range []struct{ name, role string }{{PrimaryPublicFile, "primary"}, {RecoveryPublicFile, "recovery"}} {
		data, err := os.ReadFile(filepath.Join(dir, f.name))
		if err != nil {
			return nil, fmt.Errorf("crypto: read %s: %w", filepath.Join(dir, f.name), err)
		}
		key := strings.TrimSpace(string(data))
		if _, err := age.ParseX25519Recipient(key); err != nil {
			return nil, fmt.Errorf("crypto: %s is not an age public key: %w", filepath.Join(dir, f.name), err)
		}
		k.publicKeys = append(k.publicKeys, key)
		k.roles = append(k.roles, f.role)
	}
	if err := k.loadExtraRecipients(); err != nil {
		return nil, err
	}
	k.recipients = nil
	return k, nil
}
