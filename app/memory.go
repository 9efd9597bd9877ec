package app

import (
	"os"
	"runtime/debug"
)

// memoryLimit is the Go runtime's soft memory limit for the app: the
// garbage collector works harder as the heap nears it, which keeps the
// resident set of a tablet-sized process down after big lists and
// imports. GOMEMLIMIT, when set, wins (Go reads it at start-up).
const memoryLimit = 150 << 20

// setMemoryLimit applies memoryLimit unless GOMEMLIMIT is set, and
// returns the limit in force.
func setMemoryLimit() int64 {
	if os.Getenv("GOMEMLIMIT") != "" {
		return debug.SetMemoryLimit(-1)
	}
	debug.SetMemoryLimit(memoryLimit)
	return memoryLimit
}
