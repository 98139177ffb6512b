package crypto

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCreate_FilesArePrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	created, err := Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{created.PrimaryPath, created.RecoveryPath} {
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if perm := info.Mode().Perm(); perm != 0o600 {
			t.Errorf("%s has mode %o, want 600", p, perm)
		}
	}
	info, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o700 {
		t.Errorf("keys folder has mode %o, want 700", perm)
	}
}

func TestCreate_RefusesOverwrite(t *testing.T) {
	dir := t.TempDir()
	if _, err := Create(dir); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(dir, PrimaryFile))
	if _, err := Create(dir); err == nil {
		t.Fatal("second Create succeeded, want an error")
	}
	after, _ := os.ReadFile(filepath.Join(dir, PrimaryFile))
	if !bytes.Equal(before, after) {
		t.Error("second Create changed the primary key file")
	}
}

func TestSeal_EitherIdentityDecrypts(t *testing.T) {
	dir := t.TempDir()
	created, err := Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	k, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(k.Recipients()); got != 2 {
		t.Fatalf("keyring has %d recipients, want 2", got)
	}
	plain := []byte("segment bytes")
	sealed, err := k.Seal(plain)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{created.PrimaryPath, created.RecoveryPath} {
		one, err := LoadIdentityFile(path)
		if err != nil {
			t.Fatal(err)
		}
		r, err := one.Decrypt(bytes.NewReader(sealed))
		if err != nil {
			t.Fatalf("decrypt with %s: %v", filepath.Base(path), err)
		}
		got, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, plain) {
			t.Errorf("decrypt with %s = %q, want %q", filepath.Base(path), got, plain)
		}
	}
}

func TestDecrypt_WrongKey(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	if _, err := Create(a); err != nil {
		t.Fatal(err)
	}
	if _, err := Create(b); err != nil {
		t.Fatal(err)
	}
	ka, _ := Load(a)
	kb, _ := Load(b)
	sealed, err := ka.Seal([]byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kb.Decrypt(bytes.NewReader(sealed)); err == nil {
		t.Error("decrypt with an unrelated keyring succeeded")
	}
}

func TestLoad_MissingFiles(t *testing.T) {
	empty := t.TempDir()
	if _, err := Load(empty); !errors.Is(err, ErrNoKeys) {
		t.Errorf("Load of empty folder: err = %v, want ErrNoKeys", err)
	}

	dir := t.TempDir()
	if _, err := Create(dir); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, PrimaryFile))
	_, err := Load(dir)
	if err == nil || errors.Is(err, ErrNoKeys) || !strings.Contains(err.Error(), PrimaryFile) {
		t.Fatalf("Load without the primary key: err = %v, want an error naming %s", err, PrimaryFile)
	}

	dir = t.TempDir()
	Create(dir)
	os.Remove(filepath.Join(dir, RecoveryFile))
	os.Remove(filepath.Join(dir, RecoveryPublicFile))
	_, err = Load(dir)
	if err == nil || !strings.Contains(err.Error(), RecoveryFile) {
		t.Fatalf("Load without any recovery key: err = %v, want an error naming %s", err, RecoveryFile)
	}
}

func TestLoad_RecoveryKeyOffline(t *testing.T) {
	dir := t.TempDir()
	created, err := Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	offline := filepath.Join(t.TempDir(), "recovery.key")
	if err := os.Rename(created.RecoveryPath, offline); err != nil {
		t.Fatal(err)
	}

	k, err := Load(dir)
	if err != nil {
		t.Fatalf("Load with recovery.key moved away: %v", err)
	}
	if len(k.Recipients()) != 2 {
		t.Fatalf("keyring has %d recipients, want 2", len(k.Recipients()))
	}
	sealed, err := k.Seal([]byte("segment"))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := LoadIdentityFile(offline)
	if err != nil {
		t.Fatal(err)
	}
	r, err := rec.Decrypt(bytes.NewReader(sealed))
	if err != nil {
		t.Fatalf("the offline recovery key cannot read a segment written without it: %v", err)
	}
	if got, _ := io.ReadAll(r); string(got) != "segment" {
		t.Errorf("decrypted %q", got)
	}
}

func TestLoad_CorruptKeyFile(t *testing.T) {
	dir := t.TempDir()
	if _, err := Create(dir); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, PrimaryFile)
	if err := os.WriteFile(path, []byte("not a key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(dir)
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("Load with corrupt key: err = %v, want an error naming %s", err, path)
	}
}
