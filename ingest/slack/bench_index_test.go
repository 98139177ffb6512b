//go:build benchindex

// This file builds only with -tags benchindex, so that the usual test
// binary does not link Bleve.

package slack

import (
	"path/filepath"
	"testing"

	"chatseal/chat"
	"chatseal/ingest"
	"chatseal/internal/parsebench"
)

// parseVsIndexMessages is the number of messages in the export that
// BenchmarkParseVsIndex parses and indexes per iteration.
const parseVsIndexMessages = 30_000

// BenchmarkParseVsIndex parses a generated export of 30,000 messages, as a
// folder and as a zip, and indexes the parsed messages into a fresh index,
// timing each step apart. It reports parse_msgs/s, index_msgs/s and their
// ratio parse_over_index.
//
//	go test -tags benchindex -run '^$' -bench ParseVsIndex ./ingest/slack/
func BenchmarkParseVsIndex(b *testing.B) {
	dir := b.TempDir()
	folder := filepath.Join(dir, "export")
	benchmarkExport(b, folder, parseVsIndexMessages)
	zipPath := filepath.Join(dir, "export.zip")
	zipFolder(b, folder, zipPath)

	opts := ingest.Options{Account: "bench"}
	for _, layout := range []struct{ name, path string }{{"folder", folder}, {"zip", zipPath}} {
		b.Run(layout.name, func(b *testing.B) {
			parse := func() ([]*chat.Message, error) {
				r, err := Open(layout.path, opts)
				if err != nil {
					return nil, err
				}
				return parsebench.ReadAll(r)
			}
			parsebench.Compare(b, parseVsIndexMessages, parse)
		})
	}
}
