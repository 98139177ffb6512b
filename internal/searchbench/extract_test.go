package searchbench

import (
	"slices"
	"testing"
)

func TestExtractPhones(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"plain", "sđt 0912345678 nhé", []string{"+84912345678"}},
		{"spaced", "gọi 0912 345 678 giúp em", []string{"+84912345678"}},
		{"dotted and dashed", "0912.345.678 hoặc 0912-345-678", []string{"+84912345678", "+84912345678"}},
		{"e164 spaced", "+84 912 345 678 ạ", []string{"+84912345678"}},
		{"e164 with trunk zero", "+84 0912 345 678", []string{"+84912345678"}},
		{"country code without plus", "84912345678", []string{"+84912345678"}},
		{"parenthesised country code", "(+84) 912345678", []string{"+84912345678"}},
		{"old 11-digit mobile", "0168 123 4567", []string{"+84381234567", "+841681234567"}},
		{"landline", "02838251234", []string{"+842838251234"}},
		{"hotline", "tổng đài 1900 6868 ạ", []string{"19006868"}},
		{"two numbers in one run", "0912345678 0987654321", []string{"+84912345678", "+84987654321"}},
		{"letters touching", "DH0912345678 0912345678x", nil},
		{"amount after the run", "0912 345 678 350k", nil},
		{"too short", "0912 345", nil},
		{"not a mobile prefix", "0112345678", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := extractPhones(tt.text); !slices.Equal(got, tt.want) {
				t.Errorf("extractPhones(%q) = %q, expected %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestExtractAmounts(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []int64
	}{
		{"thousands", "350k", []int64{350_000}},
		{"uppercase k", "70K ạ", []int64{70_000}},
		{"millions with a fraction", "1tr5", []int64{1_500_000}},
		{"decimal comma", "2,3 triệu", []int64{2_300_000}},
		{"decimal point", "1.5tr", []int64{1_500_000}},
		{"dotted thousands", "1.500.000đ", []int64{1_500_000}},
		{"comma thousands", "1,500,000 VND", []int64{1_500_000}},
		{"ungrouped", "350000đ", []int64{350_000}},
		{"words", "500 nghìn, 2 củ và 2 tỷ", []int64{500_000, 2_000_000, 2_000_000_000}},
		{"billions with a fraction", "1,2 tỷ", []int64{1_200_000_000}},
		{"unmarked", "43.000d va 350 nghin, 1 trieu", []int64{43_000, 350_000, 1_000_000}},
		{"plain d below 1000", "3d", nil},
		{"unit touching a letter", "350kg và 2trx", nil},
		{"number without unit", "5 ngày", nil},
		{"unmarked củ is not a unit", "2 cu", nil},
		{"letter before", "DH350k", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := extractAmounts(tt.text); !slices.Equal(got, tt.want) {
				t.Errorf("extractAmounts(%q) = %v, expected %v", tt.text, got, tt.want)
			}
		})
	}
}
