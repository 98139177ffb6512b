package index

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Payment card numbers and bank account numbers are indexed as attrs terms
// of their digits, with the attrCard and attrBank prefixes, so that
// card:4111 1111 1111 1111 finds the number however it was grouped.
//
// A card number is a run of 13 to 19 digits, grouped or not by single
// spaces or dashes, that passes the Luhn check (ISO/IEC 7812-1). A bank
// account number is a run of 6 to 19 digits, grouped by single spaces, dots
// or dashes, that follows one of the words in bankKeywords.
//
// NOTE: the terms contain whole card numbers in plain text, as the text
// field already contains their digit groups, so anyone with read access to
// the index folder can read them.

const (
	minCardDigits = 13
	maxCardDigits = 19
	minBankDigits = 6
	maxBankDigits = 19
	// maxGroupedDigits bounds the digits read from a run. A longer run is
	// neither a card nor an account number.
	maxGroupedDigits = 24
)

// groupedDigits is a run of digit groups, such as "4111 1111 1111 1111".
type groupedDigits struct {
	digits [maxGroupedDigits]byte
	count  int // digits in use
	// groupEnds holds, for each group, the count of digits up to its end
	// and the byte offset after it.
	groupEnds [maxGroupedDigits][2]int
	groups    int
	// overflow is set when the run has more than maxGroupedDigits digits.
	overflow bool
	end      int // byte offset after the last digit read
}

// readGroupedDigits reads the run that starts at text[start], a digit.
// Groups are separated by exactly one of the bytes in separators, or by a
// no-break space when separators has a space.
func readGroupedDigits(text string, start int, separators string) groupedDigits {
	var run groupedDigits
	i := start
	for {
		for i < len(text) && isDigit(text[i]) {
			if run.count == maxGroupedDigits {
				run.overflow = true
				for i < len(text) && isDigit(text[i]) {
					i++
				}
				run.end = i
				return run
			}
			run.digits[run.count] = text[i]
			run.count++
			i++
		}
		run.groupEnds[run.groups] = [2]int{run.count, i}
		run.groups++
		run.end = i

		size := 0
		switch {
		case i < len(text) && strings.IndexByte(separators, text[i]) >= 0:
			size = 1
		case strings.IndexByte(separators, ' ') >= 0:
			size = spaceSize(text, i)
		}
		if size == 0 || i+size >= len(text) || !isDigit(text[i+size]) {
			return run
		}
		i += size
	}
}

