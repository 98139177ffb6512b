package index

import (
	"context"
	"strings"
	"testing"
)

// BenchmarkSearchPhrase measures phrases on the index of BenchmarkSearch
// in one quarter, with and without SearchOptions.Highlight: two words
// with and without marks, and three words of the first message.
func BenchmarkSearchPhrase(b *testing.B) {
	x := openBenchIndex(b, false)
	ctx := context.Background()
	three := strings.Fields(syntheticMessages(1)[0].Text)[1:4]
	phrases := []struct{ name, query string }{
		{"2words", `"chuyển khoản"`},
		{"2words_unmarked", `"chuyen khoan"`},
		{"3words", `"` + strings.Join(three, " ") + `"`},
	}
	for _, p := range phrases {
		for _, highlight := range []bool{false, true} {
			name := p.name
			if highlight {
				name += "_highlight"
			}
			b.Run(name, func(b *testing.B) {
				cpuBefore := processCPUTime()
				for b.Loop() {
					if _, err := x.Search(ctx, p.query, SearchOptions{Highlight: highlight}); err != nil {
						b.Fatal(err)
					}
				}
				reportCPU(b, processCPUTime()-cpuBefore)
			})
		}
	}
}
