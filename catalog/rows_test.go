package catalog

import (
	"errors"
	"fmt"
	"testing"

	"github.com/cockroachdb/pebble"
	"github.com/cockroachdb/pebble/vfs"
)

// TestRowBatch_LastWriteWins writes keys out of order, some of them
// several times, and checks that Pebble ends with the last write of each
// key, as if the writes had gone to a Pebble batch directly.
func TestRowBatch_LastWriteWins(t *testing.T) {
	db, err := pebble.Open("", &pebble.Options{FS: vfs.NewMem()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Set([]byte("gone"), []byte("old"), nil); err != nil {
		t.Fatal(err)
	}

	r := newRowBatch(0)
	for i := 20; i > 0; i-- {
		r.set(fmt.Appendf(nil, "k%02d", i), fmt.Appendf(nil, "first %d", i))
	}
	r.del([]byte("gone"))
	r.set([]byte("k07"), []byte("second"))
	r.del([]byte("k09"))
	r.set([]byte("k07"), []byte("third"))
	r.del([]byte("k11"))
	r.set([]byte("k11"), []byte("after delete"))

	b := db.NewBatch()
	if err := r.writeTo(b); err != nil {
		t.Fatal(err)
	}
	if err := b.Commit(nil); err != nil {
		t.Fatal(err)
	}

	want := map[string]string{"k07": "third", "k11": "after delete", "k01": "first 1", "k20": "first 20"}
	for k, v := range want {
		got, closer, err := db.Get([]byte(k))
		if err != nil {
			t.Errorf("%s: %v", k, err)
			continue
		}
		if string(got) != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
		closer.Close()
	}
	for _, k := range []string{"k09", "gone"} {
		if _, _, err := db.Get([]byte(k)); !errors.Is(err, pebble.ErrNotFound) {
			t.Errorf("%s: got err %v, want it deleted", k, err)
		}
	}
}
