package messenger

import (
	"testing"
)

// latin1 returns the mojibake of s: each UTF-8 byte as its own rune.
func latin1(s string) string {
	runes := make([]rune, len(s))
	for i := 0; i < len(s); i++ {
		runes[i] = rune(s[i])
	}
	return string(runes)
}

// cutRunes returns the first n runes of s.
func cutRunes(s string, n int) string { return string([]rune(s)[:n]) }

func TestRepairMojibake(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string
		outcome repairOutcome
	}{
		{"ascii", "Shop ơi"[:4], "Shop", repairNone},
		{"empty", "", "", repairNone},
		{"vietnamese mojibake", latin1("Nguyễn Văn Phúc"), "Nguyễn Văn Phúc", repairDone},
		{"emoji with skin tone", latin1("cảm ơn 👍🏻"), "cảm ơn 👍🏻", repairDone},
		{"heart reaction", latin1("❤"), "❤", repairDone},
		{"correct vietnamese", "Còn màu xanh rêu không ạ?", "Còn màu xanh rêu không ạ?", repairNone},
		{"correct latin-1 letters only", "Cà phê", "Cà phê", repairNone},
		{"correct letter above U+00FF beside mojibake", latin1("Trần") + " ơ", latin1("Trần") + " ơ", repairNone},
		{"cut at the end", latin1("Trần") + cutRunes(latin1("ạ"), 2), latin1("Trần") + cutRunes(latin1("ạ"), 2), repairFailed},
		{"cut in the middle", latin1("Trần") + cutRunes(latin1("ạ"), 1) + " " + latin1("ơi"), latin1("Trần") + cutRunes(latin1("ạ"), 1) + " " + latin1("ơi"), repairFailed},
		{"only a cut character", cutRunes(latin1("ạ"), 2), cutRunes(latin1("ạ"), 2), repairNone},
		{"decomposed vietnamese", latin1("Vie\u0302\u0323t"), "Vie\u0302\u0323t", repairDone},
		{"no-break space as mojibake", latin1("a\u00a0b"), "a\u00a0b", repairDone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, outcome := repairMojibake(tt.in)
			if got != tt.want {
				t.Errorf("repairMojibake(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if outcome != tt.outcome {
				t.Errorf("repairMojibake(%q) outcome = %d, want %d", tt.in, outcome, tt.outcome)
			}
		})
	}
}

func TestRepairer_Counts(t *testing.T) {
	var fix repairer
	fix.fix(latin1("Trần"))
	fix.fix("plain")
	fix.fix(latin1("Phúc"))
	if fix.repaired != 2 {
		t.Errorf("repaired = %d, want 2", fix.repaired)
	}
	if fix.failed {
		t.Errorf("failed is set without a broken string")
	}
	fix.fix(latin1("Trần") + cutRunes(latin1("ạ"), 2))
	if !fix.failed {
		t.Errorf("failed is not set after a broken string")
	}
}
