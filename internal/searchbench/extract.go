package searchbench

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The SQLite side cannot call package index's phone and money scanners,
// which are not exported, so this file implements the rules that package
// index documents, for the SQLite side tables:
//
//   - A phone number is a run of digit groups joined by one to three of
//     space, no-break space, ".", "-", "(" and ")", optionally after "+" or
//     "(+", with no ASCII letter or digit touching the run. The run is read
//     as one or more numbers back to back, longest first. A number is a
//     10-digit mobile (03, 05, 07, 08, 09), an 11-digit landline (02), an
//     11-digit pre-2018 mobile, or a 1800/1900 hotline of 8 or 10 digits,
//     after "+84" or a leading "84" is replaced by "0". Mobiles and
//     landlines are stored in E.164, hotlines as digits, and a pre-2018
//     mobile under both its old and its current E.164 form.
//   - An amount is a number, at most one space, and a unit (k, tr, triệu,
//     nghìn, ngàn, đ, đồng, VND, tỷ, củ), not touching a letter or digit.
//     "." or "," groups thousands, but one followed by other than three
//     digits is a decimal separator. Digits right after k, tr or tỷ are a
//     fraction of the unit ("1tr5" is 1,500,000).
//
// The benchmark compares the hit counts of both engines on every query,
// so a difference between these rules and package index shows up there.

// oldMobileToCurrent maps the first four digits of a pre-2018 11-digit
// mobile number to the three digits that replaced them in 2018.
var oldMobileToCurrent = map[string]string{
	"0120": "070", "0121": "079", "0122": "077", "0126": "076", "0128": "078",
	"0123": "083", "0124": "084", "0125": "085", "0127": "081", "0129": "082",
	"0162": "032", "0163": "033", "0164": "034", "0165": "035", "0166": "036",
	"0167": "037", "0168": "038", "0169": "039",
	"0186": "056", "0188": "058", "0199": "059",
}

// maxNumberDigits is the longest number: 84 and an 11-digit number without
// its leading 0.
const maxNumberDigits = 12

// extractPhones returns the normalised phone numbers in text, each as
// many times as it is written.
func extractPhones(text string) []string {
	var out []string
	for i := 0; i < len(text); i++ {
		c := text[i]
		if !isDigit(c) && c != '+' && c != '(' {
			continue
		}
		if i > 0 && isASCIIAlnum(text[i-1]) {
			for i+1 < len(text) && isASCIIAlnum(text[i+1]) {
				i++
			}
			continue
		}
		groups, plus, end := readDigitRun(text, i)
		if groups == nil {
			continue
		}
		i = end - 1
		if end < len(text) && isASCIIAlnum(text[end]) {
			continue
		}
		if numbers, ok := splitNumbers(groups, plus, nil); ok {
			out = append(out, numbers...)
		}
	}
	return out
}

// readDigitRun reads the digit groups of the run at text[start] and
// returns them, whether the run starts with "+", and the offset after its
// last digit. groups is nil when no digit follows the opening "(" or "+".
func readDigitRun(text string, start int) (groups []string, plus bool, end int) {
	i := start
	if i < len(text) && text[i] == '(' {
		i++
	}
	if i < len(text) && text[i] == '+' {
		plus = true
		i++
	}
	if i >= len(text) || !isDigit(text[i]) {
		return nil, false, start + 1
	}
	for {
		from := i
		for i < len(text) && isDigit(text[i]) {
			i++
		}
		groups = append(groups, text[from:i])
		end = i
		next := i
		for separators := 0; next < len(text) && separators < 3; separators++ {
			size := separatorSize(text, next)
			if size == 0 {
				break
			}
			next += size
		}
		if next == i || next >= len(text) || !isDigit(text[next]) {
			return groups, plus, end
		}
		i = next
	}
}

// separatorSize returns the byte length of the phone separator at
// text[i], or 0 when there is none.
func separatorSize(text string, i int) int {
	switch {
	case strings.IndexByte(" .-()", text[i]) >= 0:
		return 1
	case strings.HasPrefix(text[i:], "\u00a0"):
		return len("\u00a0")
	}
	return 0
}

// splitNumbers reads groups as numbers back to back, each of whole groups,
// preferring the longest number first. It returns false when some group
// cannot be part of a number.
func splitNumbers(groups []string, plus bool, numbers []string) ([]string, bool) {
	if len(groups) == 0 {
		return numbers, true
	}
	for last := len(groups); last >= 1; last-- {
		digits := strings.Join(groups[:last], "")
		if len(digits) > maxNumberDigits {
			continue
		}
		found := normalizeNumber(digits, plus)
		if found == nil {
			continue
		}
		if out, ok := splitNumbers(groups[last:], false, append(numbers, found...)); ok {
			return out, true
		}
	}
	return nil, false
}

