package index

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"chatseal/chat"
)

// SyntaxError is a query that cannot be parsed.
type SyntaxError struct {
	// Pos is the 1-based column, counted in characters, where the problem is.
	Pos int
	// Expected describes what the parser expected at Pos.
	Expected string
	// Got describes what it found instead: quoted text from the query, or
	// "end of query".
	Got string
	// Err is the cause when there is one, such as ErrUnknownCustodian.
	Err error
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("query: column %d: expected %s, got %s", e.Pos, e.Expected, e.Got)
}

// Unwrap returns Err.
func (e *SyntaxError) Unwrap() error { return e.Err }

// maxDepth bounds the nesting of parentheses, so that a hostile query cannot
// exhaust the stack.
const maxDepth = 32

// fieldNames lists the query fields in the order an error message names them.
var fieldNames = []string{"from", "to", "account", "conversation", "kind", "source", "has", "tag", "custodian", "phone", "money", "card", "bank", "email", "url", "after", "before"}

type nodeKind uint8

const (
	nodeAnd   nodeKind = iota // every child matches
	nodeOr                    // at least one child matches
	nodeNot                   // the one child does not match
	nodeText                  // a word or a phrase of the message text
	nodeField                 // field:value
)

// node is the syntax tree of a query.
type node struct {
	kind     nodeKind
	children []*node
	// text is the word, the phrase without its quotes, or the field value.
	text   string
	phrase bool
	// literal is set for a word written as =word, which is not expanded
	// as chat shorthand.
	literal bool
	// field is the lowercase field name of a nodeField.
	field string
	// date is the start of the day named by an after: or before: value.
	date time.Time
	// low and high bound a money field's amounts in VND, both included.
	low, high int64
	// column and valueColumn are the 1-based columns of a field's name
	// and value, for errors found after parsing.
	column, valueColumn int
}

type parser struct {
	src string
	pos int // byte offset of the next unread character
	loc *time.Location
}

// parseTree parses the query language that ParseQuery documents.
func parseTree(src string, loc *time.Location) (*node, error) {
	p := &parser{src: src, loc: loc}
	return p.parseSequence(0, -1)
}

// parseSequence parses terms joined by AND up to the end of the query or,
// inside a group, up to its closing parenthesis, which it leaves unread.
// open is the byte offset of the group's opening parenthesis, -1 at the top.
func (p *parser) parseSequence(depth, open int) (*node, error) {
	and := &node{kind: nodeAnd}
	for {
		p.skipSpace()
		if p.eof() {
			if open >= 0 {
				return nil, p.errorAt(p.pos, fmt.Sprintf(`")" to close the group opened at column %d`, p.column(open)))
			}
			break
		}
		if p.peek() == ')' {
			if open < 0 {
				return nil, p.errorAt(p.pos, "a search term or the end of the query")
			}
			break
		}
		// AND between two terms means what the sequence means anyway.
		if p.atOperator("AND") {
			if len(and.children) == 0 {
				return nil, p.errorAt(p.pos, `a search term before "AND"`)
			}
			p.pos += len("AND")
			p.skipSpace()
			if p.eof() || p.peek() == ')' || p.atOperator("OR") || p.atOperator("AND") {
				return nil, p.errorAt(p.pos, `a search term after "AND"`)
			}
		}
		child, err := p.parseOr(depth)
		if err != nil {
			return nil, err
		}
		and.children = append(and.children, child)
	}
	if len(and.children) == 0 {
		return nil, p.errorAt(p.pos, "a search term")
	}
	return and, nil
}

