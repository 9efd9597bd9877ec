package oplog

import (
	"crypto/ed25519"
	"errors"
	"testing"

	"github.com/lantian-tz/lantian/model"
)

// signedRun returns devA's ops first…first+n-1, chained from prev and
// signed with keyA.
func signedRun(first uint64, n int, prev Hash) []Op {
	ops := make([]Op, n)
	for i := range ops {
		seq := first + uint64(i)
		o := editOp(devA, seq, ts(int64(seq), 0), "remarks", "v")
		o.Set["remarks"] = model.Str("value " + string(rune('a'+i)))
		o.Prev = prev
		o.Sign(keyA)
		prev = o.Hash()
		ops[i] = o
	}
	return ops
}

func TestVerifyRun(t *testing.T) {
	pubA := keyA.Public().(ed25519.PublicKey)
	genesis := signedRun(1, 4, Hash{})
	before := signedRun(1, 2, Hash{})
	fromThree := signedRun(3, 3, before[1].Hash())
	// clone returns a copy of ops whose maps can be changed.
	clone := func(ops []Op) []Op {
		c := make([]Op, len(ops))
		for i, o := range ops {
			o.Set = map[string]model.Value{}
			for k, v := range ops[i].Set {
				o.Set[k] = v
			}
			o.Sig = append([]byte(nil), ops[i].Sig...)
			c[i] = o
		}
		return c
	}
	h := before[1].Hash()
	wrong := Hash{7}
	tests := []struct {
		name   string
		prev   *Hash
		ops    func() []Op
		want   error
		wantAt uint64 // seq of the op named; 0 when valid
		// each: VerifyEach's outcome when it differs from VerifyRun's
		eachWant error
		eachAt   uint64
	}{
		{"from genesis", nil, func() []Op { return clone(genesis) }, nil, 0, nil, 0},
		{"one op", nil, func() []Op { return clone(genesis[:1]) }, nil, 0, nil, 0},
		{"after a known op", &h, func() []Op { return clone(fromThree) }, nil, 0, nil, 0},
		{"predecessor unknown", nil, func() []Op { return clone(fromThree) }, nil, 0, nil, 0},
		{"wrong predecessor", &wrong, func() []Op { return clone(fromThree) }, ErrBrokenChain, 3, ErrBrokenChain, 3},
		{"empty", nil, func() []Op { return nil }, ErrMalformed, 0, ErrMalformed, 0},
		{"last signature forged", nil, func() []Op { o := clone(genesis); o[3].Sig[5] ^= 1; return o }, ErrBadSignature, 4, ErrBadSignature, 4},
		{"last op unsigned", nil, func() []Op { o := clone(genesis); o[3].Sig = nil; return o }, ErrBadSignature, 4, ErrBadSignature, 4},
		{"last op content forged", nil, func() []Op { o := clone(genesis); o[3].Set["remarks"] = "forged"; return o }, ErrBadSignature, 4, ErrBadSignature, 4},
		{"interior content forged, signature kept", nil, func() []Op { o := clone(genesis); o[1].Set["remarks"] = "forged"; return o }, ErrBrokenChain, 3, ErrBrokenChain, 3},
		{"interior author forged", nil, func() []Op { o := clone(genesis); o[0].Author = "李"; return o }, ErrBrokenChain, 2, ErrBrokenChain, 2},
		{"interior op replaced and re-chained", nil, func() []Op {
			o := clone(genesis)
			o[1].Set["remarks"] = "forged"
			o[2].Prev = o[1].Hash()
			return o
		}, ErrBrokenChain, 4, ErrBrokenChain, 4},
		{"interior signature invalid", nil, func() []Op { o := clone(genesis); o[1].Sig[0] ^= 1; return o }, nil, 0, ErrBadSignature, 2},
		{"gap", nil, func() []Op { o := clone(genesis); return append(o[:2], o[3]) }, ErrGap, 4, ErrGap, 4},
		{"repeated op", nil, func() []Op { o := clone(genesis); return append(o[:2], o[1], o[2]) }, ErrGap, 2, ErrGap, 2},
		{"other device", nil, func() []Op { o := clone(genesis); o[2].Device = devB; return o }, ErrBrokenChain, 3, ErrBrokenChain, 3},
		{"first op with a prev hash", nil, func() []Op { o := clone(genesis); o[0].Prev = Hash{1}; return o }, ErrMalformed, 1, ErrMalformed, 1},
		{"malformed op", nil, func() []Op { o := clone(genesis); o[2].Register = ""; return o }, ErrMalformed, 3, ErrMalformed, 3},
	}
	check := func(t *testing.T, what string, err, want error, at uint64) {
		t.Helper()
		if !errors.Is(err, want) || (want == nil) != (err == nil) {
			t.Fatalf("%s: got %v; want %v", what, err, want)
		}
		if err == nil || at == 0 {
			return
		}
		var re *RunError
		if !errors.As(err, &re) || re.Op != id(devA, at) && re.Op != id(devB, at) {
			t.Fatalf("%s: got %#v; want a *RunError naming seq %d", what, err, at)
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check(t, "VerifyRun", VerifyRun(pubA, tt.prev, tt.ops()), tt.want, tt.wantAt)
			check(t, "VerifyEach", VerifyEach(pubA, tt.prev, tt.ops()), tt.eachWant, tt.eachAt)
		})
	}
}

// TestVerifyRunWrongKey: a run signed by another key is refused.
func TestVerifyRunWrongKey(t *testing.T) {
	pubB := ed25519.NewKeyFromSeed([]byte("0123456789abcdef0123456789abcdef")).Public().(ed25519.PublicKey)
	if err := VerifyRun(pubB, nil, signedRun(1, 3, Hash{})); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("got %v; want ErrBadSignature", err)
	}
	if err := VerifyRun(pubB[:31], nil, signedRun(1, 3, Hash{})); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("short key: got %v; want ErrBadSignature", err)
	}
}

// TestVerifyRunHashedCountMismatch: hashes must match the ops one for one.
func TestVerifyRunHashedCountMismatch(t *testing.T) {
	ops := signedRun(1, 2, Hash{})
	if err := VerifyRunHashed(keyA.Public().(ed25519.PublicKey), nil, []*Op{&ops[0], &ops[1]}, []Hash{ops[0].Hash()}); err == nil {
		t.Fatal("got nil; want an error")
	}
}
