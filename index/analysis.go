package index

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Vietnamese tones as VNI digits. Ngang, the level tone, has no mark and no
// digit.
const (
	toneSac   = 1 // U+0301 combining acute accent
	toneHuyen = 2 // U+0300 combining grave accent
	toneHoi   = 3 // U+0309 combining hook above
	toneNga   = 4 // U+0303 combining tilde
	toneNang  = 5 // U+0323 combining dot below
)

// toneSeparator sits between an exact term and its tone digits. The
// tokenizer splits words on it, so no word contains it, and the exact form
// of "khóa1" ("khoa1~1") differs from that of any other word.
const toneSeparator = '~'

// toneOf returns the tone that a combining mark writes, or 0 when the mark is
// not a Vietnamese tone mark.
func toneOf(r rune) uint8 {
	switch r {
	case '\u0301':
		return toneSac
	case '\u0300':
		return toneHuyen
	case '\u0309':
		return toneHoi
	case '\u0303':
		return toneNga
	case '\u0323':
		return toneNang
	}
	return 0
}

// runeClass is the role of a rune in tokenizing.
type runeClass uint8

const (
	classSeparator runeClass = iota // ends a token
	classWord                       // letter or decimal digit: starts or continues a token
	classMark                       // combining mark: continues a token, dropped outside one
)

// runeInfo is the analysis of one input rune: what it adds to the folded and
// to the exact term of the token it belongs to.
type runeInfo struct {
	class runeClass
	// tones holds the VNI digits of the tone marks the rune carries, in
	// canonical order: none for most runes, one for a Vietnamese vowel,
	// two for a few letters of other languages such as ṹ.
	tones string
	// compose is set when the output may combine with the output before it
	// under NFC (a combining mark kept in the exact term, a Hangul vowel jamo),
	// so the token must be NFC-normalised when it ends.
	compose bool
	// differs is set when the exact term of a token holding this rune differs
	// from its folded term: the rune has a mark, a tone or is đ.
	differs bool
	folded  string // lowercase, combining marks removed, đ as d
	exact   string // lowercase, marks other than tone marks kept, NFC
}

// tableSize bounds the runes whose analysis is computed once at start-up. It
// covers Latin (Vietnamese included), Greek, Cyrillic and the combining marks
// block; rarer runes go through wideRunes.
const tableSize = 0x2000

var (
	// asciiFolded maps an ASCII byte to its lowercase form when it is a
	// letter or digit, and to 0 when it separates tokens.
	asciiFolded [utf8.RuneSelf]byte

	runeTable [tableSize]runeInfo

	separatorInfo = runeInfo{class: classSeparator}

	// wideRunes caches describeRune for runes at or above tableSize.
	wideRunes sync.Map // rune -> *runeInfo
)

func init() {
	for c := 0; c < utf8.RuneSelf; c++ {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			asciiFolded[c] = byte(c)
		case c >= 'A' && c <= 'Z':
			asciiFolded[c] = byte(c) + 'a' - 'A'
		}
	}
	for r := rune(utf8.RuneSelf); r < tableSize; r++ {
		runeTable[r] = describeRune(r)
	}
}

// lookupRune returns the analysis of a non-ASCII rune.
func lookupRune(r rune) *runeInfo {
	if r < tableSize {
		return &runeTable[r]
	}
	if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r) {
		return &separatorInfo
	}
	if cached, ok := wideRunes.Load(r); ok {
		return cached.(*runeInfo)
	}
	info := describeRune(r)
	cached, _ := wideRunes.LoadOrStore(r, &info)
	return cached.(*runeInfo)
}

