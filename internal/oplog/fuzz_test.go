package oplog

import (
	"bytes"
	"errors"
	"testing"

	"github.com/lantian-tz/lantian/model"
)

// FuzzUnmarshalOp checks that the decoder never panics, refuses anything
// with an error wrapping ErrMalformed, and that what it accepts encodes
// back to exactly the same bytes.
func FuzzUnmarshalOp(f *testing.F) {
	o := editOp(devA, 2, ts(5, 1), "remarks", "ok", id(devA, 1), id(devB, 3))
	o.Set[model.FieldDeleted] = model.Bool(true)
	o.Sign(keyA)
	o.Eff, o.ServerSeq = ts(4, 0), 17
	b, _ := o.MarshalBinary()
	f.Add(b)
	f.Fuzz(func(t *testing.T, in []byte) {
		var got Op
		err := got.UnmarshalBinary(in)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("got %v; want ErrMalformed", err)
			}
			return
		}
		out, err := got.MarshalBinary()
		if err != nil {
			t.Fatalf("decoded op does not encode: %v", err)
		}
		var again Op
		if h, err := again.UnmarshalBinaryHash(in); err != nil || h != got.Hash() {
			t.Fatalf("UnmarshalBinaryHash: %x, %v; want the op's hash %x", h[:4], err, got.Hash())
		}
		if !bytes.Equal(out, in) {
			t.Fatalf("re-encoding differs:\ngot  %x\nwant %x", out, in)
		}
		got.CheckShape() // must not panic either
		Merge([]Op{got, got})
	})
}
