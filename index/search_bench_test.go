package index

import (
	"context"
	"testing"
	"time"
)

// benchQueries are the queries of BenchmarkSearch: common words, a phrase,
// fields with words, a date range and a rare word.
var benchQueries = []struct{ name, query string }{
	{"words", "khiếu nại"},
	{"phrase", `"chuyển khoản"`},
	{"fields", "account:cskh-hn-01 kind:text thẻ"},
	{"dates", "after:2024-06-01 before:2024-09-01 hoàn tiền"},
	{"rare", "OTP lỗi"},
}

// openBenchIndex indexes the messages of BenchmarkIndex into a new index,
// closes it and opens it again. The messages are sent 37 seconds apart
// from 2024-03-01, within one quarter, or, with spread set, over two years
// from 2024-01-01, in nine quarters.
func openBenchIndex(b *testing.B, spread bool) *Index {
	b.Helper()
	msgs := syntheticMessages(benchMessages)
	if spread {
		base := time.Date(2024, 1, 1, 8, 0, 0, 0, time.UTC)
		step := 2 * 365 * 24 * time.Hour / time.Duration(len(msgs))
		for i, m := range msgs {
			m.SentAt = base.Add(time.Duration(i) * step)
		}
	}
	dir := b.TempDir()
	x, err := Open(Config{Path: dir})
	if err != nil {
		b.Fatal(err)
	}
	for from := 0; from < len(msgs); from += benchBatchSize {
		if err := x.Add(msgs[from:min(from+benchBatchSize, len(msgs))]); err != nil {
			b.Fatal(err)
		}
	}
	if err := x.Close(); err != nil {
		b.Fatal(err)
	}
	if x, err = Open(Config{Path: dir}); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { x.Close() })
	return x
}

// reportCPU reports the process CPU time per iteration, which other jobs on
// a busy machine disturb less than the wall time of ns/op.
func reportCPU(b *testing.B, cpu time.Duration) {
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu_ns/op")
}

// BenchmarkSearch measures Search with default options, the best 20 hits
// by relevance, on an index of benchMessages messages in one quarter
// ("1q") and over two years ("9q").
func BenchmarkSearch(b *testing.B) {
	ctx := context.Background()
	for _, spread := range []bool{false, true} {
		x := openBenchIndex(b, spread)
		layout := "1q"
		if spread {
			layout = "9q"
		}
		for _, q := range benchQueries {
			b.Run(layout+"/"+q.name, func(b *testing.B) {
				cpuBefore := processCPUTime()
				for b.Loop() {
					if _, err := x.Search(ctx, q.query, SearchOptions{}); err != nil {
						b.Fatal(err)
					}
				}
				reportCPU(b, processCPUTime()-cpuBefore)
			})
		}
	}
}

// BenchmarkSearchOptions measures the options of Search on the index of
// BenchmarkSearch, for the query "khiếu nại": the time sort, the second
// page by cursor, highlighting, facets and a scope of two accounts.
func BenchmarkSearchOptions(b *testing.B) {
	x := openBenchIndex(b, true)
	ctx := context.Background()
	first, err := x.Search(ctx, "khiếu nại", SearchOptions{Sort: SortNewest})
	if err != nil {
		b.Fatal(err)
	}
	options := []struct {
		name string
		opts SearchOptions
	}{
		{"relevance", SearchOptions{}},
		{"newest", SearchOptions{Sort: SortNewest}},
		{"newest_page2", SearchOptions{Sort: SortNewest, After: first.Next}},
		{"highlight", SearchOptions{Highlight: true}},
		{"facets", SearchOptions{Facets: true}},
		{"scope", SearchOptions{Scope: &Scope{Accounts: []string{"cskh-hn-01", "cskh-hn-02"}}}},
	}
	for _, o := range options {
		b.Run(o.name, func(b *testing.B) {
			cpuBefore := processCPUTime()
			for b.Loop() {
				if _, err := x.Search(ctx, "khiếu nại", o.opts); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, processCPUTime()-cpuBefore)
		})
	}
}

// BenchmarkSearchSort measures Search on the nine-quarter index of
// BenchmarkSearch for words of many, some and few hits, newest first and
// by relevance, and reports the hit count and the CPU time per search.
func BenchmarkSearchSort(b *testing.B) {
	x := openBenchIndex(b, true)
	ctx := context.Background()
	for _, q := range []string{"hàng", "thẻ", "khiếu nại"} {
		for _, sort := range []Sort{SortNewest, SortRelevance} {
			b.Run(q+"/"+sort.String(), func(b *testing.B) {
				cpuBefore := processCPUTime()
				var total uint64
				for b.Loop() {
					res, err := x.Search(ctx, q, SearchOptions{Sort: sort})
					if err != nil {
						b.Fatal(err)
					}
					total = res.Total
				}
				b.ReportMetric(float64(total), "hits")
				reportCPU(b, processCPUTime()-cpuBefore)
			})
		}
	}
}
