package searchbench

import (
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"chatseal/chat"
)

func TestCorpus_Deterministic(t *testing.T) {
	var first, again, longer []string
	for m := range Corpus(500, 7) {
		first = append(first, m.ID+" "+m.SentAt.String()+" "+m.Text)
	}
	for m := range Corpus(500, 7) {
		again = append(again, m.ID+" "+m.SentAt.String()+" "+m.Text)
	}
	for m := range Corpus(800, 7) {
		longer = append(longer, m.ID+" "+m.SentAt.String()+" "+m.Text)
	}
	if !slices.Equal(first, again) {
		t.Error("two corpora of the same size and seed differ")
	}
	if !slices.Equal(first, longer[:500]) {
		t.Error("the first 500 messages of an 800-message corpus differ from a 500-message corpus")
	}

	other := 0
	i := 0
	for m := range Corpus(500, 8) {
		if m.Text != strings.SplitN(first[i], " ", 5)[4] {
			other++
		}
		i++
	}
	if other < 400 {
		t.Errorf("seed 8 shares %d of 500 texts with seed 7, expected fewer than 100", 500-other)
	}
}

func TestCorpus_Shape(t *testing.T) {
	const n = 20_000
	accounts := map[string]bool{}
	conversations := map[string]bool{}
	var unmarked, withPhone, withMoney, inbound int
	var earliest, latest time.Time
	i := 0
	for m := range Corpus(n, 1) {
		if m.ID != MessageID(i) {
			t.Fatalf("message %d has ID %q, expected %q", i, m.ID, MessageID(i))
		}
		if id, ok := rowID(m.ID); !ok || id != int64(i+1) {
			t.Fatalf("rowID(%q) = %d, %v; expected %d", m.ID, id, ok, i+1)
		}
		if m.Text == "" || !utf8.ValidString(m.Text) || !norm.NFC.IsNormalString(m.Text) {
			t.Fatalf("message %s: text is empty, invalid UTF-8 or not NFC", m.ID)
		}
		if m.SourceID == "" || m.Account == "" || m.Conversation == "" || m.Source == "" || m.SentAt.IsZero() {
			t.Fatalf("message %s misses an attribute: %+v", m.ID, m)
		}
		accounts[m.Account] = true
		conversations[m.Conversation] = true
		if stripMarks(m.Text) == m.Text {
			unmarked++
		}
		if len(extractPhones(m.Text)) > 0 {
			withPhone++
		}
		if len(extractAmounts(m.Text)) > 0 {
			withMoney++
		}
		if m.Direction == chat.Inbound {
			inbound++
		}
		if earliest.IsZero() || m.SentAt.Before(earliest) {
			earliest = m.SentAt
		}
		if m.SentAt.After(latest) {
			latest = m.SentAt
		}
		i++
	}
	if i != n {
		t.Fatalf("corpus has %d messages, expected %d", i, n)
	}
	if len(accounts) != accountCount {
		t.Errorf("corpus has %d accounts, expected %d", len(accounts), accountCount)
	}
	if got := len(conversations); got < n/meanConversationLength/2 || got > n/meanConversationLength*2 {
		t.Errorf("corpus has %d conversations, expected about %d", got, n/meanConversationLength)
	}
	share := func(k int) float64 { return float64(k) / n }
	if s := share(unmarked); s < 0.15 || s > 0.26 {
		t.Errorf("%.1f%% of messages are without diacritics, expected about 20%%", 100*s)
	}
	if s := share(withPhone); s < 0.03 || s > 0.25 {
		t.Errorf("%.1f%% of messages have a phone number, expected 3%% to 25%%", 100*s)
	}
	if s := share(withMoney); s < 0.05 || s > 0.35 {
		t.Errorf("%.1f%% of messages have an amount, expected 5%% to 35%%", 100*s)
	}
	if s := share(inbound); s < 0.45 || s > 0.7 {
		t.Errorf("%.1f%% of messages are inbound, expected about 55%%", 100*s)
	}
	if span := latest.Sub(earliest); span < 2*365*24*time.Hour {
		t.Errorf("send times span %s, expected about three years", span)
	}
}

func TestVocabulary_Shape(t *testing.T) {
	v := loadVocabulary()
	if len(v.words) < 3000 {
		t.Errorf("vocabulary has %d words, expected at least 3000", len(v.words))
	}
	for _, want := range []string{"khiếu nại", "giao hàng", "chuyển khoản", "tài khoản"} {
		if !slices.Contains(v.compounds, want) {
			t.Errorf("two-syllable words miss %q", want)
		}
	}
	for _, w := range v.words {
		if !norm.NFC.IsNormalString(w) || strings.ContainsAny(w, "*_") {
			t.Fatalf("word %q is not NFC or holds a template mark", w)
		}
	}
}

func TestStripMarks(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"tones and quality marks", "Khiếu nại giao hàng", "Khieu nai giao hang"},
		{"d with stroke", "Đơn đặt", "Don dat"},
		{"digits and emoji kept", "1.500.000đ 🙏", "1.500.000d 🙏"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := stripMarks(tt.in); got != tt.want {
				t.Errorf("stripMarks(%q) = %q, expected %q", tt.in, got, tt.want)
			}
		})
	}
}
