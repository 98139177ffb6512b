package searchbench

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Markdown returns the report as Markdown tables: loads, latencies with
// their ratio to SQLite FTS5 per percentile, and hit count agreement.
func (r *Report) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Corpus: %d messages, seed %d; %d CPUs.\n\n", r.Messages, r.Seed, r.CPUs)

	b.WriteString("| engine | messages | load | msgs/s | merge wait | compact | size on disk |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|\n")
	for _, l := range r.Loads {
		fmt.Fprintf(&b, "| %s | %d | %s | %.0f | %s | %s | %s |\n", l.Engine, l.Messages,
			l.Elapsed.Round(100*time.Millisecond), float64(l.Messages)/l.Elapsed.Seconds(),
			l.MergeWait.Round(time.Second), l.Compact.Round(100*time.Millisecond), formatBytes(l.Bytes))
	}
	for _, l := range r.Loads {
		if len(l.Detail) == 0 {
			continue
		}
		names := slices.SortedFunc(maps.Keys(l.Detail), func(a, b string) int {
			return cmp.Or(cmp.Compare(l.Detail[b], l.Detail[a]), strings.Compare(a, b))
		})
		fmt.Fprintf(&b, "\n%s tables and indexes:", l.Engine)
		for _, name := range names {
			fmt.Fprintf(&b, " %s %s;", name, formatBytes(l.Detail[name]))
		}
		b.WriteString("\n")
	}

	b.WriteString("\nLatency per query, warm, wall clock: 20 best hits and the count of all hits.\n")
	b.WriteString("The last three columns divide each engine's percentile by SQLite FTS5's.\n\n")
	b.WriteString("| class | engine | queries | p50 | p95 | p99 | mean | p50 ×fts5 | p95 ×fts5 | p99 ×fts5 |\n")
	b.WriteString("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, c := range Classes {
		var fts *Latency
		for i := range r.Latencies {
			if r.Latencies[i].Class == c && r.Latencies[i].Engine == engineFTS5 {
				fts = &r.Latencies[i]
			}
		}
		for _, l := range r.Latencies {
			if l.Class != c {
				continue
			}
			ratios := " | | "
			if fts != nil && l.Engine != engineFTS5 {
				ratios = fmt.Sprintf("%s | %s | %s", ratio(l.P50, fts.P50), ratio(l.P95, fts.P95), ratio(l.P99, fts.P99))
			}
			fmt.Fprintf(&b, "| %s | %s | %d | %s | %s | %s | %s | %s |\n", c, l.Engine, l.Queries,
				formatDuration(l.P50), formatDuration(l.P95), formatDuration(l.P99), formatDuration(l.Avg), ratios)
		}
	}

	b.WriteString("\nHit counts: queries on which the engine's count equals the reference's.\n\n")
	b.WriteString("| class | engine | reference | equal | unequal, query has d or đ | other unequal | examples |\n")
	b.WriteString("|---|---|---|---:|---:|---:|---|\n")
	for _, a := range r.Agreements {
		fmt.Fprintf(&b, "| %s | %s | %s | %d/%d | %d | %d | %s |\n", a.Class, a.Engine, a.Reference,
			a.Equal, a.Queries, a.DFolding, a.Queries-a.Equal-a.DFolding, strings.Join(a.Examples, "; "))
	}
	return b.String()
}

// formatDuration writes d in milliseconds with two decimals.
func formatDuration(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}

func ratio(a, b time.Duration) string {
	if b == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2f", float64(a)/float64(b))
}

func formatBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
