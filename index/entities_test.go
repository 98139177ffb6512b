package index

import "testing"

// entitySample is a chat message with one entity of each kind and plain
// words around them.
const entitySample = "Chào anh, em gửi báo giá 1tr5 cho gói cơ bản và 2,3tr cho gói nâng cao. " +
	"Anh chuyển khoản vào stk 0123.456.789 Vietcombank hoặc thanh toán thẻ 4111 1111 1111 1111. " +
	"Gọi em 0912 345 678, mail cskh@example.com hoặc xem https://example.com/bang-gia nhé."

func BenchmarkAddEntityTerms(b *testing.B) {
	b.SetBytes(int64(len(entitySample)))
	for b.Loop() {
		var t attrTerms
		t.addEntityTerms(entitySample)
	}
}

func BenchmarkScanPhones(b *testing.B) {
	b.SetBytes(int64(len(entitySample)))
	for b.Loop() {
		scanPhones(entitySample, func(phoneNumber) {})
	}
}

func BenchmarkAnalyzeSample(b *testing.B) {
	b.SetBytes(int64(len(entitySample)))
	for b.Loop() {
		var a analysis
		analyze(&a, entitySample)
	}
}

func TestAddEntityTerms_OneOfEachKind(t *testing.T) {
	var terms attrTerms
	terms.addEntityTerms(entitySample)
	got := map[string]bool{}
	start := 0
	for _, end := range terms.ends {
		got[string(terms.buf[start:end])] = true
		start = end
	}
	for _, want := range []string{
		"money:0000000001500000",
		"money:0000000002300000",
		"bank:0123456789",
		"card:4111111111111111",
		"phone:+84912345678",
		"email:cskh@example.com",
		"url:https://example.com/bang-gia",
		"urlhost:example.com",
	} {
		if !got[want] {
			t.Errorf("addEntityTerms(sample) has no term %q, got %v", want, got)
		}
	}
}
