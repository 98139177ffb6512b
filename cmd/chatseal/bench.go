package main

import (
	"github.com/spf13/cobra"

	"chatseal/internal/searchbench"
)

func (a *app) benchCommand() *cobra.Command {
	var cfg searchbench.Config
	cmd := &cobra.Command{
		Use:   "bench [--messages N] [--queries Q] [--seed S] [--dir DIR] [--pairs]",
		Short: "Đo tốc độ tìm kiếm so với SQLite FTS5 / measure search speed against SQLite FTS5",
		Long: `Tạo một kho trò chuyện tiếng Việt tổng hợp (mặc định 1 triệu tin, luôn giống nhau với cùng --seed),
lập chỉ mục bằng chatseal và bằng SQLite FTS5, rồi đo độ trễ p50/p95/p99 của từng loại truy vấn
trên cả hai. Kết quả in ra dưới dạng bảng Markdown. Không đụng tới thư mục dữ liệu.

Builds a deterministic synthetic Vietnamese chat corpus (1 million messages by default),
indexes it with chatseal's index and with SQLite FTS5, and times each query class on both
(p50, p95, p99, mean, and the ratio chatseal/FTS5). Prints progress, then a Markdown table.
The data folder is not touched. --messages 10000000 runs the large variant.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			if cfg.N < 1 || cfg.Queries < 1 {
				ue := newUserError("USAGE", "--messages và --queries phải từ 1 trở lên", "--messages and --queries must be 1 or more", nil)
				ue.Exit = exitUsage
				return ue
			}
			cfg.Progress = a.stdout
			if _, err := searchbench.Run(cmd.Context(), cfg); err != nil {
				return newUserError("BENCH_FAILED", "phép đo bị dừng", "the benchmark stopped", err)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.IntVar(&cfg.N, "messages", searchbench.DefaultN, "messages in the synthetic corpus")
	f.IntVar(&cfg.Queries, "queries", searchbench.DefaultQueries, "query instances per class")
	f.Int64Var(&cfg.Seed, "seed", 1, "corpus and query seed; the same seed builds the same corpus")
	f.StringVar(&cfg.Dir, "dir", "", "folder to build the indexes in (kept); default a temporary folder, removed at the end")
	f.BoolVar(&cfg.Pairs, "pairs", false, "also time phrases on a prototype index of adjacent syllable pairs")
	return cmd
}
