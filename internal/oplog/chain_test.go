package oplog

import (
	"crypto/ed25519"
	"errors"
	"testing"

	"github.com/lantian-tz/lantian/model"
)

// TestCheckLink: the link check's errors carry the model kinds beside
// oplog's sentinels, and a link with NoHash checks device and seq only.
func TestCheckLink(t *testing.T) {
	first := editOp(devA, 1, ts(0, 0), "a", "1")
	second := editOp(devA, 2, ts(1, 0), "a", "2", id(devA, 1))
	second.Prev = first.Hash()
	after := LinkAfter(&first, first.Hash())
	wrongPrev := second
	wrongPrev.Prev[0] ^= 1
	tests := []struct {
		name     string
		l        Link
		op       Op
		sentinel error
		kind     model.ErrorKind
	}{
		{"first", Link{Device: devA}, first, nil, 0},
		{"next", after, second, nil, 0},
		{"gap", after, editOp(devA, 3, ts(2, 0), "a", "3"), ErrGap, model.ErrChain},
		{"other device", Link{Device: devB, Seq: 1, Hash: first.Hash()}, second, ErrBrokenChain, model.ErrChain},
		{"wrong prev", after, wrongPrev, ErrBrokenChain, model.ErrChain},
		{"wrong prev, hash unknown", Link{Device: devA, Seq: 1, NoHash: true}, wrongPrev, nil, 0},
		{"gap, hash unknown", Link{Device: devA, Seq: 2, NoHash: true}, wrongPrev, ErrGap, model.ErrChain},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckLink(tt.l, &tt.op)
			if (err == nil) != (tt.sentinel == nil) || tt.sentinel != nil && (!errors.Is(err, tt.sentinel) || !errors.Is(err, tt.kind) || model.KindOf(err) != tt.kind) {
				t.Fatalf("got %v (kind %v); want %v of kind %v", err, model.KindOf(err), tt.sentinel, tt.kind)
			}
		})
	}
}

// TestSignatureErrorKind: a bad signature is ErrBadSignature and of kind
// model.ErrSignature.
func TestSignatureErrorKind(t *testing.T) {
	o := editOp(devA, 1, ts(0, 0), "a", "1")
	err := o.VerifySig(keyA.Public().(ed25519.PublicKey))
	if !errors.Is(err, ErrBadSignature) || model.KindOf(err) != model.ErrSignature {
		t.Fatalf("got %v; want ErrBadSignature of kind signature", err)
	}
}
