package index

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"
	"golang.org/x/text/unicode/norm"

	"chatseal/chat"
	"chatseal/internal/cputime"
)

// processCPUTime returns the CPU time of the process so far, 0 where the
// system does not report it.
var processCPUTime = cputime.Process

// Benchmark corpus size and batch size. The product indexes imports in
// batches of 1,000.
const (
	benchMessages  = 20000
	benchBatchSize = 1000
)

// benchWords is the vocabulary of the synthetic messages: words of customer
// service chats in Vietnamese, with their diacritics.
var benchWords = strings.Fields(`
anh chị em bạn mình tôi chúng ta các khách hàng nhân viên cửa hàng công ty
ngân hàng thẻ tín dụng tài khoản chuyển khoản số tiền giao dịch hóa đơn
khiếu nại phản ánh hỗ trợ tư vấn đơn hàng giao hàng nhận hàng đổi trả
hoàn tiền bảo hành sản phẩm dịch vụ giá khuyến mãi giảm giá miễn phí
hôm nay ngày mai hôm qua tuần sau tháng này sáng chiều tối lúc giờ phút
đã đang sẽ chưa không có được rồi nhé nha ạ vâng dạ ok cảm ơn xin lỗi
gửi nhận kiểm tra xác nhận hủy đặt thanh toán liên hệ gọi nhắn tin
số điện thoại địa chỉ mã OTP mật khẩu đăng nhập ứng dụng lỗi chậm
bị mất khóa mở tạm ngưng phí lãi suất hạn mức vay trả góp hợp đồng
rất quá lắm hơi cũng vẫn còn nữa thôi chỉ mới vừa luôn ngay liền
Hà Nội Sài Gòn Đà Nẵng Cần Thơ Hải Phòng quận huyện phường đường
vui lòng chờ đợi giải quyết sớm nhất có thể trường hợp thông tin
`)

// benchExtras are tokens that chats mix in: amounts, phone numbers, emoji.
var benchExtras = []string{"350k", "1tr5", "1.500.000đ", "0901234567", "100tr", "👍", "🙏", "!!", "?", "...", "2024"}

// syntheticMessages returns n deterministic messages of about 15 words. One
// message in four is typed without diacritics, as many chat users do.
func syntheticMessages(n int) []*chat.Message {
	rng := rand.New(rand.NewPCG(2024, 7))
	base := time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC)
	msgs := make([]*chat.Message, n)
	var b strings.Builder
	for i := range msgs {
		b.Reset()
		words := 10 + rng.IntN(11)
		for w := 0; w < words; w++ {
			if w > 0 {
				b.WriteByte(' ')
			}
			if rng.IntN(12) == 0 {
				b.WriteString(benchExtras[rng.IntN(len(benchExtras))])
				continue
			}
			word := benchWords[rng.IntN(len(benchWords))]
			if w == 0 {
				word = capitalize(word)
			}
			b.WriteString(word)
		}
		b.WriteByte('.')
		text := b.String()
		if i%4 == 3 {
			text = stripMarks(text)
		}

		m := &chat.Message{
			ID:           fmt.Sprintf("01HZ%022d", i),
			Tenant:       chat.DefaultTenant,
			Source:       "zalo",
			Account:      fmt.Sprintf("cskh-hn-%02d", i%5),
			Conversation: fmt.Sprintf("conv-%04d", rng.IntN(400)),
			SentAt:       base.Add(time.Duration(i) * 37 * time.Second),
			Sender:       chat.Participant{ID: fmt.Sprintf("u%03d", rng.IntN(60)), Name: "Nguyễn Văn An"},
			Direction:    chat.Inbound,
			Kind:         chat.KindText,
			Text:         text,
		}
		if i%2 == 1 {
			m.Direction = chat.Outbound
			m.Sender.Name = "Trần Thị Bích"
		}
		if i%50 == 0 {
			m.Kind = chat.KindFile
			m.Attachments = []chat.Attachment{{Kind: "file", Name: "hợp đồng vay.pdf"}}
		}
		msgs[i] = m
	}
	return msgs
}

func capitalize(s string) string {
	for i, r := range s {
		return string(unicode.ToUpper(r)) + s[i+len(string(r)):]
	}
	return s
}

