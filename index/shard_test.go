package index

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"

	"chatseal/chat"
)

func TestShardNameOf(t *testing.T) {
	tests := []struct {
		name string
		sent time.Time
		want string
	}{
		{"first day of a quarter", time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC), "2024-Q2"},
		{"last instant of a quarter", time.Date(2024, 3, 31, 23, 59, 59, 999_999_999, time.UTC), "2024-Q1"},
		{"quarter taken in UTC", time.Date(2024, 4, 1, 6, 0, 0, 0, hcm), "2024-Q1"},
		{"December", time.Date(2023, 12, 31, 12, 0, 0, 0, time.UTC), "2023-Q4"},
		{"zero time", time.Time{}, "0001-Q1"},
		{"before year 1", time.Date(-5, 6, 1, 0, 0, 0, 0, time.UTC), "0001-Q1"},
		{"after year 9999", time.Date(12000, 1, 1, 0, 0, 0, 0, time.UTC), "9999-Q4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := shardNameOf(tt.sent)
			if got != tt.want {
				t.Errorf("shardNameOf(%v) = %s, want %s", tt.sent, got, tt.want)
			}
			start, end, ok := parseShardName(got)
			if !ok {
				t.Fatalf("parseShardName(%s) failed", got)
			}
			if in := !tt.sent.Before(start) && tt.sent.Before(end); !in && tt.sent.Year() >= minShardYear && tt.sent.Year() <= maxShardYear {
				t.Errorf("%v is outside the quarter [%v, %v)", tt.sent, start, end)
			}
		})
	}
}

func TestParseShardName_Rejects(t *testing.T) {
	for _, name := range []string{"2024-Q0", "2024-Q5", "2024-q1", "24-Q1", "+024-Q1", "0000-Q1", "2024-Q12", "2024Q1", "2024-Q1.new", "tmp"} {
		if _, _, ok := parseShardName(name); ok {
			t.Errorf("parseShardName(%q) accepted", name)
		}
	}
}

// quarterMessages returns one message in each of 2023-Q4, 2024-Q1 (two),
// 2024-Q2 and 2024-Q3.
func quarterMessages() []*chat.Message {
	at := func(id string, sent time.Time) *chat.Message {
		m := testMessage(id, "hợp đồng")
		m.SentAt = sent
		return m
	}
	return []*chat.Message{
		at("q4-2023", time.Date(2023, 11, 5, 9, 0, 0, 0, time.UTC)),
		at("q1-a", time.Date(2024, 1, 5, 9, 0, 0, 0, time.UTC)),
		at("q1-b", time.Date(2024, 3, 31, 23, 0, 0, 0, time.UTC)),
		at("q2", time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC)),
		at("q3", time.Date(2024, 9, 30, 0, 0, 0, 0, time.UTC)),
	}
}

func shardNames(t *testing.T, x *Index) []string {
	t.Helper()
	infos, err := x.Shards()
	if err != nil {
		t.Fatal(err)
	}
	names := []string{}
	for _, s := range infos {
		names = append(names, s.Name)
	}
	return names
}

