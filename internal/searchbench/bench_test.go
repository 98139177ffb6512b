package searchbench

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkSearch1M runs the whole comparison once on a corpus of
// CHATSEAL_BENCH_N messages (1000000 for the name's size) and is skipped
// when that variable is unset, so CI does not run it. Optional variables:
// CHATSEAL_BENCH_QUERIES (per class, default 200), CHATSEAL_BENCH_PAIRS=1
// (also build the pair prototype) and CHATSEAL_BENCH_DIR (keep the
// indexes there). The Markdown report goes to standard output, and each
// class and engine's p50 and p99 become metrics in milliseconds.
//
//	CHATSEAL_BENCH_N=1000000 CHATSEAL_BENCH_PAIRS=1 go test ./internal/searchbench -run='^$' -bench=Search1M -benchtime=1x -timeout=3h
func BenchmarkSearch1M(b *testing.B) {
	n, ok := envInt(b, "CHATSEAL_BENCH_N")
	if !ok {
		b.Skip("set CHATSEAL_BENCH_N to the corpus size to run the search benchmark")
	}
	queries, _ := envInt(b, "CHATSEAL_BENCH_QUERIES")
	cfg := Config{
		N:        n,
		Seed:     1,
		Queries:  queries,
		Pairs:    os.Getenv("CHATSEAL_BENCH_PAIRS") == "1",
		Dir:      os.Getenv("CHATSEAL_BENCH_DIR"),
		Progress: os.Stdout,
	}
	var rep *Report
	for b.Loop() {
		var err error
		if rep, err = Run(context.Background(), cfg); err != nil {
			b.Fatal(err)
		}
	}
	for _, l := range rep.Latencies {
		name := strings.NewReplacer(" ", "_", ",", "", "+", "", "(", "", ")", "").Replace(string(l.Class) + "/" + l.Engine)
		b.ReportMetric(float64(l.P50)/float64(time.Millisecond), name+"_p50_ms")
		b.ReportMetric(float64(l.P99)/float64(time.Millisecond), name+"_p99_ms")
	}
}

func envInt(b *testing.B, name string) (int, bool) {
	v := os.Getenv(name)
	if v == "" {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		b.Fatalf("%s=%q: expected a positive integer", name, v)
	}
	return n, true
}
