package index

import "strings"

// Email addresses and web links are indexed as attrs terms. An address is
// lowercased whole (attrEmail). A link gets its normalised form (attrURL)
// and its host (attrURLHost), plus the host without "www." when it has one,
// so that url:example.com finds every link to www.example.com too.
//
// A link starts with "http://", "https://" or "www." at the start of a
// word and ends before a space, "<", ">" or a double quote. Its normal form
// has a lowercase scheme and host, no trailing punctuation (". , ; : ! ? '"
// and a closing bracket without its opening one) and no trailing "/". A
// link written without a scheme gets "http://".
//
// NOTE: addresses and hosts are matched in ASCII only, so an
// internationalised domain name written in Unicode is not recognised.

// Limits of RFC 5321 (section 4.5.3.1): 64 bytes of local part and 255 of
// domain.
const (
	maxEmailLocal  = 64
	maxEmailDomain = 255
	// maxURLBytes bounds a link, so that a pasted blob is not one term.
	maxURLBytes = 2048
)

// scanEmails calls emit with each email address in text, lowercased. The
// scan looks for "@" and reads the address around it, so it costs one
// IndexByte pass over text without one.
func scanEmails(text string, emit func(string)) {
	from := 0
	for {
		at := strings.IndexByte(text[from:], '@')
		if at < 0 {
			return
		}
		at += from
		from = at + 1

		start := at
		for start > 0 && at-start < maxEmailLocal && isEmailLocalByte(text[start-1]) {
			start--
		}
		for start < at && text[start] == '.' {
			start++
		}
		end := at + 1
		for end < len(text) && end-at <= maxEmailDomain && isDomainByte(text[end]) {
			end++
		}
		if address, ok := normalizeEmail(text[start:end]); ok {
			emit(address)
			from = end
		}
	}
}

// normalizeEmail returns s lowercased, less trailing dots and dashes, or
// false when it is not a local part, "@" and a valid domain.
func normalizeEmail(s string) (string, bool) {
	at := strings.IndexByte(s, '@')
	if at <= 0 || at > maxEmailLocal {
		return "", false
	}
	local := s[:at]
	if local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
		return "", false
	}
	for i := 0; i < len(local); i++ {
		if !isEmailLocalByte(local[i]) {
			return "", false
		}
	}
	domain := strings.TrimRight(s[at+1:], ".-")
	if !validHost(domain) {
		return "", false
	}
	return lowerASCII(local + "@" + domain), true
}

// validHost reports whether host is a DNS name of at least two labels,
// with a top-level label of two or more letters.
func validHost(host string) bool {
	if len(host) == 0 || len(host) > maxEmailDomain {
		return false
	}
	labels := 0
	lastLabel := ""
	for label := range strings.SplitSeq(host, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			if !isDomainByte(label[i]) || label[i] == '.' {
				return false
			}
		}
		labels++
		lastLabel = label
	}
	if labels < 2 || len(lastLabel) < 2 {
		return false
	}
	for i := 0; i < len(lastLabel); i++ {
		if isDigit(lastLabel[i]) || lastLabel[i] == '-' {
			return false
		}
	}
	return true
}

func isEmailLocalByte(c byte) bool {
	return isASCIIAlnum(c) || strings.IndexByte(".!#$%&'*+/=?^_`{|}~-", c) >= 0
}

func isDomainByte(c byte) bool { return isASCIIAlnum(c) || c == '-' || c == '.' }

// webLink is a normalised link.
type webLink struct {
	url  string // scheme, lowercase host and the rest, see normalizeURL
	host string // lowercase host, without user info and port
}

// scanURLs calls emit with each link in text.
func scanURLs(text string, emit func(webLink)) {
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case 'h', 'H', 'w', 'W':
		default:
			continue
		}
		if i > 0 && (isASCIIAlnum(text[i-1]) || text[i-1] == '/' || text[i-1] == '.' || text[i-1] == '@') {
			continue
		}
		if !hasLinkStart(text[i:]) {
			continue
		}
		end := i
		for end < len(text) && !endsLink(text[end]) {
			end++
		}
		if end-i <= maxURLBytes {
			if link, ok := normalizeURL(text[i:end]); ok {
				emit(link)
			}
		}
		i = end
	}
}

// hasLinkStart reports whether s starts with "http://", "https://" or
// "www.", in any case.
func hasLinkStart(s string) bool {
	for _, start := range []string{"http://", "https://", "www."} {
		if len(s) >= len(start) && strings.EqualFold(s[:len(start)], start) {
			return true
		}
	}
	return false
}

func endsLink(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '<', '>', '"':
		return true
	}
	return false
}

// normalizeURL returns the normal form of the link s (see the comment at
// the top of this file), or false when s has no valid host.
func normalizeURL(s string) (webLink, bool) {
	s = trimLinkEnd(s)

	scheme := "http://"
	rest := s
	switch {
	case len(s) >= len("https://") && strings.EqualFold(s[:len("https://")], "https://"):
		scheme, rest = "https://", s[len("https://"):]
	case len(s) >= len("http://") && strings.EqualFold(s[:len("http://")], "http://"):
		rest = s[len("http://"):]
	}

	authorityEnd := strings.IndexAny(rest, "/?#")
	if authorityEnd < 0 {
		authorityEnd = len(rest)
	}
	authority, path := rest[:authorityEnd], rest[authorityEnd:]
	hostStart := strings.LastIndexByte(authority, '@') + 1
	host := authority[hostStart:]
	if colon := strings.IndexByte(host, ':'); colon >= 0 {
		host = host[:colon]
	}
	host = lowerASCII(host)
	if !validHost(host) {
		return webLink{}, false
	}

	url := scheme + authority[:hostStart] + lowerASCII(authority[hostStart:]) + path
	return webLink{url: url, host: host}, true
}

// trimLinkEnd removes the trailing punctuation and then the trailing "/"
// of a link as written in a sentence.
func trimLinkEnd(s string) string {
	for len(s) > 0 {
		c := s[len(s)-1]
		switch c {
		case '.', ',', ';', ':', '!', '?', '\'':
			s = s[:len(s)-1]
			continue
		case ')', ']':
			open := byte('(')
			if c == ']' {
				open = '['
			}
			if strings.Count(s, string(open)) < strings.Count(s, string(c)) {
				s = s[:len(s)-1]
				continue
			}
		}
		break
	}
	return strings.TrimSuffix(s, "/")
}