// parseOr parses terms joined by OR. OR binds tighter than the implicit AND,
// as in Gmail: "a b OR c" is a AND (b OR c).
func (p *parser) parseOr(depth int) (*node, error) {
	first, err := p.parseUnary(depth)
	if err != nil {
		return nil, err
	}
	or := &node{kind: nodeOr, children: []*node{first}}
	for {
		save := p.pos
		p.skipSpace()
		if !p.atOperatorOR() {
			p.pos = save
			break
		}
		p.pos += len("OR")
		p.skipSpace()
		if p.eof() || p.peek() == ')' {
			return nil, p.errorAt(p.pos, `a search term after "OR"`)
		}
		next, err := p.parseUnary(depth)
		if err != nil {
			return nil, err
		}
		or.children = append(or.children, next)
	}
	if len(or.children) == 1 {
		return first, nil
	}
	return or, nil
}

// parseUnary parses a term with an optional leading "-" or "NOT ".
func (p *parser) parseUnary(depth int) (*node, error) {
	if p.atOperatorOR() {
		return nil, p.errorAt(p.pos, `a search term before "OR"`)
	}
	if p.atOperator("NOT") {
		p.pos += len("NOT")
		p.skipSpace()
		if p.eof() || p.peek() == ')' || p.peek() == '-' || p.atOperator("OR") || p.atOperator("AND") || p.atOperator("NOT") {
			return nil, p.errorAt(p.pos, `a word, phrase, field or group after "NOT"`)
		}
		child, err := p.parsePrimary(depth)
		if err != nil {
			return nil, err
		}
		return &node{kind: nodeNot, children: []*node{child}}, nil
	}
	if p.peek() != '-' {
		return p.parsePrimary(depth)
	}
	p.pos++
	if p.eof() || p.atSpace() || p.peek() == ')' || p.peek() == '-' {
		return nil, p.errorAt(p.pos, `a word, phrase, field or group after "-"`)
	}
	child, err := p.parsePrimary(depth)
	if err != nil {
		return nil, err
	}
	return &node{kind: nodeNot, children: []*node{child}}, nil
}

// parsePrimary parses a group, a phrase, a field or a word.
func (p *parser) parsePrimary(depth int) (*node, error) {
	switch p.peek() {
	case '(':
		if depth >= maxDepth {
			return nil, p.errorAt(p.pos, fmt.Sprintf("at most %d nested groups", maxDepth))
		}
		open := p.pos
		p.pos++
		inner, err := p.parseSequence(depth+1, open)
		if err != nil {
			return nil, err
		}
		p.pos++ // the ")" that parseSequence stopped at
		return inner, nil
	case '"':
		text, err := p.parseQuoted()
		if err != nil {
			return nil, err
		}
		return &node{kind: nodeText, text: text, phrase: true}, nil
	}

	start := p.pos
	word := p.readWord()
	if operator, ok := moneyOperator(word); ok {
		return p.parseMoneyField(start+len("money"), operator)
	}
	if colon := strings.IndexByte(word, ':'); colon > 0 && isASCIILetters(word[:colon]) && !strings.HasPrefix(word[colon+1:], "//") {
		return p.parseField(start, word[:colon], word[colon+1:])
	}
	if len(word) > 1 && word[0] == '=' {
		return &node{kind: nodeText, text: word[1:], literal: true}, nil
	}
	return &node{kind: nodeText, text: word}, nil
}

