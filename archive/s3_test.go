package archive_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"chatseal/archive"
	"chatseal/archive/storetest"
	"chatseal/internal/s3test"
)

func TestS3_Conformance(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)

	t.Run("plain bucket", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) archive.Store {
			return openS3(t, srv, srv.NewBucket(t, false), "")
		})
	})
	t.Run("object lock bucket", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) archive.Store {
			return openS3(t, srv, srv.NewBucket(t, true), "")
		})
	})
	t.Run("prefix", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) archive.Store {
			return openS3(t, srv, srv.NewBucket(t, true), "prod/")
		})
	})
}

func TestS3_Capabilities(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)

	tests := []struct {
		name       string
		objectLock bool
	}{
		{"object lock bucket", true},
		{"plain bucket", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := openS3(t, srv, srv.NewBucket(t, tc.objectLock), "")
			caps, err := st.Capabilities(context.Background())
			if err != nil {
				t.Fatalf("Capabilities: %v", err)
			}
			if caps.ObjectLock != tc.objectLock {
				t.Errorf("Capabilities().ObjectLock = %t, want %t", caps.ObjectLock, tc.objectLock)
			}
		})
	}
}

func TestS3_DeleteRetained(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)

	for _, mode := range []archive.LockMode{archive.Governance, archive.Compliance} {
		t.Run(string(mode), func(t *testing.T) {
			st := openS3(t, srv, srv.NewBucket(t, true), "")
			key := "acme/segments/zalo.1/2024/05/retained.jsonl.zst.age"
			data := []byte("retained segment")
			opts := archive.PutOptions{RetainUntil: time.Now().Add(time.Hour), Mode: mode}
			putS3Bytes(t, st, key, data, opts)

			err := st.Delete(context.Background(), key)
			if !errors.Is(err, archive.ErrLocked) {
				t.Fatalf("Delete(%q) under %s retention error = %v, want ErrLocked", key, mode, err)
			}
			if got := getS3Bytes(t, st, key); !bytes.Equal(got, data) {
				t.Errorf("Get(%q) after rejected Delete = %q, want %q", key, got, data)
			}
			if keys := listS3Keys(t, st, "acme/"); len(keys) != 1 || keys[0] != key {
				t.Errorf("List after rejected Delete = %q, want [%q]", keys, key)
			}
		})
	}
}

func TestS3_DeleteLegalHold(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)
	bucket := srv.NewBucket(t, true)
	st := openS3(t, srv, bucket, "")
	ctx := context.Background()

	key := "acme/segments/zalo.1/2024/05/held.jsonl.zst.age"
	data := []byte("held segment")
	putS3Bytes(t, st, key, data, archive.PutOptions{LegalHold: true})

	status, err := rawS3Client(t, srv).GetObjectLegalHold(ctx, bucket, key, minio.GetObjectLegalHoldOptions{})
	if err != nil {
		t.Fatalf("GetObjectLegalHold(%q): %v", key, err)
	}
	if *status != minio.LegalHoldEnabled {
		t.Errorf("legal hold of %q = %q, want %q", key, *status, minio.LegalHoldEnabled)
	}

	err = st.Delete(ctx, key)
	if !errors.Is(err, archive.ErrLocked) {
		t.Fatalf("Delete(%q) under legal hold error = %v, want ErrLocked", key, err)
	}
	if got := getS3Bytes(t, st, key); !bytes.Equal(got, data) {
		t.Errorf("Get(%q) after rejected Delete = %q, want %q", key, got, data)
	}
}

func TestS3_DeleteAfterRetentionEnds(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)
	st := openS3(t, srv, srv.NewBucket(t, true), "")
	ctx := context.Background()

	key := "acme/segments/zalo.1/2024/05/expiring.jsonl.zst.age"
	retainUntil := time.Now().Add(2 * time.Second)
	putS3Bytes(t, st, key, []byte("expiring"), archive.PutOptions{RetainUntil: retainUntil, Mode: archive.Compliance})

	if err := st.Delete(ctx, key); !errors.Is(err, archive.ErrLocked) {
		t.Fatalf("Delete(%q) before retention ends error = %v, want ErrLocked", key, err)
	}

	// Put rounds RetainUntil up to a whole second, so wait past that.
	time.Sleep(time.Until(retainUntil.Add(1500 * time.Millisecond)))
	if err := st.Delete(ctx, key); err != nil {
		t.Fatalf("Delete(%q) after retention ended: %v", key, err)
	}
	if _, err := st.Stat(ctx, key); !errors.Is(err, archive.ErrNotExist) {
		t.Errorf("Stat(%q) after Delete error = %v, want ErrNotExist", key, err)
	}
}

