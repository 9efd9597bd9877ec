package oplog

import (
	"reflect"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	signed := editOp(devA, 2, ts(5, 1), "remarks", "ok", id(devA, 1))
	signed.Sign(keyA)
	stamped := signed
	stamped.Eff, stamped.ServerSeq = ts(3, 0xFFFF), 12345
	ahead := signed
	ahead.Eff = ts(9, 0) // an eff above the hlc still round-trips
	multi := editOp(devB, 7, ts(100, 0), "a", "x", id(devC, 3), id(devA, 9), id(devB, 6))
	multi.Set["b"] = ""
	multi.Parent["b"] = []OpID{id(devC, 1)}
	tests := []struct {
		name string
		op   Op
	}{
		{"unsigned", editOp(devA, 1, ts(0, 0), "remarks", "x")},
		{"signed", signed},
		{"stamped", stamped},
		{"eff ahead", ahead},
		{"several devices", multi},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tt.op.MarshalBinary()
			if err != nil {
				t.Fatalf("MarshalBinary: %v", err)
			}
			var got Op
			if err := got.UnmarshalBinary(b); err != nil {
				t.Fatalf("UnmarshalBinary: %v", err)
			}
			want := tt.op
			want.Parent = map[string][]OpID{}
			for k, ps := range tt.op.Parent {
				want.Parent[k] = canonicalParents(ps)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %+v; want %+v", got, want)
			}
			if got.Hash() != tt.op.Hash() {
				t.Errorf("got hash %x; want %x", got.Hash(), tt.op.Hash())
			}
		})
	}
}
