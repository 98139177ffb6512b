package archive_test

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
	"time"

	"chatseal/archive"
)

func TestRetrying_LocalDiskErrorFailsAtOnce(t *testing.T) {
	// A file where the folder of the key belongs: no wait makes it a folder.
	st := fsWithFileAtTenant(t)
	var log bytes.Buffer
	policy := archive.RetryPolicy{FirstWait: time.Millisecond, MaxWait: time.Millisecond, GiveUpAfter: 200 * time.Millisecond}
	r := archive.NewRetrying(st, policy, slog.New(slog.NewTextHandler(&log, nil)))

	err := r.Put(context.Background(), "default/audit/x.age", bytes.NewReader([]byte("x")), 1, archive.PutOptions{})
	if err == nil {
		t.Fatal("put under a file succeeded")
	}
	if bytes.Contains(log.Bytes(), []byte("retrying")) {
		t.Errorf("put under a file was retried:\n%s", log.String())
	}
}