// describeRune computes the analysis of one rune from the Unicode data in the
// standard library and golang.org/x/text. The rune is decomposed (NFD) and
// its base characters are lowercased. Tone marks become tone digits. Other
// nonspacing and enclosing marks are dropped from the folded term and kept
// in the exact term.
func describeRune(r rune) runeInfo {
	switch {
	case r == 'đ' || r == 'Đ':
		return runeInfo{class: classWord, differs: true, folded: "d", exact: "đ"}
	case unicode.In(r, unicode.Mn, unicode.Me):
		if tone := toneOf(r); tone != 0 {
			return runeInfo{class: classMark, tones: string(rune('0' + tone)), differs: true}
		}
		return runeInfo{class: classMark, compose: true, differs: true, exact: string(r)}
	case unicode.Is(unicode.Mc, r):
		// Spacing marks (Devanagari and Bengali vowel signs, for example)
		// carry the meaning of the word, so both terms keep them.
		s := string(r)
		compose := !norm.NFC.PropertiesString(s).BoundaryBefore()
		return runeInfo{class: classMark, compose: compose, folded: s, exact: s}
	case !unicode.IsLetter(r) && !unicode.IsDigit(r):
		return runeInfo{class: classSeparator}
	}

	var folded, exact, tones strings.Builder
	differs := false
	for _, c := range norm.NFD.String(string(r)) {
		if t := toneOf(c); t != 0 {
			tones.WriteByte('0' + t)
			differs = true
			continue
		}
		if unicode.In(c, unicode.Mn, unicode.Me) {
			exact.WriteRune(c)
			differs = true
			continue
		}
		lower := unicode.ToLower(c)
		folded.WriteRune(lower)
		exact.WriteRune(lower)
	}
	info := runeInfo{
		class:   classWord,
		tones:   tones.String(),
		differs: differs,
		folded:  norm.NFC.String(folded.String()),
		exact:   norm.NFC.String(exact.String()),
	}
	info.compose = !norm.NFC.PropertiesString(info.exact).BoundaryBefore()
	return info
}

// token is one word of an analysed text. Offsets into the input are bytes,
// and the terms live in the folded and exact buffers of the analysis. The
// offsets are int32 to keep tokens small, which limits the texts analysed
// into one analysis to 2 GiB in all.
type token struct {
	start, end             int32 // byte range of the word in the input
	foldedStart, foldedEnd int32 // folded term, in analysis.folded
	exactStart, exactEnd   int32 // exact term in analysis.exact; empty when it equals the folded term
	position               int32 // 1-based position of the word in the text
}

// analysis is the result of tokenizing and folding a text in one pass. It
// appends: several texts can be analysed into one value, each continuing the
// positions of the one before.
type analysis struct {
	folded []byte
	exact  []byte
	tokens []token
	// position is the position of the last token added.
	position int
}

// presize allocates a's buffers for texts of n bytes in all, so that
// analyze rarely grows them. Folding never lengthens ASCII, and an exact
// term is at most a few bytes longer than its word. The token slice assumes
// three bytes per word with its separator, which most text exceeds.
func (a *analysis) presize(n int) {
	buf := make([]byte, 0, 2*n+24)
	a.folded = buf[0 : 0 : n+8]
	a.exact = buf[n+8 : n+8]
	a.tokens = make([]token, 0, n/3+1)
}

// foldedTerm returns the folded term of token t as a slice of a.folded.
func (a *analysis) foldedTerm(t *token) []byte { return a.folded[t.foldedStart:t.foldedEnd] }

// exactTerm returns the exact term of token t, or nil when it equals the
// folded term.
func (a *analysis) exactTerm(t *token) []byte {
	if t.exactStart == t.exactEnd {
		return nil
	}
	return a.exact[t.exactStart:t.exactEnd]
}

// formBits is the width of a form code (see formCode).
const formBits = 21

// formCode returns the code of exact term form, which the folded field
// records with each location of a word that has marks, so that a search
// can tell which of a folded term's messages have a query word's exact
// form. It is a 64-bit FNV-1a hash of the term, folded to formBits bits,
// which encode in three bytes. Two forms of one folded term share a code
// with a chance of about one in two million per pair. Such a pair ranks as
// one form, and matching is unaffected because it reads the folded term
// alone. The code is part of the index format.
func formCode(form []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range form {
		h ^= uint64(c)
		h *= 1099511628211
	}
	h ^= h >> formBits
	h ^= h >> (2 * formBits)
	return h & (1<<formBits - 1)
}

