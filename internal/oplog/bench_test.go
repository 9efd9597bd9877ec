package oplog

import (
	"fmt"
	"testing"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/model"
)

// benchOps returns ten ops of a 20-field record: a create setting every
// field, then edits of two fields each from three devices, some
// concurrent.
func benchOps() []Op {
	devs := [...]uuid.UUID{devA, devB, devC}
	create := Op{Device: devA, Seq: 1, HLC: ts(0, 0), Record: record, Register: "farm_coal_facility",
		County: "130126", Author: "王", Set: map[string]model.Value{}, Parent: map[string][]OpID{}}
	for f := range 20 {
		create.Set[fmt.Sprintf("field_%02d", f)] = model.Str(fmt.Sprintf("initial value %d", f))
	}
	ops := []Op{create}
	seqs := map[uuid.UUID]uint64{devA: 1}
	for i := 1; i < 10; i++ {
		d := devs[i%3]
		seqs[d]++
		o := editOp(d, seqs[d], ts(int64(i*1000), 0), fmt.Sprintf("field_%02d", i%20), fmt.Sprintf("edit %d", i), id(devA, 1))
		o.Set[fmt.Sprintf("field_%02d", (i*7)%20)] = model.Int(int64(i))
		o.Parent[fmt.Sprintf("field_%02d", (i*7)%20)] = []OpID{id(devA, 1)}
		ops = append(ops, o)
	}
	return ops
}

func BenchmarkEncode(b *testing.B) {
	o := editOp(devA, 1234, ts(0, 0), model.FieldRemarks, "现场已清理", id(devB, 88))
	o.Sign(keyA)
	b.ReportAllocs()
	for b.Loop() {
		o.Encode()
	}
}

func BenchmarkMarshalBinary(b *testing.B) {
	o := editOp(devA, 1234, ts(0, 0), model.FieldRemarks, "现场已清理", id(devB, 88))
	o.Sign(keyA)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := o.MarshalBinary(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnmarshalBinary(b *testing.B) {
	o := editOp(devA, 1234, ts(0, 0), model.FieldRemarks, "现场已清理", id(devB, 88))
	o.Sign(keyA)
	raw, _ := o.MarshalBinary()
	b.ReportAllocs()
	for b.Loop() {
		var got Op
		if err := got.UnmarshalBinary(raw); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMerge(b *testing.B) {
	ops := benchOps()
	b.ReportAllocs()
	for b.Loop() {
		Merge(ops)
	}
}