// luhnValid reports whether digits pass the Luhn check.
func luhnValid(digits []byte) bool {
	sum := 0
	double := false
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// cardDigits returns the card number that run writes and the byte offset
// after it. The whole run must be the card number, except that a run that
// starts with four groups of four digits may continue, as in
// "4111 1111 1111 1111 12/25".
func (run *groupedDigits) cardDigits() ([]byte, int, bool) {
	if run.overflow {
		return nil, 0, false
	}
	if run.count >= minCardDigits && run.count <= maxCardDigits && luhnValid(run.digits[:run.count]) {
		return run.digits[:run.count], run.end, true
	}
	if run.groups > 4 {
		for g := 0; g < 4; g++ {
			if run.groupEnds[g][0] != 4*(g+1) {
				return nil, 0, false
			}
		}
		if digits := run.digits[:16]; luhnValid(digits) {
			return digits, run.groupEnds[3][1], true
		}
	}
	return nil, 0, false
}

// scanCards calls emit with the digits of each card number in text. A
// number must not touch an ASCII letter or digit on either side. The scan
// is one pass over the bytes of text and allocates only for the numbers it
// finds.
func scanCards(text string, emit func(string)) {
	for i := 0; i < len(text); i++ {
		if !isDigit(text[i]) {
			continue
		}
		if i > 0 && isASCIIAlnum(text[i-1]) {
			for i+1 < len(text) && isASCIIAlnum(text[i+1]) {
				i++
			}
			continue
		}
		run := readGroupedDigits(text, i, " -")
		i = run.end - 1
		if run.end < len(text) && isASCIIAlnum(text[run.end]) {
			continue
		}
		if digits, _, ok := run.cardDigits(); ok {
			emit(string(digits))
		}
	}
}

// parseCardPrefix reads the card number at the start of s, as written in a
// query, and returns its digits with the byte length it takes.
func parseCardPrefix(s string) (string, int, bool) {
	if s == "" || !isDigit(s[0]) {
		return "", 0, false
	}
	run := readGroupedDigits(s, 0, " -")
	digits, end, ok := run.cardDigits()
	if !ok {
		return "", 0, false
	}
	return string(digits), end, true
}

// bankKeywords are the words that introduce a bank account number, matched
// without regard to case. "stk" and "tk" abbreviate "số tài khoản".
//
// NOTE: only NFC "số tài khoản" is matched, and a bank name between the
// keyword and the number ("stk VCB 0123456789") hides the number.
var bankKeywords = []string{"số tài khoản", "so tai khoan", "stk", "tk"}

// maxBankGap bounds the separators between a keyword and its number, as in
// "STK: 0123".
const maxBankGap = 4

// scanBankAccounts calls emit with the digits of each bank account number
// in text that follows a word in bankKeywords.
func scanBankAccounts(text string, emit func(string)) {
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case 's', 'S', 't', 'T':
		default:
			continue
		}
		if i > 0 && startsWordBefore(text, i) {
			continue
		}
		keywordEnd := matchBankKeyword(text, i)
		if keywordEnd < 0 {
			continue
		}
		i = keywordEnd - 1

		start := skipBankGap(text, keywordEnd)
		// "số tài khoản là 0123…"
		for _, word := range []string{"là ", "la "} {
			if len(text)-start >= len(word) && strings.EqualFold(text[start:start+len(word)], word) {
				start = skipBankGap(text, start+len(word))
			}
		}
		if start >= len(text) || !isDigit(text[start]) {
			continue
		}

		run := readGroupedDigits(text, start, " .-")
		i = run.end - 1
		if run.overflow || startsWithLetterOrDigit(text[run.end:]) {
			continue
		}
		if digits, _, ok := run.bankDigits(); ok {
			emit(string(digits))
		}
	}
}

// startsWordBefore reports whether the character before text[i] is a
// letter or a digit, so that text[i] does not start a word.
func startsWordBefore(text string, i int) bool {
	r, _ := utf8.DecodeLastRuneInString(text[:i])
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// matchBankKeyword returns the byte offset after the keyword at text[i],
// or -1 when none is there or the keyword continues as a longer word.
func matchBankKeyword(text string, i int) int {
	for _, keyword := range bankKeywords {
		end := i + len(keyword)
		if end > len(text) || !strings.EqualFold(text[i:end], keyword) {
			continue
		}
		if end < len(text) && !isDigit(text[end]) && startsWithLetterOrDigit(text[end:]) {
			continue
		}
		return end
	}
	return -1
}

// skipBankGap returns the offset after at most maxBankGap spaces, colons,
// dashes, dots or "#" from text[i].
func skipBankGap(text string, i int) int {
	for n := 0; n < maxBankGap && i < len(text); n++ {
		switch text[i] {
		case ' ', ':', '-', '.', '#':
			i++
			continue
		}
		if size := spaceSize(text, i); size > 0 {
			i += size
			continue
		}
		break
	}
	return i
}

// bankDigits returns the account number that run writes and the byte
// offset after it: the whole run, or its first group when the run is
// longer than any account number.
func (run *groupedDigits) bankDigits() ([]byte, int, bool) {
	if run.overflow {
		return nil, 0, false
	}
	n, end := run.count, run.end
	if n > maxBankDigits {
		n, end = run.groupEnds[0][0], run.groupEnds[0][1]
	}
	if n < minBankDigits || n > maxBankDigits {
		return nil, 0, false
	}
	return run.digits[:n], end, true
}

// parseBankPrefix reads the bank account number at the start of s, as
// written in a query, and returns its digits with the byte length it takes.
func parseBankPrefix(s string) (string, int, bool) {
	if s == "" || !isDigit(s[0]) {
		return "", 0, false
	}
	run := readGroupedDigits(s, 0, " .-")
	digits, end, ok := run.bankDigits()
	if !ok {
		return "", 0, false
	}
	return string(digits), end, true
}
