package crypto

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
)

func openWith(t *testing.T, k *Keyring, sealed []byte) error {
	t.Helper()
	r, err := k.Decrypt(bytes.NewReader(sealed))
	if err != nil {
		return err
	}
	_, err = io.ReadAll(r)
	return err
}

func TestRotate_OldSegmentsStayReadable(t *testing.T) {
	dir := t.TempDir()
	created, err := Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := Load(dir)
	oldSealed, _ := before.Seal([]byte("old segment"))

	retired, err := Rotate(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	after, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if after.Recipients()[0].PublicKey == before.Recipients()[0].PublicKey {
		t.Fatal("rotate kept the same primary public key")
	}
	if err := openWith(t, after, oldSealed); err != nil {
		t.Errorf("keyring after rotation cannot read an old segment: %v", err)
	}
	newSealed, _ := after.Seal([]byte("new segment"))

	old, _ := LoadIdentityFile(retired)
	if err := openWith(t, old, oldSealed); err != nil {
		t.Errorf("retired key cannot read its own segment: %v", err)
	}
	if err := openWith(t, old, newSealed); err == nil {
		t.Error("retired key reads a segment written after the rotation")
	}
	recovery, _ := LoadIdentityFile(created.RecoveryPath)
	for name, sealed := range map[string][]byte{"old": oldSealed, "new": newSealed} {
		if err := openWith(t, recovery, sealed); err != nil {
			t.Errorf("recovery key alone cannot read the %s segment: %v", name, err)
		}
	}
}

func TestAddRecipient_EncryptsNewSegments(t *testing.T) {
	dir := t.TempDir()
	Create(dir)
	escrow, _ := age.GenerateX25519Identity()
	if err := AddRecipient(dir, escrow.Recipient().String(), "luật sư"); err != nil {
		t.Fatal(err)
	}
	if err := AddRecipient(dir, escrow.Recipient().String(), ""); err == nil {
		t.Error("adding the same recipient twice succeeded")
	}
	if err := AddRecipient(dir, "age1notakey", ""); err == nil || !strings.Contains(err.Error(), "age1notakey") {
		t.Errorf("invalid recipient: err = %v, want an error quoting it", err)
	}
	k, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(k.Recipients()); n != 3 {
		t.Fatalf("keyring has %d recipients, want 3", n)
	}
	sealed, _ := k.Seal([]byte("segment"))
	r, err := age.Decrypt(bytes.NewReader(sealed), escrow)
	if err != nil {
		t.Fatalf("escrow key cannot read a new segment: %v", err)
	}
	if got, _ := io.ReadAll(r); string(got) != "segment" {
		t.Errorf("escrow read %q", got)
	}
}

func TestProtect_NeedsPassphrase(t *testing.T) {
	dir := t.TempDir()
	Create(dir)
	path := filepath.Join(dir, PrimaryFile)
	if err := Protect(path, "mật khẩu dài"); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if strings.Contains(string(data), "AGE-SECRET-KEY") {
		t.Fatal("protected key file still holds the secret key in clear")
	}
	if _, err := Load(dir); !errors.Is(err, ErrPassphrase) {
		t.Errorf("Load without a passphrase: err = %v, want ErrPassphrase", err)
	}
	wrong := func(string) (string, error) { return "sai", nil }
	if _, err := LoadWith(dir, wrong); !errors.Is(err, ErrPassphrase) {
		t.Errorf("Load with a wrong passphrase: err = %v, want ErrPassphrase", err)
	}
	right := func(string) (string, error) { return "mật khẩu dài", nil }
	k, err := LoadWith(dir, right)
	if err != nil {
		t.Fatalf("Load with the passphrase: %v", err)
	}
	if _, err := k.Seal([]byte("x")); err != nil {
		t.Fatal(err)
	}
}

func TestRotate_KeepsPassphraseProtection(t *testing.T) {
	dir := t.TempDir()
	Create(dir)
	if _, err := ProtectAll(dir, "mật khẩu"); err != nil {
		t.Fatal(err)
	}
	pass := func(string) (string, error) { return "mật khẩu", nil }
	if _, err := Rotate(dir, nil); !errors.Is(err, ErrPassphrase) {
		t.Errorf("rotate of a protected key without the passphrase: err = %v, want ErrPassphrase", err)
	}
	if _, err := Rotate(dir, pass); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(dir, PrimaryFile))
	if strings.Contains(string(data), "AGE-SECRET-KEY") {
		t.Error("the new primary key after rotation is stored without the passphrase")
	}
	if _, err := LoadWith(dir, pass); err != nil {
		t.Errorf("load after rotation: %v", err)
	}
	pub, err := LoadPublic(dir)
	if err != nil {
		t.Fatal(err)
	}
	k, _ := LoadWith(dir, pass)
	if pub.Recipients()[0].PublicKey != k.Recipients()[0].PublicKey {
		t.Error("archive.pub does not match the rotated primary key")
	}
}
