package archive

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"chatseal/chat"
	"chatseal/crypto"
)

func testKeyring(t *testing.T) *crypto.Keyring {
	t.Helper()
	dir := t.TempDir()
	if _, err := crypto.Create(dir); err != nil {
		t.Fatal(err)
	}
	kr, err := crypto.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

func testMessages(n int) []*chat.Message {
	at := time.Date(2024, 6, 2, 14, 0, 0, 0, time.FixedZone("+07", 7*3600))
	var out []*chat.Message
	for i := 0; i < n; i++ {
		out = append(out, &chat.Message{
			ID: "01J00000000000000000000" + string(rune('A'+i%26)) + "AA", Seq: uint64(i),
			Tenant: "default", Source: "zalo", SourceID: "71000000003" + string(rune('0'+i%10)),
			Account: "shop", Conversation: "77", SentAt: at.Add(time.Duration(i) * time.Minute),
			Kind: chat.KindText, Text: "Khách hỏi về khoá thẻ số " + string(rune('0'+i%10)),
			Raw: json.RawMessage(`{"event": "message",  "data": {"msgId": "7100"}}`),
		})
	}
	return out
}

func TestEscapeKeyElement(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"plain", "cskh-hn-01", "cskh-hn-01"},
		{"upper", "Shop", "_53hop"},
		{"slash", "a/b", "a_2fb"},
		{"underscore", "a_b", "a_5fb"},
		{"leading dot", ".x", "_2ex"},
		{"inner dot", "a.b", "a.b"},
		{"vietnamese", "đ", "_c4_91"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := EscapeKeyElement(c.in)
			if got != c.want {
				t.Errorf("EscapeKeyElement(%q) = %q, want %q", c.in, got, c.want)
			}
			if err := ValidateKey("t/" + got); err != nil {
				t.Errorf("escaped key is invalid: %v", err)
			}
		})
	}
}

