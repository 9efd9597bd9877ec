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
// run of a device's new ops every Prev link is checked and only the last
// op's signature, which the hash chain extends to the whole run; runs are
// checked in parallel. The link from a run's first op to the op before it
// is checked when both are here, under the lock (batch.add, and
// batch.release for held ops). Ops at or below their device's head are
// checked against the stored copy instead, under the lock (a copy with
// the same hash carries nothing new that is signed; one with another hash
// is verified there). Every op's device must be registered.
//
// Outside a page the first fault is returned. In a page (ops that failed
// an earlier check are left out of the runs) each fault is put on its op
// (remoteOp.bad), and only storage errors are returned; see runFaults.
func (s *Store) verifyNew(ops []remoteOp, page bool) error {
	keys := map[uuid.UUID]ed25519.PublicKey{}
	heads := map[uuid.UUID]uint64{}
	unknown := map[uuid.UUID]error{}
	err := s.view(func(txn *badger.Txn) error {
		for i := range ops {
			dev := ops[i].op.Device
			if _, ok := keys[dev]; ok {
				continue
			}
			if _, ok := unknown[dev]; ok {
				continue
			}
			k, err := deviceKeyOf(txn, dev)
			if errors.Is(err, ErrUnknownDevice) && page {
				unknown[dev] = err
				continue
			}
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
		if err, ok := unknown[op.Device]; ok {
			if ops[i].bad == nil {
				ops[i].bad = err
			}
			continue
		}
		if op.Seq <= heads[op.Device] || ops[i].enc == nil {
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
		pub := keys[ps[0].Device]
		err := oplog.VerifyRunHashed(pub, nil, ps, hs)
		if err != nil && page {
			for j, f := range runFaults(pub, ps, hs) {
				if r := &ops[idx[j]]; f != nil && r.bad == nil {
					r.bad = f
				}
			}
			return
		}
		var re *oplog.RunError
		switch {
		case err == nil:
		case !errors.As(err, &re):
			errs[k] = err
		default:
			errs[k] = &OpError{ID: re.Op, Err: runFault(err)}
		}
	})
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// runFault wraps err, an error of run verification, in the store's
// sentinel for it.
func runFault(err error) error {
	switch {
	case errors.Is(err, oplog.ErrBadSignature):
		return fmt.Errorf("%w: %w", ErrBadSignature, err)
	case errors.Is(err, oplog.ErrBrokenChain):
		return fmt.Errorf("%w: %w", ErrBrokenChain, err)
	}
	return fmt.Errorf("%w: %w", ErrBadOp, err)
}

// runFaults returns, for a run of a device's ops (consecutive seqs, each
// of good shape, hashes[i] the hash of ops[i]) that failed
// oplog.VerifyRunHashed, the fault of each op, nil for an op that is
// authentic and follows the op before it. An op is authentic when its own
// signature verifies or it is linked, op by op, to a later op of the run
// whose signature does: the hash chain binds it to what that op signed.
// An op that does not link to the one before it (ErrBrokenChain), or is
// not authentic (ErrBadSignature), has a fault; the ops before it stay
// good, and the authentic ops after it are held behind it.
func runFaults(pub ed25519.PublicKey, ops []*oplog.Op, hashes []oplog.Hash) []error {
	n := len(ops)
	sig := make([]error, n)
	parallel(n, func(i int) { sig[i] = ops[i].VerifySig(pub) })
	link := make([]error, n)
	first := ops[0]
	link[0] = oplog.CheckLink(oplog.Link{Device: first.Device, Seq: first.Seq - 1, NoHash: first.Seq != 1}, first)
	for i := 1; i < n; i++ {
		link[i] = oplog.CheckLink(oplog.LinkAfter(ops[i-1], hashes[i-1]), ops[i])
	}
	faults := make([]error, n)
	authentic := false // of the op after i, when linked to i
	for i := n - 1; i >= 0; i-- {
		authentic = sig[i] == nil || authentic
		switch {
		case link[i] != nil:
			faults[i] = runFault(link[i])
		case !authentic:
			faults[i] = runFault(sig[i])
		}
		if link[i] != nil {
			authentic = false // op i-1 is not bound to op i
		}
	}
	return faults
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