// normalizeNumber returns the stored forms of the number that digits
// write, or nil when they are not a Vietnamese phone number.
func normalizeNumber(digits string, plus bool) []string {
	national := digits
	switch {
	case plus:
		if !strings.HasPrefix(digits, "84") {
			return nil
		}
		national = "0" + strings.TrimPrefix(digits[2:], "0")
	case strings.HasPrefix(digits, "84") && (len(digits) == 11 || len(digits) == 12) && digits[2] != '0':
		national = "0" + digits[2:]
	case strings.HasPrefix(digits, "1800") || strings.HasPrefix(digits, "1900"):
		if len(digits) == 8 || len(digits) == 10 {
			return []string{digits}
		}
		return nil
	}
	if len(national) < 10 || national[0] != '0' {
		return nil
	}
	switch {
	case len(national) == 10 && strings.IndexByte("35789", national[1]) >= 0:
		return []string{"+84" + national[1:]}
	case len(national) == 11 && national[1] == '2':
		return []string{"+84" + national[1:]}
	case len(national) == 11:
		if current, ok := oldMobileToCurrent[national[:4]]; ok {
			return []string{"+84" + current[1:] + national[4:], "+84" + national[1:]}
		}
	}
	return nil
}

// e164ToQuery returns a number as a user types it in a phone: query: the
// national form of an E.164 number, or a hotline's digits.
func e164ToQuery(number string) string {
	if rest, ok := strings.CutPrefix(number, "+84"); ok {
		return "0" + rest
	}
	return number
}

// moneyPattern matches a number and its unit. Boundaries and the fraction
// after k, tr and tỷ are checked in extractAmounts. Longer units come
// first, so that "triệu" is not read as "tr".
var moneyPattern = regexp.MustCompile(`(?i)(\d{1,3}(?:\.\d{3})+|\d{1,3}(?:,\d{3})+|\d+(?:[.,]\d{1,2})?)( |\x{a0})?(triệu|trieu|tr|nghìn|nghin|ngàn|ngan|vnđ|vnd|đồng|dong|đ|₫|d|tỷ|tỉ|ty|củ|k)`)

// moneyUnits maps a lowercased unit to its value in VND and whether digits
// right after it are a fraction of it.
var moneyUnits = map[string]struct {
	value    int64
	fraction bool
}{
	"k": {1_000, true}, "nghìn": {1_000, false}, "nghin": {1_000, false},
	"ngàn": {1_000, false}, "ngan": {1_000, false},
	"tr": {1_000_000, true}, "triệu": {1_000_000, false}, "trieu": {1_000_000, false},
	"củ": {1_000_000, false},
	"tỷ": {1_000_000_000, true}, "tỉ": {1_000_000_000, true}, "ty": {1_000_000_000, true},
	"đ": {1, false}, "₫": {1, false}, "d": {1, false}, "đồng": {1, false}, "dong": {1, false},
	"vnđ": {1, false}, "vnd": {1, false},
}

// extractAmounts returns the amounts in VND that text writes, each as
// many times as it is written.
func extractAmounts(text string) []int64 {
	var out []int64
	for _, loc := range moneyPattern.FindAllStringSubmatchIndex(text, -1) {
		start, end := loc[0], loc[1]
		if start > 0 && isASCIIAlnum(text[start-1]) {
			continue
		}
		number := text[loc[2]:loc[3]]
		spaced := loc[4] >= 0
		unitName := strings.ToLower(text[loc[6]:loc[7]])
		unit := moneyUnits[unitName]

		fraction := ""
		if unit.fraction && !spaced {
			digitsEnd := end
			for digitsEnd < len(text) && isDigit(text[digitsEnd]) {
				digitsEnd++
			}
			fraction, end = text[end:digitsEnd], digitsEnd
		}
		if r, _ := utf8.DecodeRuneInString(text[end:]); end < len(text) && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)) {
			continue
		}

		integer, decimals, ok := parseMoneyNumber(number)
		if !ok {
			continue
		}
		if decimals != "" {
			if fraction != "" {
				continue
			}
			fraction = decimals
		}
		amount := integer * unit.value
		scale := int64(1)
		for k := 0; k < len(fraction) && scale < unit.value; k++ {
			scale *= 10
			amount += int64(fraction[k]-'0') * unit.value / scale
		}
		if unitName == "d" && amount < 1000 {
			continue
		}
		out = append(out, amount)
	}
	return out
}

// parseMoneyNumber reads "1.500.000", "1,500,000", "2,3", "1.5" or "350"
// as an integer part and decimal digits.
func parseMoneyNumber(s string) (integer int64, decimals string, ok bool) {
	if i := strings.IndexAny(s, ".,"); i >= 0 {
		groups := strings.FieldsFunc(s, func(r rune) bool { return r == '.' || r == ',' })
		if len(groups) == 2 && len(groups[1]) != 3 {
			s, decimals = groups[0], groups[1]
		} else {
			s = strings.Join(groups, "")
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	return v, decimals, err == nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isASCIIAlnum(c byte) bool {
	return isDigit(c) || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
