package oplog

import (
	"crypto/ed25519"
	"fmt"
)

// Run verification.
//
// A device's ops form a hash chain: op n+1 names in Prev the SHA-256 of op
// n's canonical encoding, which covers every signed field of op n,
// including its own Prev. So the hash of op n commits to the content of
// ops 1…n, and a valid signature on op n authenticates all of them that
// are linked back from it. Checking one signature per contiguous run of a
// device's ops (ed25519 verification costs ~40 µs, hashing an op a few)
// is therefore as strong, for the content of the run, as checking every
// op's signature:
//
//   - To pass off a run containing an op that differs from what the key
//     holder signed, an attacker without the key must keep the signed last
//     op unchanged (or forge ed25519) and make some altered op hash to the
//     value its successor names in Prev: a SHA-256 second preimage.
//   - Every op keeps its own signature. Interior signatures are not checked
//     by VerifyRun but are stored and stay individually checkable with
//     VerifySig; VerifyEach checks them all (an audit, and what a store's
//     consistency check runs). A run whose interior signature is invalid
//     but whose chain and last signature verify can only come from the
//     device's own key holder; VerifyEach names it.
//
// VerifyRun checks the shape of a run (one device, seqs contiguous, the
// first op's link to a known predecessor), every Prev link inside it, and
// the last op's signature, computing each op's hash once.

// VerifyRun checks ops, a run of one device's ops in seq order, against
// the device key pub: every op's Prev names the hash of the op before it
// in the run; the first op's Prev is *prev when prev is not nil (the hash
// of the device's op before the run), or zero when the run starts at seq
// 1; and the last op's signature verifies. The ops' own shape (CheckShape)
// is checked too. Interior ops' signatures are not checked (see VerifyEach).
//
// An error about one op of the run is a *RunError naming it, wrapping
// ErrMalformed, ErrBrokenChain (another device, or a wrong Prev), ErrGap
// (a *GapError: seqs not contiguous) or ErrBadSignature.
func VerifyRun(pub ed25519.PublicKey, prev *Hash, ops []Op) error {
	ps, hs, err := hashRun(ops)
	if err != nil {
		return err
	}
	return VerifyRunHashed(pub, prev, ps, hs)
}

// hashRun checks the shape of each op of ops and returns pointers to them
// with their hashes.
func hashRun(ops []Op) ([]*Op, []Hash, error) {
	ps := make([]*Op, len(ops))
	hs := make([]Hash, len(ops))
	for i := range ops {
		if err := ops[i].CheckShape(); err != nil {
			return nil, nil, &RunError{Op: ops[i].ID(), Err: err}
		}
		ps[i] = &ops[i]
		hs[i] = ops[i].Hash()
	}
	return ps, hs, nil
}

// VerifyRunHashed is VerifyRun for a caller that has already checked each
// op's shape and computed its hash: hashes[i] must be ops[i].Hash(). It
// hashes nothing itself.
func VerifyRunHashed(pub ed25519.PublicKey, prev *Hash, ops []*Op, hashes []Hash) error {
	if len(ops) == 0 {
		return fmt.Errorf("%w: empty run", ErrMalformed)
	}
	if len(hashes) != len(ops) {
		return fmt.Errorf("oplog: %d hashes for a run of %d ops", len(hashes), len(ops))
	}
	first := ops[0]
	l := Link{Device: first.Device, Seq: first.Seq - 1, NoHash: prev == nil && first.Seq != 1}
	if prev != nil {
		l.Hash = *prev
	}
	if err := CheckLink(l, first); err != nil {
		return &RunError{Op: first.ID(), Err: err}
	}
	for i := 1; i < len(ops); i++ {
		if err := CheckLink(LinkAfter(ops[i-1], hashes[i-1]), ops[i]); err != nil {
			return &RunError{Op: ops[i].ID(), Err: err}
		}
	}
	last := ops[len(ops)-1]
	if err := last.verifySigHash(pub, hashes[len(ops)-1]); err != nil {
		return &RunError{Op: last.ID(), Err: err}
	}
	return nil
}

// RunError is VerifyRun's and VerifyEach's error about one op of a run.
type RunError struct {
	Op  OpID  // the op at fault
	Err error // wraps ErrMalformed, ErrBrokenChain, ErrGap or ErrBadSignature
}

// Error says which op and what is wrong.
func (e *RunError) Error() string { return e.Err.Error() }

// Unwrap returns Err.
func (e *RunError) Unwrap() error { return e.Err }

// VerifyEach is the audit of a run: VerifyRun's checks, and the signature
// of every op, not only the last. It names the first op whose signature
// does not verify.
func VerifyEach(pub ed25519.PublicKey, prev *Hash, ops []Op) error {
	ps, hs, err := hashRun(ops)
	if err != nil {
		return err
	}
	if err := VerifyRunHashed(pub, prev, ps, hs); err != nil {
		return err
	}
	for i := range ps[:len(ps)-1] {
		if err := ps[i].verifySigHash(pub, hs[i]); err != nil {
			return &RunError{Op: ps[i].ID(), Err: err}
		}
	}
	return nil
}
