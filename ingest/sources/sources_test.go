package sources

import (
	"errors"
	"io"
	"path/filepath"
	"slices"
	"testing"

	"chatseal/ingest"
)

// sample is one input of each source from the project's import cases.
var sample = map[string]string{
	"zalo":      "zalo/zca-dm-text-quote.jsonl",
	"zalo_oa":   "zalo/oa-webhook.jsonl",
	"whatsapp":  "whatsapp/android-24h-dmy-group.txt",
	"telegram":  "telegram/single-chat-basic",
	"messenger": "messenger/e2ee-thread",
	"slack":     "slack/basic-export",
}

func TestOpen_EverySourceReadsItsSample(t *testing.T) {
	for _, name := range Names() {
		if name == "jsonl" {
			continue // chatseal's own records; its package tests them
		}
		t.Run(name, func(t *testing.T) {
			rel, ok := sample[name]
			if !ok {
				t.Fatalf("source %s has no sample input in this test", name)
			}
			r, err := Open(name, filepath.Join("..", "..", "testdata", filepath.FromSlash(rel)), ingest.Options{Account: "test"})
			if err != nil {
				t.Fatal(err)
			}
			if c, ok := r.(io.Closer); ok {
				defer c.Close()
			}
			n := 0
			for {
				m, err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("Next: %v", err)
				}
				if m.Source != name {
					t.Errorf("message %s has source %q, want %q", m.SourceID, m.Source, name)
				}
				n++
			}
			if n == 0 {
				t.Error("no message read")
			}
		})
	}
}

func TestOpen_UnknownSource(t *testing.T) {
	_, err := Open("icq", "x", ingest.Options{Account: "a"})
	if err == nil {
		t.Fatal("Open accepted an unknown source")
	}
}

func TestNames_ListsEveryImporter(t *testing.T) {
	want := []string{"jsonl", "messenger", "slack", "telegram", "whatsapp", "zalo", "zalo_oa"}
	if got := Names(); !slices.Equal(got, want) {
		t.Errorf("Names() = %q, want %q", got, want)
	}
}

func TestOpen_FileSourceRejectsFolder(t *testing.T) {
	_, err := Open("zalo", t.TempDir(), ingest.Options{Account: "a"})
	if err == nil || errors.Is(err, io.EOF) {
		t.Fatalf("Open(zalo, folder) = %v, want an error", err)
	}
}
