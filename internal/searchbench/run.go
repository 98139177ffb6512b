package searchbench

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"chatseal/index"
)

// Defaults of Config.
const (
	DefaultN       = 1_000_000
	DefaultQueries = 200
	// progressEvery is the number of loaded messages between two progress
	// lines.
	progressEvery = 100_000
	// hitsPerQuery is the page size both engines fetch.
	hitsPerQuery = 20
)

// Config configures Run.
type Config struct {
	// N is the number of messages in the corpus. Zero means DefaultN.
	N int
	// Seed selects the corpus and the query instances.
	Seed int64
	// Dir is the folder in which the indexes are built, in the subfolders
	// bleve, sqlite and pairs, which must not exist yet. The indexes are
	// left there. Empty means a temporary folder that Run removes.
	Dir string
	// Queries is the number of query instances per class. Zero means
	// DefaultQueries.
	Queries int
	// Pairs also builds the prototype index of pairs.go and times the
	// phrase, phone and money classes on it.
	Pairs bool
	// Progress receives the progress lines and, at the end, the report as
	// Markdown. Nil discards them.
	Progress io.Writer
}

// Report is the outcome of Run.
type Report struct {
	Messages int
	Seed     int64
	// CPUs is runtime.NumCPU of the machine that ran the benchmark.
	CPUs  int
	Loads []Load
	// Latencies has one row per class and engine, in Classes order.
	Latencies []Latency
	// Agreements compares the hit counts of each engine with those of
	// the SQLite side, per class.
	Agreements []Agreement
}

// Load is how long an engine took to index the corpus and its size on
// disk.
type Load struct {
	Engine   string
	Messages int
	// Elapsed is the wall time of the load, from the first message to the
	// last batch or commit returning.
	Elapsed time.Duration
	// MergeWait is the time then waited for Bleve's background merges to
	// stop (zero for SQLite).
	MergeWait time.Duration
	// Compact is the time then taken by Index.Compact, which import and
	// rebuild run too (zero for SQLite).
	Compact time.Duration
	Bytes   int64
	// Detail lists the bytes of each SQLite table and index, when known.
	Detail map[string]int64
}

// Latency is the distribution of the wall time of one class's queries on
// one engine. A query's time covers fetching the 20 best hits and the
// count of all hits.
type Latency struct {
	Class              Class
	Engine             string
	Queries            int
	P50, P95, P99, Avg time.Duration
}

// Agreement counts the queries of a class on which an engine's hit count
// equals that of the SQLite side, or, for the pair prototype, that of the
// raw phrase query.
type Agreement struct {
	Class     Class
	Engine    string
	Reference string
	Queries   int
	Equal     int
	// DFolding counts the unequal queries whose words hold d or đ: Bleve
	// folds đ to d, SQLite's unicode61 tokenizer keeps đ apart.
	DFolding int
	// Examples holds up to three unequal queries with both counts.
	Examples []string
}

// engine is one side of the comparison.
type engine interface {
	name() string
	// search returns the rowids of the best hits, at most hitsPerQuery,
	// and the count of all hits.
	search(ctx context.Context, q *Query) ([]int64, int64, error)
}

