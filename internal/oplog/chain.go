package oplog

import (
	"fmt"

	"github.com/google/uuid"
)

// Link is the place an op must take in its device's hash chain: right
// after its predecessor, known by the predecessor's device, seq and hash.
// The Link before a device's first op has Seq 0 and a zero Hash.
type Link struct {
	Device uuid.UUID
	Seq    uint64 // the predecessor's seq; 0 before the device's first op
	Hash   Hash   // the predecessor's hash; zero before the device's first op
	// NoHash says the predecessor's hash is not known (a run that starts
	// after its device's first op, with nothing before it at hand): only
	// the device and the seq are checked.
	NoHash bool
}

// LinkAfter returns the Link of the op that follows o, whose hash is h.
func LinkAfter(o *Op, h Hash) Link { return Link{Device: o.Device, Seq: o.Seq, Hash: h} }

// CheckLink checks that o takes the place l in its device's chain: o is
// of l's device, o.Seq = l.Seq+1 and o.Prev = l.Hash (unless l.NoHash).
// It is the one chain-link check of Lantian: devices, bundles, the store
// and the server all call it.
//
// A wrong seq returns a *model.Error of kind model.ErrChain and code
// "gap" wrapping a *GapError (errors.Is ErrGap) that carries the seq
// expected; another device or a wrong Prev returns one of code
// "broken_chain" wrapping ErrBrokenChain.
func CheckLink(l Link, o *Op) error {
	switch {
	case o.Device != l.Device:
		return chainError(codeBrokenChain, fmt.Errorf("%w: op %s follows an op of device %s", ErrBrokenChain, o.ID(), l.Device))
	case o.Seq != l.Seq+1:
		return chainError(codeGap, &GapError{Device: o.Device, Want: l.Seq + 1, Got: o.Seq})
	case l.NoHash || o.Prev == l.Hash:
		return nil
	case l.Seq == 0:
		return chainError(codeBrokenChain, fmt.Errorf("%w: op %s is its device's first but names a previous hash %x", ErrBrokenChain, o.ID(), o.Prev[:8]))
	default:
		return chainError(codeBrokenChain, fmt.Errorf("%w: op %s names previous hash %x…; op %d hashes to %x…", ErrBrokenChain, o.ID(), o.Prev[:8], l.Seq, l.Hash[:8]))
	}
}

// VerifyChain checks that o directly follows prev in its device's hash
// chain (CheckLink after prev). A nil prev means o must be the device's
// first op: Seq 1 with a zero Prev.
func VerifyChain(prev *Op, o *Op) error {
	l := Link{Device: o.Device}
	if prev != nil {
		l = LinkAfter(prev, prev.Hash())
	}
	return CheckLink(l, o)
}