// stripMarks removes every combining mark and writes đ as d, keeping case
// and punctuation: text typed without diacritics.
func stripMarks(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'đ':
			b.WriteByte('d')
		case r == 'Đ':
			b.WriteByte('D')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// baselineDoc is the document of the raw Bleve baseline: the message text
// and nothing else.
type baselineDoc struct {
	Text string `json:"text"`
}

// baselineMapping maps baselineDoc as a plain Bleve user would: one text
// field with the folded analyzer and Bleve's default field options (stored,
// term vectors, doc values, included in _all). With lean set, the field is
// neither stored nor given doc values and _all is disabled: the cheapest
// one-field index Bleve offers through a mapping.
func baselineMapping(lean bool) *mapping.IndexMappingImpl {
	m := bleve.NewIndexMapping()
	doc := bleve.NewDocumentStaticMapping()
	text := bleve.NewTextFieldMapping()
	text.Analyzer = foldedAnalyzerName
	if lean {
		text.Store = false
		text.DocValues = false
		text.IncludeInAll = false
		doc.AddSubDocumentMapping("_all", bleve.NewDocumentDisabledMapping())
	}
	doc.AddFieldMappingsAt("text", text)
	m.DefaultMapping = doc
	return m
}

// runBaseline indexes msgs into a new Bleve index at dir with
// batch.Index through baselineMapping, and returns the time from creation
// to close.
func runBaseline(b *testing.B, dir string, msgs []*chat.Message, lean bool) time.Duration {
	start := time.Now()
	idx, err := bleve.New(dir, baselineMapping(lean))
	if err != nil {
		b.Fatal(err)
	}
	for from := 0; from < len(msgs); from += benchBatchSize {
		batch := idx.NewBatch()
		for _, m := range msgs[from:min(from+benchBatchSize, len(msgs))] {
			if err := batch.Index(m.ID, baselineDoc{Text: strings.Join(messageTextParts(m), "\n")}); err != nil {
				b.Fatal(err)
			}
		}
		if err := idx.Batch(batch); err != nil {
			b.Fatal(err)
		}
	}
	if err := idx.Close(); err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}

// benchAddSize is how many messages BenchmarkIndex hands to one Index.Add,
// as many as one flush of an import (see vault.Config.FlushMessages).
const benchAddSize = 5000

// runIndex indexes msgs with Index.Add into a new index at dir and returns
// the time from creation to close.
func runIndex(b *testing.B, dir string, msgs []*chat.Message) time.Duration {
	start := time.Now()
	x, err := Open(Config{Path: dir})
	if err != nil {
		b.Fatal(err)
	}
	for from := 0; from < len(msgs); from += benchAddSize {
		if err := x.Add(msgs[from:min(from+benchAddSize, len(msgs))]); err != nil {
			b.Fatal(err)
		}
	}
	if err := x.Close(); err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}

// benchRounds is the number of times BenchmarkIndex runs each side per
// iteration.
const benchRounds = 3

// BenchmarkIndex compares, in one run, the raw Bleve baseline (one text
// field with default options, batch.Index through a mapping), the lean
// variant of that baseline, and Index.Add with the full document, on the
// same messages. The sides take turns, in reverse order every other round,
// so that drift in machine load falls on all of them alike. Each run
// creates an index, adds the messages in batches of benchBatchSize and
// closes it; the time of the whole run counts.
//
// Metrics: msgs/s of wall time per side, ratio (index over baseline) and
// ratio_lean (index over lean), and cpu_ratio and cpu_ratio_lean, the same
// ratios of messages per second of process CPU time, which a busy machine
// disturbs less.
func BenchmarkIndex(b *testing.B) {
	msgs := syntheticMessages(benchMessages)
	sides := []func(dir string) time.Duration{
		func(dir string) time.Duration { return runBaseline(b, dir, msgs, false) },
		func(dir string) time.Duration { return runBaseline(b, dir, msgs, true) },
		func(dir string) time.Duration { return runIndex(b, dir, msgs) },
	}
	const baseline, lean, ours = 0, 1, 2
	var wall, cpu [3]time.Duration

	for b.Loop() {
		for round := range benchRounds {
			for i := range sides {
				side := i
				if round%2 == 1 {
					side = len(sides) - 1 - i
				}
				cpuBefore := processCPUTime()
				wall[side] += sides[side](b.TempDir())
				cpu[side] += processCPUTime() - cpuBefore
			}
		}
	}

	messages := float64(b.N * benchRounds * len(msgs))
	rate := func(d time.Duration) float64 { return messages / d.Seconds() }
	b.ReportMetric(rate(wall[baseline]), "baseline_msgs/s")
	b.ReportMetric(rate(wall[lean]), "lean_msgs/s")
	b.ReportMetric(rate(wall[ours]), "index_msgs/s")
	b.ReportMetric(rate(wall[ours])/rate(wall[baseline]), "ratio")
	b.ReportMetric(rate(wall[ours])/rate(wall[lean]), "ratio_lean")
	if cpu[ours] > 0 {
		b.ReportMetric(float64(cpu[baseline])/float64(cpu[ours]), "cpu_ratio")
		b.ReportMetric(float64(cpu[lean])/float64(cpu[ours]), "cpu_ratio_lean")
	}
}

// BenchmarkAnalyze measures the tokenizer and folding alone, on the texts
// of BenchmarkIndex.
func BenchmarkAnalyze(b *testing.B) {
	msgs := syntheticMessages(benchMessages)
	bytes := 0
	for _, m := range msgs {
		bytes += len(m.Text)
	}
	b.SetBytes(int64(bytes))
	var a analysis
	for b.Loop() {
		for _, m := range msgs {
			a.folded, a.exact, a.tokens, a.position = a.folded[:0], a.exact[:0], a.tokens[:0], 0
			analyze(&a, m.Text)
		}
	}
	b.ReportMetric(float64(b.N*len(msgs))/b.Elapsed().Seconds(), "msgs/s")
}

// runFields indexes msgs as Index.Add would, keeping only the document
// fields named in keep, into a new Bleve index at dir, and returns the
// time from creation to close.
func runFields(b *testing.B, dir string, msgs []*chat.Message, keep []string) time.Duration {
	start := time.Now()
	idx, err := bleve.New(dir, newMapping())
	if err != nil {
		b.Fatal(err)
	}
	for from := 0; from < len(msgs); from += benchBatchSize {
		batch := idx.NewBatch()
		for _, m := range msgs[from:min(from+benchBatchSize, len(msgs))] {
			doc := messageDocument(m, nil, hcm)
			doc.Fields = slices.DeleteFunc(doc.Fields, func(f document.Field) bool {
				return !slices.Contains(keep, f.Name())
			})
			if err := batch.IndexAdvanced(doc); err != nil {
				b.Fatal(err)
			}
		}
		if err := idx.Batch(batch); err != nil {
			b.Fatal(err)
		}
	}
	if err := idx.Close(); err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}

// BenchmarkIndexFields measures what each field of a message document adds
// to the time of indexing the folded text alone, side by side in one run.
// It reports, for each field, the time of the text plus that field over the
// time of the text alone (text+attrs_x and so on), the same for the whole
// document (all_x), and the raw Bleve baseline of BenchmarkIndex over the
// text alone (baseline_x). For an index rate of 0.9 of the baseline,
// all_x would have to be at most baseline_x/0.9.
func BenchmarkIndexFields(b *testing.B) {
	msgs := syntheticMessages(benchMessages)
	sets := []struct {
		metric string
		keep   []string
	}{
		{"text", []string{fieldText}},
		{"text+attrs_x", []string{fieldText, fieldAttrs}},
		{"text+facets_x", []string{fieldText, fieldFacets}},
		{"all_x", []string{fieldText, fieldAttrs, fieldFacets}},
	}
	times := make([]time.Duration, len(sets)+1)
	for b.Loop() {
		for round := range benchRounds {
			for i := range len(sets) + 1 {
				side := i
				if round%2 == 1 {
					side = len(sets) - i
				}
				if side == len(sets) {
					times[side] += runBaseline(b, b.TempDir(), msgs, false)
					continue
				}
				times[side] += runFields(b, b.TempDir(), msgs, sets[side].keep)
			}
		}
	}
	text := times[0].Seconds()
	for i, s := range sets[1:] {
		b.ReportMetric(times[i+1].Seconds()/text, s.metric)
	}
	b.ReportMetric(times[len(sets)].Seconds()/text, "baseline_x")
}
