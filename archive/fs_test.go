package archive_test

import (
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
