// Package parsebench measures an importer's parse rate against indexing the
// same messages, side by side in one benchmark. Only benchmarks built with
// -tags benchindex import it, so ordinary test binaries do not link Bleve.
package parsebench

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"testing"
	"time"

	"chatseal/chat"
	"chatseal/index"
	"chatseal/ingest"
)

// indexBatchSize is the number of messages per call to (*index.Index).Add.
const indexBatchSize = 1000

// ReadAll reads r to the end. Any error, a bad record included,
// is returned, because the benchmark input must parse cleanly.
func ReadAll(r ingest.Reader) ([]*chat.Message, error) {
	if c, ok := r.(io.Closer); ok {
		defer c.Close()
	}
	var msgs []*chat.Message
	for {
		m, err := r.Next()
		if err == io.EOF {
			return msgs, nil
		}
		if err != nil {
			return msgs, fmt.Errorf("message %d: %w", len(msgs), err)
		}
		msgs = append(msgs, m)
	}
}

// Compare runs parse and indexes its messages once per iteration,
// alternating which step runs first so that changes in the machine's load
// fall on both. Each step starts after a forced garbage collection, so
// neither step pays for collecting the other's garbage. The index step
// opens a fresh index in a temporary folder, adds the messages in batches
// of indexBatchSize and closes it. want is the number of messages parse
// must return.
func Compare(b *testing.B, want int, parse func() ([]*chat.Message, error)) {
	msgs, err := parse()
	if err != nil {
		b.Fatal(err)
	}
	if len(msgs) != want {
		b.Fatalf("parsed %d messages, want %d", len(msgs), want)
	}
	setIndexIDs(msgs)

	parseStep := func() time.Duration {
		runtime.GC()
		start := time.Now()
		parsed, err := parse()
		elapsed := time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		if len(parsed) != want {
			b.Fatalf("parsed %d messages, want %d", len(parsed), want)
		}
		setIndexIDs(parsed)
		msgs = parsed
		return elapsed
	}
	indexStep := func() time.Duration {
		dir := b.TempDir()
		runtime.GC()
		start := time.Now()
		if err := indexMessages(dir, msgs); err != nil {
			b.Fatal(err)
		}
		elapsed := time.Since(start)
		if err := os.RemoveAll(dir); err != nil {
			b.Fatal(err)
		}
		return elapsed
	}

	var parseTime, indexTime time.Duration
	iterations := 0
	for b.Loop() {
		if iterations%2 == 0 {
			parseTime += parseStep()
			indexTime += indexStep()
		} else {
			indexTime += indexStep()
			parseTime += parseStep()
		}
		iterations++
	}

	total := float64(want * iterations)
	b.ReportMetric(float64(want), "msgs")
	b.ReportMetric(total/parseTime.Seconds(), "parse_msgs/s")
	b.ReportMetric(total/indexTime.Seconds(), "index_msgs/s")
	b.ReportMetric(indexTime.Seconds()/parseTime.Seconds(), "parse_over_index")
}

// setIndexIDs sets a unique ID and the default tenant on every message,
// because (*index.Index).Add rejects a message without an ID.
func setIndexIDs(msgs []*chat.Message) {
	for i, m := range msgs {
		m.ID = fmt.Sprintf("%026d", i)
		m.Tenant = chat.DefaultTenant
	}
}

// indexMessages opens a new index in dir, adds msgs in batches of
// indexBatchSize and closes the index.
func indexMessages(dir string, msgs []*chat.Message) error {
	x, err := index.Open(index.Config{Path: dir})
	if err != nil {
		return err
	}
	for start := 0; start < len(msgs); start += indexBatchSize {
		end := min(start+indexBatchSize, len(msgs))
		if err := x.Add(msgs[start:end]); err != nil {
			x.Close()
			return err
		}
	}
	return x.Close()
}
