package index

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func collectStrings(scan func(string, func(string)), text string) []string {
	var found []string
	scan(text, func(s string) { found = append(found, s) })
	return found
}

func TestScanCards(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"visa with spaces", "thẻ 4111 1111 1111 1111 nhé", []string{"4111111111111111"}},
		{"visa with dashes", "4111-1111-1111-1111", []string{"4111111111111111"}},
		{"visa plain", "4111111111111111", []string{"4111111111111111"}},
		{"no-break spaces", "4111\u00a01111\u00a01111\u00a01111", []string{"4111111111111111"}},
		{"amex grouping", "3782 822463 10005", []string{"378282246310005"}},
		{"napas 19 digits", "9704 3600 0000 0000 127", []string{"9704360000000000127"}},
		{"expiry after the number", "4111 1111 1111 1111 12/25", []string{"4111111111111111"}},
		{"in parentheses", "(4111111111111111)", []string{"4111111111111111"}},
		{"luhn invalid", "4111 1111 1111 1112", nil},
		{"twelve digits", "4111 1111 1111", nil},
		{"twenty digits", "41111111111111111111", nil},
		{"letters before", "x4111111111111111", nil},
		{"letters after", "4111111111111111x", nil},
		{"dots are no card grouping", "4111.1111.1111.1111", nil},
		{"phone number", "0912 345 678", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := collectStrings(scanCards, tt.text); !slices.Equal(got, tt.want) {
				t.Errorf("scanCards(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestScanBankAccounts(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"stk", "stk 0123456789 vcb", []string{"0123456789"}},
		{"STK with colon", "STK: 0123.456.789", []string{"0123456789"}},
		{"tk", "ck vào tk 1903 6712 3450 12 nhé", []string{"19036712345012"}},
		{"số tài khoản", "Số tài khoản: 0071-0001-23456", []string{"0071000123456"}},
		{"so tai khoan", "so tai khoan la 123456", []string{"123456"}},
		{"số tài khoản là", "số tài khoản là 0123456789", []string{"0123456789"}},
		{"digits right after", "STK0123456789", []string{"0123456789"}},
		{"phone after the account", "stk 0123456789 0912345678 9999", []string{"0123456789"}},
		{"no keyword", "mã 0123456789", nil},
		{"keyword inside a word", "ntk 0123456789", nil},
		{"keyword continues", "tkb 0123456789", nil},
		{"five digits", "stk 12345", nil},
		{"letters after", "stk 0123456789abc", nil},
		{"bank name between", "stk VCB 0123456789", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := collectStrings(scanBankAccounts, tt.text); !slices.Equal(got, tt.want) {
				t.Errorf("scanBankAccounts(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestParseTree_CardAndBankFields(t *testing.T) {
	tests := []struct {
		name  string
		query string
		want  string
	}{
		{"card with spaces then word", "card:4111 1111 1111 1111 visa", "and(card:4111111111111111 visa)"},
		{"card with dashes", "card:4111-1111-1111-1111", "and(card:4111111111111111)"},
		{"card quoted", `card:"4111 1111 1111 1111"`, "and(card:4111111111111111)"},
		{"bank with dots", "bank:0123.456.789", "and(bank:0123456789)"},
		{"bank with spaces", "bank:1903 6712 3450 12", "and(bank:19036712345012)"},
		{"bank quoted", `bank:"0123-456-789"`, "and(bank:0123456789)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tree, err := parseTree(tt.query, hcm)
			if err != nil {
				t.Fatalf("parseTree(%q): %v", tt.query, err)
			}
			if got := formatTree(tree); got != tt.want {
				t.Errorf("parseTree(%q) = %s, want %s", tt.query, got, tt.want)
			}
		})
	}
}

func TestParseQuery_CardErrorHidesDigits(t *testing.T) {
	for _, q := range []string{"card:4111 1111 1111 1112", `card:"4111111111111112"`, "card:4111111111111112x", "card:", "card:abc", "bank:12345", `bank:"0123 x"`} {
		_, err := ParseQuery(q, hcm)
		var syntax *SyntaxError
		if !errors.As(err, &syntax) {
			t.Errorf("ParseQuery(%q) error = %v, want a *SyntaxError", q, err)
			continue
		}
		if strings.Contains(err.Error(), "1111") || strings.Contains(err.Error(), "4111111") {
			t.Errorf("ParseQuery(%q) error = %v, want no card digits", q, err)
		}
		if syntax.Pos != 6 {
			t.Errorf("ParseQuery(%q) error column = %d, want 6", q, syntax.Pos)
		}
	}
}

func TestSearch_CardAndBank(t *testing.T) {
	x := openTestIndex(t,
		testMessage("m1", "thẻ 4111 1111 1111 1111 hết hạn 12/25"),
		testMessage("m2", "số thẻ 4111-1111-1111-1111"),
		testMessage("m3", "4111111111111111"),
		testMessage("m4", "thẻ sai 4111 1111 1111 1112"),
		testMessage("m5", "stk 0123.456.789 Vietcombank"),
		testMessage("m6", "Số tài khoản: 0123 456 789"),
		testMessage("m7", "mã đơn 0123456789"),
	)
	tests := []struct {
		query string
		want  []string
	}{
		{"card:4111 1111 1111 1111", []string{"m1", "m2", "m3"}},
		{"card:4111111111111111", []string{"m1", "m2", "m3"}},
		{`card:"4111-1111-1111-1111"`, []string{"m1", "m2", "m3"}},
		{"bank:0123456789", []string{"m5", "m6"}},
		{"bank:0123.456.789", []string{"m5", "m6"}},
	}
	for _, tt := range tests {
		if got := sortedIDs(t, x, tt.query); !slices.Equal(got, tt.want) {
			t.Errorf("Search(%q) = %v, want %v", tt.query, got, tt.want)
		}
	}
}

func FuzzScanCards(f *testing.F) {
	for _, seed := range []string{"4111 1111 1111 1111", "4111-1111-1111-1111 12/25", "stk 0123.456.789", "9704 3600 0000 0000 127"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		scanCards(text, func(digits string) {
			if len(digits) < minCardDigits || len(digits) > maxCardDigits || !luhnValid([]byte(digits)) {
				t.Fatalf("scanCards found %d digits that are no valid card number", len(digits))
			}
			if got, n, ok := parseCardPrefix(digits); !ok || got != digits || n != len(digits) {
				t.Fatalf("parseCardPrefix rejects a number that scanCards found")
			}
		})
		scanBankAccounts(text, func(digits string) {
			if len(digits) < minBankDigits || len(digits) > maxBankDigits || strings.Trim(digits, "0123456789") != "" {
				t.Fatalf("scanBankAccounts(%q) found %q, want 6 to 19 digits", text, digits)
			}
		})
	})
}