// Run builds a corpus of cfg.N messages, indexes it with package index
// and with SQLite FTS5, times the query classes on both, and returns the
// report. It writes progress and the Markdown report to cfg.Progress.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.N == 0 {
		cfg.N = DefaultN
	}
	if cfg.Queries == 0 {
		cfg.Queries = DefaultQueries
	}
	if cfg.N < 0 || cfg.Queries < 0 {
		return nil, fmt.Errorf("searchbench: invalid config: N %d and Queries %d must not be negative", cfg.N, cfg.Queries)
	}
	out := cfg.Progress
	if out == nil {
		out = io.Discard
	}
	dir := cfg.Dir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "searchbench-")
		if err != nil {
			return nil, fmt.Errorf("searchbench: %w", err)
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	paths := map[string]string{
		engineChatseal: filepath.Join(dir, "bleve"),
		engineFTS5:     filepath.Join(dir, "sqlite", "fts5.db"),
		enginePair:     filepath.Join(dir, "pairs"),
	}
	for _, p := range []string{paths[engineChatseal], filepath.Dir(paths[engineFTS5]), paths[enginePair]} {
		if _, err := os.Stat(p); err == nil {
			return nil, fmt.Errorf("searchbench: %s already exists; remove it or choose another Config.Dir", p)
		}
	}
	if err := os.MkdirAll(filepath.Dir(paths[engineFTS5]), 0o755); err != nil {
		return nil, fmt.Errorf("searchbench: %w", err)
	}

	rep := &Report{Messages: cfg.N, Seed: cfg.Seed, CPUs: runtime.NumCPU()}
	fmt.Fprintf(out, "searchbench: %d messages, seed %d, %d queries per class, %d CPUs\n", cfg.N, cfg.Seed, cfg.Queries, rep.CPUs)

	// Draw the queries from a first pass over the corpus.
	start := time.Now()
	s := newSampler(cfg.Seed, cfg.Queries)
	for m := range Corpus(cfg.N, cfg.Seed) {
		s.add(m)
	}
	queries := s.queries(cfg.Queries)
	fmt.Fprintf(out, "queries drawn in %s\n", time.Since(start).Round(time.Millisecond))

	// Load each engine from its own pass over the corpus.
	chatseal, err := openChatseal(paths[engineChatseal])
	if err != nil {
		return nil, err
	}
	defer chatseal.close()
	load, err := loadEngine(ctx, out, engineChatseal, cfg, func(p *progressMeter) error {
		return chatseal.load(ctx, Corpus(cfg.N, cfg.Seed), p)
	})
	if err != nil {
		return nil, err
	}
	if load.MergeWait, err = waitForMerges(ctx, paths[engineChatseal]); err != nil {
		return nil, err
	}
	compactStart := time.Now()
	_, err = chatseal.idx.Compact(ctx, time.Now(), func(p index.CompactProgress) {
		fmt.Fprintf(out, "%s: compacted %s (%d of %d), %s\n", engineChatseal, p.Shard, p.Done, p.Total, time.Since(compactStart).Round(time.Second))
	})
	if err != nil {
		return nil, err
	}
	load.Compact = time.Since(compactStart)
	if load.Bytes, err = dirSize(paths[engineChatseal]); err != nil {
		return nil, err
	}
	rep.Loads = append(rep.Loads, load)

	fts, err := openFTS(ctx, paths[engineFTS5])
	if err != nil {
		return nil, err
	}
	defer fts.close()
	load, err = loadEngine(ctx, out, engineFTS5, cfg, func(p *progressMeter) error {
		return fts.load(ctx, Corpus(cfg.N, cfg.Seed), p)
	})
	if err != nil {
		return nil, err
	}
	if load.Bytes, err = dirSize(filepath.Dir(paths[engineFTS5])); err != nil {
		return nil, err
	}
	load.Detail = fts.tableSizes(ctx)
	rep.Loads = append(rep.Loads, load)
	if err := fts.prepare(ctx); err != nil {
		return nil, err
	}

	engines := map[Class][]engine{}
	for _, c := range Classes {
		engines[c] = []engine{chatseal, fts}
	}
	if cfg.Pairs {
		pairs, err := openPairIndex(paths[enginePair])
		if err != nil {
			return nil, err
		}
		defer pairs.close()
		load, err := loadEngine(ctx, out, enginePair, cfg, func(p *progressMeter) error {
			return pairs.load(ctx, Corpus(cfg.N, cfg.Seed), p)
		})
		if err != nil {
			return nil, err
		}
		if load.MergeWait, err = waitForMerges(ctx, paths[enginePair]); err != nil {
			return nil, err
		}
		if load.Bytes, err = dirSize(paths[enginePair]); err != nil {
			return nil, err
		}
		rep.Loads = append(rep.Loads, load)
		for _, c := range []Class{ClassPhrase, ClassPhraseUnmarked} {
			engines[c] = append(engines[c], &pairEngine{pairs, enginePhrase}, &pairEngine{pairs, enginePair}, &pairEngine{pairs, enginePairCount})
		}
		for _, c := range []Class{ClassPhone, ClassMoney} {
			engines[c] = append(engines[c], &pairEngine{pairs, engineFilterOnly}, &pairEngine{pairs, engineFilterQuery})
		}
	}

	// Time the queries: a warm-up pass, then the measured pass.
	for _, c := range Classes {
		if err := timeClass(ctx, out, c, queries[c], engines[c], rep); err != nil {
			return nil, err
		}
	}

	fmt.Fprintln(out)
	fmt.Fprint(out, rep.Markdown())
	return rep, nil
}

// loadEngine runs load with a progress meter and returns its Load.
func loadEngine(ctx context.Context, out io.Writer, name string, cfg Config, load func(*progressMeter) error) (Load, error) {
	p := &progressMeter{out: out, engine: name, start: time.Now()}
	if err := load(p); err != nil {
		return Load{}, fmt.Errorf("searchbench: load %s: %w", name, err)
	}
	elapsed := time.Since(p.start)
	fmt.Fprintf(out, "%s: loaded %d messages in %s (%.0f msgs/s)\n", name, p.count, elapsed.Round(time.Millisecond), float64(p.count)/elapsed.Seconds())
	return Load{Engine: name, Messages: p.count, Elapsed: elapsed}, ctx.Err()
}

