// Package s3test runs a real S3-compatible server, versitygw, for tests.
//
// Each Server is one versitygw process on a free loopback port, storing its
// buckets and object versions in the calling test's temporary folder. Tests
// of packages that need S3 start one with Start and create buckets with
// NewBucket. versitygw v1.8.0 is expected:
//
//	go install github.com/versity/versitygw/cmd/versitygw@v1.8.0
//
// Set CHATSEAL_SKIP_S3=1 to skip these tests when the binary is missing.
package s3test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// InstallCommand installs the versitygw version these tests are written
// against.
const InstallCommand = "go install github.com/versity/versitygw/cmd/versitygw@v1.8.0"

// SkipEnv is the environment variable that, set to "1", turns a missing
// versitygw binary into a skipped test instead of a failed one.
const SkipEnv = "CHATSEAL_SKIP_S3"

const (
	// readyTimeout is how long Start and Restart wait for the port to
	// accept connections.
	readyTimeout = 10 * time.Second
	// stopTimeout is how long Stop waits after SIGTERM before it kills
	// the process.
	stopTimeout = 5 * time.Second
	// startAttempts is how often Start picks a new port when the server
	// exits during start-up, which happens when another process takes the
	// port between our probe and versitygw's bind.
	startAttempts = 3
	// outputLimit is the number of bytes of server output kept for
	// failure messages.
	outputLimit = 64 << 10
	// failureTail is the number of bytes of server output shown in a
	// failure message.
	failureTail = 4 << 10
)

// Server is a running versitygw with the posix backend and bucket
// versioning, which Object Lock buckets need.
type Server struct {
	// Endpoint is the server's host:port on 127.0.0.1.
	Endpoint string
	// AccessKey and SecretKey are the root user's credentials. The
	// secret is random per server.
	AccessKey string
	SecretKey string

	binary     string
	rootDir    string // parent folder of the buckets
	versionDir string // object versions, given as --versioning-dir

	mu struct {
		sync.Mutex
		cmd  *exec.Cmd
		done chan struct{} // closed when cmd has exited
	}
	output tailBuffer // stdout and stderr of every run
}

var (
	binaryOnce sync.Once
	binaryPath string
	binaryErr  error

	bucketCounter atomic.Uint64
)

// Start runs a new versitygw for the test and stops it in t.Cleanup. When
// the binary is missing, Start fails the test with the install command, or
// skips it when CHATSEAL_SKIP_S3=1.
func Start(t testing.TB) *Server {
	t.Helper()

	binary, err := findBinary()
	if err != nil {
		if os.Getenv(SkipEnv) == "1" {
			t.Skipf("s3test: %v (%s=1 is set, so the test is skipped)", err, SkipEnv)
		}
		t.Fatalf("s3test: %v; install it with: %s (or set %s=1 to skip S3 tests)", err, InstallCommand, SkipEnv)
	}

	dir := t.TempDir()
	s := &Server{
		AccessKey:  "chatseal-test",
		SecretKey:  randomHex(t, 16),
		binary:     binary,
		rootDir:    filepath.Join(dir, "root"),
		versionDir: filepath.Join(dir, "versions"),
	}
	for _, d := range []string{s.rootDir, s.versionDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatalf("s3test: create %s: %v", d, err)
		}
	}
	t.Cleanup(func() {
		s.Stop()
		if t.Failed() {
			t.Logf("s3test: versitygw output (last %d bytes):\n%s", failureTail, s.output.tail(failureTail))
		}
	})

	var lastErr error
	for attempt := 1; attempt <= startAttempts; attempt++ {
		port, err := freePort()
		if err != nil {
			t.Fatalf("s3test: find a free loopback port: %v", err)
		}
		s.Endpoint = net.JoinHostPort("127.0.0.1", port)
		lastErr = s.run()
		if lastErr == nil {
			return s
		}
		t.Logf("s3test: start attempt %d of %d on %s failed: %v", attempt, startAttempts, s.Endpoint, lastErr)
	}
	t.Fatalf("s3test: start versitygw: %v\nserver output:\n%s", lastErr, s.output.tail(failureTail))
	return nil
}

// Stop terminates the server and waits for it to exit. It is safe to call
// more than once, and Restart starts it again.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopLocked()
}

