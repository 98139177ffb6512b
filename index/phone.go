package index

import "bytes"

// Vietnamese phone numbers are indexed as attrs terms with the attrPhone
// prefix, so that phone:0912 345 678 finds every way of writing the number.
// A number is recognised in these national forms, after the country code
// 84 is removed from "+84 912 345 678", "(+84) 912345678" or "84912345678":
//
//   - mobile: 10 digits, 03x, 05x, 07x, 08x or 09x;
//   - pre-2018 mobile: 11 digits starting with one of oldMobilePrefixes;
//   - landline: 11 digits starting with 02 (area code 02x, since 2017);
//   - hotline: 1800 or 1900 and 4 or 6 more digits.
//
// Mobile numbers and landlines become E.164 ("+84912345678"), hotlines,
// which have no E.164 form, their digits ("19001234"). A pre-2018 mobile
// number gets two terms: the E.164 form of today's number and the E.164
// form of the old one.
//
// NOTE: 10-digit landlines from before 2017 ("04 3825 1234") are not
// recognised, because their mapping to today's area codes depends on the
// province.

// oldMobilePrefixes maps the first four digits of an 11-digit mobile number
// to the three digits that replaced them when Vietnam renumbered 11-digit
// mobile numbers to 10 digits in 2018.
var oldMobilePrefixes = map[string]string{
	"0120": "070", "0121": "079", "0122": "077", "0126": "076", "0128": "078",
	"0123": "083", "0124": "084", "0125": "085", "0127": "081", "0129": "082",
	"0162": "032", "0163": "033", "0164": "034", "0165": "035", "0166": "036",
	"0167": "037", "0168": "038", "0169": "039",
	"0186": "056", "0188": "058", "0199": "059",
}

// Limits of a digit run. A number has at most 12 digits (84 and an old
// 11-digit number without its 0). A run may hold several numbers back to
// back, and maxRunGroups bounds its groups so that reading it stays cheap.
const (
	maxPhoneDigits    = 12
	maxRunGroups      = 16
	maxSeparatorChars = 3
)

// phoneNumber is one normalised phone number.
type phoneNumber struct {
	// current is the E.164 form of the number as dialled today, or the
	// digits of a hotline.
	current string
	// old is the E.164 form of a pre-2018 11-digit mobile number, and empty
	// for every other number.
	old string
}

// digitRun is a sequence of digit groups joined by separators, as in
// "(+84) 912.345.678".
type digitRun struct {
	// groups holds the byte range [start, end) of each group of digits.
	groups [maxRunGroups][2]int
	count  int
	// plus is set when the run starts with "+" or "(+".
	plus bool
	// overflow is set when the run has more than maxRunGroups groups; the
	// run then holds only the first ones.
	overflow bool
	// end is the byte offset just after the last digit of the run.
	end int
}

// scanDigitRun reads the run that starts at text[start], which is a digit,
// "+" or "(". Groups are separated by 1 to maxSeparatorChars characters
// among space, no-break space, ".", "-", "(" and ")". It returns false when
// no digit follows the opening "(" or "+".
func scanDigitRun(text string, start int) (digitRun, bool) {
	var run digitRun
	i := start
	if i < len(text) && text[i] == '(' {
		i++
	}
	if i < len(text) && text[i] == '+' {
		run.plus = true
		i++
	}
	if i >= len(text) || !isDigit(text[i]) {
		return run, false
	}

	for {
		groupStart := i
		for i < len(text) && isDigit(text[i]) {
			i++
		}
		if run.count < maxRunGroups {
			run.groups[run.count] = [2]int{groupStart, i}
			run.count++
		} else {
			run.overflow = true
		}
		run.end = i

		next, separators := i, 0
		for next < len(text) && separators < maxSeparatorChars {
			if size := phoneSeparatorSize(text, next); size > 0 {
				next += size
				separators++
				continue
			}
			break
		}
		if separators == 0 || next >= len(text) || !isDigit(text[next]) {
			return run, true
		}
		i = next
	}
}

// phoneSeparatorSize returns the byte length of the separator at text[i],
// or 0 when there is none.
func phoneSeparatorSize(text string, i int) int {
	switch text[i] {
	case ' ', '.', '-', '(', ')':
		return 1
	case 0xC2:
		if i+1 < len(text) && text[i+1] == 0xA0 { // U+00A0 no-break space
			return 2
		}
	}
	return 0
}

// groupDigits returns the digits of groups first to last of run, both
// included, in buf, or false when they are more than maxPhoneDigits.
func (run *digitRun) groupDigits(text string, first, last int, buf *[maxPhoneDigits]byte) ([]byte, bool) {
	n := 0
	for g := first; g <= last; g++ {
		group := text[run.groups[g][0]:run.groups[g][1]]
		if n+len(group) > maxPhoneDigits {
			return nil, false
		}
		n += copy(buf[n:], group)
	}
	return buf[:n], true
}

