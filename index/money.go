package index

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Amounts of money written the Vietnamese chat way are indexed in VND as
// attrs terms with the attrMoney prefix and a zero-padded value of
// moneyTermDigits digits, such as "money:0000000000350000". Terms of equal
// width sort as their values do, so a money range query is one bleve
// TermRangeQuery over the attrs field, and the prefix keeps the range
// inside the money terms.
//
// An amount is a number followed by a unit, with at most one space between
// them: "350k", "1tr5", "2,3tr", "1.500.000đ", "1,500,000 VND", "1,5 triệu",
// "500 nghìn", "2 tỷ", "1 củ". A number without a unit is not an amount.
// The number may group thousands with "." or "," ("1.500.000"), and one
// "." or "," followed by other than three digits is a decimal separator
// ("2,3"). Digits right after k, tr or tỷ are a decimal fraction of that
// unit: "1tr5" is 1,500,000 and "2k5" is 2,500.

const (
	// maxMoney caps amounts at 10^15 VND, so that a long digit run is not
	// read as an amount and every amount fits moneyTermDigits.
	maxMoney = 1_000_000_000_000_000
	// moneyTermDigits is the width of a money term's value: maxMoney has
	// 16 digits.
	moneyTermDigits = 16
	// maxMoneyGroups bounds the groups of a number such as "1.500.000".
	maxMoneyGroups = 6
	// minPlainDAmount is the smallest amount written with a bare ASCII "d"
	// ("50.000d"), so that "3d" or "2d" (3D, 2 days) is not read as money.
	minPlainDAmount = 1000
)

// moneyUnit is a word that makes a number an amount.
type moneyUnit struct {
	multiplier int64
	// fraction is set when digits may follow the unit as a decimal
	// fraction of it, as in "1tr5".
	fraction bool
	// minAmount is the smallest amount accepted with the unit.
	minAmount int64
}

// asciiMoneyUnits are the units written in ASCII, compared without regard
// to case.
var asciiMoneyUnits = map[string]moneyUnit{
	"k":     {multiplier: 1_000, fraction: true},
	"nghin": {multiplier: 1_000},
	"ngan":  {multiplier: 1_000},
	"tr":    {multiplier: 1_000_000, fraction: true},
	"trieu": {multiplier: 1_000_000},
	"ty":    {multiplier: 1_000_000_000, fraction: true},
	"d":     {multiplier: 1, minAmount: minPlainDAmount},
	"dong":  {multiplier: 1},
	"vnd":   {multiplier: 1},
}

// markedMoneyUnits are the units with diacritics, keyed by their exact form
// (see Exact), so that NFC and NFD text and any case match.
//
// NOTE: "củ" (slang for a million) is recognised only with its hỏi tone,
// because the unmarked "cu" and "cũ" (old) are common words; the same holds
// for "tỉ".
var markedMoneyUnits = map[string]moneyUnit{
	"nghin~2": {multiplier: 1_000},                         // nghìn
	"ngan~2":  {multiplier: 1_000},                         // ngàn
	"triêu~5": {multiplier: 1_000_000},                     // triệu
	"cu~3":    {multiplier: 1_000_000},                     // củ
	"ty~3":    {multiplier: 1_000_000_000, fraction: true}, // tỷ
	"ti~3":    {multiplier: 1_000_000_000, fraction: true}, // tỉ
	"đ":       {multiplier: 1},
	"đông~2":  {multiplier: 1}, // đồng
	"vnđ":     {multiplier: 1},
	"₫":       {multiplier: 1},
}

// moneyNumber is a number as written before a unit.
type moneyNumber struct {
	integer  int64
	fraction string // decimal digits after the separator, if any
	end      int    // byte offset after the last digit
}

// readMoneyNumber reads the number that starts at text[start], a digit. It
// returns false when the groups follow no grouping rule or the integer part
// is more than maxMoney.
func readMoneyNumber(text string, start int) (moneyNumber, bool) {
	var groups [maxMoneyGroups][2]int
	var separators [maxMoneyGroups + 1]byte
	count := 0
	i := start
	for {
		groupStart := i
		for i < len(text) && isDigit(text[i]) {
			i++
		}
		if count == maxMoneyGroups {
			return moneyNumber{end: i}, false
		}
		groups[count] = [2]int{groupStart, i}
		count++
		if i+1 < len(text) && (text[i] == '.' || text[i] == ',') && isDigit(text[i+1]) {
			separators[count] = text[i]
			i++
			continue
		}
		break
	}
	number := moneyNumber{end: i}
	group := func(g int) string { return text[groups[g][0]:groups[g][1]] }

	// The groups before the decimal separator, if there is one.
	thousands := count
	switch {
	case count == 2 && len(group(1)) != 3:
		thousands = 1
	case count > 2 && separators[count-1] != separators[1]:
		thousands = count - 1
	}
	if thousands < count {
		number.fraction = group(count - 1)
	}
	if thousands > 1 && len(group(0)) > 3 {
		return number, false
	}
	var digits [moneyTermDigits + 1]byte
	n := 0
	for g := 0; g < thousands; g++ {
		if g > 0 && (len(group(g)) != 3 || separators[g] != separators[1]) {
			return number, false
		}
		if n+len(group(g)) > len(digits) {
			return number, false
		}
		n += copy(digits[n:], group(g))
	}
	value, err := strconv.ParseInt(string(digits[:n]), 10, 64)
	if err != nil || value > maxMoney {
		return number, false
	}
	number.integer = value
	return number, true
}

