package index

import (
	"errors"
	"slices"
	"testing"

	"chatseal/chat"
)

func moneyAmounts(text string) []int64 {
	var amounts []int64
	scanMoney(text, func(amount int64) { amounts = append(amounts, amount) })
	return amounts
}

func TestScanMoney(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []int64
	}{
		{"thousands k", "giá 350k nhé", []int64{350_000}},
		{"uppercase K", "350K", []int64{350_000}},
		{"million with fraction digit", "1tr5", []int64{1_500_000}},
		{"million with two fraction digits", "1tr25", []int64{1_250_000}},
		{"decimal comma tr", "2,3tr", []int64{2_300_000}},
		{"decimal dot tr", "2.3tr", []int64{2_300_000}},
		{"hundred million", "100tr", []int64{100_000_000}},
		{"dong sign attached", "1.500.000đ", []int64{1_500_000}},
		{"dong sign after space", "1.500.000 đ", []int64{1_500_000}},
		{"comma thousands VND", "1,500,000 VND", []int64{1_500_000}},
		{"vnđ", "200.000 VNĐ", []int64{200_000}},
		{"decimal comma triệu", "1,5 triệu", []int64{1_500_000}},
		{"trieu without marks", "3 trieu", []int64{3_000_000}},
		{"nghìn", "500 nghìn", []int64{500_000}},
		{"ngàn", "500 ngàn", []int64{500_000}},
		{"tỷ", "2 tỷ", []int64{2_000_000_000}},
		{"tỉ", "2 tỉ", []int64{2_000_000_000}},
		{"uppercase TỶ", "2 TỶ", []int64{2_000_000_000}},
		{"decomposed tỷ", "2 ty\u0309", []int64{2_000_000_000}},
		{"củ", "1 củ", []int64{1_000_000}},
		{"ascii d", "50.000d", []int64{50_000}},
		{"đồng", "10.000.000 đồng", []int64{10_000_000}},
		{"dong sign symbol", "75.000₫", []int64{75_000}},
		{"thousands and decimal", "1.500.000,50 đ", []int64{1_500_000}},
		{"k with fraction digit", "2k5", []int64{2_500}},
		{"no-break space", "5\u00a0triệu", []int64{5_000_000}},
		{"two amounts", "từ 1tr đến 2tr.", []int64{1_000_000, 2_000_000}},
		{"at the cap", "1.000.000 tỷ", []int64{1_000_000_000_000_000}},
		{"above the cap", "1.000.001 tỷ", nil},
		{"plain number", "số 1500000 nhé", nil},
		{"plain grouped number", "1.500.000", nil},
		{"kilogram", "5kg", nil},
		{"unit continues as a word", "2 trước", nil},
		{"ascii d below minimum", "3d", nil},
		{"cũ is no unit", "2 cái 1 cũ", nil},
		{"unmarked cu is no unit", "1 cu", nil},
		{"letters before", "abc350k", nil},
		{"phone number", "0912 345 678", nil},
		{"bad grouping", "1.50.000đ", nil},
		{"two spaces", "500  nghìn", nil},
		{"date", "15.03.2024", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := moneyAmounts(tt.text); !slices.Equal(got, tt.want) {
				t.Errorf("scanMoney(%q) = %v, want %v", tt.text, got, tt.want)
			}
		})
	}
}

func TestMoneyTerm_SortsByAmount(t *testing.T) {
	amounts := []int64{0, 9, 10, 350_000, 1_000_000, maxMoney}
	for i := 1; i < len(amounts); i++ {
		if moneyTerm(amounts[i-1]) >= moneyTerm(amounts[i]) {
			t.Errorf("moneyTerm(%d) = %q, not below moneyTerm(%d) = %q", amounts[i-1], moneyTerm(amounts[i-1]), amounts[i], moneyTerm(amounts[i]))
		}
	}
	if got, want := moneyTerm(350_000), "money:0000000000350000"; got != want {
		t.Errorf("moneyTerm(350000) = %q, want %q", got, want)
	}
}

