package app

import (
	"runtime/debug"
	"testing"
)

func TestSetMemoryLimit(t *testing.T) {
	prev := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(prev) })

	t.Setenv("GOMEMLIMIT", "")
	debug.SetMemoryLimit(prev)
	setMemoryLimit()
	if got := debug.SetMemoryLimit(-1); got != memoryLimit {
		t.Errorf("without GOMEMLIMIT: got limit %d; want %d", got, memoryLimit)
	}

	t.Setenv("GOMEMLIMIT", "300MiB")
	debug.SetMemoryLimit(prev)
	setMemoryLimit()
	if got := debug.SetMemoryLimit(-1); got != prev {
		t.Errorf("with GOMEMLIMIT: got limit %d; want it left at %d", got, prev)
	}
}
