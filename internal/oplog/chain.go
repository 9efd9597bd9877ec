package oplog

import "fmt"

// VerifyChain checks that o directly follows prev in its device's hash
// chain: same device, o.Seq = prev.Seq+1 and o.Prev = prev.Hash(). A nil
// prev means o must be the device's first op: Seq 1 with a zero Prev.
// A wrong seq returns a *GapError (errors.Is ErrGap) carrying the seq
// expected; a wrong Prev or device an error wrapping ErrBrokenChain.
func VerifyChain(prev *Op, o *Op) error {
	if prev == nil {
		if o.Seq != 1 {
			return &GapError{Device: o.Device, Want: 1, Got: o.Seq}
		}
		if o.Prev != (Hash{}) {
			return fmt.Errorf("%w: op %s is its device's first but names a previous hash %x", ErrBrokenChain, o.ID(), o.Prev[:8])
		}
		return nil
	}
	if prev.Device != o.Device {
		return fmt.Errorf("%w: op %s follows op %s of another device", ErrBrokenChain, o.ID(), prev.ID())
	}
	if o.Seq != prev.Seq+1 {
		return &GapError{Device: o.Device, Want: prev.Seq + 1, Got: o.Seq}
	}
	if h := prev.Hash(); o.Prev != h {
		return fmt.Errorf("%w: op %s names previous hash %x…; op %s hashes to %x…", ErrBrokenChain, o.ID(), o.Prev[:8], prev.ID(), h[:8])
	}
	return nil
}
