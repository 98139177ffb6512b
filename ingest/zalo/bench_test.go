package zalo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"chatseal/chat"
	"chatseal/ingest"
)

// benchmarkLines is the number of lines in the generated benchmark input.
const benchmarkLines = 4000

// Parts of the generated customer-care messages, with full diacritics.
var (
	benchmarkNames = []string{
		"Nguyễn Thị Lan", "Trần Văn Hùng", "Lê Quốc Phúc", "Phạm Minh Châu",
		"Hoàng Thu Trang", "Võ Đức Thắng", "Đặng Ngọc Ánh", "Bùi Thanh Tâm",
	}
	benchmarkPhrases = []string{
		"Dạ em chào anh/chị, em là nhân viên chăm sóc khách hàng.",
		"Anh/chị vui lòng cho em xin số điện thoại đăng ký để em kiểm tra ạ.",
		"Tôi chuyển khoản từ sáng nay mà tài khoản người nhận vẫn chưa nhận được tiền.",
		"Thẻ của tôi bị khóa sau khi nhập sai mã PIN ba lần, giờ phải làm sao?",
		"Phí thường niên của thẻ tín dụng năm nay là bao nhiêu vậy em?",
		"Em đã ghi nhận yêu cầu, bộ phận xử lý sẽ phản hồi trong vòng 24 giờ làm việc.",
		"Ứng dụng báo lỗi khi tôi đăng nhập bằng vân tay trên điện thoại mới.",
		"Cảm ơn anh/chị đã kiên nhẫn chờ đợi, giao dịch đã được hoàn tiền.",
		"Lãi suất tiết kiệm kỳ hạn 12 tháng hiện tại là bao nhiêu phần trăm?",
		"Tôi muốn mở thêm một tài khoản thanh toán cho công ty thì cần giấy tờ gì?",
		"Mã OTP không về máy, tôi đã thử gửi lại nhiều lần rồi.",
		"Chi nhánh gần nhất ở quận Hoàn Kiếm mở cửa đến mấy giờ ạ?",
	}
)

// benchmarkInput returns a capture file of n lines shaped like real zca-js
// events of a customer-care account. They are direct text messages of about
// 400 to 700 bytes, and every fiftieth line is a recall. Every tenth text has
// a line break and quotes, so that its string has escapes.
func benchmarkInput(n int) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	var buf bytes.Buffer
	for i := range n {
		customer := fmt.Sprintf("77000000000%08d", rng.IntN(100000000))
		uidFrom, idTo, name := customer, "0", benchmarkNames[rng.IntN(len(benchmarkNames))]
		if rng.IntN(2) == 0 {
			uidFrom, idTo, name = "0", customer, ""
		}
		msgID := 7200000000000 + int64(i)*17
		ts := 1702917397854 + int64(i)*61000

		var text strings.Builder
		for range 1 + rng.IntN(3) {
			if text.Len() > 0 {
				text.WriteString(" ")
			}
			text.WriteString(benchmarkPhrases[rng.IntN(len(benchmarkPhrases))])
		}
		if i%10 == 3 {
			text.WriteString("\n\"Mã giao dịch\": FT24" + fmt.Sprint(rng.IntN(1000000)))
		}
		content, err := json.Marshal(text.String())
		if err != nil {
			panic(err)
		}
		msgType := "webchat"
		event := "message"
		if i%50 == 49 {
			event, msgType = "undo", "chat.undo"
			content = fmt.Appendf(nil, `{"globalMsgId": %d, "cliMsgId": %d, "deleteMsg": 1, "srcId": 8100000000000000021, "destId": %s}`,
				msgID-17, ts-5000, customer)
		}

		fmt.Fprintf(&buf, `{"event": %q, "threadType": "user", "data": {"actionId": "%d", "msgId": "%d", "cliMsgId": "%d", `+
			`"msgType": %q, "uidFrom": %q, "idTo": %q, "dName": %q, "ts": "%d", "status": 1, "content": %s, `+
			`"notify": "1", "ttl": 0, "userId": "0", "uin": "0", "cmd": 501, "st": 3, "at": 5, "realMsgId": "0"}}`+"\n",
			event, 2000+i, msgID, ts-300, msgType, uidFrom, idTo, name, ts, content)
	}
	return buf.Bytes()
}

// BenchmarkReader measures Next on generated capture lines. One operation is
// one message, so ns/op and allocs/op are per message, and MB/s counts input
// bytes.
func BenchmarkReader(b *testing.B) {
	input := benchmarkInput(benchmarkLines)
	opts := ingest.Options{Account: "bench", AccountUID: testAccountUID}
	newReader := func() ingest.Reader {
		return NewReader(bytes.NewReader(input), "bench.jsonl", opts)
	}

	// Every line must be a message, or the benchmark measures bad records.
	msgs, bad := readAll(b, bytes.NewReader(input), "bench.jsonl", opts)
	if len(bad) != 0 || len(msgs) != benchmarkLines {
		b.Fatalf("got %d messages and %d bad records, want %d messages: %v", len(msgs), len(bad), benchmarkLines, bad)
	}
	b.SetBytes(int64(len(input) / benchmarkLines))
	b.ReportAllocs()

	r := newReader()
	var last *chat.Message
	for b.Loop() {
		m, err := r.Next()
		if errors.Is(err, io.EOF) {
			r = newReader()
			m, err = r.Next()
		}
		if err != nil {
			b.Fatal(err)
		}
		last = m
	}
	if last == nil {
		b.Fatal("no message read")
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/msg")
}