func TestIndex_ShardsByQuarter(t *testing.T) {
	dir := t.TempDir()
	x, err := Open(Config{Path: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Add(quarterMessages()); err != nil {
		t.Fatal(err)
	}

	wantShards := []string{"2023-Q4", "2024-Q1", "2024-Q2", "2024-Q3"}
	if got := shardNames(t, x); !slices.Equal(got, wantShards) {
		t.Errorf("shards = %v, want %v", got, wantShards)
	}
	for _, name := range wantShards {
		if _, err := os.Stat(filepath.Join(dir, name, "index_meta.json")); err != nil {
			t.Errorf("shard folder %s: %v", name, err)
		}
	}
	infos, err := x.Shards()
	if err != nil {
		t.Fatal(err)
	}
	if q1 := infos[1]; q1.Documents != 2 || !q1.Start.Equal(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)) || !q1.End.Equal(time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("shard 2024-Q1 = %+v, want 2 documents from 2024-01-01 to 2024-04-01", q1)
	}
	if n, err := x.Count(); err != nil || n != 5 {
		t.Errorf("Count = %d, %v, want 5", n, err)
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}

	x, err = Open(Config{Path: dir})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer x.Close()
	if got := shardNames(t, x); !slices.Equal(got, wantShards) {
		t.Errorf("shards after reopen = %v, want %v", got, wantShards)
	}
	if got := sortedIDs(t, x, "hợp đồng"); !slices.Equal(got, []string{"q1-a", "q1-b", "q2", "q3", "q4-2023"}) {
		t.Errorf("search after reopen = %v", got)
	}
	if got := sortedIDs(t, x, "after:2024-01-01 before:2024-07-01"); !slices.Equal(got, []string{"q1-a", "q1-b", "q2"}) {
		t.Errorf("date range across shards = %v", got)
	}
}

func TestIndex_DropShardsBefore(t *testing.T) {
	tests := []struct {
		name        string
		before      time.Time
		wantDropped []string
		wantHits    []string
	}{
		{"nothing ends before", time.Date(2023, 12, 31, 0, 0, 0, 0, time.UTC), nil, []string{"q1-a", "q1-b", "q2", "q3", "q4-2023"}},
		{"quarter ending exactly at t", time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), []string{"2023-Q4"}, []string{"q1-a", "q1-b", "q2", "q3"}},
		{"t inside a quarter keeps it", time.Date(2024, 5, 20, 0, 0, 0, 0, time.UTC), []string{"2023-Q4", "2024-Q1"}, []string{"q2", "q3"}},
		{"t in another zone", time.Date(2024, 7, 1, 6, 0, 0, 0, hcm), []string{"2023-Q4", "2024-Q1"}, []string{"q2", "q3"}},
		{"everything", time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), []string{"2023-Q4", "2024-Q1", "2024-Q2", "2024-Q3"}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			x, err := Open(Config{Path: dir})
			if err != nil {
				t.Fatal(err)
			}
			defer x.Close()
			if err := x.Add(quarterMessages()); err != nil {
				t.Fatal(err)
			}

			dropped, err := x.DropShardsBefore(tt.before)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(dropped, tt.wantDropped) {
				t.Errorf("dropped = %v, want %v", dropped, tt.wantDropped)
			}
			if got := sortedIDs(t, x, "hợp đồng"); !slices.Equal(got, tt.wantHits) {
				t.Errorf("hits = %v, want %v", got, tt.wantHits)
			}
			if n, err := x.Count(); err != nil || n != uint64(len(tt.wantHits)) {
				t.Errorf("Count = %d, %v, want %d", n, err, len(tt.wantHits))
			}
			for _, name := range tt.wantDropped {
				if _, err := os.Stat(filepath.Join(dir, name)); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("folder of dropped shard %s: %v, want it deleted", name, err)
				}
			}
		})
	}

	t.Run("adding to a dropped quarter creates it again", func(t *testing.T) {
		x := openTestIndex(t, quarterMessages()...)
		if _, err := x.DropShardsBefore(time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC)); err != nil {
			t.Fatal(err)
		}
		if err := x.Add(quarterMessages()[1:2]); err != nil {
			t.Fatal(err)
		}
		if got := sortedIDs(t, x, "hợp đồng"); !slices.Equal(got, []string{"q1-a", "q2", "q3"}) {
			t.Errorf("hits = %v, want [q1-a q2 q3]", got)
		}
	})
}

