package index

import "strings"

// addEntityTerms adds the attrs terms of the entities that text writes:
// phone numbers, amounts of money, card and bank account numbers, email
// addresses and links. Each scanner is one pass over the bytes of text.
// The kinds found are added to t.has.
func (t *attrTerms) addEntityTerms(text string) {
	scanPhones(text, func(number phoneNumber) {
		t.add(attrPhone, number.current)
		t.add(attrPhone, number.old)
		t.has |= hasPhone
	})
	scanMoney(text, func(amount int64) {
		t.buf = append(t.buf, attrMoney...)
		t.buf = appendMoneyTerm(t.buf, amount)
		t.ends = append(t.ends, len(t.buf))
		t.has |= hasMoney
	})
	scanCards(text, func(digits string) {
		t.add(attrCard, digits)
		t.has |= hasCard
	})
	scanBankAccounts(text, func(digits string) {
		t.add(attrBank, digits)
		t.has |= hasBank
	})
	scanEmails(text, func(address string) {
		t.add(attrEmail, address)
		t.has |= hasEmail
	})
	scanURLs(text, func(link webLink) {
		t.add(attrURL, link.url)
		t.add(attrURLHost, link.host)
		if host, ok := strings.CutPrefix(link.host, "www."); ok {
			t.add(attrURLHost, host)
		}
		t.has |= hasLink
	})
}

// hasSet is a set of the parts that has: finds, one bit per entry of
// hasNames.
type hasSet uint8

const (
	hasAttachment hasSet = 1 << iota // at least one attachment
	hasLink                          // a link in the text, or kind link
	hasPhone                         // a phone number in the text
	hasMoney                         // an amount of money in the text
	hasEmail                         // an email address in the text
	hasCard                          // a payment card number in the text
	hasBank                          // a bank account number in the text
)

// hasNames are the values of has:, in the order of the hasSet bits.
var hasNames = []string{"attachment", "link", "phone", "money", "email", "card", "bank"}

// addHasTerms adds a has: term for each part in t.has.
func (t *attrTerms) addHasTerms() {
	for i, name := range hasNames {
		if t.has&(1<<i) != 0 {
			t.add(attrHas, name)
		}
	}
}