// readMoneyUnit reads the unit word at text[i] and returns it with the byte
// offset after it. A unit word ends at a character that is not a letter or
// a combining mark, so "kg" is no unit.
func readMoneyUnit(text string, i int) (moneyUnit, int, bool) {
	if strings.HasPrefix(text[i:], "₫") {
		return markedMoneyUnits["₫"], i + len("₫"), true
	}
	end, ascii := i, true
	for end < len(text) {
		r, size := utf8.DecodeRuneInString(text[end:])
		if !unicode.IsLetter(r) && !unicode.Is(unicode.Mn, r) {
			break
		}
		if r >= utf8.RuneSelf {
			ascii = false
		}
		end += size
	}
	if end == i || end-i > len("triệu")+4 {
		return moneyUnit{}, 0, false
	}
	word := text[i:end]
	var unit moneyUnit
	var ok bool
	if ascii {
		unit, ok = asciiMoneyUnits[lowerASCII(word)]
	} else {
		unit, ok = markedMoneyUnits[Exact(word)]
	}
	return unit, end, ok
}

// readMoney reads an amount at text[start], a digit. When unitRequired is
// false, a number without a unit is an amount in VND. It returns the
// amount in VND and the byte offset after it, or false when there is no
// amount within maxMoney there. end is set even then, past the number.
func readMoney(text string, start int, unitRequired bool) (amount int64, end int, ok bool) {
	number, ok := readMoneyNumber(text, start)
	if !ok {
		return 0, number.end, false
	}
	end = number.end

	unitStart := end
	if size := spaceSize(text, unitStart); size > 0 {
		unitStart += size
	}
	unit, unitEnd, found := moneyUnit{multiplier: 1}, end, false
	if unitStart < len(text) {
		if u, e, ok := readMoneyUnit(text, unitStart); ok {
			unit, unitEnd, found = u, e, true
		}
	}
	if !found && unitRequired {
		return 0, end, false
	}
	end = unitEnd

	fraction := number.fraction
	if found && unit.fraction && unitStart == number.end && fraction == "" {
		// "1tr5": digits right after the unit are its decimal fraction.
		digitsEnd := end
		for digitsEnd < len(text) && isDigit(text[digitsEnd]) {
			digitsEnd++
		}
		fraction = text[end:digitsEnd]
		end = digitsEnd
	}

	if number.integer > maxMoney/unit.multiplier {
		return 0, end, false
	}
	amount = number.integer * unit.multiplier
	// Only the fraction digits that can change the amount in whole VND are
	// read, so the arithmetic stays within int64.
	scale := int64(1)
	for i := 0; i < len(fraction) && scale < unit.multiplier; i++ {
		scale *= 10
		amount += int64(fraction[i]-'0') * unit.multiplier / scale
	}
	if amount > maxMoney || amount < unit.minAmount {
		return 0, end, false
	}
	return amount, end, true
}

// spaceSize returns the byte length of the space or no-break space at
// text[i], or 0 when there is none.
func spaceSize(text string, i int) int {
	if i < len(text) && text[i] == ' ' {
		return 1
	}
	if strings.HasPrefix(text[i:], "\u00a0") {
		return len("\u00a0")
	}
	return 0
}

// scanMoney calls emit with each amount in VND that text writes. An amount
// must not touch an ASCII letter or digit before it, nor a letter or digit
// after it. The scan is one pass over the bytes of text and allocates only
// to look up a unit word with diacritics.
func scanMoney(text string, emit func(int64)) {
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
		amount, end, ok := readMoney(text, i, true)
		if ok && !startsWithLetterOrDigit(text[end:]) {
			emit(amount)
		}
		i = max(end, i+1) - 1
	}
}

// startsWithLetterOrDigit reports whether s starts with a letter, a digit
// or a combining mark.
func startsWithLetterOrDigit(s string) bool {
	if s == "" {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// appendMoneyTerm appends the fixed-width value of a money term.
func appendMoneyTerm(buf []byte, amount int64) []byte {
	var digits [moneyTermDigits]byte
	for i := len(digits) - 1; i >= 0; i-- {
		digits[i] = byte('0' + amount%10)
		amount /= 10
	}
	return append(buf, digits[:]...)
}

// moneyTerm returns the attrs term of amount.
func moneyTerm(amount int64) string {
	return string(appendMoneyTerm([]byte(attrMoney), amount))
}