// tokenState is the token under construction in analyze. It keeps the
// first 8 tone digits of a word; a Vietnamese syllable has at most one.
type tokenState struct {
	active      bool
	start       int
	foldedStart int
	exactStart  int
	differs     bool
	compose     bool
	tones       [8]byte
	toneCount   int
}

// analyze appends the tokens of text to a. Tokens are runs of letters and
// decimal digits with the combining marks that follow them; everything else
// separates tokens. Each token gets a folded term and, when it has marks,
// tones or đ, an exact term.
//
// This is the indexing hot path: ASCII bytes are handled without decoding,
// other runes through a precomputed table, and nothing is allocated beyond
// the growth of a's buffers unless a token needs NFC composition.
func analyze[T string | []byte](a *analysis, text T) {
	var st tokenState
	n := len(text)
	for i := 0; i < n; {
		c := text[i]
		if c < utf8.RuneSelf {
			lower := asciiFolded[c]
			if lower == 0 {
				if st.active {
					a.endToken(&st, i)
				}
				i++
				continue
			}
			if !st.active {
				a.startToken(&st, i)
			}
			a.folded = append(a.folded, lower)
			if st.differs {
				a.exact = append(a.exact, lower)
			}
			i++
			continue
		}

		r, size := decodeRune(text, i)
		info := lookupRune(r)
		switch info.class {
		case classSeparator:
			if st.active {
				a.endToken(&st, i)
			}
			i += size
			continue
		case classMark:
			if !st.active {
				// A mark with no letter before it has nothing to modify.
				i += size
				continue
			}
		case classWord:
			if !st.active {
				a.startToken(&st, i)
			}
		}

		if info.differs && !st.differs {
			st.differs = true
			a.exact = append(a.exact, a.folded[st.foldedStart:]...)
		}
		a.folded = append(a.folded, info.folded...)
		switch {
		case !st.differs:
			st.compose = st.compose || info.compose
		case info.compose && a.composeQuality(st.exactStart, r):
			// The mark was merged into the vowel before it.
		default:
			a.exact = append(a.exact, info.exact...)
			st.compose = st.compose || info.compose
		}
		for j := 0; j < len(info.tones) && st.toneCount < len(st.tones); j++ {
			st.tones[st.toneCount] = info.tones[j]
			st.toneCount++
		}
		i += size
	}
	if st.active {
		a.endToken(&st, n)
	}
}

func (a *analysis) startToken(st *tokenState, offset int) {
	*st = tokenState{
		active:      true,
		start:       offset,
		foldedStart: len(a.folded),
		exactStart:  len(a.exact),
	}
}

// endToken finishes the token in st, which ends at byte offset end of the
// input.
func (a *analysis) endToken(st *tokenState, end int) {
	st.active = false
	if st.compose {
		a.folded = composeTail(a.folded, st.foldedStart)
		if st.differs {
			a.exact = composeTail(a.exact, st.exactStart)
		}
	}
	if len(a.folded) == st.foldedStart {
		// Only possible for a token whose letters fold to nothing; it is
		// not searchable, so it is dropped.
		a.exact = a.exact[:st.exactStart]
		return
	}
	if st.differs {
		if st.toneCount == 0 && string(a.exact[st.exactStart:]) == string(a.folded[st.foldedStart:]) {
			a.exact = a.exact[:st.exactStart]
		} else if st.toneCount > 0 {
			a.exact = append(a.exact, toneSeparator)
			a.exact = append(a.exact, st.tones[:st.toneCount]...)
		}
	}
	a.position++
	a.tokens = append(a.tokens, token{
		start:       int32(st.start),
		end:         int32(end),
		foldedStart: int32(st.foldedStart),
		foldedEnd:   int32(len(a.folded)),
		exactStart:  int32(st.exactStart),
		exactEnd:    int32(len(a.exact)),
		position:    int32(a.position),
	})
}