func TestParseTree_MoneyField(t *testing.T) {
	tests := []struct {
		name  string
		query string
		want  string
	}{
		{"exact k", "money:350k", "and(money:350000..350000)"},
		{"bare number", "money:1500000", "and(money:1500000..1500000)"},
		{"grouped bare number", "money:1.500.000", "and(money:1500000..1500000)"},
		{"at least", "money>=1000000", "and(money:1000000..1000000000000000)"},
		{"at most", "money<=500000", "and(money:0..500000)"},
		{"more than", "money>100k", "and(money:100001..1000000000000000)"},
		{"less than", "money<1tr", "and(money:0..999999)"},
		{"equal", "money=1tr5", "and(money:1500000..1500000)"},
		{"range", "money:1tr..2tr", "and(money:1000000..2000000)"},
		{"range written high first", "money:2tr..1tr", "and(money:1000000..2000000)"},
		{"open high end", "money:1tr..", "and(money:1000000..1000000000000000)"},
		{"open low end", "money:..2tr", "and(money:0..2000000)"},
		{"unit after a space", "money>=2 tỷ chuyển", "and(money:2000000000..1000000000000000 chuyển)"},
		{"quoted", `money:"1,5 triệu"`, "and(money:1500000..1500000)"},
		{"quoted comparison", `money>="500 nghìn"`, "and(money:500000..1000000000000000)"},
		{"uppercase name", "MONEY>=1tr", "and(money:1000000..1000000000000000)"},
		{"in a group", "(money<=500k)", "and(and(money:0..500000))"},
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

func TestParseQuery_MoneyFieldErrors(t *testing.T) {
	for _, q := range []string{"money:", "money:abc", "money>=", "money:350kg", "money:1tr..abc", `money:"1tr x"`, "money>=2.000.000 tỷ"} {
		_, err := ParseQuery(q, hcm)
		var syntax *SyntaxError
		if !errors.As(err, &syntax) {
			t.Errorf("ParseQuery(%q) error = %v, want a *SyntaxError", q, err)
		}
	}
}

func TestSearch_MoneyRanges(t *testing.T) {
	x := openTestIndex(t,
		testMessage("m1", "chuyển khoản 350k nhé"),
		testMessage("m2", "giá 1tr5"),
		testMessage("m3", "hợp đồng 2 tỷ"),
		testMessage("m4", "phí 1.500.000 đ"),
		testMessage("m5", "mã đơn 1500000"),
		testMessage("m6", "nợ 500 nghìn"),
	)
	preview := testMessage("m7", "ảnh hoá đơn")
	preview.IndexText = "tổng 2,3tr"
	if err := x.Add([]*chat.Message{preview}); err != nil {
		t.Fatalf("Add: %v", err)
	}

	tests := []struct {
		query string
		want  []string
	}{
		{"money:350k", []string{"m1"}},
		{"money:350.000đ", []string{"m1"}},
		{"money:1500000", []string{"m2", "m4"}},
		{"money>=1000000", []string{"m2", "m3", "m4", "m7"}},
		{"money<=500000", []string{"m1", "m6"}},
		{"money<500k", []string{"m1"}},
		{"money>100k", []string{"m1", "m2", "m3", "m4", "m6", "m7"}},
		{"money:1tr..2tr", []string{"m2", "m4"}},
		{"money:2tr..3tr", []string{"m7"}},
		{"money>2 tỷ", nil},
		{"money>=1tr -money>=1 tỷ", []string{"m2", "m4", "m7"}},
		{"money:1tr5 phí", []string{"m4"}},
	}
	for _, tt := range tests {
		if got := sortedIDs(t, x, tt.query); !slices.Equal(got, tt.want) {
			t.Errorf("Search(%q) = %v, want %v", tt.query, got, tt.want)
		}
	}
}

func FuzzScanMoney(f *testing.F) {
	for _, seed := range []string{"350k", "1tr5", "2,3tr", "1.500.000 đ", "1,500,000 VND", "2 tỷ", "1.000.000 tỷ", "9999999999999999k"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		scanMoney(text, func(amount int64) {
			if amount < 0 || amount > maxMoney {
				t.Fatalf("scanMoney(%q) found %d, want 0 to %d", text, amount, int64(maxMoney))
			}
			if term := moneyTerm(amount); len(term) != len(attrMoney)+moneyTermDigits {
				t.Fatalf("moneyTerm(%d) = %q, want %d digits", amount, term, moneyTermDigits)
			}
		})
	})
}
