package vault

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"chatseal/archive"
	"chatseal/audit"
	"chatseal/internal/s3test"
	"chatseal/internal/testdata"
)

// foldWords lowercases s, removes every diacritic, maps đ to d and splits
// it into words of letters and digits. It is written apart from the index's
// analyser so the tests check the index against an independent oracle.
func foldWords(s string) []string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'đ':
			b.WriteRune('d')
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		default:
			b.WriteRune(' ')
		}
	}
	return strings.Fields(b.String())
}

func containsPhrase(words, phrase []string) bool {
	for i := 0; i+len(phrase) <= len(words); i++ {
		match := true
		for j := range phrase {
			if words[i+j] != phrase[j] {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}

// inputMessage is a message as read straight from a capture file.
type inputMessage struct {
	account, msgID, text string
}

func readInputs(t *testing.T, accounts []testdata.Account) []inputMessage {
	t.Helper()
	var out []inputMessage
	for _, a := range accounts {
		f, err := os.Open(a.File)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var line struct {
				Data struct {
					MsgID   string          `json:"msgId"`
					Content json.RawMessage `json:"content"`
				} `json:"data"`
			}
			if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
				t.Fatal(err)
			}
			var text string
			json.Unmarshal(line.Data.Content, &text)
			out = append(out, inputMessage{account: a.Account, msgID: line.Data.MsgID, text: text})
		}
		f.Close()
	}
	return out
}

func newTestConfig(t *testing.T) Config {
	return Config{DataDir: filepath.Join(t.TempDir(), "data")}
}

func importAccounts(t *testing.T, v *Vault, accounts []testdata.Account) *ImportSummary {
	t.Helper()
	total := &ImportSummary{}
	for _, a := range accounts {
		sum, err := v.Import(context.Background(), ImportRequest{Source: "zalo", Account: a.Account, AccountUID: a.ZaloUID, Inputs: []string{a.File}}, nil)
		if err != nil {
			t.Fatalf("import %s: %v", a.Account, err)
		}
		total.Read += sum.Read
		total.Stored += sum.Stored
		total.Duplicates += sum.Duplicates
		total.Quarantined += sum.Quarantined
	}
	return total
}

// searchKeys runs q and returns the hits as sorted "account/source_id".
func searchKeys(t *testing.T, v *Vault, q string) []string {
	t.Helper()
	var keys []string
	for {
		res, err := v.Search(context.Background(), q, 1000, len(keys))
		if err != nil {
			t.Fatalf("search %q: %v", q, err)
		}
		for _, h := range res.Hits {
			keys = append(keys, h.Account+"/"+h.SourceID)
		}
		if len(res.Hits) == 0 || uint64(len(keys)) >= res.Total {
			if uint64(len(keys)) != res.Total {
				t.Fatalf("search %q returned %d hits of %d", q, len(keys), res.Total)
			}
			break
		}
	}
	sort.Strings(keys)
	return keys
}

// checkSearch asserts that q finds every input message containing the
// folded phrase, and that every hit contains each folded query word.
func checkSearch(t *testing.T, v *Vault, inputs []inputMessage, q string) []string {
	t.Helper()
	phrase := foldWords(q)
	byKey := map[string]inputMessage{}
	var want []string
	for _, m := range inputs {
		k := m.account + "/" + m.msgID
		byKey[k] = m
		if containsPhrase(foldWords(m.text), phrase) {
			want = append(want, k)
		}
	}
	if len(want) == 0 {
		t.Fatalf("oracle finds no message for %q; the test data changed", q)
	}
	got := searchKeys(t, v, q)
	gotSet := map[string]bool{}
	for _, k := range got {
		gotSet[k] = true
		words := foldWords(byKey[k].text)
		for _, w := range phrase {
			if !containsPhrase(words, []string{w}) {
				t.Errorf("search %q: hit %s does not contain %q", q, k, w)
			}
		}
	}
	missing := 0
	for _, k := range want {
		if !gotSet[k] {
			missing++
			if missing <= 5 {
				t.Errorf("search %q misses %s", q, k)
			}
		}
	}
	if missing > 0 {
		t.Errorf("search %q misses %d of %d messages containing the phrase", q, missing, len(want))
	}
	t.Logf("search %q: %d hits, %d contain the phrase", q, len(got), len(want))
	return got
}

func runRealArchive(t *testing.T, cfg Config, afterImport func(v *Vault)) {
	accounts := testdata.BankSupport(t)
	inputs := readInputs(t, accounts)
	ctx := context.Background()

	v, err := Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { v.Close() }()
	if v.KeysCreated == nil {
		t.Error("first Open did not report created keys")
	}

	sum := importAccounts(t, v, accounts)
	if sum.Stored != int64(len(inputs)) || sum.Quarantined != 0 || sum.Duplicates != 0 {
		t.Fatalf("first import: %+v, want %d stored, none quarantined or duplicate", sum, len(inputs))
	}
	stats, err := v.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Messages != int64(len(inputs)) || stats.Indexed != uint64(len(inputs)) || stats.Spooled != 0 {
		t.Errorf("stats after import = %+v, want %d messages all indexed, none spooled", stats, len(inputs))
	}

	again := importAccounts(t, v, accounts)
	if again.Stored != 0 || again.Duplicates != int64(len(inputs)) {
		t.Errorf("second import: %+v, want 0 stored and %d duplicates", again, len(inputs))
	}

	queries := []string{"khoa the", "khiếu nại"}
	before := map[string][]string{}
	for _, q := range queries {
		before[q] = checkSearch(t, v, inputs, q)
	}

	rep, err := v.Verify(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Messages != int64(len(inputs)) {
		t.Fatalf("verify: %+v", rep)
	}
	if afterImport != nil {
		afterImport(v)
	}

	// Delete the catalog and the index by hand, then rebuild from the archive.
	v.Close()
	for _, dir := range []string{cfg.catalogDir(), filepath.Join(cfg.DataDir, "index")} {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
	}
	v, err = Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	rb, err := v.Rebuild(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rb.Messages != int64(len(inputs)) {
		t.Errorf("rebuild read %d messages, want %d", rb.Messages, len(inputs))
	}
	for _, q := range queries {
		after := searchKeys(t, v, q)
		if strings.Join(after, ",") != strings.Join(before[q], ",") {
			t.Errorf("search %q after rebuild: %d hits, before: %d (sets differ)", q, len(after), len(before[q]))
		}
	}
	rep, err = v.Verify(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("verify after rebuild: %+v", rep.Problems)
	}
}

func TestVault_RealZaloArchiveFS(t *testing.T) {
	runRealArchive(t, newTestConfig(t), nil)
}

func TestVault_RealZaloArchiveS3(t *testing.T) {
	srv := s3test.Start(t)
	bucket := srv.NewBucket(t, true)
	cfg := newTestConfig(t)
	cfg.Storage = StorageS3
	cfg.S3 = archive.S3Config{Endpoint: srv.Endpoint, Bucket: bucket, AccessKey: srv.AccessKey, SecretKey: srv.SecretKey}
	cfg.LockMode = archive.Governance
	runRealArchive(t, cfg, func(v *Vault) {
		if !v.ObjectLock() {
			t.Fatal("vault does not see Object Lock on a locked bucket")
		}
		var key string
		err := v.catalog.Segments(v.cfg.Tenant, func(info archive.SegmentInfo) error {
			key = info.Key
			if info.LockMode != archive.Governance || info.RetainUntil.IsZero() {
				t.Errorf("segment %s has lock %q until %v, want GOVERNANCE with a date", info.Key, info.LockMode, info.RetainUntil)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		err = v.store.Delete(context.Background(), key)
		if !errors.Is(err, archive.ErrLocked) {
			t.Fatalf("delete of locked segment %s: err = %v, want ErrLocked", key, err)
		}
		if _, err := v.store.Stat(context.Background(), key); err != nil {
			t.Errorf("locked segment %s is gone after a refused delete: %v", key, err)
		}

		// The imports' audit events are locked like segments.
		objects, err := audit.Objects(context.Background(), auditStore{v}, v.cfg.Tenant)
		if err != nil || len(objects) == 0 {
			t.Fatalf("audit objects on the locked bucket: %v, %v", objects, err)
		}
		if err := v.store.Delete(context.Background(), objects[0]); !errors.Is(err, archive.ErrLocked) {
			t.Errorf("delete of audit object %s: err = %v, want ErrLocked", objects[0], err)
		}
	})
}
