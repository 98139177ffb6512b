//go:build benchindex

// This file builds only with -tags benchindex, so that the usual test
// binary does not link Bleve.

package whatsapp

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

// BenchmarkParseVsIndex parses a generated export of 30,000 messages, in
// the Android and in the iOS layout, and indexes the parsed messages into a
// fresh index, timing each step apart. It reports parse_msgs/s,
// index_msgs/s and their ratio parse_over_index.
//
//	go test -tags benchindex -run '^$' -bench ParseVsIndex ./ingest/whatsapp/
func BenchmarkParseVsIndex(b *testing.B) {
	opts := ingest.Options{Account: "bench", SelfName: "Trần Văn Hùng"}
	for _, layout := range []string{"android", "ios"} {
		b.Run(layout, func(b *testing.B) {
			input := benchmarkExport(layout, parseVsIndexMessages)
			parse := func() ([]*chat.Message, error) {
				return parsebench.ReadAll(NewReader(bytes.NewReader(input), "bench.txt", opts))
			}
			parsebench.Compare(b, parseVsIndexMessages, parse)
		})
	}
}
