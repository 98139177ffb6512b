package index

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// moneyOperators are the comparisons that may follow "money" instead of a
// colon, longest first.
var moneyOperators = []string{">=", "<=", ">", "<", "="}

// moneyOperator returns the comparison that follows "money", in any case,
// at the start of word, as in "money>=1tr".
func moneyOperator(word string) (string, bool) {
	if len(word) <= len("money") || !strings.EqualFold(word[:len("money")], "money") {
		return "", false
	}
	for _, operator := range moneyOperators {
		if strings.HasPrefix(word[len("money"):], operator) {
			return operator, true
		}
	}
	return "", false
}

// parseMoneyField parses the value of a money field whose name ends at byte
// offset nameEnd and is followed by operator (":" or a comparison). The
// value is an amount written as in a message, a unit being optional: a
// bare number is in VND. After "money:" it may also be a range a..b, with
// either end left out. A value with spaces, such as "1 tỷ", is read whole
// when the word after the space is a unit, or may be quoted.
func (p *parser) parseMoneyField(nameEnd int, operator string) (*node, error) {
	valueStart := nameEnd + len(operator)
	expected := fmt.Sprintf("an amount such as 350k, 1tr5 or 1.500.000đ after %q", "money"+operator)
	if operator == ":" {
		expected = `an amount such as 350k or a range such as 1tr..2tr after "money:"`
	}

	p.pos = valueStart
	if p.peek() == '"' {
		value, err := p.parseQuoted()
		if err != nil {
			return nil, err
		}
		trimmed := strings.TrimSpace(value)
		low, high, n, ok := readMoneyBounds(trimmed, operator)
		if !ok || n != len(trimmed) {
			return nil, &SyntaxError{Pos: p.column(valueStart), Expected: expected, Got: fmt.Sprintf("%q", value)}
		}
		return moneyNode(low, high), nil
	}

	low, high, n, ok := readMoneyBounds(p.src[valueStart:], operator)
	end := valueStart + n
	if ok && !endsQueryWord(p.src[end:]) {
		ok = false
	}
	if !ok {
		return nil, p.errorAt(valueStart, expected)
	}
	p.pos = end
	return moneyNode(low, high), nil
}

// readMoneyBounds reads the amounts at the start of s and returns the
// amounts in VND that they select, both bounds included, with the byte
// length read. A range written high end first is read as if swapped. The
// bounds may select nothing, as money<0 does.
func readMoneyBounds(s, operator string) (low, high int64, n int, ok bool) {
	readAmount := func(i int) (int64, int, bool) {
		if i >= len(s) || !isDigit(s[i]) {
			return 0, i, false
		}
		return readMoney(s, i, false)
	}

	if operator == ":" && strings.HasPrefix(s, "..") {
		high, n, ok = readAmount(len(".."))
		return 0, high, n, ok
	}
	amount, n, ok := readAmount(0)
	if !ok {
		return 0, 0, 0, false
	}
	switch operator {
	case ">=":
		return amount, maxMoney, n, true
	case ">":
		return amount + 1, maxMoney, n, true
	case "<=":
		return 0, amount, n, true
	case "<":
		return 0, amount - 1, n, true
	case "=":
		return amount, amount, n, true
	}

	if !strings.HasPrefix(s[n:], "..") {
		return amount, amount, n, true
	}
	rangeEnd := n + len("..")
	if endsQueryWord(s[rangeEnd:]) {
		return amount, maxMoney, rangeEnd, true
	}
	other, n, ok := readAmount(rangeEnd)
	if !ok {
		return 0, 0, 0, false
	}
	return min(amount, other), max(amount, other), n, true
}

func moneyNode(low, high int64) *node {
	return &node{kind: nodeField, field: "money", text: fmt.Sprintf("%d..%d", low, high), low: low, high: high}
}

