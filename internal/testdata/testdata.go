// Package testdata finds the shared test inputs that live beside the
// repository: ../shared/data and ../shared/cases. Tests read them and never
// write to them.
package testdata

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// SharedDir returns the shared folder beside the repository root, or ""
// when it is absent.
func SharedDir() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return ""
	}
	root := filepath.Join(filepath.Dir(file), "..", "..")
	dir := filepath.Join(root, "..", "shared")
	if _, err := os.Stat(dir); err != nil {
		return ""
	}
	return dir
}

// Account is one archived account of the vi-bank-support sample.
type Account struct {
	Account string `json:"account"`
	Source  string `json:"source"`
	ZaloUID string `json:"zalo_uid"`
	File    string `json:"file"` // absolute path
}

// BankSupport returns the accounts of ../shared/data/vi-bank-support, the
// real Vietnamese customer-care sample (4,455 messages and 43 recalls in
// six Zalo accounts). It skips the test when the folder is absent, as it is
// outside a full checkout with its shared folder.
func BankSupport(t testing.TB) []Account {
	t.Helper()
	shared := SharedDir()
	if shared == "" {
		t.Skip("../shared/data/vi-bank-support is not present beside the repository")
	}
	dir := filepath.Join(shared, "data", "vi-bank-support")
	data, err := os.ReadFile(filepath.Join(dir, "roster.json"))
	if err != nil {
		t.Skipf("vi-bank-support roster not readable: %v", err)
	}
	var roster struct {
		Accounts []Account `json:"accounts"`
	}
	if err := json.Unmarshal(data, &roster); err != nil {
		t.Fatalf("parse roster.json: %v", err)
	}
	for i := range roster.Accounts {
		roster.Accounts[i].File = filepath.Join(dir, roster.Accounts[i].File)
	}
	return roster.Accounts
}
