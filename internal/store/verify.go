package store

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"runtime"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"
	"golang.org/x/sync/errgroup"

	"github.com/lantian-tz/lantian/internal/oplog"
)

// verifyNew checks the ops of a batch that are not yet stored, sorted by
// device and seq, against their devices' registered keys. They are
// checked a run at a time (oplog.VerifyRunHashed): within each contiguous
// run of a device's ops every Prev link is checked and only the last op's
// signature, which the hash chain extends to the whole run; runs are
// checked in parallel. The link from a run's first op to the op before it
// is checked when both are here, under the lock (batch.add, and
// batch.release for held ops). Ops at or below their device's head are
// checked against the stored copy instead, under the lock (a copy with
// the same hash carries nothing new that is signed; one with another hash
// is verified there). Every op's device must be registered.
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
	// Runs [start, end) of the new ops, in order.
	type run struct{ start, end int }
	var fresh []int
	var runs []run
	for i := range ops {
		op := &ops[i].op
		if op.Seq <= heads[op.Device] {
			continue
		}
		if n := len(fresh); n > 0 {
			p := &ops[fresh[n-1]].op
			if p.Device == op.Device && p.Seq+1 == op.Seq {
				fresh = append(fresh, i)
				runs[len(runs)-1].end = len(fresh)
				continue
			}
		}
		fresh = append(fresh, i)
		runs = append(runs, run{len(fresh) - 1, len(fresh)})
	}
	errs := make([]error, len(runs))
	parallel(len(runs), func(k int) {
		idx := fresh[runs[k].start:runs[k].end]
		ps := make([]*oplog.Op, len(idx))
		hs := make([]oplog.Hash, len(idx))
		for j, i := range idx {
			ps[j], hs[j] = &ops[i].op, ops[i].hash
		}
		err := oplog.VerifyRunHashed(keys[ps[0].Device], nil, ps, hs)
		var re *oplog.RunError
		switch {
		case err == nil:
		case !errors.As(err, &re):
			errs[k] = err
		case errors.Is(err, oplog.ErrBadSignature):
			errs[k] = &OpError{ID: re.Op, Err: fmt.Errorf("%w: %w", ErrBadSignature, err)}
		case errors.Is(err, oplog.ErrBrokenChain):
			errs[k] = &OpError{ID: re.Op, Err: fmt.Errorf("%w: %w", ErrBrokenChain, err)}
		default:
			errs[k] = &OpError{ID: re.Op, Err: fmt.Errorf("%w: %w", ErrBadOp, err)}
		}
	})
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// parallelBlock is how many indices a goroutine of parallel takes.
const parallelBlock = 32

// parallel runs fn(0) … fn(n-1) in blocks of parallelBlock indices on up
// to GOMAXPROCS goroutines at a time; a single block runs on the
// caller's goroutine.
func parallel(n int, fn func(i int)) {
	procs := runtime.GOMAXPROCS(0)
	if procs == 1 || n <= parallelBlock {
		for i := range n {
			fn(i)
		}
		return
	}
	var g errgroup.Group
	g.SetLimit(procs)
	for lo := 0; lo < n; lo += parallelBlock {
		g.Go(func() error {
			for i := lo; i < min(lo+parallelBlock, n); i++ {
				fn(i)
			}
			return nil
		})
	}
	g.Wait() // fn reports its errors itself
}
