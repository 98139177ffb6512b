package whatsapp

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"chatseal/chat"
	"chatseal/ingest"
	"chatseal/internal/cputime"
)

// processCPUTime returns the CPU time of the process so far, 0 where the
// system does not report it.
var processCPUTime = cputime.Process

// benchmarkMessages is the number of messages in a generated export.
const benchmarkMessages = 50_000

// Parts of the generated shop conversations, with full diacritics.
var (
	benchmarkNames = []string{
		"Nguyễn Thị Lan", "Trần Văn Hùng", "Lê Quốc Phúc", "Phạm Minh Châu",
		"Hoàng Thu Trang", "Võ Đức Thắng", "+84 90 123 4567", "Bùi Thanh Tâm",
	}
	benchmarkPhrases = []string{
		"Dạ em chào anh/chị, shop còn hàng ạ.",
		"Cho em hỏi áo size M còn màu xanh không ạ?",
		"Em chuyển khoản rồi nhé, mã giao dịch FT24081234.",
		"Phí ship nội thành 20k, ngoại thành 35k ạ.",
		"Địa chỉ: 12 Nguyễn Hữu Thọ, Phường Tân Hưng, Quận 7.",
		"Hàng về chiều nay, em giao trong ngày luôn ạ.",
		"Chị ơi đơn của em đến đâu rồi ạ? 😍",
		"Cảm ơn anh đã ủng hộ shop, lần sau shop giảm 10% ạ 🙏",
		"Bảng giá sỉ từ 50 cái trở lên, chị xem file em gửi nhé.",
		"ok",
	}
)

// benchmarkExport returns a generated export of n messages, one every 47
// seconds, with the mix of a shop's group chat: multi-line messages, media
// with captions, omitted media, edited messages and system lines. layout is
// "android" (dd/mm/yyyy, 24-hour) or "ios" ([m/d/yy, h:mm:ss AM]).
func benchmarkExport(layout string, n int) []byte {
	rng := rand.New(rand.NewPCG(7, 11))
	start := time.Date(2024, 1, 2, 8, 0, 0, 0, time.UTC)
	var buf bytes.Buffer
	for i := range n {
		at := start.Add(time.Duration(i) * 47 * time.Second)
		if layout == "ios" {
			fmt.Fprintf(&buf, "[%d/%d/%02d, %s\u202f%s] ", at.Month(), at.Day(), at.Year()%100, at.Format("3:04:05"), at.Format("PM"))
		} else {
			fmt.Fprintf(&buf, "%s - ", at.Format("02/01/2006, 15:04"))
		}

		name := benchmarkNames[rng.IntN(len(benchmarkNames))]
		phrase := benchmarkPhrases[rng.IntN(len(benchmarkPhrases))]
		switch {
		case i%50 == 0 && layout == "ios":
			fmt.Fprintf(&buf, "Đơn hàng Quận 7: \u200e%s added %s\n", name, benchmarkNames[rng.IntN(len(benchmarkNames))])
		case i%50 == 0:
			fmt.Fprintf(&buf, "%s added %s\n", name, benchmarkNames[rng.IntN(len(benchmarkNames))])
		case i%10 == 3 && layout == "ios":
			fmt.Fprintf(&buf, "%s: \u200e<attached: %08d-PHOTO-%s.jpg>\n%s\n", name, i, at.Format("2006-01-02-15-04-05"), phrase)
		case i%10 == 3:
			fmt.Fprintf(&buf, "%s: IMG-%s-WA%04d.jpg (file attached)\n%s\n", name, at.Format("20060102"), i%10000, phrase)
		case i%13 == 5:
			fmt.Fprintf(&buf, "%s: <Media omitted>\n", name)
		case i%7 == 1:
			fmt.Fprintf(&buf, "%s: %s\n%s\n\n%s\n", name, phrase, benchmarkPhrases[rng.IntN(len(benchmarkPhrases))], benchmarkPhrases[rng.IntN(len(benchmarkPhrases))])
		case i%20 == 9:
			fmt.Fprintf(&buf, "%s: %s <This message was edited>\n", name, phrase)
		default:
			fmt.Fprintf(&buf, "%s: %s\n", name, phrase)
		}
	}
	return buf.Bytes()
}

func BenchmarkRead_Android(b *testing.B) { benchmarkRead(b, "android") }

func BenchmarkRead_IOS(b *testing.B) { benchmarkRead(b, "ios") }

// benchmarkRead reads a whole generated export per iteration and reports
// messages per second of wall time and of the process's CPU time.
func benchmarkRead(b *testing.B, layout string) {
	input := benchmarkExport(layout, benchmarkMessages)
	opts := ingest.Options{Account: "bench", SelfName: "Trần Văn Hùng"}

	msgs, bad := readAll(b, bytes.NewReader(input), "bench.txt", opts)
	if len(bad) != 0 || len(msgs) != benchmarkMessages {
		b.Fatalf("got %d messages and %d bad records, want %d messages", len(msgs), len(bad), benchmarkMessages)
	}
	checkBenchmarkMix(b, msgs)
	b.SetBytes(int64(len(input)))
	b.ReportAllocs()

	iterations := 0
	cpuBefore := processCPUTime()
	for b.Loop() {
		r := NewReader(bytes.NewReader(input), "bench.txt", opts)
		for {
			_, err := r.Next()
			if err != nil {
				break
			}
		}
		iterations++
	}
	cpu := processCPUTime() - cpuBefore
	messages := float64(benchmarkMessages * iterations)
	b.ReportMetric(messages/b.Elapsed().Seconds(), "msgs/s")
	if cpu > 0 {
		// On a shared machine wall time includes waiting for a core; CPU
		// time, garbage collection included, does not.
		b.ReportMetric(messages/cpu.Seconds(), "msgs/cpu-s")
	}
}

// checkBenchmarkMix fails the benchmark unless the generated export parses
// into the intended mix, so that it measures real work.
func checkBenchmarkMix(b *testing.B, msgs []*chat.Message) {
	kinds := map[chat.Kind]int{}
	edited, multiline := 0, 0
	for _, m := range msgs {
		kinds[m.Kind]++
		if m.Edited {
			edited++
		}
		if strings.Contains(m.Text, "\n") {
			multiline++
		}
	}
	if kinds[chat.KindSystem] != benchmarkMessages/50 || kinds[chat.KindImage] == 0 || kinds[chat.KindFile] == 0 || edited == 0 || multiline == 0 {
		b.Fatalf("unexpected mix: kinds %v, %d edited, %d multi-line", kinds, edited, multiline)
	}
}
