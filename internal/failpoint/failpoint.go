// Package failpoint lets crash tests kill the process at a named point of
// the write path. It does nothing unless the environment variable
// CHATSEAL_FAILPOINT names a point; tests set it on a child process.
//
// CHATSEAL_FAILPOINT=name kills the process with SIGKILL the first time
// Hit(name) runs; name:N kills it at the N-th time.
package failpoint

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// EnvVar is the environment variable that arms a failpoint.
const EnvVar = "CHATSEAL_FAILPOINT"

var (
	once   sync.Once
	armed  string
	target int
	mu     sync.Mutex
	hits   int
)

func load() {
	spec := os.Getenv(EnvVar)
	if spec == "" {
		return
	}
	name, count, ok := strings.Cut(spec, ":")
	armed, target = name, 1
	if ok {
		if n, err := strconv.Atoi(count); err == nil && n > 0 {
			target = n
		}
	}
}

// Hit kills the process with SIGKILL when name is the armed failpoint and
// this is the armed hit; otherwise it returns at once.
func Hit(name string) {
	once.Do(load)
	if armed == "" || armed != name {
		return
	}
	mu.Lock()
	hits++
	n := hits
	mu.Unlock()
	if n == target {
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {} // SIGKILL is not delivered synchronously; never return.
	}
}
