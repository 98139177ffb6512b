package telegram

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	"chatseal/ingest"
)

// benchmarkMessages is the number of messages in the generated benchmark
// export.
const benchmarkMessages = 50000

// Parts of the generated customer-care chat, with full diacritics.
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

// benchmarkExport returns a single-chat result.json of n messages laid out
// as Telegram Desktop writes them (one-space indentation, text and
// text_entities). Most are plain texts. Every fourth has formatted runs
// (text as an array), every fifth replies to the one before, every seventh
// is a photo and every eleventh a voice message. Every thirteenth text has
// a line break, so that its strings have escapes.
func benchmarkExport(n int) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	var buf bytes.Buffer
	buf.WriteString("{\n \"name\": \"Nhóm CSKH Miền Bắc\",\n \"type\": \"private_supergroup\",\n \"id\": 1987654321,\n \"messages\": [")
	quote := func(s string) string {
		b, _ := json.Marshal(s)
		return string(b)
	}
	for i := range n {
		if i > 0 {
			buf.WriteByte(',')
		}
		id := 1000 + i
		ts := int64(1715302812 + i*47)
		sender := rng.IntN(len(benchmarkNames))
		fmt.Fprintf(&buf, "\n  {\n   \"id\": %d,\n   \"type\": \"message\",\n   \"date\": \"2024-05-10T08:00:12\",\n   \"date_unixtime\": \"%d\",\n   \"from\": %s,\n   \"from_id\": \"user%d\"", id, ts, quote(benchmarkNames[sender]), 6000000000+sender)
		if i%5 == 4 {
			fmt.Fprintf(&buf, ",\n   \"reply_to_message_id\": %d", id-1)
		}
		switch {
		case i%7 == 6:
			fmt.Fprintf(&buf, ",\n   \"photo\": \"photos/photo_%d@10-05-2024_08-09-52.jpg\",\n   \"photo_file_size\": %d,\n   \"width\": 1280,\n   \"height\": 960", i, 100000+rng.IntN(90000))
		case i%11 == 10:
			fmt.Fprintf(&buf, ",\n   \"file\": \"voice_messages/audio_%d@10-05-2024_08-12-40.ogg\",\n   \"file_size\": %d,\n   \"media_type\": \"voice_message\",\n   \"mime_type\": \"audio/ogg\",\n   \"duration_seconds\": %d", i, 20000+rng.IntN(9000), 1+rng.IntN(60))
		}

		phrase := benchmarkPhrases[rng.IntN(len(benchmarkPhrases))]
		if i%13 == 12 {
			phrase += "\n" + benchmarkPhrases[rng.IntN(len(benchmarkPhrases))]
		}
		if i%4 == 3 {
			bold := benchmarkPhrases[rng.IntN(len(benchmarkPhrases))]
			fmt.Fprintf(&buf, ",\n   \"text\": [\n    %s,\n    {\n     \"type\": \"bold\",\n     \"text\": %s\n    },\n    \" liên hệ \",\n    {\n     \"type\": \"phone\",\n     \"text\": \"+84 90 000 1111\"\n    }\n   ]", quote(phrase+" "), quote(bold))
			fmt.Fprintf(&buf, ",\n   \"text_entities\": [\n    {\n     \"type\": \"plain\",\n     \"text\": %s\n    },\n    {\n     \"type\": \"bold\",\n     \"text\": %s\n    },\n    {\n     \"type\": \"plain\",\n     \"text\": \" liên hệ \"\n    },\n    {\n     \"type\": \"phone\",\n     \"text\": \"+84 90 000 1111\"\n    }\n   ]", quote(phrase+" "), quote(bold))
		} else {
			fmt.Fprintf(&buf, ",\n   \"text\": %s,\n   \"text_entities\": [\n    {\n     \"type\": \"plain\",\n     \"text\": %s\n    }\n   ]", quote(phrase), quote(phrase))
		}
		buf.WriteString("\n  }")
	}
	buf.WriteString("\n ]\n}\n")
	return buf.Bytes()
}

func BenchmarkRead(b *testing.B) {
	input := benchmarkExport(benchmarkMessages)
	opts := ingest.Options{Account: "bench"}
	b.SetBytes(int64(len(input)))
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		r := NewReader(bytes.NewReader(input), "bench.json", opts)
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
		if n != benchmarkMessages {
			b.Fatalf("read %d messages, want %d", n, benchmarkMessages)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkDecoderFraming measures, for comparison with BenchmarkRead, what
// encoding/json's Decoder alone costs to frame the same messages into
// json.RawMessage values, before any parsing. scan.go explains why the
// reader does not use it.
func BenchmarkDecoderFraming(b *testing.B) {
	input := benchmarkExport(benchmarkMessages)
	b.SetBytes(int64(len(input)))
	b.ResetTimer()
	for b.Loop() {
		dec := json.NewDecoder(bytes.NewReader(input))
		for {
			tok, err := dec.Token()
			if err != nil {
				b.Fatal(err)
			}
			if tok == json.Delim('[') {
				break
			}
		}
		n := 0
		for dec.More() {
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != benchmarkMessages {
			b.Fatalf("framed %d messages, want %d", n, benchmarkMessages)
		}
	}
	b.ReportMetric(float64(benchmarkMessages*b.N)/b.Elapsed().Seconds(), "msgs/s")
}