// endsQueryWord reports whether s is empty or starts with a space, a
// parenthesis or a double quote, which end a word of a query.
func endsQueryWord(s string) bool {
	if s == "" {
		return true
	}
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsSpace(r) || r == '(' || r == ')' || r == '"'
}

// parseCardField parses the value of a card: field, which starts at byte
// offset valueStart: a quoted card number or the card number written from
// valueStart on, spaces included. An error names only the count of digits
// in the value, so that the error does not contain the card number.
func (p *parser) parseCardField(valueStart int) (*node, error) {
	expected := fmt.Sprintf(`a card number of %d to %d digits that passes the Luhn check after "card:"`, minCardDigits, maxCardDigits)
	return p.parseDigitsField(valueStart, "card", expected, parseCardPrefix)
}

// parseBankField parses the value of a bank: field, which starts at byte
// offset valueStart: a quoted account number or the account number written
// from valueStart on, spaces included. Errors, as for card:, name only the
// count of digits.
//
// NOTE: an unquoted number followed by a word of digits ("bank:012345678
// 2024") is read as one number when the two fit in maxBankDigits.
func (p *parser) parseBankField(valueStart int) (*node, error) {
	expected := fmt.Sprintf(`a bank account number of %d to %d digits after "bank:"`, minBankDigits, maxBankDigits)
	return p.parseDigitsField(valueStart, "bank", expected, parseBankPrefix)
}

// parseDigitsField parses a field whose value parsePrefix normalises to its
// digits.
func (p *parser) parseDigitsField(valueStart int, field, expected string, parsePrefix func(string) (string, int, bool)) (*node, error) {
	p.pos = valueStart
	if p.peek() == '"' {
		value, err := p.parseQuoted()
		if err != nil {
			return nil, err
		}
		trimmed := strings.TrimSpace(value)
		digits, n, ok := parsePrefix(trimmed)
		if !ok || n != len(trimmed) {
			return nil, &SyntaxError{Pos: p.column(valueStart), Expected: expected, Got: describeDigits(value)}
		}
		return &node{kind: nodeField, field: field, text: digits}, nil
	}

	digits, n, ok := parsePrefix(p.src[valueStart:])
	end := valueStart + n
	if !ok || !endsQueryWord(p.src[end:]) {
		word := p.src[valueStart:]
		if i := strings.IndexFunc(word, func(r rune) bool { return unicode.IsLetter(r) || r == '(' || r == ')' || r == '"' }); i >= 0 {
			word = word[:i]
		}
		if strings.TrimSpace(word) == "" {
			return nil, p.errorAt(valueStart, expected)
		}
		return nil, &SyntaxError{Pos: p.column(valueStart), Expected: expected, Got: describeDigits(word)}
	}
	p.pos = end
	return &node{kind: nodeField, field: field, text: digits}, nil
}

// describeDigits describes a card or account value for an error without
// quoting it.
func describeDigits(value string) string {
	count := 0
	for i := 0; i < len(value); i++ {
		if isDigit(value[i]) {
			count++
		}
	}
	return fmt.Sprintf("a value with %d digits", count)
}

// urlQueryTerms returns the attrs terms that the value of a url: field
// matches, or false when it is no link or host. A host alone matches every
// link to that host. A link written without a scheme matches it with
// either http or https.
func urlQueryTerms(value string) ([]string, bool) {
	value = trimLinkEnd(value)
	if value == "" {
		return nil, false
	}
	if !strings.ContainsAny(value, "/?#@:") {
		host := lowerASCII(value)
		if !validHost(host) {
			return nil, false
		}
		return []string{attrURLHost + host}, true
	}

	link, ok := normalizeURL(value)
	if !ok {
		return nil, false
	}
	lower := lowerASCII(value)
	if strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://") {
		return []string{attrURL + link.url}, true
	}
	withoutScheme := strings.TrimPrefix(link.url, "http://")
	return []string{attrURL + "http://" + withoutScheme, attrURL + "https://" + withoutScheme}, true
}
