//go:build benchindex

// This file builds only with -tags benchindex, so that the usual test
// binary does not link Bleve.

package zalooa

import (
	"bytes"
	"testing"

	"chatseal/chat"
	"chatseal/ingest"
	"chatseal/internal/parsebench"
)

// parseVsIndexMessages is the number of messages in the export that
// BenchmarkParseVsIndex parses and indexes per iteration.
const parseVsIndexMessages = 30_000

// BenchmarkParseVsIndex parses a generated webhook log of 30,000 events
// and indexes the parsed messages into a fresh index, timing each step
// apart. It reports parse_msgs/s, index_msgs/s and their ratio
// parse_over_index.
//
//	go test -tags benchindex -run '^$' -bench ParseVsIndex ./ingest/zalooa/
func BenchmarkParseVsIndex(b *testing.B) {
	input := benchmarkLog(parseVsIndexMessages)
	opts := ingest.Options{Account: "bench", AccountUID: "4400556677889900112"}
	parse := func() ([]*chat.Message, error) {
		return parsebench.ReadAll(NewReader(bytes.NewReader(input), "bench.jsonl", opts))
	}
	parsebench.Compare(b, parseVsIndexMessages, parse)
}
