package archive_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"chatseal/archive"
	"chatseal/archive/storetest"
)

func TestFSStore_Conformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) archive.Store {
		st, err := archive.NewFS(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return st
	})
}

// fsWithFileAtTenant returns an fs store whose folder "default", where the
// keys of the default tenant go, is a file.
func fsWithFileAtTenant(t *testing.T) *archive.FSStore {
	t.Helper()
	root := t.TempDir()
	st, err := archive.NewFS(root)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "default"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestFSStore_KeyUnderAFileDoesNotExist(t *testing.T) {
	st := fsWithFileAtTenant(t)
	if _, err := st.Get(context.Background(), "default/audit/x.age"); !errors.Is(err, archive.ErrNotExist) {
		t.Errorf("Get under a file: err = %v, want ErrNotExist", err)
	}
	if _, err := st.Stat(context.Background(), "default/audit/x.age"); !errors.Is(err, archive.ErrNotExist) {
		t.Errorf("Stat under a file: err = %v, want ErrNotExist", err)
	}
}
