//go:build !unix

// Package cputime reads the CPU time of the running process, for
// benchmarks that compare builds by CPU time rather than wall time.
package cputime

import "time"

// Process returns 0: this system reports no CPU time here.
func Process() time.Duration { return 0 }
