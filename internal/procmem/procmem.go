// Package procmem reads a process's memory figures from Linux's /proc, for
// benchmarks: the peak resident set (VmHWM), its anonymous and file-backed
// parts, and resetting the peak.
package procmem

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Self is the pid that names the calling process.
const Self = 0

func procPath(pid int, file string) string {
	if pid == Self {
		return "/proc/self/" + file
	}
	return fmt.Sprintf("/proc/%d/%s", pid, file)
}

// KB returns the kB figure field (e.g. "VmHWM", "RssAnon") of process
// pid's /proc status, 0 where unknown (not Linux, no such process).
func KB(pid int, field string) float64 {
	data, err := os.ReadFile(procPath(pid, "status"))
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			if err != nil {
				return 0
			}
			return kb
		}
	}
	return 0
}

// MiB returns KB(Self, field) in MiB.
func MiB(field string) float64 { return KB(Self, field) / 1024 }

// ResetPeak sets process pid's VmHWM back to its current resident set, so
// that the next reading is the peak of what follows; false where the
// kernel does not allow it.
func ResetPeak(pid int) bool {
	return os.WriteFile(procPath(pid, "clear_refs"), []byte("5"), 0) == nil
}
