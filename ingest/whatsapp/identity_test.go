package whatsapp

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"testing"
)

// referenceID computes a source id as the idHasher doc defines it, written
// independently, so that a change of the format fails this test: ids must
// stay stable across versions for re-imports to find their messages.
func referenceID(conversation, minute, sender, body string, k int) string {
	var buf []byte
	for _, field := range []string{conversation, minute, sender, body} {
		buf = binary.BigEndian.AppendUint64(buf, uint64(len(field)))
		buf = append(buf, field...)
	}
	d := sha256.Sum256(buf)
	if k > 1 {
		d = sha256.Sum256(binary.BigEndian.AppendUint64(d[:], uint64(k)))
	}
	return hex.EncodeToString(d[:16])
}

func TestSourceID_Format(t *testing.T) {
	ih := newIDHasher()
	w := wallClock{2024, 3, 1, 8, 1, 59}
	for k := 1; k <= 3; k++ {
		got := ih.sourceID("Chị Tuyết", w, "Chị Tuyết", "ok")
		if want := referenceID("Chị Tuyết", "2024-03-01T08:01", "Chị Tuyết", "ok", k); got != want {
			t.Errorf("occurrence %d: id = %s, want %s", k, got, want)
		}
	}
	if got, want := ih.sourceID("Chị Tuyết", w, "", "Tuấn joined"), referenceID("Chị Tuyết", "2024-03-01T08:01", "", "Tuấn joined", 1); got != want {
		t.Errorf("system line id = %s, want %s", got, want)
	}
}

func TestOccurrences_Prune(t *testing.T) {
	o := occurrences{counts: map[uint64]occurrence{}}
	// Ten messages a minute for ten days, each unique.
	const perDay = 24 * 60 * 10
	for i := 0; i < 10*perDay; i++ {
		if k := o.next(uint64(i), int64(i/10)); k != 1 {
			t.Fatalf("message %d: k = %d, want 1", i, k)
		}
	}
	if n := len(o.counts); n > 2*(forgetAfter*10+minPruneAt) {
		t.Errorf("map holds %d tuples after ten days, want at most those of the last two days", n)
	}
	// A tuple of the last two days is still counted.
	last := uint64(10*perDay - 1)
	if k := o.next(last, int64(last/10)); k != 2 {
		t.Errorf("repeat of the latest tuple: k = %d, want 2", k)
	}
}
