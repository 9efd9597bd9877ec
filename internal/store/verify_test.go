package store

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
)

// parallel calls fn once for every index, on no more goroutines at a time
// than GOMAXPROCS.
func TestParallel(t *testing.T) {
	procs := runtime.GOMAXPROCS(0)
	for _, n := range []int{0, 1, parallelBlock, parallelBlock + 1, 1000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			calls := make([]atomic.Int32, n)
			var running, most atomic.Int32
			parallel(n, func(i int) {
				r := running.Add(1)
				for m := most.Load(); r > m && !most.CompareAndSwap(m, r); m = most.Load() {
				}
				calls[i].Add(1)
				runtime.Gosched() // let other goroutines in while this one runs
				running.Add(-1)
			})
			for i := range calls {
				if got := calls[i].Load(); got != 1 {
					t.Fatalf("fn(%d) ran %d times; want 1", i, got)
				}
			}
			if got := int(most.Load()); got > procs {
				t.Errorf("at most %d calls at once; want at most GOMAXPROCS=%d", got, procs)
			}
		})
	}
}