func TestSegment_RoundTrip(t *testing.T) {
	ctx := context.Background()
	kr := testKeyring(t)
	st, err := NewFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	msgs := testMessages(30)
	seg, err := SealSegment(kr, SegmentInfo{ID: "01J000000000000000000000AB", Tenant: "default", Account: "shop", Month: "2024-06"}, msgs)
	if err != nil {
		t.Fatal(err)
	}
	if want := "default/segments/shop/2024/06/01j000000000000000000000ab.jsonl.zst.age"; seg.Info.Key != want {
		t.Errorf("key = %q, want %q", seg.Info.Key, want)
	}
	if err := PutSegment(ctx, st, seg); err != nil {
		t.Fatal(err)
	}
	if err := PutSegment(ctx, st, seg); err != nil {
		t.Errorf("repeated PutSegment of the same bytes: %v, want success", err)
	}
	other := *seg
	other.Object = append(bytes.Clone(seg.Object), 0)
	other.Info.ObjectSHA256 = "0"
	if err := PutSegment(ctx, st, &other); !errors.Is(err, ErrExist) {
		t.Errorf("PutSegment of other bytes under the same key: err = %v, want ErrExist (segments are never rewritten)", err)
	}

	var got []*chat.Message
	res, err := ReadSegment(ctx, st, kr, seg.Info.Key, func(line []byte, m *chat.Message) error {
		got = append(got, m)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Count != len(msgs) || res.ObjectSHA256 != seg.Info.ObjectSHA256 || res.PlainSHA256 != seg.Info.PlainSHA256 || res.ObjectBytes != seg.Info.ObjectBytes {
		t.Errorf("read result %+v does not match sealed info %+v", res, seg.Info)
	}
	for i := range msgs {
		if got[i].ID != msgs[i].ID || got[i].Text != msgs[i].Text || !got[i].SentAt.Equal(msgs[i].SentAt) {
			t.Errorf("message %d = %+v, want %+v", i, got[i], msgs[i])
		}
		if !bytes.Equal(got[i].Raw, msgs[i].Raw) {
			t.Errorf("message %d raw = %s, want byte-exact %s", i, got[i].Raw, msgs[i].Raw)
		}
	}

	// Each head, closed, is the record of its message without the raw
	// payload.
	if len(seg.Heads) != len(msgs) {
		t.Fatalf("%d heads for %d messages", len(seg.Heads), len(msgs))
	}
	for i, m := range msgs {
		slim := *m
		slim.Raw = nil
		want, err := chat.EncodeRecord(nil, &slim)
		if err != nil {
			t.Fatal(err)
		}
		if head := append(bytes.Clone(seg.Heads[i]), '}', '\n'); !bytes.Equal(head, want) {
			t.Errorf("head %d closed = %s, want %s", i, head, want)
		}
	}
}

func TestReadSegment_Damage(t *testing.T) {
	ctx := context.Background()
	kr := testKeyring(t)
	root := t.TempDir()
	st, _ := NewFS(root)
	seg, err := SealSegment(kr, SegmentInfo{ID: "01J000000000000000000000AC", Tenant: "default", Account: "shop", Month: "2024-06"}, testMessages(50))
	if err != nil {
		t.Fatal(err)
	}
	if err := PutSegment(ctx, st, seg); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(root, filepath.FromSlash(seg.Info.Key))

	cases := []struct {
		name   string
		damage func([]byte) []byte
	}{
		{"flipped byte in payload", func(b []byte) []byte { b[len(b)-40] ^= 1; return b }},
		{"flipped byte in header", func(b []byte) []byte { b[30] ^= 1; return b }},
		{"truncated", func(b []byte) []byte { return b[:len(b)/2] }},
		{"empty", func(b []byte) []byte { return nil }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			damaged := c.damage(bytes.Clone(seg.Object))
			if err := os.WriteFile(path, damaged, 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := ReadSegment(ctx, st, kr, seg.Info.Key, nil)
			if err == nil {
				t.Fatal("ReadSegment of a damaged object succeeded")
			}
			if !strings.Contains(err.Error(), seg.Info.Key) && !strings.Contains(err.Error(), "decrypt") {
				t.Errorf("error %q names neither the segment nor the failed step", err)
			}
		})
	}

	os.Remove(path)
	if _, err := ReadSegment(ctx, st, kr, seg.Info.Key, nil); !errors.Is(err, ErrNotExist) {
		t.Errorf("ReadSegment of a missing object: err = %v, want ErrNotExist", err)
	}
}

func TestEncodeRecord_RawFormats(t *testing.T) {
	cases := []struct {
		name string
		raw  []byte
		want chat.RawFormat
	}{
		{"json with spaces", []byte(`{"a": 1,  "b": "<x>"}`), chat.RawJSON},
		{"json with newline", []byte("{\"a\":\n1}"), chat.RawText},
		{"not json", []byte(`{không phải json`), chat.RawText},
		{"invalid utf8", []byte{0xff, 0xfe, '{'}, chat.RawBase64},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := &chat.Message{ID: "X", Raw: c.raw}
			line, err := chat.EncodeRecord(nil, m)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Count(line, []byte("\n")) != 1 {
				t.Fatalf("record %q is not one line", line)
			}
			var probe struct {
				RawFormat chat.RawFormat `json:"raw_format"`
			}
			if err := json.Unmarshal(line, &probe); err != nil {
				t.Fatal(err)
			}
			if probe.RawFormat != c.want {
				t.Errorf("raw_format = %q, want %q", probe.RawFormat, c.want)
			}
			back, err := chat.DecodeRecord(bytes.TrimSuffix(line, []byte("\n")))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(back.Raw, c.raw) {
				t.Errorf("raw round trip = %q, want %q", back.Raw, c.raw)
			}
		})
	}
}

// TestSealRecords_SameAsEncoding seals messages from spooled lines, one of
// them the line of another message, and checks that the plain text, the
// leaves and the heads are those of sealing without lines.
func TestSealRecords_SameAsEncoding(t *testing.T) {
	kr := testKeyring(t)
	msgs := testMessages(5)
	// The spool encodes with seq 0; the flush sets the seqs later.
	var lines []Line
	for _, m := range msgs {
		seq := m.Seq
		m.Seq = 0
		record, raw, err := chat.EncodeRecordSplit(nil, m)
		if err != nil {
			t.Fatal(err)
		}
		m.Seq = seq + 1000
		lines = append(lines, Line{Bytes: record, Raw: raw})
	}
	lines[2] = lines[3]
	lines[4] = Line{}

	info := SegmentInfo{ID: "01J000000000000000000000AD", Tenant: "default", Account: "shop", Month: "2024-06"}
	want, err := SealSegment(kr, info, msgs)
	if err != nil {
		t.Fatal(err)
	}
	got, err := SealRecords(kr, info, msgs, lines)
	if err != nil {
		t.Fatal(err)
	}

	if got.Info.PlainSHA256 != want.Info.PlainSHA256 || got.Info.PlainBytes != want.Info.PlainBytes {
		t.Errorf("plain text %s (%d bytes), want %s (%d bytes)", got.Info.PlainSHA256, got.Info.PlainBytes, want.Info.PlainSHA256, want.Info.PlainBytes)
	}
	if !slices.Equal(got.Leaves, want.Leaves) {
		t.Errorf("leaves differ from those of sealing without lines")
	}
	for i := range msgs {
		if !bytes.Equal(got.Heads[i], want.Heads[i]) {
			t.Errorf("head %d = %s, want %s", i, got.Heads[i], want.Heads[i])
		}
	}
}
