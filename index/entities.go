package index

import "strings"

// addEntityTerms adds the attrs terms of the entities that text writes:
// phone numbers, amounts of money, card and bank account numbers, email
// addresses and links. Each scanner is one pass over the bytes of text.
func (t *attrTerms) addEntityTerms(text string) {
	scanPhones(text, func(number phoneNumber) {
		t.add(attrPhone, number.current)
		t.add(attrPhone, number.old)
	})
	scanMoney(text, func(amount int64) {
		t.buf = append(t.buf, attrMoney...)
		t.buf = appendMoneyTerm(t.buf, amount)
		t.ends = append(t.ends, len(t.buf))
	})
	scanCards(text, func(digits string) {
		t.add(attrCard, digits)
	})
	scanBankAccounts(text, func(digits string) {
		t.add(attrBank, digits)
	})
	scanEmails(text, func(address string) {
		t.add(attrEmail, address)
	})
	scanURLs(text, func(link webLink) {
		t.add(attrURL, link.url)
		t.add(attrURLHost, link.host)
		if host, ok := strings.CutPrefix(link.host, "www."); ok {
			t.add(attrURLHost, host)
		}
	})
}
