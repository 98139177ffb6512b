// Package storetest is a conformance suite for archive.Store
// implementations. It checks the behaviour that every backend shares:
// round trips, the ErrNotExist and ErrExist contracts, List order and
// prefixes, and idempotent Delete. Object Lock is backend-specific and is
// tested by each backend itself.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"testing"
	"time"

	"chatseal/archive"
)

// Run runs the suite as parallel subtests of t. newStore is called once per
// subtest, possibly concurrently, and must return an empty store that the
// subtest owns.
func Run(t *testing.T, newStore func(t *testing.T) archive.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, st archive.Store)
	}{
		{"RoundTrip", testRoundTrip},
		{"EmptyObject", testEmptyObject},
		{"MissingKey", testMissingKey},
		{"PutIfNoneMatch", testPutIfNoneMatch},
		{"PutIfNoneMatchAfterDelete", testPutIfNoneMatchAfterDelete},
		{"PutShortReader", testPutShortReader},
		{"PutInvalidKey", testPutInvalidKey},
		{"ListOrderAndPrefix", testListOrderAndPrefix},
		{"ListStopsAtCallbackError", testListStopsAtCallbackError},
		{"DeleteIdempotent", testDeleteIdempotent},
		{"DeleteKeepsLongerKeys", testDeleteKeepsLongerKeys},
		{"ConcurrentPuts", testConcurrentPuts},
		{"Capabilities", testCapabilities},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, newStore(t))
		})
	}
}

func testRoundTrip(t *testing.T, st archive.Store) {
	ctx := context.Background()
	key := "acme/segments/zalo.84901234567/2024/05/01hz3v5x.jsonl.zst.age"
	data := []byte("age-encryption.org/v1\nsegment bytes\x00\xff")

	before := time.Now()
	putBytes(t, st, key, data, archive.PutOptions{ContentType: "application/octet-stream"})

	if got := getBytes(t, st, key); !bytes.Equal(got, data) {
		t.Errorf("Get(%q) = %q, want %q", key, got, data)
	}

	info, err := st.Stat(ctx, key)
	if err != nil {
		t.Fatalf("Stat(%q): %v", key, err)
	}
	if info.Key != key {
		t.Errorf("Stat(%q).Key = %q", key, info.Key)
	}
	if info.Size != int64(len(data)) {
		t.Errorf("Stat(%q).Size = %d, want %d", key, info.Size, len(data))
	}
	// Object stores keep Last-Modified with one-second precision, and the
	// server's clock may differ a little from ours.
	if d := info.ModTime.Sub(before); d < -time.Minute || d > time.Minute {
		t.Errorf("Stat(%q).ModTime = %v, want within a minute of %v", key, info.ModTime, before)
	}
}

func testEmptyObject(t *testing.T, st archive.Store) {
	ctx := context.Background()
	key := "acme/checkpoints/0.note"
	putBytes(t, st, key, nil, archive.PutOptions{})

	if got := getBytes(t, st, key); len(got) != 0 {
		t.Errorf("Get(%q) = %q, want no bytes", key, got)
	}
	info, err := st.Stat(ctx, key)
	if err != nil {
		t.Fatalf("Stat(%q): %v", key, err)
	}
	if info.Size != 0 {
		t.Errorf("Stat(%q).Size = %d, want 0", key, info.Size)
	}
}

func testMissingKey(t *testing.T, st archive.Store) {
	ctx := context.Background()
	key := "acme/segments/none.jsonl.zst.age"

	rc, err := st.Get(ctx, key)
	if err == nil {
		rc.Close()
	}
	if !errors.Is(err, archive.ErrNotExist) {
		t.Errorf("Get(%q) error = %v, want ErrNotExist", key, err)
	}
	if _, err := st.Stat(ctx, key); !errors.Is(err, archive.ErrNotExist) {
		t.Errorf("Stat(%q) error = %v, want ErrNotExist", key, err)
	}
}