func TestS3_DeleteRemovesAllVersions(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)
	bucket := srv.NewBucket(t, true)
	st := openS3(t, srv, bucket, "")
	ctx := context.Background()

	key := "acme/checkpoints/12.note"
	for _, content := range []string{"v1", "v2", "v3"} {
		putS3Bytes(t, st, key, []byte(content), archive.PutOptions{})
	}
	if n := len(listS3Versions(t, srv, bucket, key)); n != 3 {
		t.Fatalf("bucket holds %d versions of %q before Delete, want 3", n, key)
	}

	if err := st.Delete(ctx, key); err != nil {
		t.Fatalf("Delete(%q): %v", key, err)
	}
	if versions := listS3Versions(t, srv, bucket, key); len(versions) != 0 {
		t.Errorf("bucket holds versions %+v of %q after Delete, want none", versions, key)
	}
	if keys := listS3Keys(t, st, ""); len(keys) != 0 {
		t.Errorf("List after Delete = %q, want no keys", keys)
	}
	if _, err := st.Get(ctx, key); !errors.Is(err, archive.ErrNotExist) {
		t.Errorf("Get(%q) after Delete error = %v, want ErrNotExist", key, err)
	}
}

func TestS3_DeleteRemovesDeleteMarker(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)
	bucket := srv.NewBucket(t, true)
	st := openS3(t, srv, bucket, "")
	ctx := context.Background()

	key := "acme/segments/zalo.1/2024/05/hidden.jsonl.zst.age"
	data := []byte("hidden segment")
	putS3Bytes(t, st, key, data, archive.PutOptions{RetainUntil: time.Now().Add(time.Hour)})

	// A DELETE without a version id is allowed under retention: it adds a
	// delete marker that hides the locked version.
	if err := rawS3Client(t, srv).RemoveObject(ctx, bucket, key, minio.RemoveObjectOptions{}); err != nil {
		t.Fatalf("add delete marker to %q: %v", key, err)
	}
	if _, err := st.Stat(ctx, key); !errors.Is(err, archive.ErrNotExist) {
		t.Fatalf("Stat(%q) behind a delete marker error = %v, want ErrNotExist", key, err)
	}

	if err := st.Delete(ctx, key); !errors.Is(err, archive.ErrLocked) {
		t.Fatalf("Delete(%q) error = %v, want ErrLocked", key, err)
	}
	if got := getS3Bytes(t, st, key); !bytes.Equal(got, data) {
		t.Errorf("Get(%q) after Delete removed the delete marker = %q, want %q", key, got, data)
	}
	for _, v := range listS3Versions(t, srv, bucket, key) {
		if v.IsDeleteMarker {
			t.Errorf("delete marker %s of %q survived Delete", v.VersionID, key)
		}
	}
}

func TestS3_PutLockWithoutObjectLock(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)
	st := openS3(t, srv, srv.NewBucket(t, false), "")
	ctx := context.Background()

	key := "acme/segments/zalo.1/2024/05/unlocked.jsonl.zst.age"
	opts := archive.PutOptions{RetainUntil: time.Now().Add(time.Hour), Mode: archive.Compliance, LegalHold: true}
	putS3Bytes(t, st, key, []byte("unlocked"), opts)

	if err := st.Delete(ctx, key); err != nil {
		t.Errorf("Delete(%q) on a bucket without Object Lock: %v, want nil", key, err)
	}
}

