package crypto

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// Checkpoint signing key files inside the keys folder. The private key
// signs checkpoints (signed heads of the archive's Merkle log); the public
// key is what an auditor or a court needs to check them, and may be shared
// freely.
const (
	SignerFile   = "checkpoint.key"
	VerifierFile = "checkpoint.pub"
)

// SignerName is the key name in the signed-note format; it appears in every
// signature line of a checkpoint.
const SignerName = "chatseal-checkpoint"

// CreateSigner makes a new Ed25519 checkpoint signing key in dir, in the
// signed-note key format (golang.org/x/mod/sumdb/note). It fails if the key
// file exists, so it never replaces a key that signed earlier checkpoints.
func CreateSigner(dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("crypto: create keys folder %s: %w", dir, err)
	}
	path := filepath.Join(dir, SignerFile)
	if _, err := os.Stat(path); err == nil {
		return "", fmt.Errorf("crypto: signing key %s already exists; refusing to overwrite it", path)
	}
	skey, vkey, err := note.GenerateKey(rand.Reader, SignerName)
	if err != nil {
		return "", fmt.Errorf("crypto: generate checkpoint signing key: %w", err)
	}
	if err := writeFileAtomic(filepath.Join(dir, VerifierFile), []byte(vkey+"\n"), 0o644); err != nil {
		return "", err
	}
	if err := writeFileAtomic(path, []byte(skey+"\n"), 0o600); err != nil {
		return "", err
	}
	return path, nil
}

// SignerExists reports whether dir holds a checkpoint signing key.
func SignerExists(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, SignerFile))
	return err == nil
}

// LoadSigner reads the checkpoint signing key and its public key from dir.
func LoadSigner(dir string) (note.Signer, string, error) {
	skey, err := os.ReadFile(filepath.Join(dir, SignerFile))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, "", fmt.Errorf("crypto: %w: checkpoint signing key %s; restore it from your backup", ErrKeyMissing, filepath.Join(dir, SignerFile))
		}
		return nil, "", fmt.Errorf("crypto: read checkpoint signing key: %w", err)
	}
	signer, err := note.NewSigner(strings.TrimSpace(string(skey)))
	if err != nil {
		return nil, "", fmt.Errorf("crypto: checkpoint signing key %s is not a valid signed-note key: %w", filepath.Join(dir, SignerFile), err)
	}
	vkey, err := os.ReadFile(filepath.Join(dir, VerifierFile))
	if err != nil {
		return nil, "", fmt.Errorf("crypto: read checkpoint public key: %w", err)
	}
	return signer, strings.TrimSpace(string(vkey)), nil
}

// NewVerifier parses a checkpoint public key as printed by `chatseal keys
// show` or stored in checkpoint.pub.
func NewVerifier(vkey string) (note.Verifier, error) {
	v, err := note.NewVerifier(strings.TrimSpace(vkey))
	if err != nil {
		return nil, fmt.Errorf("crypto: invalid checkpoint public key %q: %w", vkey, err)
	}
	return v, nil
}
