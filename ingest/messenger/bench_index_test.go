//go:build benchindex

// This file builds only with -tags benchindex, so that the usual test
// binary does not link Bleve.

package messenger

import (
	"testing"

	"chatseal/chat"
	"chatseal/internal/parsebench"
)

// parseVsIndexMessages is the number of messages in the export that
// BenchmarkParseVsIndex parses and indexes per iteration.
const parseVsIndexMessages = 30_000

// BenchmarkParseVsIndex parses a generated thread of 30,000 messages, as a
// DYI export split into files of 10,000 and as an E2EE export, and indexes
// the parsed messages into a fresh index, timing each step apart. It
// reports parse_msgs/s, index_msgs/s and their ratio parse_over_index.
//
//	go test -tags benchindex -run '^$' -bench ParseVsIndex ./ingest/messenger/
func BenchmarkParseVsIndex(b *testing.B) {
	layouts := []struct {
		name  string
		files memTree
	}{
		{"dyi", benchmarkThread(b, parseVsIndexMessages)},
		{"e2ee", benchmarkE2EE(b, parseVsIndexMessages)},
	}
	for _, layout := range layouts {
		b.Run(layout.name, func(b *testing.B) {
			parse := func() ([]*chat.Message, error) {
				return parsebench.ReadAll(openMemory(layout.files, testOptions))
			}
			parsebench.Compare(b, parseVsIndexMessages, parse)
		})
	}
}