func TestS3_PutInvalidMode(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)
	st := openS3(t, srv, srv.NewBucket(t, true), "")
	ctx := context.Background()

	key := "acme/segments/mode.jsonl.zst.age"
	opts := archive.PutOptions{RetainUntil: time.Now().Add(time.Hour), Mode: "governance"}
	err := st.Put(ctx, key, strings.NewReader("x"), 1, opts)
	if err == nil {
		t.Fatalf("Put(%q) with mode %q succeeded, want an error", key, opts.Mode)
	}
	if !strings.Contains(err.Error(), `"governance"`) {
		t.Errorf("Put error %q does not quote the invalid mode", err)
	}
	if _, err := st.Stat(ctx, key); !errors.Is(err, archive.ErrNotExist) {
		t.Errorf("Stat(%q) after rejected Put error = %v, want ErrNotExist", key, err)
	}
}

// TestS3_PutLargeObject covers objects above minio-go's 16 MiB part size,
// which go up in a multipart upload unless IfNoneMatch forces one PUT.
func TestS3_PutLargeObject(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)
	st := openS3(t, srv, srv.NewBucket(t, true), "")
	ctx := context.Background()
	data := bytes.Repeat([]byte("0123456789abcdef"), 17<<16) // 17 MiB

	t.Run("retained", func(t *testing.T) {
		key := "acme/attachments/ab/large-retained.age"
		putS3Bytes(t, st, key, data, archive.PutOptions{RetainUntil: time.Now().Add(time.Hour), Mode: archive.Compliance})

		if got := getS3Bytes(t, st, key); !bytes.Equal(got, data) {
			t.Errorf("Get(%q) returned %d bytes that differ from the %d written", key, len(got), len(data))
		}
		if err := st.Delete(ctx, key); !errors.Is(err, archive.ErrLocked) {
			t.Errorf("Delete(%q) error = %v, want ErrLocked", key, err)
		}
	})
	t.Run("if none match", func(t *testing.T) {
		key := "acme/attachments/ab/large-once.age"
		putS3Bytes(t, st, key, data, archive.PutOptions{IfNoneMatch: true})

		err := st.Put(ctx, key, bytes.NewReader(data), int64(len(data)), archive.PutOptions{IfNoneMatch: true})
		if !errors.Is(err, archive.ErrExist) {
			t.Errorf("second Put(%q) with IfNoneMatch error = %v, want ErrExist", key, err)
		}
	})
	t.Run("short stream", func(t *testing.T) {
		key := "acme/attachments/ab/large-short.age"
		// The struct hides bytes.Reader's Seek and ReadAt methods.
		short := struct{ io.Reader }{bytes.NewReader(data[:len(data)-1])}
		err := st.Put(ctx, key, short, int64(len(data)), archive.PutOptions{})
		if err == nil {
			t.Fatalf("Put(%q) of a reader one byte short succeeded, want an error", key)
		}
		if _, err := st.Stat(ctx, key); !errors.Is(err, archive.ErrNotExist) {
			t.Errorf("Stat(%q) after failed Put error = %v, want ErrNotExist", key, err)
		}
	})
}

func TestS3_Prefix(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)
	bucket := srv.NewBucket(t, false)

	prod := openS3(t, srv, bucket, "prod") // trailing '/' added by NewS3
	putS3Bytes(t, prod, "acme/checkpoints/1.note", []byte("note"), archive.PutOptions{})

	if got := listS3Keys(t, prod, ""); len(got) != 1 || got[0] != "acme/checkpoints/1.note" {
		t.Errorf("List with prefix store = %q, want [%q]", got, "acme/checkpoints/1.note")
	}
	whole := openS3(t, srv, bucket, "")
	if got := listS3Keys(t, whole, ""); len(got) != 1 || got[0] != "prod/acme/checkpoints/1.note" {
		t.Errorf("List of the whole bucket = %q, want [%q]", got, "prod/acme/checkpoints/1.note")
	}
	other := openS3(t, srv, bucket, "test/")
	if got := listS3Keys(t, other, ""); len(got) != 0 {
		t.Errorf("List with another prefix = %q, want no keys", got)
	}
}

func TestS3_ServerOutage(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)
	st := openS3(t, srv, srv.NewBucket(t, true), "")
	key := "acme/checkpoints/7.note"
	putS3Bytes(t, st, key, []byte("note"), archive.PutOptions{})

	srv.Stop()
	// minio-go retries a refused connection with backoff, so bound the wait.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err := st.Stat(ctx, key)
	if err == nil {
		t.Fatalf("Stat(%q) with the server stopped succeeded, want an error", key)
	}
	if errors.Is(err, archive.ErrNotExist) {
		t.Errorf("Stat(%q) with the server stopped error = %v, want an error other than ErrNotExist", key, err)
	}

	srv.Restart(t)
	if got := getS3Bytes(t, st, key); string(got) != "note" {
		t.Errorf("Get(%q) after restart = %q, want %q", key, got, "note")
	}
}

