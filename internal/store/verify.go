package store

import (
	"crypto/ed25519"
	"fmt"
	"runtime"
	"sync"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"
)

// verifyNew checks the signatures of the ops of a batch that are not yet
// stored, in parallel (ed25519 verification dominates the cost of applying
// a batch). Ops at or below their device's head are checked against the
// stored copy instead, under the lock (a copy with the same hash carries
// nothing new that is signed; one with another hash is verified there).
// Every op's device must be registered.
func (s *Store) verifyNew(ops []remoteOp) error {
	keys := map[uuid.UUID]ed25519.PublicKey{}
	heads := map[uuid.UUID]uint64{}
	err := s.view(func(txn *badger.Txn) error {
		for i := range ops {
			dev := ops[i].op.Device
			if _, ok := keys[dev]; ok {
				continue
			}
			k, err := deviceKeyOf(txn, dev)
			if err != nil {
				return &OpError{ID: ops[i].op.ID(), Err: err}
			}
			hd, err := getHead(txn, dev)
			if err != nil {
				return err
			}
			keys[dev], heads[dev] = k, hd.Seq
		}
		return nil
	})
	if err != nil {
		return err
	}
	var todo []int
	for i := range ops {
		if ops[i].op.Seq > heads[ops[i].op.Device] {
			todo = append(todo, i)
		}
	}
	errs := make([]error, len(todo))
	parallel(len(todo), func(k int) {
		op := &ops[todo[k]].op
		if err := op.VerifySig(keys[op.Device]); err != nil {
			errs[k] = fmt.Errorf("%w: %w", ErrBadSignature, err)
		}
	})
	for k, err := range errs {
		if err != nil {
			return &OpError{ID: ops[todo[k]].op.ID(), Err: err}
		}
	}
	return nil
}

// parallel runs fn(0) … fn(n-1) on GOMAXPROCS goroutines.
func parallel(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), (n+31)/32)
	if workers <= 1 {
		for i := 0; i < n; i++ {
			fn(i)
		}
		return
	}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < n; i += workers {
				fn(i)
			}
		}(w)
	}
	wg.Wait()
}
