//go:build !unix

package whatsapp

import "time"

// processCPUTime returns 0: the benchmarks report no msgs/cpu-s on this
// system.
func processCPUTime() time.Duration { return 0 }
