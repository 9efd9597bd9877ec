package oplog

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"

	"github.com/lantian-tz/lantian/model"
)

func TestSignVerify(t *testing.T) {
	pubA := keyA.Public().(ed25519.PublicKey)
	pubB := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, 32)).Public().(ed25519.PublicKey)
	signed := func() Op {
		o := editOp(devA, 3, ts(10, 0), "remarks", "ok", id(devA, 2))
		o.Sign(keyA)
		return o
	}
	tests := []struct {
		name    string
		op      func() Op
		pub     ed25519.PublicKey
		wantErr error
	}{
		{"valid", signed, pubA, nil},
		{"valid with server stamps", func() Op { o := signed(); o.Eff, o.ServerSeq = ts(1, 0), 5; return o }, pubA, nil},
		{"wrong key", signed, pubB, ErrBadSignature},
		{"short key", signed, pubA[:31], ErrBadSignature},
		{"unsigned", func() Op { o := signed(); o.Sig = nil; return o }, pubA, ErrBadSignature},
		{"value forged", func() Op { o := signed(); o.Set["remarks"] = model.Str("forged"); return o }, pubA, ErrBadSignature},
		{"hlc forged", func() Op { o := signed(); o.HLC++; return o }, pubA, ErrBadSignature},
		{"parent forged", func() Op { o := signed(); o.Parent["remarks"] = nil; return o }, pubA, ErrBadSignature},
		{"author forged", func() Op { o := signed(); o.Author = "李"; return o }, pubA, ErrBadSignature},
		{"signature bit flipped", func() Op { o := signed(); o.Sig[10] ^= 0x40; return o }, pubA, ErrBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.op()
			if err := o.VerifySig(tt.pub); !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Errorf("got %v; want %v", err, tt.wantErr)
			}
		})
	}
}

func TestVerifyChain(t *testing.T) {
	first := editOp(devA, 1, ts(0, 0), "a", "1")
	first.Prev = Hash{}
	second := editOp(devA, 2, ts(1, 0), "a", "2", id(devA, 1))
	second.Prev = first.Hash()
	third := editOp(devA, 3, ts(2, 0), "a", "3", id(devA, 2))
	third.Prev = second.Hash()
	otherDev := second
	otherDev.Device = devB
	badPrev := second
	badPrev.Prev[0] ^= 1
	firstWithPrev := first
	firstWithPrev.Prev = Hash{9}
	tests := []struct {
		name    string
		prev    *Op
		op      Op
		wantErr error
		wantGap *GapError
	}{
		{"first op", nil, first, nil, nil},
		{"second op", &first, second, nil, nil},
		{"third op", &second, third, nil, nil},
		{"first op with prev hash", nil, firstWithPrev, ErrBrokenChain, nil},
		{"nil prev but seq 2", nil, second, ErrGap, &GapError{Device: devA, Want: 1, Got: 2}},
		{"gap", &first, third, ErrGap, &GapError{Device: devA, Want: 2, Got: 3}},
		{"replay", &second, second, ErrGap, &GapError{Device: devA, Want: 3, Got: 2}},
		{"prev hash wrong", &first, badPrev, ErrBrokenChain, nil},
		{"other device", &first, otherDev, ErrBrokenChain, nil},
		{"history rewritten", &second, func() Op { o := third; o.Prev = first.Hash(); return o }(), ErrBrokenChain, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifyChain(tt.prev, &tt.op)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("got %v; want %v", err, tt.wantErr)
			}
			if tt.wantGap != nil {
				var g *GapError
				if !errors.As(err, &g) || *g != *tt.wantGap {
					t.Errorf("got %#v; want %#v", g, tt.wantGap)
				}
			}
		})
	}
}

func TestCheckShape(t *testing.T) {
	valid := func() Op { return editOp(devA, 2, ts(0, 0), "a", "1", id(devB, 1)) }
	tests := []struct {
		name   string
		mutate func(o *Op)
		want   string // "" for a valid op
	}{
		{"valid", func(*Op) {}, ""},
		{"clear a field", func(o *Op) { o.Set["a"] = model.Null }, ""},
		{"zero device", func(o *Op) { o.Device = [16]byte{} }, "device id is zero"},
		{"zero record", func(o *Op) { o.Record = [16]byte{} }, "record id is zero"},
		{"seq 0", func(o *Op) { o.Seq = 0 }, "seq 0"},
		{"zero hlc", func(o *Op) { o.HLC = 0 }, "hlc is zero"},
		{"no register", func(o *Op) { o.Register = "" }, "register is empty"},
		{"no fields", func(o *Op) { o.Set = nil; o.Parent = nil }, "sets no field"},
		{"empty key", func(o *Op) { o.Set[""] = "1" }, "empty key"},
		{"first op with prev", func(o *Op) { o.Seq = 1 }, "names a previous hash"},
		{"later op without prev", func(o *Op) { o.Prev = Hash{} }, "no previous hash"},
		{"parent of unset field", func(o *Op) { o.Parent["b"] = []OpID{id(devB, 1)} }, `parent for field "b"`},
		{"zero parent", func(o *Op) { o.Parent["a"] = []OpID{{Device: devB}} }, "not an op id"},
		{"repeated parent", func(o *Op) { o.Parent["a"] = []OpID{id(devB, 1), id(devB, 1)} }, "twice"},
		{"long register", func(o *Op) { o.Register = strings.Repeat("r", MaxRegister+1) }, "register name is 65 bytes"},
		{"long county", func(o *Op) { o.County = strings.Repeat("1", MaxCounty+1) }, "county is 33 bytes"},
		{"long author", func(o *Op) { o.Author = strings.Repeat("a", MaxAuthor+1) }, "author is 257 bytes"},
		{"long key", func(o *Op) { o.Set[strings.Repeat("k", MaxKeyLen+1)] = "1" }, "is 65 bytes"},
		{"too many parents", func(o *Op) {
			ps := make([]OpID, MaxParents+1)
			for i := range ps {
				ps[i] = id(devB, uint64(i+1))
			}
			o.Parent["a"] = ps
		}, "257 parents"},
		{"too many fields", func(o *Op) {
			for i := range MaxFields {
				o.Set[strings.Repeat("f", 1+i%60)+string(rune('a'+i/60))] = "1"
			}
		}, "fields; max 512"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := valid()
			tt.mutate(&o)
			err := o.CheckShape()
			if tt.want == "" {
				if err != nil {
					t.Errorf("got %v; want nil", err)
				}
				return
			}
			if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v; want ErrMalformed containing %q", err, tt.want)
			}
		})
	}
}