// parseField parses the value of the field name, which starts the word at
// byte offset start. rest is what followed the colon in that word; when it
// is empty the value may be a quoted phrase.
func (p *parser) parseField(start int, name, rest string) (*node, error) {
	field := strings.ToLower(name)
	if !isField(field) {
		return nil, &SyntaxError{
			Pos:      p.column(start),
			Expected: "a field among " + strings.Join(fieldNames, ": ") + ":",
			Got:      fmt.Sprintf("%q", name+":"),
		}
	}

	valueStart := start + len(name) + 1
	switch field {
	case "phone":
		return p.parsePhoneField(valueStart)
	case "money":
		return p.parseMoneyField(start+len(name), ":")
	case "card":
		return p.parseCardField(valueStart)
	case "bank":
		return p.parseBankField(valueStart)
	}
	value := rest
	if rest == "" && p.peek() == '"' {
		var err error
		if value, err = p.parseQuoted(); err != nil {
			return nil, err
		}
		if strings.TrimSpace(value) == "" {
			return nil, &SyntaxError{Pos: p.column(valueStart), Expected: fmt.Sprintf("a value after %q", field+":"), Got: "an empty phrase"}
		}
	}
	if value == "" {
		return nil, p.errorAt(valueStart, fmt.Sprintf("a value after %q", field+":"))
	}

	n := &node{kind: nodeField, field: field, text: value, column: p.column(start), valueColumn: p.column(valueStart)}
	switch field {
	case "after", "before":
		date, err := time.ParseInLocation(time.DateOnly, value, p.loc)
		if err != nil || len(value) != len(time.DateOnly) {
			return nil, &SyntaxError{Pos: p.column(valueStart), Expected: fmt.Sprintf("a date YYYY-MM-DD after %q", field+":"), Got: fmt.Sprintf("%q", value)}
		}
		n.date = date
	case "kind":
		n.text = lowerASCII(value)
		if !isKind(n.text) {
			names := make([]string, len(chat.Kinds))
			for i, k := range chat.Kinds {
				names[i] = string(k)
			}
			return nil, &SyntaxError{Pos: p.column(valueStart), Expected: "a message kind among " + strings.Join(names, ", "), Got: fmt.Sprintf("%q", value)}
		}
	case "source":
		n.text = lowerASCII(value)
	case "has":
		n.text = lowerASCII(value)
		if !slices.Contains(hasNames, n.text) {
			return nil, &SyntaxError{Pos: p.column(valueStart), Expected: `one of ` + strings.Join(hasNames, ", ") + ` after "has:"`, Got: fmt.Sprintf("%q", value)}
		}
	case "tag":
		n.text = NormalizeTag(value)
		if n.text == "" {
			return nil, &SyntaxError{Pos: p.column(valueStart), Expected: `a tag after "tag:"`, Got: fmt.Sprintf("%q", value)}
		}
	case "email":
		address, ok := normalizeEmail(strings.TrimSpace(value))
		if !ok {
			return nil, &SyntaxError{Pos: p.column(valueStart), Expected: `an email address after "email:"`, Got: fmt.Sprintf("%q", value)}
		}
		n.text = address
	case "url":
		n.text = strings.TrimSpace(value)
		if _, ok := urlQueryTerms(n.text); !ok {
			return nil, &SyntaxError{Pos: p.column(valueStart), Expected: `a link or a host name after "url:"`, Got: fmt.Sprintf("%q", value)}
		}
	}
	return n, nil
}

// parsePhoneField parses the value of a phone: field, which starts at byte
// offset valueStart. The value is a quoted phone number or the longest
// phone number written from valueStart on, spaces included, so that
// phone:0912 345 678 reads one number. The node's text is the number's
// current form (see phoneNumber).
func (p *parser) parsePhoneField(valueStart int) (*node, error) {
	expected := `a Vietnamese phone number after "phone:"`
	p.pos = valueStart
	if p.peek() == '"' {
		value, err := p.parseQuoted()
		if err != nil {
			return nil, err
		}
		trimmed := strings.TrimSpace(value)
		number, n, ok := parsePhonePrefix(trimmed)
		if !ok || n != len(trimmed) {
			return nil, &SyntaxError{Pos: p.column(valueStart), Expected: expected, Got: fmt.Sprintf("%q", value)}
		}
		return &node{kind: nodeField, field: "phone", text: number.current}, nil
	}

	number, n, ok := parsePhonePrefix(p.src[valueStart:])
	end := valueStart + n
	if ok && end < len(p.src) {
		// The number must end its word, as in "phone:0912345678)".
		r, _ := utf8.DecodeRuneInString(p.src[end:])
		ok = unicode.IsSpace(r) || r == '(' || r == ')' || r == '"'
	}
	if !ok {
		return nil, p.errorAt(valueStart, expected)
	}
	p.pos = end
	return &node{kind: nodeField, field: "phone", text: number.current}, nil
}

