package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"chatseal/archive"
)

// fsStore is the audit Store over the real fs object store, without
// encryption, which the vault adds.
type fsStore struct {
	st *archive.FSStore
	// failPuts makes the next puts store their object and then fail, as a
	// connection lost before the reply would.
	failPuts int
}

func (s *fsStore) Put(ctx context.Context, key string, data []byte, _ time.Time) error {
	err := s.st.Put(ctx, key, bytes.NewReader(data), int64(len(data)), archive.PutOptions{IfNoneMatch: true})
	if errors.Is(err, archive.ErrExist) {
		return errors.Join(ErrExist, err)
	}
	if err == nil && s.failPuts > 0 {
		s.failPuts--
		return errors.New("connection reset after the object was stored")
	}
	return err
}

func (s *fsStore) Get(ctx context.Context, key string) ([]byte, error) {
	rc, err := s.st.Get(ctx, key)
	if errors.Is(err, archive.ErrNotExist) {
		return nil, errors.Join(ErrNotExist, err)
	}
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

func (s *fsStore) List(ctx context.Context, prefix string, fn func(string) error) error {
	return s.st.List(ctx, prefix, func(o archive.ObjectInfo) error { return fn(o.Key) })
}

// memHeads keeps the head in memory, where the vault uses the catalog.
type memHeads struct {
	head    Head
	pending *Head
}

func (h *memHeads) LoadHead() (Head, *Head, error) { return h.head, h.pending, nil }
func (h *memHeads) SaveHead(head Head, pending *Head) error {
	h.head, h.pending = head, pending
	return nil
}

func newTestLog(t *testing.T) (*Log, *fsStore, *memHeads) {
	t.Helper()
	st, err := archive.NewFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	store := &fsStore{st: st}
	heads := &memHeads{}
	l, err := Open(context.Background(), store, heads, "default")
	if err != nil {
		t.Fatal(err)
	}
	return l, store, heads
}

func searchEvent(query string) Event {
	n := int64(3)
	return Event{Actor: "cli:lan@may-1", Action: ActionSearch, Outcome: OK, Query: query, Results: &n}
}

// appendSample appends three objects of 1, 2 and 1 events.
func appendSample(t *testing.T, l *Log) {
	t.Helper()
	ctx := context.Background()
	if err := l.Append(ctx, searchEvent("khiếu nại")); err != nil {
		t.Fatal(err)
	}
	if err := l.Append(ctx, searchEvent("phone:0912345678"), Event{Actor: "system", Action: ActionRebuild, Outcome: OK}); err != nil {
		t.Fatal(err)
	}
	if err := l.Append(ctx, Event{Actor: "cli:lan@may-1", Action: ActionViewConversation, Outcome: OK, Targets: []string{"shop/123"}}); err != nil {
		t.Fatal(err)
	}
}

func readEvents(t *testing.T, store Store) []Event {
	t.Helper()
	keys, err := Objects(context.Background(), store, "default")
	if err != nil {
		t.Fatal(err)
	}
	var out []Event
	for _, key := range keys {
		events, err := ObjectEvents(context.Background(), store, key)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, events...)
	}
	return out
}

func TestLog_AppendThenVerify(t *testing.T) {
	l, store, heads := newTestLog(t)
	appendSample(t, l)

	var steps []int
	rep, err := Verify(context.Background(), store, "default", heads.head, func(done, total int) {
		if total != 3 {
			t.Errorf("progress total = %d, want 3 objects", total)
		}
		steps = append(steps, done)
	})
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if !slices.Equal(steps, []int{1, 2, 3}) {
		t.Errorf("progress steps = %v, want 1, 2, 3", steps)
	}
	if rep.Objects != 3 || rep.Head.Events != 4 {
		t.Errorf("verify read %d objects and %d events, want 3 and 4", rep.Objects, rep.Head.Events)
	}
	if rep.Head != l.Head() {
		t.Errorf("archive head %+v, log head %+v", rep.Head, l.Head())
	}
	if heads.pending != nil {
		t.Errorf("pending head %+v left after successful appends", heads.pending)
	}

	events := readEvents(t, store)
	if len(events) != 4 {
		t.Fatalf("read %d events, want 4", len(events))
	}
	if events[0].Prev != "" {
		t.Errorf("first event prev = %q, want empty", events[0].Prev)
	}
	for i := 1; i < len(events); i++ {
		if events[i].Prev == "" || events[i].ID <= events[i-1].ID {
			t.Errorf("event %d: id %s after %s, prev %q", i, events[i].ID, events[i-1].ID, events[i].Prev)
		}
	}
	if events[0].Query != "khiếu nại" || events[0].Results == nil || *events[0].Results != 3 {
		t.Errorf("first event = %+v, want the search as appended", events[0])
	}
	if events[0].At.IsZero() || events[0].At.Location() != time.UTC {
		t.Errorf("first event at %v, want a UTC time", events[0].At)
	}
	for _, e := range events {
		if !strings.HasPrefix(l.Head().Object, "default/audit/") {
			t.Errorf("head object %s is outside default/audit/", l.Head().Object)
		}
		if e.ID != strings.ToLower(e.ID) || len(e.ID) != 26 {
			t.Errorf("event id %q is not a lowercase ULID", e.ID)
		}
	}
}

func TestAppend_RejectsIncompleteEvent(t *testing.T) {
	l, _, _ := newTestLog(t)
	err := l.Append(context.Background(), Event{Action: ActionSearch, Outcome: OK})
	if err == nil || !strings.Contains(err.Error(), "actor") {
		t.Errorf("event without actor: err = %v, want one naming the actor", err)
	}
	if l.Head().Events != 0 {
		t.Errorf("rejected append counted %d events", l.Head().Events)
	}
}

