//go:build unix

// Package cputime reads the CPU time of the running process, for
// benchmarks that compare builds by CPU time rather than wall time.
package cputime

import (
	"syscall"
	"time"
)

// Process returns the user and system CPU time of the process so far, or
// 0 when the system does not report it.
func Process() time.Duration {
	var usage syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &usage); err != nil {
		return 0
	}
	return time.Duration(usage.Utime.Nano() + usage.Stime.Nano())
}
