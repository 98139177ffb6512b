package messenger

import (
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

// Benchmark input sizes: a long customer-care thread split the way DYI
// splits threads, at most 10,000 messages per file.
const (
	benchmarkMessages     = 50000
	benchmarkFileMessages = 10000
)

var (
	benchmarkNames   = []string{"Trần Thu Trang", "Nguyễn Văn Phúc"}
	benchmarkPhrases = []string{
		"Dạ em chào chị, shop Phúc Thịnh nghe ạ.",
		"Còn màu xanh rêu size M không shop?",
		"Chị cho em xin số điện thoại và địa chỉ nhận hàng nhé.",
		"Em đã lên đơn, phí vận chuyển 30.000đ, dự kiến giao trong 2-3 ngày.",
		"Chuyển khoản rồi nhé. Nội dung: TRANG CK ĐƠN 42",
		"Hàng đổi trả trong vòng 7 ngày nếu còn nguyên tem mác ạ.",
		"Đã nhận hàng, cảm ơn shop 👍🏻",
		"Áo hơi rộng, shop đổi giúp mình size nhỏ hơn được không?",
		"Mã giảm giá FREESHIP chỉ áp dụng cho đơn từ 300.000đ chị ơi.",
		"Shop ơi đơn của mình đang ở đâu rồi?",
	}
)

// benchmarkThread returns the files of a DYI thread of n messages, newest
// first and message_1.json newest, with Meta's mojibake escapes. Every
// tenth message has a photo, every twentieth a reaction, every fiftieth a
// shared link.
func benchmarkThread(b *testing.B, n int) memTree {
	rng := rand.New(rand.NewPCG(7, 11))
	msgs := make([]dyiMsg, n)
	ts := int64(1698890405120)
	for i := n - 1; i >= 0; i-- {
		ts += 1000 + rng.Int64N(600000)
		var text strings.Builder
		for range 1 + rng.IntN(2) {
			if text.Len() > 0 {
				text.WriteString(" ")
			}
			text.WriteString(benchmarkPhrases[rng.IntN(len(benchmarkPhrases))])
		}
		m := textMsg(benchmarkNames[rng.IntN(2)], ts, text.String())
		m["is_unsent_image_by_messenger_kid_parent"] = false
		switch {
		case i%10 == 3:
			m["photos"] = []any{map[string]any{"uri": fmt.Sprintf("your_facebook_activity/messages/inbox/tranthutrang_1/photos/%d.jpg", 371234567890123+i), "creation_timestamp": ts / 1000}}
		case i%20 == 7:
			m["reactions"] = []any{map[string]any{"reaction": "❤", "actor": benchmarkNames[0]}}
		case i%50 == 11:
			m["share"] = map[string]any{"link": fmt.Sprintf("https://example.com/track/VN%04d", i)}
		}
		msgs[i] = m
	}

	files := memTree{}
	for part := 0; part*benchmarkFileMessages < n; part++ {
		lo, hi := part*benchmarkFileMessages, min((part+1)*benchmarkFileMessages, n)
		name := fmt.Sprintf("inbox/tranthutrang_1/message_%d.json", part+1)
		files[name] = dyiFile(b, "inbox/tranthutrang_1", benchmarkNames[0], benchmarkNames, msgs[lo:hi])
	}
	return files
}

// benchmarkE2EE returns an E2EE export of n messages, oldest first.
func benchmarkE2EE(b *testing.B, n int) memTree {
	rng := rand.New(rand.NewPCG(7, 11))
	msgs := make([]map[string]any, n)
	ts := int64(1717209000123)
	for i := range msgs {
		ts += 1000 + rng.Int64N(600000)
		m := map[string]any{
			"isUnsent": false, "media": []any{}, "reactions": []any{},
			"senderName": benchmarkNames[rng.IntN(2)], "text": benchmarkPhrases[rng.IntN(len(benchmarkPhrases))],
			"timestamp": ts, "type": "text",
		}
		if i%10 == 3 {
			m["type"], m["text"] = "media", ""
			m["media"] = []any{map[string]any{"uri": fmt.Sprintf("./media/%08d.jpeg", i)}}
		}
		msgs[i] = m
	}
	return memTree{"Tran Thu Trang_1.json": e2eeFile(b, "Tran Thu Trang_1", benchmarkNames, msgs)}
}

func BenchmarkRead(b *testing.B) {
	layouts := []struct {
		name  string
		files memTree
	}{
		{"dyi", benchmarkThread(b, benchmarkMessages)},
		{"e2ee", benchmarkE2EE(b, benchmarkMessages)},
	}
	for _, layout := range layouts {
		b.Run(layout.name, func(b *testing.B) {
			var size int64
			for _, data := range layout.files {
				size += int64(len(data))
			}
			b.SetBytes(size)
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				r := openMemory(layout.files, testOptions)
				n = 0
				for {
					_, err := r.Next()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					n++
				}
			}
			if n != benchmarkMessages {
				b.Fatalf("read %d messages, want %d", n, benchmarkMessages)
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}