func TestAppend_IDsIncreaseWhenClockGoesBack(t *testing.T) {
	l, store, heads := newTestLog(t)
	ctx := context.Background()
	now := time.Now()
	for _, at := range []time.Time{now, now.Add(-time.Hour), now.Add(-time.Hour)} {
		e := searchEvent("hoàn tiền")
		e.At = at
		if err := l.Append(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Verify(ctx, store, "default", heads.head, nil); err != nil {
		t.Errorf("verify after a clock that went back: %v", err)
	}
}

// objectPath returns the file of the i-th audit object, in chain order.
func objectPath(t *testing.T, store *fsStore, i int) string {
	t.Helper()
	keys, err := Objects(context.Background(), store, "default")
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(store.st.Root(), filepath.FromSlash(keys[i]))
}

func TestVerify_DetectsTampering(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(t *testing.T, store *fsStore)
		want   string
	}{
		{
			name: "changed event",
			tamper: func(t *testing.T, store *fsStore) {
				keys, err := Objects(context.Background(), store, "default")
				if err != nil {
					t.Fatal(err)
				}
				records, err := readObject(context.Background(), store, keys[1])
				if err != nil {
					t.Fatal(err)
				}
				var buf bytes.Buffer
				for _, r := range records {
					e := r.Event
					e.Query = strings.ReplaceAll(e.Query, "0912345678", "0987654321")
					line, err := json.Marshal(e)
					if err != nil {
						t.Fatal(err)
					}
					buf.Write(append(line, '\n'))
				}
				if err := os.WriteFile(objectPath(t, store, 1), encoder.EncodeAll(buf.Bytes(), nil), 0o600); err != nil {
					t.Fatal(err)
				}
			},
			want: "does not follow event 1 of the same object",
		},
		{
			name:   "middle object removed",
			tamper: func(t *testing.T, store *fsStore) { remove(t, objectPath(t, store, 1)) },
			want:   "does not follow the last event of default/audit/",
		},
		{
			name:   "first object removed",
			tamper: func(t *testing.T, store *fsStore) { remove(t, objectPath(t, store, 0)) },
			want:   "objects before it were removed",
		},
		{
			name:   "newest object removed",
			tamper: func(t *testing.T, store *fsStore) { remove(t, objectPath(t, store, 2)) },
			want:   "the newest objects were removed",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, store, heads := newTestLog(t)
			appendSample(t, l)
			tt.tamper(t, store)
			_, err := Verify(context.Background(), store, "default", heads.head, nil)
			if !errors.Is(err, ErrBroken) {
				t.Fatalf("verify after tampering: err = %v, want ErrBroken", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("verify error %q does not say %q", err, tt.want)
			}
		})
	}
}

func remove(t *testing.T, path string) {
	t.Helper()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
}

func TestAppend_PutFailureThenRetryKeepsOneChain(t *testing.T) {
	l, store, heads := newTestLog(t)
	ctx := context.Background()
	if err := l.Append(ctx, searchEvent("giao hàng")); err != nil {
		t.Fatal(err)
	}
	// The object is stored, but the append gets an error back.
	store.failPuts = 1
	if err := l.Append(ctx, searchEvent("đổi trả")); err == nil {
		t.Fatal("append with a failing put returned nil")
	}
	if heads.pending == nil {
		t.Fatal("no pending head saved while the put was in doubt")
	}
	// A new process opens the log: the stored object becomes the head.
	reopened, err := Open(ctx, store, heads, "default")
	if err != nil {
		t.Fatal(err)
	}
	if got := reopened.Head().Events; got != 2 {
		t.Errorf("head after reopening counts %d events, want 2 with the stored object", got)
	}
	if err := reopened.Append(ctx, searchEvent("bảo hành")); err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(ctx, store, "default", heads.head, nil); err != nil {
		t.Errorf("verify after a put in doubt: %v", err)
	}
}

func TestOpen_DropsPendingHeadWithoutObject(t *testing.T) {
	l, store, heads := newTestLog(t)
	ctx := context.Background()
	if err := l.Append(ctx, searchEvent("giao hàng")); err != nil {
		t.Fatal(err)
	}
	before := heads.head
	heads.pending = &Head{Object: "default/audit/2026/12/01kbz6t3xk4m5n6p7q8r9s0t1v.jsonl.zst.age", Hash: "ab", Events: 2}

	reopened, err := Open(ctx, store, heads, "default")
	if err != nil {
		t.Fatal(err)
	}
	if reopened.Head() != before || heads.pending != nil {
		t.Errorf("head %+v, pending %+v; want %+v and none", reopened.Head(), heads.pending, before)
	}
}

func TestOpen_ReadsLostHeadFromArchive(t *testing.T) {
	l, store, _ := newTestLog(t)
	appendSample(t, l)
	ctx := context.Background()

	// A new catalog has no head, so the chain must go on from the archive's.
	heads := &memHeads{}
	reopened, err := Open(ctx, store, heads, "default")
	if err != nil {
		t.Fatal(err)
	}
	if reopened.Head() != l.Head() {
		t.Errorf("head after losing it = %+v, want the archive's %+v", reopened.Head(), l.Head())
	}
	if err := reopened.Append(ctx, searchEvent("bảo hành")); err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(ctx, store, "default", heads.head, nil); err != nil {
		t.Errorf("verify after appending on a recovered head: %v", err)
	}
}

func TestArchiveHead_MatchesLog(t *testing.T) {
	l, store, _ := newTestLog(t)
	appendSample(t, l)
	head, err := ArchiveHead(context.Background(), store, "default")
	if err != nil {
		t.Fatal(err)
	}
	if head != l.Head() {
		t.Errorf("ArchiveHead = %+v, want the log's %+v", head, l.Head())
	}
}