// progressMeter prints a line every progressEvery messages.
type progressMeter struct {
	out    io.Writer
	engine string
	start  time.Time
	count  int
}

func (p *progressMeter) add(n int) {
	if p.out == nil {
		p.count += n
		return
	}
	before := p.count / progressEvery
	p.count += n
	if p.count/progressEvery > before {
		elapsed := time.Since(p.start)
		fmt.Fprintf(p.out, "%s: %d messages, %s, %.0f msgs/s\n", p.engine, p.count, elapsed.Round(time.Second), float64(p.count)/elapsed.Seconds())
	}
}

// timeClass runs every query of class c on every engine once to warm up
// and once timed. In the timed pass, the engines take turns per query and
// the order of the turn rotates, so that drift in machine load falls on
// every engine alike.
func timeClass(ctx context.Context, out io.Writer, c Class, queries []Query, engines []engine, rep *Report) error {
	if len(queries) == 0 {
		return fmt.Errorf("searchbench: class %q has no queries; the corpus is too small", c)
	}
	start := time.Now()
	for i := range queries {
		for _, e := range engines {
			if _, _, err := e.search(ctx, &queries[i]); err != nil {
				return err
			}
		}
	}
	fmt.Fprintf(out, "%s: warm-up pass of %d queries on %d engines in %s\n", c, len(queries), len(engines), time.Since(start).Round(time.Millisecond))

	times := make([][]time.Duration, len(engines))
	totals := make([][]int64, len(engines))
	for i := range queries {
		for k := range engines {
			j := (i + k) % len(engines)
			start := time.Now()
			ids, total, err := engines[j].search(ctx, &queries[i])
			elapsed := time.Since(start)
			if err != nil {
				return err
			}
			if engines[j].name() != enginePairCount && int64(len(ids)) != min(total, hitsPerQuery) {
				return fmt.Errorf("searchbench: %s: query %q returned %d hits of %d, expected %d", engines[j].name(), queries[i].Chatseal(), len(ids), total, min(total, hitsPerQuery))
			}
			times[j] = append(times[j], elapsed)
			totals[j] = append(totals[j], total)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}

	for j, e := range engines {
		rep.Latencies = append(rep.Latencies, latencyOf(c, e.name(), times[j]))
	}
	ftsIndex := slices.IndexFunc(engines, func(e engine) bool { return e.name() == engineFTS5 })
	phraseIndex := slices.IndexFunc(engines, func(e engine) bool { return e.name() == enginePhrase })
	for j, e := range engines {
		ref := ftsIndex
		if e.name() == enginePair || e.name() == enginePairCount {
			ref = phraseIndex
		}
		if j == ref || ref < 0 {
			continue
		}
		rep.Agreements = append(rep.Agreements, agreementOf(c, e.name(), engines[ref].name(), queries, totals[j], totals[ref]))
	}
	l := rep.Latencies[len(rep.Latencies)-len(engines):]
	for _, row := range l {
		fmt.Fprintf(out, "%s / %s: p50 %s, p99 %s\n", c, row.Engine, formatDuration(row.P50), formatDuration(row.P99))
	}
	return nil
}

// latencyOf returns the nearest-rank percentiles and the mean of times.
func latencyOf(c Class, engine string, times []time.Duration) Latency {
	sorted := slices.Clone(times)
	slices.Sort(sorted)
	rank := func(p float64) time.Duration {
		k := int(p*float64(len(sorted))+0.999999) - 1
		return sorted[max(0, min(k, len(sorted)-1))]
	}
	var sum time.Duration
	for _, t := range sorted {
		sum += t
	}
	return Latency{
		Class: c, Engine: engine, Queries: len(sorted),
		P50: rank(0.50), P95: rank(0.95), P99: rank(0.99),
		Avg: sum / time.Duration(len(sorted)),
	}
}

func agreementOf(c Class, engine, reference string, queries []Query, totals, refTotals []int64) Agreement {
	a := Agreement{Class: c, Engine: engine, Reference: reference, Queries: len(queries)}
	for i := range queries {
		if totals[i] == refTotals[i] {
			a.Equal++
			continue
		}
		if strings.ContainsAny(strings.ToLower(queries[i].Words), "dđ") {
			a.DFolding++
		}
		if len(a.Examples) < 3 {
			a.Examples = append(a.Examples, fmt.Sprintf("%s: %d vs %d", queries[i].Chatseal(), totals[i], refTotals[i]))
		}
	}
	return a
}
