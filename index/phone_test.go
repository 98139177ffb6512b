package index

import (
	"errors"
	"slices"
	"testing"

	"chatseal/chat"
)

// phoneTerms returns the terms that scanPhones finds in text, current and
// old forms in order.
func phoneTerms(text string) []string {
	var terms []string
	scanPhones(text, func(number phoneNumber) {
		terms = append(terms, number.current)
		if number.old != "" {
			terms = append(terms, number.old)
		}
	})
	return terms
}

func TestScanPhones(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"mobile with spaces", "gọi em 0912 345 678 nhé", []string{"+84912345678"}},
		{"mobile with dots", "sđt: 0912.345.678", []string{"+84912345678"}},
		{"mobile with dashes", "0912-345-678", []string{"+84912345678"}},
		{"mobile plain", "0912345678", []string{"+84912345678"}},
		{"plus country code", "+84 912345678", []string{"+84912345678"}},
		{"country code without plus", "84912345678", []string{"+84912345678"}},
		{"country code in parentheses", "(+84) 912 345 678", []string{"+84912345678"}},
		{"country code then trunk zero", "+84 0912 345 678", []string{"+84912345678"}},
		{"no-break spaces", "0912\u00a0345\u00a0678", []string{"+84912345678"}},
		{"spaced dash", "0912 - 345 - 678", []string{"+84912345678"}},
		{"new mobile prefix 03", "0341234567", []string{"+84341234567"}},
		{"old mobile 0164", "0164 123 4567", []string{"+84341234567", "+841641234567"}},
		{"old mobile 0120", "01201234567", []string{"+84701234567", "+841201234567"}},
		{"old mobile 0199", "0199.123.4567", []string{"+84591234567", "+841991234567"}},
		{"old mobile with country code", "+84 164 123 4567", []string{"+84341234567", "+841641234567"}},
		{"hanoi landline", "024 3825 1234", []string{"+842438251234"}},
		{"saigon landline in parentheses", "(028) 3822 1234", []string{"+842838221234"}},
		{"hotline 1900 with 4 digits", "tổng đài 1900 1234", []string{"19001234"}},
		{"hotline 1800 with 6 digits", "1800.123.456", []string{"1800123456"}},
		{"two numbers in one run", "0912345678 0987654321", []string{"+84912345678", "+84987654321"}},
		{"two numbers with punctuation", "0912345678, 0987.654.321.", []string{"+84912345678", "+84987654321"}},
		{"card number", "thẻ 4111 1111 1111 1111", nil},
		{"napas card with hotline digits", "9704 1900 1234 5678", nil},
		{"account number", "stk 19036712345012", nil},
		{"number inside longer digit run", "1230912345678", nil},
		{"mobile followed by extra group", "0912 345 678 9", nil},
		{"letters before", "ref0912345678", nil},
		{"letters after", "0912345678abc", nil},
		{"nine digits", "091234567", nil},
		{"eleven digits of a new prefix", "09123456789", nil},
		{"landline prefix 01 unknown", "01301234567", nil},
		{"foreign country code", "+1 415 555 0100", nil},
		{"money", "10.000.000 đồng", nil},
		{"date", "2024-03-15", nil},
		{"plus without digits", "a + b (c)", nil},
		{"mobile prefix 06 does not exist", "0612345678", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := phoneTerms(tt.text); !slices.Equal(got, tt.want) {
				t.Errorf("scanPhones(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestScanPhones_ManyGroups(t *testing.T) {
	// Hotlines can be split in several ways; the scan must still finish
	// quickly and read the run.
	text := "1900 1234 1900 1234 1900 1234 1900 1234 1900 1234 1900 1234 1900 1234 1900 1234"
	if got := phoneTerms(text); len(got) != 8 {
		t.Errorf("scanPhones(%q) = %q, want 8 hotlines", text, got)
	}
	long := text + " 1900 1234"
	if got := phoneTerms(long); got != nil {
		t.Errorf("scanPhones of a run of %d groups = %q, want none", 18, got)
	}
}

func TestParseTree_PhoneField(t *testing.T) {
	tests := []struct {
		name  string
		query string
		want  string
	}{
		{"spaced old number then word", "phone:0164 123 4567 chuyển", "and(phone:+84341234567 chuyển)"},
		{"new number", "phone:0341234567", "and(phone:+84341234567)"},
		{"e164", "phone:+84341234567", "and(phone:+84341234567)"},
		{"country code in parentheses", "phone:(+84) 34 123 4567", "and(phone:+84341234567)"},
		{"quoted", `phone:"0164.123.4567"`, "and(phone:+84341234567)"},
		{"in a group", "(phone:0912345678)", "and(and(phone:+84912345678))"},
		{"number then a digit word", "phone:0912345678 2024", "and(phone:+84912345678 2024)"},
		{"hotline", "phone:1900-1234", "and(phone:19001234)"},
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

func TestParseQuery_PhoneFieldErrors(t *testing.T) {
	for _, q := range []string{"phone:", "phone:abc", "phone:12345", "phone:0912345678x", `phone:"0912345678 x"`, "phone:+1 415 555 0100"} {
		_, err := ParseQuery(q, hcm)
		var syntax *SyntaxError
		if !errors.As(err, &syntax) {
			t.Errorf("ParseQuery(%q) error = %v, want a *SyntaxError", q, err)
			continue
		}
		if syntax.Pos != 7 || syntax.Expected != `a Vietnamese phone number after "phone:"` {
			t.Errorf("ParseQuery(%q) error = %v, want column 7 and a phone number expected", q, err)
		}
	}
}

func TestSearch_PhoneWrittenAnyWay(t *testing.T) {
	x := openTestIndex(t,
		testMessage("m1", "số em là 0164 123 4567 nhé"),
		testMessage("m2", "gọi +84 34 123 4567"),
		testMessage("m3", "sđt 0341.234.567"),
		testMessage("m4", "số khác 0912 345 678"),
		testMessage("m5", "thẻ 9704 0164 1234 5678"),
	)
	idx := testMessage("m6", "ảnh chụp")
	idx.IndexText = "liên hệ (+84) 341 234 567"
	if err := x.Add([]*chat.Message{idx}); err != nil {
		t.Fatalf("Add: %v", err)
	}

	want := []string{"m1", "m2", "m3", "m6"}
	for _, q := range []string{
		"phone:0164 123 4567",
		"phone:01641234567",
		"phone:0341234567",
		"phone:+84341234567",
		"phone:+84 164 123 4567",
		`phone:"034-123-4567"`,
	} {
		if got := sortedIDs(t, x, q); !slices.Equal(got, want) {
			t.Errorf("Search(%q) = %v, want %v", q, got, want)
		}
	}
	if got := sortedIDs(t, x, "phone:0912.345.678 -phone:0341234567"); !slices.Equal(got, []string{"m4"}) {
		t.Errorf("Search for m4 = %v, want [m4]", got)
	}
}

func FuzzScanPhones(f *testing.F) {
	for _, seed := range []string{"0912 345 678", "(+84) 164.123.4567", "1900 1234 1900 1234", "9704 1900 1234 5678", "+84 0912-345-678", "024 3825 1234"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		scanPhones(text, func(number phoneNumber) {
			current := number.current
			switch {
			case len(current) == 12 || len(current) == 13:
				if current[:3] != "+84" {
					t.Fatalf("scanPhones(%q) found %q, want an E.164 number starting +84", text, current)
				}
			case len(current) == 8 || len(current) == 10:
				if current[:2] != "18" && current[:2] != "19" {
					t.Fatalf("scanPhones(%q) found %q, want a 1800 or 1900 hotline", text, current)
				}
			default:
				t.Fatalf("scanPhones(%q) found %q of invalid length", text, current)
			}
			// A number found in text is also a valid query value.
			if _, _, ok := parsePhonePrefix(current); !ok {
				t.Fatalf("scanPhones(%q) found %q, which parsePhonePrefix rejects", text, current)
			}
		})
	})
}
