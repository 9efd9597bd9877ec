package procmem

import (
	"os"
	"runtime"
	"testing"
)

// The figures of a running process are read, by pid and as Self, and a
// peak is never below the current resident set.
func TestKB(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/proc is Linux's")
	}
	rss := KB(Self, "VmRSS") // first: the peak read after it is at least this
	hwm := KB(Self, "VmHWM")
	if hwm <= 0 || rss <= 0 || hwm < rss {
		t.Fatalf("VmHWM %v kB, VmRSS %v kB; want positive, peak ≥ current", hwm, rss)
	}
	if byPid := KB(os.Getpid(), "VmHWM"); byPid < hwm {
		t.Errorf("by pid %v kB; want ≥ %v", byPid, hwm)
	}
	if got := MiB("VmHWM"); got < hwm/1024 {
		t.Errorf("MiB %v; want ≥ %v", got, hwm/1024)
	}
	if KB(Self, "NoSuchField") != 0 || KB(1<<30, "VmHWM") != 0 {
		t.Error("unknown field or process: want 0")
	}
}
