package zalooa

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"chatseal/ingest"
)

// benchmarkEvents is the number of events in the generated webhook log.
const benchmarkEvents = 50000

// benchmarkPhrases are the parts of the generated customer-care messages,
// with full diacritics.
var benchmarkPhrases = []string{
	"Shop ơi tư vấn giúp em mẫu bàn gỗ sồi này với ạ.",
	"Dạ mẫu này còn hàng, giá 3.200.000đ đã gồm phí giao nội thành ạ.",
	"Em ở Đà Nẵng thì phí vận chuyển bao nhiêu vậy shop?",
	"Anh/chị vui lòng cho em xin số điện thoại và địa chỉ nhận hàng nhé.",
	"Đơn hàng của chị đã được xác nhận, dự kiến giao trong 3 ngày làm việc.",
	"Sản phẩm bảo hành 12 tháng, đổi trả trong 7 ngày nếu có lỗi ạ.",
	"Cho em hỏi có trả góp qua thẻ tín dụng không ạ?",
	"Cảm ơn anh đã tin tưởng, chúc anh một ngày tốt lành!",
}

// benchmarkLog returns a webhook log of n events shaped like those of a
// shop's OA. Most are texts from customers and the OA's replies. Every tenth
// is an image, every twentieth a file and every fiftieth a follow. One in a
// hundred is a retried webhook that repeats the previous line.
func benchmarkLog(n int) []byte {
	rng := rand.New(rand.NewPCG(5, 6))
	const oa = "4400556677889900112"
	var buf bytes.Buffer
	var last []byte
	for i := range n {
		if i%100 == 99 && last != nil {
			buf.Write(last)
			continue
		}
		user := fmt.Sprintf("88%017d", rng.IntN(5000))
		ts := 1717984800456 + int64(i)*37000
		msgID := fmt.Sprintf("%020x", 0xc1a2b3c4d5e6f7a8+uint64(i))
		text := benchmarkPhrases[rng.IntN(len(benchmarkPhrases))]
		start := buf.Len()
		switch {
		case i%50 == 0:
			fmt.Fprintf(&buf, `{"app_id": "1234567890123456789", "event_name": "follow", "timestamp": "%d", "oa_id": %q, "follower": {"id": %q}, "source": "oa_profile"}`,
				ts, oa, user)
		case i%20 == 0:
			fmt.Fprintf(&buf, `{"app_id": "1234567890123456789", "user_id_by_app": "5550001112223334445", "event_name": "user_send_file", "timestamp": "%d", "sender": {"id": %q}, "recipient": {"id": %q}, `+
				`"message": {"msg_id": %q, "attachments": [{"type": "file", "payload": {"url": "https://file.example.com/f/%d.pdf", "name": "Hợp đồng mua bán.pdf", "size": "233947", "checksum": "db8f0a790d28e3d8658a0ff0846189aa", "type": "pdf"}}]}}`,
				ts, user, oa, msgID, i)
		case i%10 == 0:
			fmt.Fprintf(&buf, `{"app_id": "1234567890123456789", "user_id_by_app": "5550001112223334445", "event_name": "user_send_image", "timestamp": "%d", "sender": {"id": %q}, "recipient": {"id": %q}, `+
				`"message": {"msg_id": %q, "text": "", "attachments": [{"type": "image", "payload": {"thumbnail": "https://img.example.com/t/%d.jpg", "url": "https://img.example.com/o/%d.jpg"}}]}}`,
				ts, user, oa, msgID, i, i)
		case i%2 == 0:
			fmt.Fprintf(&buf, `{"app_id": "1234567890123456789", "user_id_by_app": "5550001112223334445", "event_name": "oa_send_text", "timestamp": "%d", "sender": {"id": %q}, "recipient": {"id": %q}, "message": {"msg_id": %q, "text": %q}}`,
				ts, oa, user, msgID, text)
		default:
			fmt.Fprintf(&buf, `{"app_id": "1234567890123456789", "user_id_by_app": "5550001112223334445", "event_name": "user_send_text", "timestamp": "%d", "sender": {"id": %q}, "recipient": {"id": %q}, "message": {"msg_id": %q, "text": %q}}`,
				ts, user, oa, msgID, text)
		}
		buf.WriteByte('\n')
		last = buf.Bytes()[start:]
	}
	return buf.Bytes()
}

// BenchmarkRead reads a generated webhook log of 50,000 events once per
// iteration. msgs/s is messages read per second of wall time. msgs/cpu-s is
// messages read per second of CPU time of the whole process, garbage
// collection included, because other load on the machine changes it less.
func BenchmarkRead(b *testing.B) {
	input := benchmarkLog(benchmarkEvents)
	opts := ingest.Options{Account: "bench", AccountUID: "4400556677889900112"}
	b.SetBytes(int64(len(input)))
	b.ReportAllocs()

	n := 0
	cpuStart := cpuTime(b)
	for b.Loop() {
		r := NewReader(bytes.NewReader(input), "bench.jsonl", opts)
		msgs := 0
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			var bad *ingest.BadRecord
			if errors.As(err, &bad) || err != nil {
				b.Fatal(err)
			}
			msgs++
		}
		if msgs != benchmarkEvents {
			b.Fatalf("read %d messages, want %d", msgs, benchmarkEvents)
		}
		n += msgs
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "msgs/s")
	b.ReportMetric(float64(n)/(cpuTime(b)-cpuStart).Seconds(), "msgs/cpu-s")
}

// cpuTime returns the user and system CPU time the process has used.
func cpuTime(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