func testPutIfNoneMatch(t *testing.T, st archive.Store) {
	ctx := context.Background()
	key := "acme/leases/writer"
	first := []byte("first writer")
	second := []byte("second writer")

	putBytes(t, st, key, first, archive.PutOptions{IfNoneMatch: true})

	err := st.Put(ctx, key, bytes.NewReader(second), int64(len(second)), archive.PutOptions{IfNoneMatch: true})
	if !errors.Is(err, archive.ErrExist) {
		t.Errorf("second Put(%q) with IfNoneMatch error = %v, want ErrExist", key, err)
	}
	if got := getBytes(t, st, key); !bytes.Equal(got, first) {
		t.Errorf("Get(%q) after rejected Put = %q, want the first content %q", key, got, first)
	}
}

func testPutIfNoneMatchAfterDelete(t *testing.T, st archive.Store) {
	ctx := context.Background()
	key := "acme/leases/writer"
	putBytes(t, st, key, []byte("old"), archive.PutOptions{IfNoneMatch: true})
	if err := st.Delete(ctx, key); err != nil {
		t.Fatalf("Delete(%q): %v", key, err)
	}

	putBytes(t, st, key, []byte("new"), archive.PutOptions{IfNoneMatch: true})
	if got := getBytes(t, st, key); string(got) != "new" {
		t.Errorf("Get(%q) = %q, want %q", key, got, "new")
	}
}

func testPutShortReader(t *testing.T, st archive.Store) {
	ctx := context.Background()
	data := []byte("abc")

	tests := []struct {
		name   string
		reader io.Reader
	}{
		{"seekable", bytes.NewReader(data)},
		// The struct hides bytes.Reader's Seek and ReadAt methods.
		{"stream", struct{ io.Reader }{bytes.NewReader(data)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key := "acme/segments/short-" + tc.name + ".jsonl.zst.age"
			err := st.Put(ctx, key, tc.reader, 10, archive.PutOptions{})
			if err == nil {
				t.Fatalf("Put(%q) of 3 bytes with size 10 succeeded, want an error", key)
			}
			if _, err := st.Stat(ctx, key); !errors.Is(err, archive.ErrNotExist) {
				t.Errorf("Stat(%q) after failed Put error = %v, want ErrNotExist", key, err)
			}
		})
	}
	if keys := listKeys(t, st, "acme/"); len(keys) != 0 {
		t.Errorf("List after failed Puts = %q, want no keys", keys)
	}
}

func testPutInvalidKey(t *testing.T, st archive.Store) {
	ctx := context.Background()
	keys := []string{"", "/acme/x", "Acme/x", "acme//x", "acme/../x", "acme/x y", "acme/x/"}
	for _, key := range keys {
		err := st.Put(ctx, key, bytes.NewReader([]byte("x")), 1, archive.PutOptions{})
		if err == nil {
			t.Errorf("Put(%q) succeeded, want an invalid key error", key)
		}
	}
	if keys := listKeys(t, st, ""); len(keys) != 0 {
		t.Errorf("List after invalid Puts = %q, want no keys", keys)
	}
}

func testListOrderAndPrefix(t *testing.T, st archive.Store) {
	ctx := context.Background()
	// Written out of order. Sorted by bytes: '-' < '.' < '/' < '0' < '_'.
	sorted := []string{
		"t/a-c",
		"t/a.c",
		"t/a/b",
		"t/a/c-d",
		"t/a/c/e",
		"t/a0",
		"t/a_c",
		"t/b",
	}
	writeOrder := []string{"t/b", "t/a/c/e", "t/a0", "t/a-c", "t/a/b", "t/a_c", "t/a.c", "t/a/c-d"}
	for _, key := range writeOrder {
		putBytes(t, st, key, []byte(key), archive.PutOptions{})
	}

	tests := []struct {
		name   string
		prefix string
		want   []string
	}{
		{"all", "", sorted},
		{"folder", "t/a/", []string{"t/a/b", "t/a/c-d", "t/a/c/e"}},
		{"partial element", "t/a", sorted[:7]},
		{"one key", "t/a/c-d", []string{"t/a/c-d"}},
		{"no match", "u/", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			err := st.List(ctx, tc.prefix, func(info archive.ObjectInfo) error {
				got = append(got, info.Key)
				if info.Size != int64(len(info.Key)) {
					t.Errorf("List(%q) entry %q Size = %d, want %d", tc.prefix, info.Key, info.Size, len(info.Key))
				}
				return nil
			})
			if err != nil {
				t.Fatalf("List(%q): %v", tc.prefix, err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("List(%q) = %q, want %q", tc.prefix, got, tc.want)
			}
		})
	}
}

