package vault

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"chatseal/archive"
	"chatseal/internal/s3test"
)

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// writeCapture writes a Zalo capture of n text messages from 20 customers,
// one a second, with msgIds from firstID and texts from the format (given
// the message number), and returns its path.
func writeCapture(t *testing.T, n int, firstID int64, format string) string {
	t.Helper()
	var lines []string
	for i := 0; i < n; i++ {
		data := map[string]any{
			"msgId": fmt.Sprint(firstID + int64(i)), "msgType": "webchat", "uidFrom": fmt.Sprintf("770000000000000%04d", i%20),
			"idTo": "0", "ts": fmt.Sprint(1717000000000 + int64(i)*1000), "content": fmt.Sprintf(format, i),
		}
		line, _ := json.Marshal(map[string]any{"event": "message", "threadType": "user", "data": data})
		lines = append(lines, string(line))
	}
	path := filepath.Join(t.TempDir(), "capture.jsonl")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestImport_StoreOutage stops the S3 server before an import: the import
// must keep acknowledging messages into the spool, its flushes must retry
// with logged warnings, and everything must drain once the server is back.
func TestImport_StoreOutage(t *testing.T) {
	const messages = 2000
	input := writeCapture(t, messages, 7400000000000, "tin nhắn số %d")

	srv := s3test.Start(t)
	logs := &lockedBuffer{}
	cfg := newTestConfig(t)
	cfg.Storage = StorageS3
	cfg.S3 = archive.S3Config{Endpoint: srv.Endpoint, Bucket: srv.NewBucket(t, true), AccessKey: srv.AccessKey, SecretKey: srv.SecretKey}
	cfg.FlushMessages = 300
	cfg.BatchMessages = 100
	cfg.Retry = archive.RetryPolicy{FirstWait: 50 * time.Millisecond, MaxWait: 200 * time.Millisecond, GiveUpAfter: time.Minute}
	cfg.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	v := mustOpen(t, cfg)

	srv.Stop()
	acknowledgedWhileDown := int64(0)
	restarted := false
	sum, err := v.Import(context.Background(), ImportRequest{Source: "zalo", Account: "shop", Inputs: []string{input}}, func(p ImportProgress) {
		if !restarted {
			acknowledgedWhileDown = p.Stored
		}
		if !restarted && p.BytesRead == p.FileBytes {
			// Give the background flush time to fail and retry.
			for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
				if strings.Contains(logs.String(), "retrying") {
					break
				}
			}
			srv.Restart(t)
			restarted = true
		}
	})
	if err != nil {
		t.Fatalf("import across the outage: %v\nlogs:\n%s", err, logs)
	}
	if !restarted {
		t.Fatal("the progress callback never saw the whole file read")
	}
	if acknowledgedWhileDown != messages {
		t.Errorf("acknowledged %d messages while the store was down, want all %d", acknowledgedWhileDown, messages)
	}
	if sum.Stored != messages {
		t.Errorf("stored %d, want %d", sum.Stored, messages)
	}
	if !strings.Contains(logs.String(), "retrying") || !strings.Contains(logs.String(), "attempt=") {
		t.Errorf("no retry warning with an attempt number in the logs:\n%s", logs)
	}

	stats, err := v.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if stats.Messages != messages || stats.Spooled != 0 {
		t.Errorf("after the outage: %+v, want %d messages, none spooled", stats, messages)
	}
	rep, err := v.Verify(context.Background(), nil)
	if err != nil || !rep.OK() {
		t.Errorf("verify after the outage: %v %v", err, rep.Problems)
	}
}

// TestImport_StoreStopsMidImport stops versitygw once the first segments
// of an import are stored and starts it again after the flush has retried:
// the import must finish with every message stored once.
func TestImport_StoreStopsMidImport(t *testing.T) {
	const messages = 6000
	input := writeCapture(t, messages, 7500000000000, "khiếu nại số %d")

	srv := s3test.Start(t)
	logs := &lockedBuffer{}
	cfg := newTestConfig(t)
	cfg.Storage = StorageS3
	cfg.S3 = archive.S3Config{Endpoint: srv.Endpoint, Bucket: srv.NewBucket(t, true), AccessKey: srv.AccessKey, SecretKey: srv.SecretKey}
	cfg.FlushMessages = 500
	cfg.BatchMessages = 100
	cfg.Retry = archive.RetryPolicy{FirstWait: 50 * time.Millisecond, MaxWait: 200 * time.Millisecond, GiveUpAfter: time.Minute}
	cfg.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	v := mustOpen(t, cfg)

	stoppedAt := make(chan int64, 1)
	go func() {
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			s, _ := v.catalog.Stats(v.cfg.Tenant)
			if s.Segments > 0 {
				srv.Stop()
				stoppedAt <- s.Messages
				break
			}
			time.Sleep(2 * time.Millisecond)
		}
		for time.Now().Before(deadline) && !strings.Contains(logs.String(), "retrying") {
			time.Sleep(20 * time.Millisecond)
		}
		srv.Restart(t)
	}()

	sum, err := v.Import(context.Background(), ImportRequest{Source: "zalo", Account: "shop", Inputs: []string{input}}, nil)
	if err != nil {
		t.Fatalf("import across the outage: %v\nlogs:\n%s", err, logs)
	}
	select {
	case n := <-stoppedAt:
		if n >= messages {
			t.Errorf("the store stopped only after all %d messages were committed; the outage was not mid-import", n)
		}
	default:
		t.Fatal("the store was never stopped")
	}
	if sum.Stored != messages {
		t.Errorf("stored %d, want %d", sum.Stored, messages)
	}
	if !strings.Contains(logs.String(), "retrying") {
		t.Errorf("no retry was logged during the outage:\n%s", logs)
	}
	stats, _ := v.Stats(context.Background())
	if stats.Messages != messages || stats.Spooled != 0 || stats.Indexed != messages {
		t.Errorf("after the outage: %+v, want %d messages indexed, none spooled", stats, messages)
	}
	rep, err := v.Verify(context.Background(), nil)
	if err != nil || !rep.OK() {
		t.Errorf("verify after the outage: %v %v", err, rep.Problems)
	}
}