func TestNewS3_MissingBucket(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)

	cfg := s3Config(srv, "no-such-bucket", "")
	_, err := archive.NewS3(context.Background(), cfg, nil)
	if err == nil {
		t.Fatalf("NewS3 with missing bucket %q succeeded, want an error", cfg.Bucket)
	}
	msg := err.Error()
	for _, want := range []string{cfg.Bucket, srv.Endpoint, "does not exist"} {
		if !strings.Contains(msg, want) {
			t.Errorf("NewS3 error %q does not contain %q", msg, want)
		}
	}
}

func TestNewS3_WrongSecretKey(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)

	cfg := s3Config(srv, srv.NewBucket(t, false), "")
	cfg.SecretKey = "wrong-secret-9f3a1c"
	_, err := archive.NewS3(context.Background(), cfg, nil)
	if err == nil {
		t.Fatal("NewS3 with a wrong secret key succeeded, want an error")
	}
	msg := err.Error()
	for _, want := range []string{cfg.AccessKey, srv.Endpoint, "secret key"} {
		if !strings.Contains(msg, want) {
			t.Errorf("NewS3 error %q does not contain %q", msg, want)
		}
	}
	for _, secret := range []string{cfg.SecretKey, srv.SecretKey} {
		if strings.Contains(msg, secret) {
			t.Errorf("NewS3 error %q contains a secret key", msg)
		}
	}
}

func TestNewS3_UnknownAccessKey(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)

	cfg := s3Config(srv, srv.NewBucket(t, false), "")
	cfg.AccessKey = "nobody"
	_, err := archive.NewS3(context.Background(), cfg, nil)
	if err == nil {
		t.Fatal("NewS3 with an unknown access key succeeded, want an error")
	}
	msg := err.Error()
	for _, want := range []string{`"nobody"`, "access key"} {
		if !strings.Contains(msg, want) {
			t.Errorf("NewS3 error %q does not contain %q", msg, want)
		}
	}
	if strings.Contains(msg, cfg.SecretKey) {
		t.Errorf("NewS3 error %q contains the secret key", msg)
	}
}