func TestOpen_Layouts(t *testing.T) {
	tests := []struct {
		name        string
		prepare     func(t *testing.T, dir string)
		cfg         Config
		wantErr     string // empty: Open succeeds
		wantVersion bool   // the error wraps ErrSchemaVersion
		wantShards  []string
	}{
		{
			name:       "missing folder is created",
			prepare:    func(t *testing.T, dir string) { os.Remove(dir) },
			wantShards: []string{},
		},
		{
			name: "index before shards",
			prepare: func(t *testing.T, dir string) {
				idx, err := bleve.New(dir, bleve.NewIndexMapping())
				if err != nil {
					t.Fatal(err)
				}
				idx.Close()
			},
			wantErr:     "single Bleve index from before quarter shards",
			wantVersion: true,
		},
		{
			name:        "shard of another schema version",
			prepare:     func(t *testing.T, dir string) { writeShard(t, dir, "2024-Q1", "4", "Asia/Ho_Chi_Minh") },
			wantErr:     `schema version is "4", expected "8"`,
			wantVersion: true,
		},
		{
			// Version 5 mapped a pairs field to its own analyzer.
			name: "shard with the pairs field",
			prepare: func(t *testing.T, dir string) {
				m := newMapping()
				m.DefaultMapping.AddFieldMappingsAt("pairs", textFieldMapping(pairsAnalyzerName, true))
				writeShardMapping(t, dir, "2024-Q1", m, "5", "Asia/Ho_Chi_Minh")
			},
			wantErr:     `schema version is "5", expected "8"`,
			wantVersion: true,
		},
		{
			// Version 6 indexed the quarter-hour level of the send-time
			// trie.
			name:        "shard with quarter-hour terms",
			prepare:     func(t *testing.T, dir string) { writeShard(t, dir, "2024-Q1", "6", "Asia/Ho_Chi_Minh") },
			wantErr:     `schema version is "6", expected "8"`,
			wantVersion: true,
		},
		{
			// Version 7 mapped an exact field to its own analyzer.
			name: "shard with the exact field",
			prepare: func(t *testing.T, dir string) {
				m := newMapping()
				m.DefaultMapping.AddFieldMappingsAt("exact", textFieldMapping(exactAnalyzerName, false))
				writeShardMapping(t, dir, "2024-Q1", m, "7", "Asia/Ho_Chi_Minh")
			},
			wantErr:     `schema version is "7", expected "8"`,
			wantVersion: true,
		},
		{
			name:        "shard of another location",
			prepare:     func(t *testing.T, dir string) { writeShard(t, dir, "2024-Q1", schemaVersion, "UTC") },
			cfg:         Config{Location: hcm},
			wantErr:     `months were counted in location "UTC"`,
			wantVersion: true,
		},
		{
			name: "leftovers of a crash are deleted",
			prepare: func(t *testing.T, dir string) {
				writeShard(t, dir, "2024-Q2", schemaVersion, hcm.String())
				for _, name := range []string{"2024-Q1.new", "2023-Q4.dropped"} {
					if err := os.MkdirAll(filepath.Join(dir, name), 0o700); err != nil {
						t.Fatal(err)
					}
				}
			},
			cfg:        Config{Location: hcm},
			wantShards: []string{"2024-Q2"},
		},
		{
			name: "other folders and files are ignored",
			prepare: func(t *testing.T, dir string) {
				os.MkdirAll(filepath.Join(dir, "notes"), 0o700)
				os.WriteFile(filepath.Join(dir, "2024-Q3"), nil, 0o600)
			},
			wantShards: []string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "index")
			if err := os.MkdirAll(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			tt.prepare(t, dir)
			cfg := tt.cfg
			cfg.Path = dir
			x, err := Open(cfg)
			if tt.wantErr != "" {
				if err == nil {
					x.Close()
					t.Fatalf("Open succeeded, want an error containing %q", tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error = %v, want it to contain %q", err, tt.wantErr)
				}
				if errors.Is(err, ErrSchemaVersion) != tt.wantVersion {
					t.Errorf("errors.Is(%v, ErrSchemaVersion) = %v, want %v", err, !tt.wantVersion, tt.wantVersion)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer x.Close()
			if got := shardNames(t, x); !slices.Equal(got, tt.wantShards) {
				t.Errorf("shards = %v, want %v", got, tt.wantShards)
			}
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if strings.HasSuffix(e.Name(), newShardSuffix) || strings.HasSuffix(e.Name(), droppedShardSuffix) {
					t.Errorf("leftover %s not deleted", e.Name())
				}
			}
		})
	}
}

// writeShard creates an empty shard named name in dir with the given
// schema version and location.
func writeShard(t *testing.T, dir, name, version, location string) {
	t.Helper()
	writeShardMapping(t, dir, name, newMapping(), version, location)
}

// writeShardMapping writes a shard as writeShard does, with mapping m.
func writeShardMapping(t *testing.T, dir, name string, m *mapping.IndexMappingImpl, version, location string) {
	t.Helper()
	idx, err := bleve.New(filepath.Join(dir, name), m)
	if err != nil {
		t.Fatal(err)
	}
	if err := idx.SetInternal(schemaKey, []byte(version)); err != nil {
		t.Fatal(err)
	}
	if err := idx.SetInternal(locationKey, []byte(location)); err != nil {
		t.Fatal(err)
	}
	if err := idx.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestIndex_EmptySearch(t *testing.T) {
	x := openTestIndex(t)
	res, err := x.Search(t.Context(), "báo", SearchOptions{Facets: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 0 || len(res.Hits) != 0 || res.Facets == nil || res.Next != "" {
		t.Errorf("result of an index without shards = %+v", res)
	}
}

func TestIndex_ClosedIndex(t *testing.T) {
	x, err := Open(Config{Path: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	if err := x.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := x.Add(quarterMessages()); !errors.Is(err, bleve.ErrorIndexClosed) {
		t.Errorf("Add after Close: %v, want ErrorIndexClosed", err)
	}
	if _, err := x.Search(t.Context(), "báo", SearchOptions{}); err == nil {
		t.Error("Search after Close: no error")
	}
	if _, err := x.DropShardsBefore(time.Now()); !errors.Is(err, bleve.ErrorIndexClosed) {
		t.Errorf("DropShardsBefore after Close: %v, want ErrorIndexClosed", err)
	}
}

func TestIndex_ConcurrentAddSearchDrop(t *testing.T) {
	x := openTestIndex(t)
	base := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)
	done := make(chan error, 3)
	go func() {
		for i := range 40 {
			m := testMessage(fmt.Sprintf("m%02d", i), "hợp đồng")
			m.SentAt = base.AddDate(0, i, 0)
			if err := x.Add([]*chat.Message{m}); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	go func() {
		for range 40 {
			if _, err := x.Search(t.Context(), "hợp đồng", SearchOptions{Sort: SortNewest, Facets: true}); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	go func() {
		for i := range 10 {
			if _, err := x.DropShardsBefore(base.AddDate(0, 3*i, 0)); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	for range 3 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if _, err := x.Count(); err != nil {
		t.Fatal(err)
	}
}

func TestSearch_ShardsOfTimeSpan(t *testing.T) {
	noTime := testMessage("no-time", "hợp đồng")
	noTime.SentAt = time.Time{}
	x := openTestIndex(t, append(quarterMessages(), noTime)...)
	all := []string{"0001-Q1", "2023-Q4", "2024-Q1", "2024-Q2", "2024-Q3"}
	tests := []struct {
		name       string
		query      string
		wantShards []string
		wantHits   []string
	}{
		{"no time bound", "hợp đồng", all, []string{"no-time", "q1-a", "q1-b", "q2", "q3", "q4-2023"}},
		{"after", "after:2024-04-01", []string{"2024-Q1", "2024-Q2", "2024-Q3"}, []string{"q1-b", "q2", "q3"}},
		{"before", "before:2024-01-01", []string{"0001-Q1", "2023-Q4"}, []string{"q4-2023"}},
		{"one quarter", "after:2024-02-01 before:2024-03-01", []string{"2024-Q1"}, []string{}},
		// 2024-07-01 00:00 in Ho Chi Minh City is 2024-06-30 17:00 UTC.
		{"in a group", "(after:2024-07-01 hợp)", []string{"2024-Q2", "2024-Q3"}, []string{"q3"}},
		{"or takes the hull", "after:2024-08-01 OR before:2023-12-01", all, []string{"q3", "q4-2023"}},
		{"or with a word is unbounded", "after:2024-08-01 OR hợp", all, []string{"no-time", "q1-a", "q1-b", "q2", "q3", "q4-2023"}},
		{"exclusion does not bound", "-before:2024-04-01", all, []string{"no-time", "q1-b", "q2", "q3"}},
		{"empty range", "after:2024-05-01 before:2024-05-01", []string{}, []string{}},
		{"custodian spans", "custodian:an.nguyen", []string{"2024-Q1", "2024-Q2", "2024-Q3"}, []string{"q1-b", "q2"}},
		{"custodian without spans", "custodian:nobody OR after:2030-01-01", []string{}, []string{}},
		{"open custodian span", "custodian:binh", all, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, span, err := compileQuery(tt.query, QueryOptions{Location: x.loc, Custodian: custodians})
			if err != nil {
				t.Fatal(err)
			}
			x.mu.RLock()
			var names []string
			for _, s := range x.mu.shards {
				for _, idx := range x.shardsIn(span) {
					if idx == s.idx {
						names = append(names, s.name)
					}
				}
			}
			x.mu.RUnlock()
			slices.Sort(names)
			if !slices.Equal(names, tt.wantShards) && !(len(names) == 0 && len(tt.wantShards) == 0) {
				t.Errorf("shards = %v, want %v", names, tt.wantShards)
			}

			res, err := x.Search(t.Context(), tt.query, SearchOptions{Limit: MaxLimit, Custodian: custodians})
			if err != nil {
				t.Fatal(err)
			}
			got := []string{}
			for _, h := range res.Hits {
				got = append(got, h.ID)
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.wantHits) {
				t.Errorf("hits = %v, want %v", got, tt.wantHits)
			}
		})
	}
}