// Restart starts the server again on the same port with the same
// buckets, stopping it first when it is running.
func (s *Server) Restart(t testing.TB) {
	t.Helper()

	s.mu.Lock()
	s.stopLocked()
	s.mu.Unlock()

	// The port was ours a moment ago, so a failed bind is most likely a
	// socket the kernel has not released yet. Retry until the deadline.
	deadline := time.Now().Add(readyTimeout)
	for {
		err := s.run()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("s3test: restart versitygw on %s: %v\nserver output:\n%s", s.Endpoint, err, s.output.tail(failureTail))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// NewBucket creates a bucket with a unique name and returns the name.
// With objectLock the bucket has S3 Object Lock enabled, which also turns
// on versioning. Without it the bucket is neither locked nor versioned.
func (s *Server) NewBucket(t testing.TB, objectLock bool) string {
	t.Helper()

	name := fmt.Sprintf("chatseal-%d-%s", bucketCounter.Add(1), randomHex(t, 4))
	client, err := s.client()
	if err != nil {
		t.Fatalf("s3test: create client for %s: %v", s.Endpoint, err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	opts := minio.MakeBucketOptions{Region: "us-east-1", ObjectLocking: objectLock}
	if err := client.MakeBucket(ctx, name, opts); err != nil {
		t.Fatalf("s3test: create bucket %q (object lock %t) on %s: %v", name, objectLock, s.Endpoint, err)
	}
	return name
}

func (s *Server) client() (*minio.Client, error) {
	return minio.New(s.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(s.AccessKey, s.SecretKey, ""),
		Region: "us-east-1",
	})
}

// run starts the process and waits until its port accepts connections.
func (s *Server) run() error {
	s.mu.Lock()
	defer s.mu.Unlock()

	cmd := exec.Command(s.binary,
		"--port", s.Endpoint,
		"posix", "--versioning-dir", s.versionDir, s.rootDir)
	cmd.Env = append(serverEnviron(),
		"ROOT_ACCESS_KEY="+s.AccessKey,
		"ROOT_SECRET_KEY="+s.SecretKey)
	cmd.Stdout = &s.output
	cmd.Stderr = &s.output
	// NOTE: if the test binary is killed (for example by the -timeout
	// panic), t.Cleanup does not run and this process outlives it.
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("run %s: %w", s.binary, err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	s.mu.cmd = cmd
	s.mu.done = done

	if err := waitReady(s.Endpoint, done); err != nil {
		s.stopLocked()
		return err
	}
	return nil
}

func (s *Server) stopLocked() {
	cmd, done := s.mu.cmd, s.mu.done
	if cmd == nil {
		return
	}
	s.mu.cmd, s.mu.done = nil, nil

	_ = cmd.Process.Signal(os.Interrupt)
	select {
	case <-done:
	case <-time.After(stopTimeout):
		_ = cmd.Process.Kill()
		<-done
	}
}

// waitReady polls endpoint until a TCP connection succeeds, the process
// exits (done is closed) or readyTimeout passes.
func waitReady(endpoint string, done <-chan struct{}) error {
	deadline := time.Now().Add(readyTimeout)
	for {
		select {
		case <-done:
			return fmt.Errorf("versitygw exited before %s accepted connections", endpoint)
		default:
		}

		conn, err := net.DialTimeout("tcp", endpoint, 200*time.Millisecond)
		if err == nil {
			_ = conn.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("versitygw did not accept connections on %s within %v: %w", endpoint, readyTimeout, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// serverEnviron returns the test's environment without the variables that
// configure versitygw, so a developer's own settings cannot change the
// server under test.
func serverEnviron() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "VGW_") || strings.HasPrefix(name, "ROOT_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// findBinary looks for versitygw in PATH, then in the bin folder of each
// GOPATH entry that `go env GOPATH` prints.
func findBinary() (string, error) {
	binaryOnce.Do(func() {
		if p, err := exec.LookPath("versitygw"); err == nil {
			binaryPath = p
			return
		}

		out, err := exec.Command("go", "env", "GOPATH").Output()
		if err != nil {
			binaryErr = fmt.Errorf("versitygw is not in PATH, and `go env GOPATH` failed: %w", err)
			return
		}
		var tried []string
		for _, dir := range filepath.SplitList(strings.TrimSpace(string(out))) {
			candidate := filepath.Join(dir, "bin", "versitygw")
			if info, err := os.Stat(candidate); err == nil && !info.IsDir() {
				binaryPath = candidate
				return
			}
			tried = append(tried, candidate)
		}
		binaryErr = fmt.Errorf("versitygw is not in PATH nor at %s", strings.Join(tried, ", "))
	})
	return binaryPath, binaryErr
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	_, port, err := net.SplitHostPort(l.Addr().String())
	return port, err
}

func randomHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("s3test: read random bytes: %v", err)
	}
	return hex.EncodeToString(b)
}

// tailBuffer is an io.Writer, safe for concurrent use, that keeps the last
// outputLimit bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if over := len(b.buf) - outputLimit; over > 0 {
		b.buf = append(b.buf[:0], b.buf[over:]...)
	}
	return len(p), nil
}

// tail returns up to the last n bytes written.
func (b *tailBuffer) tail(n int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.buf) > n {
		return string(b.buf[len(b.buf)-n:])
	}
	return string(b.buf)
}
