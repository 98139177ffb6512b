package archive_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"chatseal/archive"
)

func TestRetrying_LocalDiskErrorFailsAtOnce(t *testing.T) {
	root := t.TempDir()
	st, err := archive.NewFS(root)
	if err != nil {
		t.Fatal(err)
	}
	// A file where the folder of the key belongs: no wait makes it a folder.
	if err := os.WriteFile(filepath.Join(root, "default"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	policy := archive.RetryPolicy{FirstWait: time.Millisecond, MaxWait: time.Millisecond, GiveUpAfter: 200 * time.Millisecond}
	r := archive.NewRetrying(st, policy, slog.New(slog.NewTextHandler(&log, nil)))

	err = r.Put(context.Background(), "default/audit/x.age", bytes.NewReader([]byte("x")), 1, archive.PutOptions{})
	if err == nil {
		t.Fatal("put under a file succeeded")
	}
	if bytes.Contains(log.Bytes(), []byte("retrying")) {
		t.Errorf("put under a file was retried:\n%s", log.String())
	}
}
