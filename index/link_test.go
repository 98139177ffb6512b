package index

import (
	"errors"
	"slices"
	"testing"
)

func TestScanEmails(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"plain", "mail an@example.com nhé", []string{"an@example.com"}},
		{"lowercased", "An.Nguyen@Example.COM", []string{"an.nguyen@example.com"}},
		{"plus and subdomain", "cskh+vip@mail.shop.vn", []string{"cskh+vip@mail.shop.vn"}},
		{"trailing period", "gửi về an@example.com.", []string{"an@example.com"}},
		{"in angle brackets", "<an@example.com>", []string{"an@example.com"}},
		{"after Vietnamese word", "emailcủaem:an@example.com", []string{"an@example.com"}},
		{"two addresses", "an@a.vn, binh@b.vn", []string{"an@a.vn", "binh@b.vn"}},
		{"mailto", "mailto:an@example.com", []string{"an@example.com"}},
		{"no domain dot", "an@localhost", nil},
		{"numeric top-level label", "an@1.2.3.4", nil},
		{"one-letter top-level label", "an@example.c", nil},
		{"no local part", "@example.com", nil},
		{"handle", "@an hello", nil},
		{"double dot", "an..b@example.com", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := collectStrings(scanEmails, tt.text); !slices.Equal(got, tt.want) {
				t.Errorf("scanEmails(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestScanURLs(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []webLink
	}{
		{"https", "xem https://example.com/a?b=1 nhé", []webLink{{"https://example.com/a?b=1", "example.com"}}},
		{"scheme and host lowercased", "HTTPS://Example.COM/Path", []webLink{{"https://example.com/Path", "example.com"}}},
		{"trailing slash", "https://example.com/", []webLink{{"https://example.com", "example.com"}}},
		{"trailing period", "vào http://shop.vn/sp/1.", []webLink{{"http://shop.vn/sp/1", "shop.vn"}}},
		{"trailing comma", "https://a.vn/x, https://b.vn", []webLink{{"https://a.vn/x", "a.vn"}, {"https://b.vn", "b.vn"}}},
		{"closing parenthesis", "(xem https://example.com/a)", []webLink{{"https://example.com/a", "example.com"}}},
		{"balanced parentheses kept", "https://vi.wikipedia.org/wiki/A_(B)", []webLink{{"https://vi.wikipedia.org/wiki/A_(B)", "vi.wikipedia.org"}}},
		{"slash then period", "https://example.com/.", []webLink{{"https://example.com", "example.com"}}},
		{"www without scheme", "www.Example.com/a", []webLink{{"http://www.example.com/a", "www.example.com"}}},
		{"port and user info", "https://user@Example.com:8443/a", []webLink{{"https://user@example.com:8443/a", "example.com"}}},
		{"Vietnamese path", "https://example.com/tin-tức", []webLink{{"https://example.com/tin-tức", "example.com"}}},
		{"no host", "http://", nil},
		{"host without dot", "http://localhost/a", nil},
		{"inside a word", "xhttps://example.com", nil},
		{"domain without scheme", "example.com", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []webLink
			scanURLs(tt.text, func(link webLink) { got = append(got, link) })
			if !slices.Equal(got, tt.want) {
				t.Errorf("scanURLs(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestURLQueryTerms(t *testing.T) {
	tests := []struct {
		name  string
		value string
		want  []string
	}{
		{"host", "Example.com", []string{"urlhost:example.com"}},
		{"www host", "www.example.com", []string{"urlhost:www.example.com"}},
		{"host with trailing slash", "example.com/", []string{"urlhost:example.com"}},
		{"link", "HTTPS://Example.com/a/", []string{"url:https://example.com/a"}},
		{"link without scheme", "example.com/a", []string{"url:http://example.com/a", "url:https://example.com/a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := urlQueryTerms(tt.value)
			if !ok || !slices.Equal(got, tt.want) {
				t.Errorf("urlQueryTerms(%q) = %q, %v, want %q", tt.value, got, ok, tt.want)
			}
		})
	}
}

func TestParseQuery_LinkFieldErrors(t *testing.T) {
	for _, q := range []string{"email:an", "email:an@localhost", "url:localhost", "url:http://", "email:"} {
		_, err := ParseQuery(q, hcm)
		var syntax *SyntaxError
		if !errors.As(err, &syntax) {
			t.Errorf("ParseQuery(%q) error = %v, want a *SyntaxError", q, err)
		}
	}
}

func TestSearch_EmailAndURL(t *testing.T) {
	x := openTestIndex(t,
		testMessage("m1", "mail cho An.Nguyen@Example.com nhé"),
		testMessage("m2", "an.nguyen@example.com."),
		testMessage("m3", "xem https://Example.com/Khuyen-mai/ nhé"),
		testMessage("m4", "link (www.example.com/khuyen-mai)"),
		testMessage("m5", "http://shop.vn, https://example.com"),
		testMessage("m6", "example.com không có link"),
	)
	tests := []struct {
		query string
		want  []string
	}{
		{"email:an.nguyen@example.com", []string{"m1", "m2"}},
		{"email:AN.NGUYEN@EXAMPLE.COM", []string{"m1", "m2"}},
		{"url:example.com", []string{"m3", "m4", "m5"}},
		{"url:www.example.com", []string{"m4"}},
		{"url:shop.vn", []string{"m5"}},
		{"url:https://example.com/Khuyen-mai", []string{"m3"}},
		{"url:www.example.com/khuyen-mai", []string{"m4"}},
		{"url:example.com/Khuyen-mai", []string{"m3"}},
		{"url:example.com/khuyen-mai", nil},
		{"url:https://example.com/", []string{"m5"}},
	}
	for _, tt := range tests {
		if got := sortedIDs(t, x, tt.query); !slices.Equal(got, tt.want) {
			t.Errorf("Search(%q) = %v, want %v", tt.query, got, tt.want)
		}
	}
}

func FuzzScanLinks(f *testing.F) {
	for _, seed := range []string{"an@example.com.", "https://Example.com/a/).", "www.x.vn", "a@b@c.vn"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		scanEmails(text, func(address string) {
			if _, ok := normalizeEmail(address); !ok {
				t.Fatalf("scanEmails(%q) found %q, which normalizeEmail rejects", text, address)
			}
		})
		scanURLs(text, func(link webLink) {
			if !validHost(link.host) {
				t.Fatalf("scanURLs(%q) found host %q, which validHost rejects", text, link.host)
			}
			if _, ok := urlQueryTerms(link.url); !ok {
				t.Fatalf("scanURLs(%q) found %q, which url: rejects", text, link.url)
			}
		})
	})
}
