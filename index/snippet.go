package index

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Span is the byte range of a matched word in a message's Text, Start
// included, End excluded.
type Span struct {
	Start, End int
}

// Fragment is one run of a snippet: matched words, other text of the
// message, or an ellipsis that stands for text cut off.
type Fragment struct {
	Text string
	// Match is set for a run of matched words.
	Match bool
}

// Ellipsis marks where a snippet cuts the text. SnippetFragments returns it
// as a run of its own, followed by a space at the start of the window and
// preceded by one at the end.
const Ellipsis = "…"

// SnippetFragments cuts from text a window of about width runes that holds
// the most spans, and returns it as runs of matched and other text, with an
// ellipsis run at each end where the window cuts the text. The window is
// widened evenly around its spans and ends at spaces where it can, so it
// may be a little shorter than width. A width of zero or less keeps the
// whole text. Spans outside text are ignored, and a span that cuts a UTF-8
// sequence is widened to whole characters. The text between the spans is
// returned as it is, line breaks included.
//
// For HTML, escape the Text of every fragment and wrap the matched ones in
// a <mark> element.
func SnippetFragments(text string, spans []Span, width int) []Fragment {
	spans = cleanSpans(text, spans)
	start, end := snippetWindow(text, spans, width)

	var out []Fragment
	if start > 0 {
		out = append(out, Fragment{Text: Ellipsis + " "})
	}
	at := start
	for _, s := range spans {
		s.Start, s.End = max(s.Start, start), min(s.End, end)
		if s.Start >= s.End {
			continue
		}
		if at < s.Start {
			out = append(out, Fragment{Text: text[at:s.Start]})
		}
		out = append(out, Fragment{Text: text[s.Start:s.End], Match: true})
		at = s.End
	}
	if at < end {
		out = append(out, Fragment{Text: text[at:end]})
	}
	if end < len(text) {
		out = append(out, Fragment{Text: " " + Ellipsis})
	}
	return out
}

// Snippet returns the window of SnippetFragments as plain text, each run of
// matched words between open and close: Snippet(text, hit.Spans, 80, "[",
// "]") returns text such as "… gửi [khiếu] [nại] về đơn hàng …".
func Snippet(text string, spans []Span, width int, open, close string) string {
	var b strings.Builder
	for _, f := range SnippetFragments(text, spans, width) {
		if f.Match {
			b.WriteString(open)
			b.WriteString(f.Text)
			b.WriteString(close)
			continue
		}
		b.WriteString(f.Text)
	}
	return b.String()
}

// cleanSpans returns the spans that lie in text, widened to whole UTF-8
// sequences, sorted and merged.
func cleanSpans(text string, spans []Span) []Span {
	clean := make([]Span, 0, len(spans))
	for _, s := range spans {
		s.Start, s.End = max(s.Start, 0), min(s.End, len(text))
		if s.Start >= s.End {
			continue
		}
		for s.Start > 0 && !utf8.RuneStart(text[s.Start]) {
			s.Start--
		}
		for s.End < len(text) && !utf8.RuneStart(text[s.End]) {
			s.End++
		}
		clean = append(clean, s)
	}
	return mergeSpans(clean)
}

// mergeSpans sorts spans and merges those that overlap or touch. It
// reuses the backing array of spans.
func mergeSpans(spans []Span) []Span {
	if len(spans) == 0 {
		return nil
	}
	slices.SortFunc(spans, func(a, b Span) int {
		if a.Start != b.Start {
			return a.Start - b.Start
		}
		return a.End - b.End
	})
	merged := spans[:1]
	for _, s := range spans[1:] {
		last := &merged[len(merged)-1]
		if s.Start <= last.End {
			last.End = max(last.End, s.End)
			continue
		}
		merged = append(merged, s)
	}
	return merged
}

// snippetWindow returns the byte range of the window of SnippetFragments.
// spans are clean (see cleanSpans).
func snippetWindow(text string, spans []Span, width int) (start, end int) {
	if width <= 0 || utf8.RuneCountInString(text) <= width {
		return 0, len(text)
	}

	// offsets[i] is the byte offset of rune i, and offsets[runes] is len(text).
	offsets := make([]int, 0, len(text)+1)
	for i := range text {
		offsets = append(offsets, i)
	}
	runes := len(offsets)
	offsets = append(offsets, len(text))
	runeAt := func(byteOffset int) int {
		i, _ := slices.BinarySearch(offsets, byteOffset)
		return i
	}

	// The best group is the run of spans that fits in width with the most
	// spans, and the first such run wins a tie.
	first, last, best := 0, -1, 0
	j := 0
	for i := range spans {
		j = max(j, i)
		for j+1 < len(spans) && runeAt(spans[j+1].End)-runeAt(spans[i].Start) <= width {
			j++
		}
		if j-i+1 > best {
			first, last, best = i, j, j-i+1
		}
	}
	from, to := 0, 0 // the group, in runes
	if last >= 0 {
		from, to = runeAt(spans[first].Start), runeAt(spans[last].End)
	}
	if to-from > width {
		to = from + width
	}

	// Widen the group evenly, moving what does not fit at one end of the
	// text to the other end.
	before := (width - (to - from)) / 2
	lo, hi := from-before, to+(width-(to-from)-before)
	if lo < 0 {
		hi, lo = hi-lo, 0
	}
	if hi > runes {
		lo, hi = max(lo-(hi-runes), 0), runes
	}

	// End at spaces where the text has them outside the group, so that
	// no word is cut.
	isSpace := func(i int) bool {
		r, _ := utf8.DecodeRuneInString(text[offsets[i]:])
		return unicode.IsSpace(r)
	}
	if lo > 0 && !isSpace(lo-1) {
		i := lo
		for i < from && !isSpace(i) {
			i++
		}
		if i < from {
			lo = i
		}
	}
	for lo < from && isSpace(lo) {
		lo++
	}
	if hi < runes && !isSpace(hi) {
		i := hi
		for i > to && !isSpace(i-1) {
			i--
		}
		if i > to {
			hi = i
		}
	}
	for hi > to && isSpace(hi-1) {
		hi--
	}
	return offsets[lo], offsets[hi]
}
