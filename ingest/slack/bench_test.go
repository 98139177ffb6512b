package slack

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"chatseal/ingest"
)

// benchmarkMessages is the number of messages in the generated export.
const benchmarkMessages = 50000

// Parts of the generated messages, with full diacritics.
var (
	benchmarkPeople = []struct{ id, handle, name string }{
		{"U01LAN", "lan.nguyen", "Nguyễn Thị Lan"},
		{"U02HUNG", "hung.tran", "Trần Văn Hùng"},
		{"U03PHUC", "phuc.le", "Lê Quốc Phúc"},
		{"U04CHAU", "chau.pham", "Phạm Minh Châu"},
		{"U05TRANG", "trang.hoang", "Hoàng Thu Trang"},
		{"U06THANG", "thang.vo", "Võ Đức Thắng"},
	}
	benchmarkChannels = []string{"don-hang", "kho-van", "cskh", "ke-toan", "giao-hang"}
	benchmarkPhrases  = []string{
		"Đơn hàng đã được xác nhận, kho sẽ đóng gói trong hôm nay.",
		"Khách hỏi phí vận chuyển ra Đà Nẵng là bao nhiêu vậy anh?",
		"Em đã gửi hoá đơn đỏ cho khách qua email rồi ạ.",
		"Hàng về kho Bình Dương trễ hai ngày do mưa lớn.",
		"Nhờ chị kiểm tra giúp em công nợ tháng trước của đại lý Phú Thọ.",
		"Khách phản hồi sản phẩm bị móp hộp, mình xử lý đổi trả nhé.",
		"Lịch giao hàng tuần sau đã cập nhật trên bảng tính chung.",
		"Mã giảm giá tháng này áp dụng cho đơn từ 500.000đ trở lên.",
	}
)

// benchmarkExport writes an export of n messages to dir and returns the
// total size of its day files. The messages have the members a 2024 export
// writes: blocks, user_profile and team ids. One in ten has a mention and a
// link, one in eight is a thread reply, one in twenty has a file and one in
// fifteen a reaction.
func benchmarkExport(tb testing.TB, dir string, n int) int64 {
	tb.Helper()
	rng := rand.New(rand.NewPCG(3, 4))
	write := func(name string, v any) []byte {
		data, err := json.MarshalIndent(v, "", "    ")
		if err != nil {
			tb.Fatal(err)
		}
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			tb.Fatal(err)
		}
		return data
	}

	var users, channels []map[string]any
	for _, p := range benchmarkPeople {
		users = append(users, map[string]any{"id": p.id, "team_id": "T01", "name": p.handle, "real_name": p.name,
			"profile": map[string]any{"real_name": p.name, "display_name": strings.Fields(p.name)[2]}})
	}
	for i, c := range benchmarkChannels {
		channels = append(channels, map[string]any{"id": fmt.Sprintf("C0%d", i), "name": c, "created": 1700000000})
	}
	write(usersFile, users)
	write(channelsFile, channels)

	var total int64
	perDay := 250
	ts := int64(1704067200)
	for i := 0; i < n; {
		channel := benchmarkChannels[(i/perDay)%len(benchmarkChannels)]
		day := fmt.Sprintf("%s/2024-%02d-%02d.json", channel, 1+(i/perDay/28)%12, 1+(i/perDay)%28)
		var msgs []map[string]any
		var root string
		for k := 0; k < perDay && i < n; k, i = k+1, i+1 {
			ts += 1 + rng.Int64N(90)
			p := benchmarkPeople[rng.IntN(len(benchmarkPeople))]
			text := benchmarkPhrases[rng.IntN(len(benchmarkPhrases))]
			if i%10 == 0 {
				text = fmt.Sprintf("<@%s> xem giúp đơn <https://shop.example.com/o/%d|#%d> nhé. %s", benchmarkPeople[rng.IntN(len(benchmarkPeople))].id, i, i, text)
			}
			id := fmt.Sprintf("%d.%06d", ts, rng.IntN(1000000))
			m := map[string]any{
				"type": "message", "ts": id, "user": p.id, "text": text,
				"client_msg_id": fmt.Sprintf("6f1c2b1e-%04x-4000-8000-%012x", i%65536, i),
				"team":          "T01", "user_team": "T01", "source_team": "T01",
				"user_profile": map[string]any{"avatar_hash": "g0123456789a", "image_72": "https://avatars.example.com/" + p.id + ".png",
					"first_name": strings.Fields(p.name)[2], "real_name": p.name, "display_name": strings.Fields(p.name)[2],
					"team": "T01", "name": p.handle, "is_restricted": false, "is_ultra_restricted": false},
				"blocks": []any{map[string]any{"type": "rich_text", "block_id": fmt.Sprintf("b%d", i), "elements": []any{
					map[string]any{"type": "rich_text_section", "elements": []any{map[string]any{"type": "text", "text": text}}}}}},
			}
			switch {
			case k%8 == 0:
				root = id
			case k%8 == 3 && root != "":
				m["thread_ts"] = root
				m["parent_user_id"] = p.id
			}
			if i%20 == 7 {
				m["files"] = []any{map[string]any{"id": fmt.Sprintf("F%d", i), "name": "hoa-don.pdf", "title": "Hoá đơn", "mimetype": "application/pdf",
					"filetype": "pdf", "size": 48213, "url_private": fmt.Sprintf("https://files.example.com/F%d/hoa-don.pdf", i)}}
			}
			if i%15 == 4 {
				m["reactions"] = []any{map[string]any{"name": "white_check_mark", "users": []string{benchmarkPeople[0].id, benchmarkPeople[1].id}, "count": 2}}
			}
			msgs = append(msgs, m)
		}
		total += int64(len(write(day, msgs)))
	}
	return total
}

// zipFolder packs the folder dir into the zip file path.
func zipFolder(tb testing.TB, dir, path string) {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		w, err := zw.Create(filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(w, f)
		return err
	})
	if err == nil {
		err = zw.Close()
	}
	if err == nil {
		err = os.WriteFile(path, buf.Bytes(), 0o644)
	}
	if err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkRead reads a generated export of 50,000 messages, as a folder and
// as a zip, once per iteration. msgs/s is messages read per second of wall
// time. msgs/cpu-s is messages read per second of CPU time of the whole
// process, garbage collection included, because other load on the machine
// changes it less.
func BenchmarkRead(b *testing.B) {
	dir := b.TempDir()
	folder := filepath.Join(dir, "export")
	size := benchmarkExport(b, folder, benchmarkMessages)
	zipPath := filepath.Join(dir, "export.zip")
	zipFolder(b, folder, zipPath)

	for _, layout := range []struct{ name, path string }{{"folder", folder}, {"zip", zipPath}} {
		b.Run(layout.name, func(b *testing.B) {
			opts := ingest.Options{Account: "bench"}
			b.SetBytes(size)
			b.ReportAllocs()
			n := 0
			cpuStart := cpuTime(b)
			for b.Loop() {
				r := openExport(b, layout.path, opts)
				msgs := 0
				for {
					_, err := r.Next()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					msgs++
				}
				r.Close()
				if msgs != benchmarkMessages {
					b.Fatalf("read %d messages, want %d", msgs, benchmarkMessages)
				}
				n += msgs
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "msgs/s")
			b.ReportMetric(float64(n)/(cpuTime(b)-cpuStart).Seconds(), "msgs/cpu-s")
		})
	}
}

// cpuTime returns the user and system CPU time the process has used.
func cpuTime(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
