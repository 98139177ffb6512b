//go:build !unix

package index

import "time"

// processCPUTime returns 0: BenchmarkIndex reports no cpu_ratio on this
// system.
func processCPUTime() time.Duration { return 0 }