// composeQuality composes a Vietnamese quality mark (circumflex, breve,
// horn) with the ASCII vowel that ends the exact term begun at offset from,
// in place, as NFC would. It spares decomposed (NFD) Vietnamese text the
// slow NFC pass. It reports false, changing nothing, for any other mark or
// letter.
func (a *analysis) composeQuality(from int, mark rune) bool {
	if len(a.exact) <= from {
		return false
	}
	var composed string
	switch last := a.exact[len(a.exact)-1]; {
	case mark == '\u0302' && last == 'a':
		composed = "â"
	case mark == '\u0302' && last == 'e':
		composed = "ê"
	case mark == '\u0302' && last == 'o':
		composed = "ô"
	case mark == '\u0306' && last == 'a':
		composed = "ă"
	case mark == '\u031B' && last == 'o':
		composed = "ơ"
	case mark == '\u031B' && last == 'u':
		composed = "ư"
	default:
		return false
	}
	a.exact = append(a.exact[:len(a.exact)-1], composed...)
	return true
}

// composeTail replaces buf[from:] with its NFC form.
func composeTail(buf []byte, from int) []byte {
	tail := norm.NFC.Bytes(buf[from:])
	return append(buf[:from], tail...)
}

// decodeRune decodes the UTF-8 sequence at text[i], which is not ASCII. An
// invalid sequence decodes as utf8.RuneError of length 1, as in package
// unicode/utf8.
func decodeRune[T string | []byte](text T, i int) (rune, int) {
	n := len(text) - i
	c0 := text[i]
	switch {
	case c0 >= 0xC2 && c0 <= 0xDF && n >= 2:
		c1 := text[i+1]
		if c1&0xC0 == 0x80 {
			return rune(c0&0x1F)<<6 | rune(c1&0x3F), 2
		}
	case c0 >= 0xE0 && c0 <= 0xEF && n >= 3:
		c1, c2 := text[i+1], text[i+2]
		if c1&0xC0 == 0x80 && c2&0xC0 == 0x80 {
			r := rune(c0&0x0F)<<12 | rune(c1&0x3F)<<6 | rune(c2&0x3F)
			if r >= 0x800 && (r < 0xD800 || r > 0xDFFF) {
				return r, 3
			}
		}
	case c0 >= 0xF0 && c0 <= 0xF4 && n >= 4:
		c1, c2, c3 := text[i+1], text[i+2], text[i+3]
		if c1&0xC0 == 0x80 && c2&0xC0 == 0x80 && c3&0xC0 == 0x80 {
			r := rune(c0&0x07)<<18 | rune(c1&0x3F)<<12 | rune(c2&0x3F)<<6 | rune(c3&0x3F)
			if r >= 0x10000 && r <= utf8.MaxRune {
				return r, 4
			}
		}
	}
	return utf8.RuneError, 1
}

// Fold returns the folded form of s that the index searches: the words of s
// (runs of letters and digits) lowercased, NFC-normalised, with every
// combining mark removed and đ written as d, joined by single spaces.
// Punctuation, symbols and emoji are dropped. Fold("Khiếu NẠI!") returns
// "khieu nai".
func Fold(s string) string {
	var a analysis
	analyze(&a, s)
	var b strings.Builder
	b.Grow(len(a.folded) + len(a.tokens))
	for i := range a.tokens {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.Write(a.foldedTerm(&a.tokens[i]))
	}
	return b.String()
}

// Exact returns the exact form of s that ranks diacritic-exact matches
// first: the words of s lowercased and NFC-normalised, with quality marks
// (â ă ê ô ơ ư) and đ kept, joined by single spaces. A word's tone mark is
// removed and written after it as a separator and a VNI digit (1 sắc,
// 2 huyền, 3 hỏi, 4 ngã, 5 nặng), so the mark's placement does not matter:
// Exact("hoà") and Exact("hòa") both return "hoa~2". A word without marks
// is returned as Fold returns it.
func Exact(s string) string {
	var a analysis
	analyze(&a, s)
	var b strings.Builder
	b.Grow(len(a.folded) + len(a.exact) + len(a.tokens))
	for i := range a.tokens {
		t := &a.tokens[i]
		if i > 0 {
			b.WriteByte(' ')
		}
		if exact := a.exactTerm(t); exact != nil {
			b.Write(exact)
		} else {
			b.Write(a.foldedTerm(t))
		}
	}
	return b.String()
}