// parseQuoted reads a phrase in double quotes and returns its content. There
// is no escape: the phrase ends at the next double quote.
func (p *parser) parseQuoted() (string, error) {
	open := p.pos
	p.pos++
	end := strings.IndexByte(p.src[p.pos:], '"')
	if end < 0 {
		p.pos = len(p.src)
		return "", p.errorAt(p.pos, fmt.Sprintf(`a closing '"' for the phrase opened at column %d`, p.column(open)))
	}
	text := p.src[p.pos : p.pos+end]
	p.pos += end + 1
	return text, nil
}

// readWord reads up to the next space, parenthesis or double quote.
func (p *parser) readWord() string {
	start := p.pos
	for !p.eof() {
		switch c := p.peek(); c {
		case '(', ')', '"':
			return p.src[start:p.pos]
		}
		if p.atSpace() {
			return p.src[start:p.pos]
		}
		_, size := utf8.DecodeRuneInString(p.src[p.pos:])
		p.pos += size
	}
	return p.src[start:p.pos]
}

// atOperatorOR reports whether the next word is the operator OR.
func (p *parser) atOperatorOR() bool { return p.atOperator("OR") }

// atOperator reports whether the next word is the operator op (OR, AND or
// NOT): uppercase and followed by a space, a parenthesis, a quote or the
// end of the query.
func (p *parser) atOperator(op string) bool {
	if !strings.HasPrefix(p.src[p.pos:], op) {
		return false
	}
	after := p.pos + len(op)
	if after == len(p.src) {
		return true
	}
	switch p.src[after] {
	case '(', ')', '"':
		return true
	}
	r, _ := utf8.DecodeRuneInString(p.src[after:])
	return unicode.IsSpace(r)
}

func (p *parser) eof() bool { return p.pos >= len(p.src) }

func (p *parser) peek() byte {
	if p.eof() {
		return 0
	}
	return p.src[p.pos]
}

func (p *parser) atSpace() bool {
	if p.eof() {
		return false
	}
	r, _ := utf8.DecodeRuneInString(p.src[p.pos:])
	return unicode.IsSpace(r)
}

func (p *parser) skipSpace() {
	for p.atSpace() {
		_, size := utf8.DecodeRuneInString(p.src[p.pos:])
		p.pos += size
	}
}

// column converts a byte offset of the query to a 1-based column in
// characters.
func (p *parser) column(offset int) int {
	return utf8.RuneCountInString(p.src[:offset]) + 1
}

// errorAt returns a SyntaxError at byte offset offset that describes what is
// found there.
func (p *parser) errorAt(offset int, expected string) *SyntaxError {
	return &SyntaxError{Pos: p.column(offset), Expected: expected, Got: p.describe(offset)}
}

// describe names what the query holds at byte offset offset: the end, a
// space, or the word or symbol there.
func (p *parser) describe(offset int) string {
	if offset >= len(p.src) {
		return "end of query"
	}
	r, size := utf8.DecodeRuneInString(p.src[offset:])
	if unicode.IsSpace(r) {
		return "a space"
	}
	switch r {
	case '(', ')', '"':
		return fmt.Sprintf("%q", string(r))
	}
	end := offset + size
	for end < len(p.src) {
		r, size := utf8.DecodeRuneInString(p.src[end:])
		if unicode.IsSpace(r) || r == '(' || r == ')' || r == '"' {
			break
		}
		end += size
	}
	return fmt.Sprintf("%q", p.src[offset:end])
}

func isASCIILetters(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return s != ""
}

func isField(name string) bool {
	for _, f := range fieldNames {
		if f == name {
			return true
		}
	}
	return false
}

func isKind(value string) bool {
	for _, k := range chat.Kinds {
		if string(k) == value {
			return true
		}
	}
	return false
}
