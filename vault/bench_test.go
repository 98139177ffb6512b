package vault

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"

	"chatseal/chat"
	"chatseal/index"
	"chatseal/ingest"
	"chatseal/ingest/zalo"
	"chatseal/internal/cputime"
	"chatseal/internal/testdata"
)

// processCPUTime returns the CPU time of the process so far, 0 where the
// system does not report it.
var processCPUTime = cputime.Process

// benchImportMessages is the size of the import benchmark's corpus.
const benchImportMessages = 40000

// writeBenchCorpus writes a Zalo capture of n messages to path. The texts
// are the real customer messages of vi-bank-support, cycled; ids, senders
// and times are generated so that every message is new and the corpus
// spreads over 3 accounts' worth of conversations and 24 months.
func writeBenchCorpus(b *testing.B, path string, n int) {
	b.Helper()
	accounts := testdata.BankSupport(b)
	var texts []string
	for _, a := range accounts {
		f, err := os.Open(a.File)
		if err != nil {
			b.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			var line struct {
				Data struct {
					Content json.RawMessage `json:"content"`
				} `json:"data"`
			}
			json.Unmarshal(sc.Bytes(), &line)
			var s string
			if json.Unmarshal(line.Data.Content, &s) == nil && s != "" {
				texts = append(texts, s)
			}
		}
		f.Close()
	}

	out, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(out)
	start := time.Date(2024, 12, 1, 8, 0, 0, 0, time.UTC).UnixMilli()
	step := int64(24*30*24*3600*1000) / int64(n)
	for i := 0; i < n; i++ {
		customer := fmt.Sprintf("77000000000%08d", i%3000)
		from, to, name := customer, "0", "Khách "+customer[len(customer)-4:]
		if i%3 == 2 {
			from, to, name = "0", customer, ""
		}
		ts := start + int64(i)*step
		data := map[string]any{
			"actionId": fmt.Sprint(i), "msgId": fmt.Sprint(9100000000000 + i), "cliMsgId": fmt.Sprint(ts - 500),
			"msgType": "webchat", "uidFrom": from, "idTo": to, "dName": name, "ts": fmt.Sprint(ts),
			"status": 1, "content": texts[i%len(texts)], "notify": "1", "ttl": 0, "userId": "0", "uin": "0",
			"cmd": 501, "st": 3, "at": 5, "realMsgId": "0",
		}
		line, _ := json.Marshal(map[string]any{"event": "message", "threadType": "user", "data": data})
		w.Write(line)
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	out.Close()
}

// parseCorpus reads the capture with the Zalo importer, as an import does.
func parseCorpus(b *testing.B, path string) []*chat.Message {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	r := zalo.NewReader(f, path, ingest.Options{Account: "bench"})
	var msgs []*chat.Message
	for {
		m, err := r.Next()
		if err != nil {
			break
		}
		m.ID = fmt.Sprintf("%026d", len(msgs))
		msgs = append(msgs, m)
	}
	return msgs
}

// rawBleve indexes the texts into a new Bleve index with one text field
// analysed by the index package's folded analyzer, in batches of 1,000, as
// a plain Bleve user would, and returns the elapsed time from creation to
// close.
func rawBleve(b *testing.B, dir string, msgs []*chat.Message) time.Duration {
	started := time.Now()
	m := bleve.NewIndexMapping()
	doc := bleve.NewDocumentStaticMapping()
	text := bleve.NewTextFieldMapping()
	text.Analyzer = index.FoldedAnalyzer
	doc.AddFieldMappingsAt("text", text)
	m.DefaultMapping = doc
	idx, err := bleve.New(dir, m)
	if err != nil {
		b.Fatal(err)
	}
	type rawDoc struct {
		Text string `json:"text"`
	}
	for from := 0; from < len(msgs); from += 1000 {
		batch := idx.NewBatch()
		for _, msg := range msgs[from:min(from+1000, len(msgs))] {
			if err := batch.Index(msg.ID, rawDoc{Text: msg.Text}); err != nil {
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
	return time.Since(started)
}

// fullImport imports the capture into a new fs data folder and returns the
// elapsed time from Open to Close and the archive's bytes.
func fullImport(b *testing.B, dir, path string) (time.Duration, int64) {
	started := time.Now()
	ctx := context.Background()
	v, err := Open(ctx, Config{DataDir: dir})
	if err != nil {
		b.Fatal(err)
	}
	sum, err := v.Import(ctx, ImportRequest{Source: "zalo", Account: "bench", AccountUID: "8100000000000000099", Inputs: []string{path}}, nil)
	if err != nil {
		b.Fatal(err)
	}
	if sum.Stored != benchImportMessages {
		b.Fatalf("stored %d of %d", sum.Stored, benchImportMessages)
	}
	stats, err := v.Stats(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if err := v.Close(); err != nil {
		b.Fatal(err)
	}
	return time.Since(started), stats.ArchiveBytes
}

// indexOnly indexes msgs with chatseal's index alone, in calls of one
// flush each as an import makes them, into a new index at dir, and returns
// the elapsed time from Open to Close.
func indexOnly(b *testing.B, dir string, msgs []*chat.Message) time.Duration {
	started := time.Now()
	x, err := index.Open(index.Config{Path: dir})
	if err != nil {
		b.Fatal(err)
	}
	var cfg Config
	cfg.setDefaults()
	flush := cfg.FlushMessages
	for from := 0; from < len(msgs); from += flush {
		if err := x.Add(msgs[from:min(from+flush, len(msgs))]); err != nil {
			b.Fatal(err)
		}
	}
	if err := x.Close(); err != nil {
		b.Fatal(err)
	}
	return time.Since(started)
}

// BenchmarkImport measures, side by side in one run, the raw Bleve
// indexing rate of the corpus's texts, chatseal's index alone on the same
// parsed messages, and a full import of the same corpus on the fs store
// (parse, spool fsync, zstd, age, PUT, catalog, index). Each iteration runs
// raw, index, import, import, index, raw, so that drift in machine load
// falls on every side. Metrics: raw_bleve_msgs/s, index_msgs/s,
// import_msgs/s, ratio (import over raw Bleve), index_ratio (index alone
// over raw Bleve), archive_ratio (import over index alone: what the
// archive, crypto and catalog leave of the index's rate) and
// archive_bytes/msg.
func BenchmarkImport(b *testing.B) {
	path := filepath.Join(b.TempDir(), "corpus.jsonl")
	writeBenchCorpus(b, path, benchImportMessages)
	msgs := parseCorpus(b, path)
	if len(msgs) != benchImportMessages {
		b.Fatalf("corpus parsed to %d messages", len(msgs))
	}

	var raw, idx, imp time.Duration
	var archiveBytes int64
	for b.Loop() {
		raw += rawBleve(b, b.TempDir(), msgs)
		idx += indexOnly(b, b.TempDir(), msgs)
		d, bytes := fullImport(b, b.TempDir(), path)
		imp += d
		d, _ = fullImport(b, b.TempDir(), path)
		imp += d
		idx += indexOnly(b, b.TempDir(), msgs)
		raw += rawBleve(b, b.TempDir(), msgs)
		archiveBytes = bytes
	}
	runs := float64(2 * b.N * benchImportMessages)
	rawRate := runs / raw.Seconds()
	idxRate := runs / idx.Seconds()
	impRate := runs / imp.Seconds()
	b.ReportMetric(rawRate, "raw_bleve_msgs/s")
	b.ReportMetric(idxRate, "index_msgs/s")
	b.ReportMetric(impRate, "import_msgs/s")
	b.ReportMetric(impRate/rawRate, "ratio")
	b.ReportMetric(idxRate/rawRate, "index_ratio")
	b.ReportMetric(impRate/idxRate, "archive_ratio")
	b.ReportMetric(float64(archiveBytes)/benchImportMessages, "archive_bytes/msg")
}

// BenchmarkImportCPU imports the corpus of BenchmarkImport once per
// iteration and reports the process CPU time and the wall time per
// import. CPU time is disturbed less than wall time by other jobs on a
// shared machine, so two builds compare better by it, run in turns.
func BenchmarkImportCPU(b *testing.B) {
	path := filepath.Join(b.TempDir(), "corpus.jsonl")
	writeBenchCorpus(b, path, benchImportMessages)
	var cpu, wall time.Duration
	for b.Loop() {
		before := processCPUTime()
		d, _ := fullImport(b, b.TempDir(), path)
		cpu += processCPUTime() - before
		wall += d
	}
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu_s/import")
	b.ReportMetric(wall.Seconds()/float64(b.N), "wall_s/import")
}
