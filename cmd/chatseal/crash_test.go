package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"chatseal/internal/failpoint"
	"chatseal/internal/s3test"
)

var (
	binaryOnce sync.Once
	binaryPath string
	binaryErr  error
)

// chatsealBinary builds the command once per test run, so crash tests can
// kill a real child process.
func chatsealBinary(t *testing.T) string {
	t.Helper()
	binaryOnce.Do(func() {
		dir, err := os.MkdirTemp("", "chatseal-bin-")
		if err != nil {
			binaryErr = err
			return
		}
		binaryPath = filepath.Join(dir, "chatseal")
		out, err := exec.Command("go", "build", "-o", binaryPath, ".").CombinedOutput()
		if err != nil {
			binaryErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binaryErr != nil {
		t.Fatal(binaryErr)
	}
	return binaryPath
}

// writeCrashCorpus writes a Zalo capture of n messages; every tenth one
// says "khiếu nại". It returns how many do.
func writeCrashCorpus(t *testing.T, path string, n int) int {
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	complaints := 0
	for i := 0; i < n; i++ {
		text := fmt.Sprintf("Đơn hàng số %d đã giao chưa ạ", i)
		if i%10 == 0 {
			text = fmt.Sprintf("Tôi muốn khiếu nại về đơn %d", i)
			complaints++
		}
		data := map[string]any{
			"msgId": fmt.Sprint(7300000000000 + i), "cliMsgId": fmt.Sprint(1717000000000 + i), "msgType": "webchat",
			"uidFrom": fmt.Sprintf("77000000000000%05d", i%50), "idTo": "0", "dName": "Khách",
			"ts": fmt.Sprint(1717000000000 + int64(i)*60000), "content": text,
		}
		line, _ := json.Marshal(map[string]any{"event": "message", "threadType": "user", "data": data})
		w.Write(line)
		w.WriteByte('\n')
	}
	w.Flush()
	f.Close()
	return complaints
}

// runChild runs the binary with env added to the test's environment.
func runChild(t *testing.T, env []string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(chatsealBinary(t), args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func killedBySIGKILL(err error) bool {
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		return false
	}
	status, ok := exit.Sys().(syscall.WaitStatus)
	return ok && status.Signaled() && status.Signal() == syscall.SIGKILL
}

// TestCrash_NothingLostOrDuplicated kills chatseal at chosen points of the
// write path, then runs the same import again, and checks that every
// message is stored exactly once, verify passes and search finds them.
func TestCrash_NothingLostOrDuplicated(t *testing.T) {
	if testing.Short() {
		t.Skip("crash tests build and run the binary; skipped with -short")
	}
	const messages = 2500
	input := filepath.Join(t.TempDir(), "capture.jsonl")
	complaints := writeCrashCorpus(t, input, messages)

	points := []string{
		"after-spool-add:2",
		"before-segment-put",
		"after-segment-put",
		"before-checkpoint",
		"during-index:2",
		"before-index-mark",
	}
	stores := []struct {
		name string
		// env returns the storage environment of one case, given the
		// store's server (nil for fs).
		env func(t *testing.T, srv *s3test.Server) []string
	}{
		{"fs", func(t *testing.T, _ *s3test.Server) []string { return nil }},
		{"s3", func(t *testing.T, srv *s3test.Server) []string {
			return []string{
				"CHATSEAL_STORAGE_KIND=s3",
				"CHATSEAL_STORAGE_S3_ENDPOINT=" + srv.Endpoint,
				"CHATSEAL_STORAGE_S3_BUCKET=" + srv.NewBucket(t, true),
				"CHATSEAL_STORAGE_S3_ACCESS_KEY=" + srv.AccessKey,
				"CHATSEAL_STORAGE_S3_SECRET_KEY=" + srv.SecretKey,
				"CHATSEAL_STORAGE_S3_USE_TLS=false",
			}
		}},
	}
	for _, store := range stores {
		t.Run(store.name, func(t *testing.T) {
			var srv *s3test.Server
			if store.name == "s3" {
				srv = s3test.Start(t)
			}
			for _, point := range points {
				t.Run(point, func(t *testing.T) {
					env := append([]string{"CHATSEAL_DATA=" + filepath.Join(t.TempDir(), "data")}, store.env(t, srv)...)
					importArgs := []string{"import", "--account", "shop", "--account-uid", "8100000000000000001", input}

					out, err := runChild(t, append(env, failpoint.EnvVar+"="+point), importArgs...)
					if !killedBySIGKILL(err) {
						t.Fatalf("import with failpoint %s was not killed (err %v):\n%s", point, err, out)
					}

					if out, err := runChild(t, env, importArgs...); err != nil {
						t.Fatalf("import after the crash: %v\n%s", err, out)
					}
					out, err = runChild(t, env, "stats", "--json")
					if err != nil {
						t.Fatalf("stats: %v\n%s", err, out)
					}
					var stats struct {
						Messages int64 `json:"messages"`
						Spooled  int   `json:"spooled"`
						Indexed  int64 `json:"indexed"`
					}
					if err := json.Unmarshal([]byte(lastLine(out)), &stats); err != nil {
						t.Fatalf("stats output %q: %v", out, err)
					}
					if stats.Messages != messages || stats.Spooled != 0 || stats.Indexed != messages {
						t.Errorf("after crash at %s: %+v, want %d messages stored once and indexed, none spooled", point, stats, messages)
					}
					if out, err := runChild(t, env, "verify"); err != nil {
						t.Errorf("verify after crash at %s: %v\n%s", point, err, out)
					}
					out, err = runChild(t, env, "search", "--json", "--limit", "1000", "khieu nai")
					if err != nil {
						t.Fatalf("search: %v\n%s", err, out)
					}
					// One line per hit, then the closing line with the total.
					if got := strings.Count(strings.TrimSpace(out), "\n"); got != complaints {
						t.Errorf("search after crash at %s found %d messages, want %d", point, got, complaints)
					}
					out, err = runChild(t, env, "import", "--json", "--account", "shop", "--account-uid", "8100000000000000001", input)
					if err != nil || !strings.Contains(out, `"stored":0`) {
						t.Errorf("third import after crash at %s: %v\n%s\nwant nothing stored", point, err, out)
					}
				})
			}
		})
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