func testListStopsAtCallbackError(t *testing.T, st archive.Store) {
	ctx := context.Background()
	for _, key := range []string{"l/1", "l/2", "l/3"} {
		putBytes(t, st, key, []byte(key), archive.PutOptions{})
	}

	errStop := errors.New("stop listing")
	calls := 0
	err := st.List(ctx, "l/", func(archive.ObjectInfo) error {
		calls++
		return errStop
	})
	if !errors.Is(err, errStop) {
		t.Errorf("List error = %v, want the callback's error", err)
	}
	if calls != 1 {
		t.Errorf("List called the callback %d times after it failed, want 1", calls)
	}
}

func testDeleteIdempotent(t *testing.T, st archive.Store) {
	ctx := context.Background()
	key := "acme/disposals/01hz3v5x.json"

	if err := st.Delete(ctx, key); err != nil {
		t.Errorf("Delete(%q) of a missing key: %v, want nil", key, err)
	}

	putBytes(t, st, key, []byte("{}"), archive.PutOptions{})
	if err := st.Delete(ctx, key); err != nil {
		t.Fatalf("Delete(%q): %v", key, err)
	}
	if _, err := st.Stat(ctx, key); !errors.Is(err, archive.ErrNotExist) {
		t.Errorf("Stat(%q) after Delete error = %v, want ErrNotExist", key, err)
	}
	rc, err := st.Get(ctx, key)
	if err == nil {
		rc.Close()
	}
	if !errors.Is(err, archive.ErrNotExist) {
		t.Errorf("Get(%q) after Delete error = %v, want ErrNotExist", key, err)
	}
	if keys := listKeys(t, st, "acme/"); len(keys) != 0 {
		t.Errorf("List after Delete = %q, want no keys", keys)
	}

	if err := st.Delete(ctx, key); err != nil {
		t.Errorf("second Delete(%q): %v, want nil", key, err)
	}
}

func testDeleteKeepsLongerKeys(t *testing.T, st archive.Store) {
	ctx := context.Background()
	for _, key := range []string{"d/seg", "d/seg-b", "d/seg2"} {
		putBytes(t, st, key, []byte(key), archive.PutOptions{})
	}

	if err := st.Delete(ctx, "d/seg"); err != nil {
		t.Fatalf("Delete(%q): %v", "d/seg", err)
	}
	want := []string{"d/seg-b", "d/seg2"}
	if got := listKeys(t, st, "d/"); !slices.Equal(got, want) {
		t.Errorf("List after Delete(%q) = %q, want %q", "d/seg", got, want)
	}
}

func testConcurrentPuts(t *testing.T, st archive.Store) {
	ctx := context.Background()
	const writers, perWriter = 8, 4

	var wg sync.WaitGroup
	errs := make(chan error, writers*perWriter)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				key := fmt.Sprintf("c/%d/%d", w, i)
				err := st.Put(ctx, key, bytes.NewReader([]byte(key)), int64(len(key)), archive.PutOptions{IfNoneMatch: true})
				if err != nil {
					errs <- fmt.Errorf("Put(%q): %w", key, err)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	keys := listKeys(t, st, "c/")
	if len(keys) != writers*perWriter {
		t.Fatalf("List after concurrent Puts returned %d keys, want %d: %q", len(keys), writers*perWriter, keys)
	}
	for _, key := range keys {
		if got := getBytes(t, st, key); string(got) != key {
			t.Errorf("Get(%q) = %q, want %q", key, got, key)
		}
	}
}

func testCapabilities(t *testing.T, st archive.Store) {
	if _, err := st.Capabilities(context.Background()); err != nil {
		t.Errorf("Capabilities: %v", err)
	}
}

func putBytes(t *testing.T, st archive.Store, key string, data []byte, opts archive.PutOptions) {
	t.Helper()
	if err := st.Put(context.Background(), key, bytes.NewReader(data), int64(len(data)), opts); err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
}

func getBytes(t *testing.T, st archive.Store, key string) []byte {
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

func listKeys(t *testing.T, st archive.Store, prefix string) []string {
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