// scanPhones calls emit for each phone number in text. A number is a run
// of digit groups (see scanDigitRun) with no ASCII letter or digit right
// before or after it. A run is read as one or more numbers back to back,
// each of whole groups; a run that cannot be read entirely so, such as a
// card or account number, gives no number at all.
//
// The scan is one pass over the bytes of text. It allocates only for the
// numbers it finds.
//
// NOTE: a run of more than maxRunGroups groups gives no number, so a list
// of many numbers separated only by spaces is not indexed. Commas or words
// between the numbers end the run.
func scanPhones(text string, emit func(phoneNumber)) {
	for i := 0; i < len(text); i++ {
		c := text[i]
		if !isDigit(c) && c != '+' && c != '(' {
			continue
		}
		if i > 0 && isASCIIAlnum(text[i-1]) {
			// Skip the rest of this word, so that its digits do not
			// start a run.
			for i+1 < len(text) && isASCIIAlnum(text[i+1]) {
				i++
			}
			continue
		}
		run, ok := scanDigitRun(text, i)
		if !ok {
			continue
		}
		i = run.end - 1
		if run.overflow || run.end < len(text) && isASCIIAlnum(text[run.end]) {
			continue
		}

		var numbers [maxRunGroups]phoneNumber
		var failed uint32
		if count, ok := splitRun(text, &run, 0, numbers[:0], &failed); ok {
			for _, number := range numbers[:count] {
				emit(number)
			}
		}
	}
}

// splitRun reads groups first to the end of run as numbers back to back,
// preferring the longest number at each step, and appends them to numbers.
// It returns the count of numbers and false when the groups cannot be read
// so. failed has bit g set when the groups from g on cannot be read, so
// each start is tried once.
func splitRun(text string, run *digitRun, first int, numbers []phoneNumber, failed *uint32) (int, bool) {
	if first == run.count {
		return len(numbers), true
	}
	if *failed&(1<<first) != 0 {
		return 0, false
	}
	var buf [maxPhoneDigits]byte
	last := first
	for last+1 < run.count {
		if _, ok := run.groupDigits(text, first, last+1, &buf); !ok {
			break
		}
		last++
	}
	for ; last >= first; last-- {
		digits, ok := run.groupDigits(text, first, last, &buf)
		if !ok {
			// The first group alone is longer than any number.
			continue
		}
		number, ok := normalizePhone(digits, run.plus && first == 0)
		if !ok {
			continue
		}
		if count, ok := splitRun(text, run, last+1, append(numbers, number), failed); ok {
			return count, true
		}
	}
	*failed |= 1 << first
	return 0, false
}

// parsePhonePrefix reads the longest phone number at the start of s, as
// written in a query, and returns it with the byte length it takes.
func parsePhonePrefix(s string) (phoneNumber, int, bool) {
	if s == "" || !isDigit(s[0]) && s[0] != '+' && s[0] != '(' {
		return phoneNumber{}, 0, false
	}
	run, ok := scanDigitRun(s, 0)
	if !ok {
		return phoneNumber{}, 0, false
	}
	var buf [maxPhoneDigits]byte
	for last := run.count - 1; last >= 0; last-- {
		digits, ok := run.groupDigits(s, 0, last, &buf)
		if !ok {
			continue
		}
		if number, ok := normalizePhone(digits, run.plus); ok {
			return number, run.groups[last][1], true
		}
	}
	return phoneNumber{}, 0, false
}

// normalizePhone returns the number that digits write, or false when they
// are not a Vietnamese phone number. plus is set when "+" came before the
// digits, which then must start with the country code 84. It allocates
// only for a number it returns.
func normalizePhone(digits []byte, plus bool) (phoneNumber, bool) {
	var buf [maxPhoneDigits + 1]byte
	national := digits
	switch {
	case plus:
		if !bytes.HasPrefix(digits, []byte("84")) {
			return phoneNumber{}, false
		}
		// "+84 0912 345 678" keeps the trunk 0 by mistake.
		buf[0] = '0'
		national = buf[:1+copy(buf[1:], bytes.TrimPrefix(digits[2:], []byte("0")))]
	case bytes.HasPrefix(digits, []byte("84")) && (len(digits) == 11 || len(digits) == 12) && digits[2] != '0':
		buf[0] = '0'
		national = buf[:1+copy(buf[1:], digits[2:])]
	case bytes.HasPrefix(digits, []byte("1800")) || bytes.HasPrefix(digits, []byte("1900")):
		if len(digits) == 8 || len(digits) == 10 {
			return phoneNumber{current: string(digits)}, true
		}
		return phoneNumber{}, false
	}
	if len(national) < 10 || national[0] != '0' {
		return phoneNumber{}, false
	}

	switch len(national) {
	case 10:
		switch national[1] {
		case '3', '5', '7', '8', '9':
			return phoneNumber{current: "+84" + string(national[1:])}, true
		}
	case 11:
		if national[1] == '2' {
			return phoneNumber{current: "+84" + string(national[1:])}, true
		}
		if prefix, ok := oldMobilePrefixes[string(national[:4])]; ok {
			return phoneNumber{
				current: "+84" + prefix[1:] + string(national[4:]),
				old:     "+84" + string(national[1:]),
			}, true
		}
	}
	return phoneNumber{}, false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isASCIIAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