func TestNewS3_InvalidConfig(t *testing.T) {
	t.Parallel()
	valid := archive.S3Config{Endpoint: "127.0.0.1:1", Bucket: "archive"}

	tests := []struct {
		name   string
		modify func(*archive.S3Config)
		want   string
	}{
		{"missing endpoint", func(c *archive.S3Config) { c.Endpoint = "" }, "endpoint is missing"},
		{"endpoint with scheme", func(c *archive.S3Config) { c.Endpoint = "http://127.0.0.1:1" }, "without a scheme"},
		{"missing bucket", func(c *archive.S3Config) { c.Bucket = "" }, "bucket name is missing"},
		{"invalid prefix", func(c *archive.S3Config) { c.Prefix = "Prod/" }, `prefix "Prod/"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := valid
			tc.modify(&cfg)
			_, err := archive.NewS3(context.Background(), cfg, nil)
			if err == nil {
				t.Fatalf("NewS3(%+v) succeeded, want an error", cfg)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("NewS3 error %q does not contain %q", err, tc.want)
			}
		})
	}
}

func TestEnsureBucket(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)
	ctx := context.Background()

	t.Run("creates object lock bucket", func(t *testing.T) {
		cfg := s3Config(srv, "ensure-locked", "")
		for i := range 2 {
			if err := archive.EnsureBucket(ctx, cfg, true); err != nil {
				t.Fatalf("EnsureBucket call %d: %v", i+1, err)
			}
		}
		st := openS3(t, srv, cfg.Bucket, "")
		caps, err := st.Capabilities(ctx)
		if err != nil {
			t.Fatalf("Capabilities: %v", err)
		}
		if !caps.ObjectLock {
			t.Errorf("Capabilities().ObjectLock = false on a bucket EnsureBucket created with Object Lock")
		}
	})
	t.Run("creates plain bucket", func(t *testing.T) {
		cfg := s3Config(srv, "ensure-plain", "")
		if err := archive.EnsureBucket(ctx, cfg, false); err != nil {
			t.Fatalf("EnsureBucket: %v", err)
		}
		st := openS3(t, srv, cfg.Bucket, "")
		caps, err := st.Capabilities(ctx)
		if err != nil {
			t.Fatalf("Capabilities: %v", err)
		}
		if caps.ObjectLock {
			t.Errorf("Capabilities().ObjectLock = true on a bucket EnsureBucket created without Object Lock")
		}
	})
	t.Run("rejects existing bucket without object lock", func(t *testing.T) {
		cfg := s3Config(srv, srv.NewBucket(t, false), "")
		err := archive.EnsureBucket(ctx, cfg, true)
		if err == nil {
			t.Fatal("EnsureBucket with objectLock on a plain bucket succeeded, want an error")
		}
		if !strings.Contains(err.Error(), "without Object Lock") {
			t.Errorf("EnsureBucket error %q does not say the bucket lacks Object Lock", err)
		}
	})
	t.Run("wrong secret key", func(t *testing.T) {
		cfg := s3Config(srv, "ensure-denied", "")
		cfg.SecretKey = "wrong-secret-5d2e"
		err := archive.EnsureBucket(ctx, cfg, true)
		if err == nil {
			t.Fatal("EnsureBucket with a wrong secret key succeeded, want an error")
		}
		if strings.Contains(err.Error(), cfg.SecretKey) {
			t.Errorf("EnsureBucket error %q contains the secret key", err)
		}
	})
}

func s3Config(srv *s3test.Server, bucket, prefix string) archive.S3Config {
	return archive.S3Config{
		Endpoint:  srv.Endpoint,
		Bucket:    bucket,
		AccessKey: srv.AccessKey,
		SecretKey: srv.SecretKey,
		Prefix:    prefix,
	}
}

func openS3(t *testing.T, srv *s3test.Server, bucket, prefix string) *archive.S3Store {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
	st, err := archive.NewS3(context.Background(), s3Config(srv, bucket, prefix), logger)
	if err != nil {
		t.Fatalf("NewS3(bucket %q, prefix %q): %v", bucket, prefix, err)
	}
	return st
}

// rawS3Client returns a minio-go client for inspecting the bucket behind a
// store, for example its object versions.
func rawS3Client(t *testing.T, srv *s3test.Server) *minio.Client {
	t.Helper()
	client, err := minio.New(srv.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(srv.AccessKey, srv.SecretKey, ""),
		Region: "us-east-1",
	})
	if err != nil {
		t.Fatalf("minio client for %s: %v", srv.Endpoint, err)
	}
	return client
}

func listS3Versions(t *testing.T, srv *s3test.Server, bucket, key string) []minio.ObjectInfo {
	t.Helper()
	var versions []minio.ObjectInfo
	opts := minio.ListObjectsOptions{Prefix: key, WithVersions: true, Recursive: true}
	for obj := range rawS3Client(t, srv).ListObjectsIter(context.Background(), bucket, opts) {
		if obj.Err != nil {
			t.Fatalf("list versions of %q: %v", key, obj.Err)
		}
		if obj.Key == key {
			versions = append(versions, obj)
		}
	}
	return versions
}

func putS3Bytes(t *testing.T, st archive.Store, key string, data []byte, opts archive.PutOptions) {
	t.Helper()
	if err := st.Put(context.Background(), key, bytes.NewReader(data), int64(len(data)), opts); err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
}

func getS3Bytes(t *testing.T, st archive.Store, key string) []byte {
	t.Helper()
	rc, err := st.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %q: %v", key, err)
	}
	return data
}

func listS3Keys(t *testing.T, st archive.Store, prefix string) []string {
	t.Helper()
	var keys []string
	err := st.List(context.Background(), prefix, func(info archive.ObjectInfo) error {
		keys = append(keys, info.Key)
		return nil
	})
	if err != nil {
		t.Fatalf("List(%q): %v", prefix, err)
	}
	return keys
}
