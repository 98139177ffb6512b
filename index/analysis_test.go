package index

import (
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

func TestFold_Words(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"ascii lowercased", "Hello WORLD", "hello world"},
		{"vietnamese NFC", "khiếu nại", "khieu nai"},
		{"vietnamese NFD", norm.NFD.String("khiếu nại"), "khieu nai"},
		{"vietnamese uppercase", "KHIẾU NẠI", "khieu nai"},
		{"unaccented stays", "KHIEU NAI", "khieu nai"},
		{"d with stroke", "Đà Nẵng đẹp", "da nang dep"},
		{"quality marks removed", "ă â ê ô ơ ư", "a a e o o u"},
		{"digits", "0901234567", "0901234567"},
		{"letters and digits mixed", "100tr 1tr5 350k", "100tr 1tr5 350k"},
		{"dots split numbers", "1.500.000đ", "1 500 000d"},
		{"emoji split words", "ok👍cảm ơn🙏nhé", "ok cam on nhe"},
		{"emoji with skin tone", "👍🏽", ""},
		{"family emoji with zero width joiner", "a👨‍👩‍👧b", "a b"},
		{"punctuation split", "xin chào!!!bạn?(test)", "xin chao ban test"},
		{"apostrophe and hyphen split", "it's khiếu-nại", "it s khieu nai"},
		{"stop words kept", "và của là thì", "va cua la thi"},
		{"mark without letter dropped", "\u0301abc \u0323", "abc"},
		{"mark after digit joins it", "1\u0301", "1"},
		{"cyrillic lowercased", "МОСКВА", "москва"},
		{"greek accents removed", "Ἀθῆναι", "αθηναι"},
		{"hangul NFD composed", norm.NFD.String("한국어"), "한국어"},
		{"chinese kept", "中文 消息", "中文 消息"},
		{"whitespace variants", "a\tb\nc\u00a0d\u3000e", "a b c d e"},
		{"invalid utf8 separates", "ab\xffcd", "ab cd"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Fold(tt.in); got != tt.want {
				t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestFold_ToneMarks(t *testing.T) {
	tones := map[string]rune{"sắc": '\u0301', "huyền": '\u0300', "hỏi": '\u0309', "ngã": '\u0303', "nặng": '\u0323'}
	for _, vowel := range strings.Fields("a ă â e ê i o ô ơ u ư y A Ă Â E Ê I O Ô Ơ U Ư Y") {
		for toneName, mark := range tones {
			marked := norm.NFC.String(vowel + string(mark))
			base := strings.ToLower(stripMarks(vowel))
			t.Run(marked+" "+toneName, func(t *testing.T) {
				if utf8Len(marked) != 1 {
					t.Fatalf("%q + %s did not compose to one character", vowel, toneName)
				}
				if got := Fold(marked); got != base {
					t.Errorf("Fold(%q) = %q, want %q", marked, got, base)
				}
				if got := Fold(norm.NFD.String(marked)); got != base {
					t.Errorf("Fold(NFD %q) = %q, want %q", marked, got, base)
				}
			})
		}
	}
}

func TestExact_Words(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"tone digit appended", "khiếu nại", "khiêu~1 nai~5"},
		{"each tone", "ma má mà mả mã mạ", "ma ma~1 ma~2 ma~3 ma~4 ma~5"},
		{"quality marks kept", "ă â ê ô ơ ư", "ă â ê ô ơ ư"},
		{"d with stroke kept", "Đà Nẵng", "đa~2 năng~4"},
		{"uppercase lowered", "ĐƯỢC", "đươc~5"},
		{"word without marks as folded", "Hello 100tr", "hello 100tr"},
		{"NFD input", norm.NFD.String("người được"), "ngươi~2 đươc~5"},
		{"precomposed quality letter with combining tone", "e\u0302\u0301 \u00ea\u0301", "ê~1 ê~1"},
		{"other languages", "café naïve", "cafe~1 naïve"},
		{"two tones in one word in order", "résumé", "resume~11"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Exact(tt.in); got != tt.want {
				t.Errorf("Exact(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestExact_TonePlacement(t *testing.T) {
	tests := []struct {
		name, old, modern string
	}{
		{"hoà hòa", "hoà", "hòa"},
		{"khoá khóa", "khoá", "khóa"},
		{"thuỷ thủy", "thuỷ", "thủy"},
		{"hoạ họa", "hoạ", "họa"},
		{"loã lõa", "loã", "lõa"},
		{"quý qúy", "quý", "qúy"},
		{"uppercase HOÀ HÒA", "HOÀ", "HÒA"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			forms := []string{tt.old, tt.modern, norm.NFD.String(tt.old), norm.NFD.String(tt.modern)}
			want := Exact(tt.modern)
			for _, form := range forms {
				if got := Exact(form); got != want {
					t.Errorf("Exact(%q) = %q, want %q as for %q", form, got, want, tt.modern)
				}
			}
		})
	}
}

func TestExact_DifferentTonesDiffer(t *testing.T) {
	tests := []struct {
		name, a, b string
	}{
		{"thẻ thế", "thẻ", "thế"},
		{"khiếu khiêu", "khiếu", "khiêu"},
		{"nại nài", "nại", "nài"},
		{"ma má", "ma", "má"},
		{"đa da", "đa", "da"},
		{"ơ o", "ơ", "o"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if Exact(tt.a) == Exact(tt.b) {
				t.Errorf("Exact(%q) = Exact(%q) = %q, want them different", tt.a, tt.b, Exact(tt.a))
			}
			if Fold(tt.a) != Fold(tt.b) {
				t.Errorf("Fold(%q) = %q and Fold(%q) = %q, want them equal", tt.a, Fold(tt.a), tt.b, Fold(tt.b))
			}
		})
	}
}

func TestAnalyze_NFCAndNFDAgree(t *testing.T) {
	for i, m := range syntheticMessages(500) {
		nfc, nfd := norm.NFC.String(m.Text), norm.NFD.String(m.Text)
		if Fold(nfc) != Fold(nfd) {
			t.Errorf("message %d: Fold differs: NFC %q, NFD %q", i, Fold(nfc), Fold(nfd))
		}
		if Exact(nfc) != Exact(nfd) {
			t.Errorf("message %d: Exact differs: NFC %q, NFD %q", i, Exact(nfc), Exact(nfd))
		}
	}
}

func TestAnalyze_MatchesReference(t *testing.T) {
	for i, m := range syntheticMessages(500) {
		if got, want := Fold(m.Text), referenceFold(m.Text); got != want {
			t.Errorf("message %d: Fold = %q, reference = %q", i, got, want)
		}
	}
}

// referenceFold is a slow, obviously correct folding of Vietnamese and
// ASCII text: NFD, marks removed, đ replaced, lowercased, split on
// everything but letters and digits.
func referenceFold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'đ' || r == 'Đ':
			b.WriteByte('d')
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteByte(' ')
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

func TestFoldedAnalyzer_OffsetsAndPositions(t *testing.T) {
	in := "Xin chào, BẠN!"
	stream := foldedAnalyzer{}.Analyze([]byte(in))
	want := []struct {
		term       string
		start, end int
		position   int
	}{
		{"xin", 0, 3, 1},
		{"chao", 4, 9, 2},
		{"ban", 11, 16, 3},
	}
	if len(stream) != len(want) {
		t.Fatalf("got %d tokens, want %d", len(stream), len(want))
	}
	for i, w := range want {
		tok := stream[i]
		if string(tok.Term) != w.term || tok.Start != w.start || tok.End != w.end || tok.Position != w.position {
			t.Errorf("token %d = {%q %d %d %d}, want {%q %d %d %d}", i,
				tok.Term, tok.Start, tok.End, tok.Position, w.term, w.start, w.end, w.position)
		}
	}
}

// TestFormCode_Stable pins the form codes of a few words. Every index
// stores them in its locations, so a change to formCode needs a new schema
// version.
func TestFormCode_Stable(t *testing.T) {
	for word, want := range map[string]uint64{"thẻ": 1500666, "khóa": 1514449, "được": 215634, "đ": 1077097} {
		if got := formCode([]byte(Exact(word))); got != want {
			t.Errorf("formCode(Exact(%q)) = %d, want %d", word, got, want)
		}
	}
}

// TestFormCode_FormsOfOneWordDiffer checks that the exact forms that fold
// to one word get different codes: every combination of the vowel and d
// variants of a syllable, with each of the six tones.
func TestFormCode_FormsOfOneWordDiffer(t *testing.T) {
	variants := map[rune][]string{
		'a': {"a", "ă", "â"}, 'e': {"e", "ê"}, 'o': {"o", "ô", "ơ"}, 'u': {"u", "ư"}, 'd': {"d", "đ"},
	}
	tones := []string{"", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"}
	for _, syllable := range []string{"the", "khoa", "ban", "ma", "cho", "da", "nguoi", "duoc", "thuong", "tien", "hoan", "khieu", "nai", "dong", "luu"} {
		forms := []string{""}
		for _, r := range syllable {
			options := variants[r]
			if options == nil {
				options = []string{string(r)}
			}
			var next []string
			for _, f := range forms {
				for _, o := range options {
					next = append(next, f+o)
				}
			}
			forms = next
		}
		codes := map[uint64]string{}
		for _, f := range forms {
			for _, tone := range tones {
				word := f + tone
				if Fold(word) != syllable {
					t.Fatalf("%q folds to %q, want %q", word, Fold(word), syllable)
				}
				form := Exact(word)
				code := formCode([]byte(form))
				if code >= 1<<formBits {
					t.Errorf("formCode(%q) = %d, wider than %d bits", form, code, formBits)
				}
				if other, ok := codes[code]; ok && other != form {
					t.Errorf("%q and %q share the code %d", form, other, code)
				}
				codes[code] = form
			}
		}
		if len(codes) < 6 {
			t.Errorf("%s: only %d codes", syllable, len(codes))
		}
	}
}

func FuzzFold_NFCAndNFDAgree(f *testing.F) {
	f.Add("khiếu nại")
	f.Add("Đà Nẵng 100tr 👍")
	f.Add("thuỷ hoà")
	f.Add(norm.NFD.String("한국어 İstanbul"))
	f.Fuzz(func(t *testing.T, s string) {
		nfc, nfd := norm.NFC.String(s), norm.NFD.String(s)
		if Fold(nfc) != Fold(nfd) {
			t.Errorf("Fold differs: NFC %q -> %q, NFD %q -> %q", nfc, Fold(nfc), nfd, Fold(nfd))
		}
		if Exact(nfc) != Exact(nfd) {
			t.Errorf("Exact differs: NFC %q -> %q, NFD %q -> %q", nfc, Exact(nfc), nfd, Exact(nfd))
		}
	})
}

func utf8Len(s string) int { return len([]rune(s)) }
