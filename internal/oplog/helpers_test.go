package oplog

import (
	"crypto/ed25519"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/hlc"
	"github.com/lantian-tz/lantian/model"
)

// Fixed ids and keys for tests.
var (
	devA   = uuid.MustParse("0190f000-0000-7000-8000-00000000000a")
	devB   = uuid.MustParse("0190f000-0000-7000-8000-00000000000b")
	devC   = uuid.MustParse("0190f000-0000-7000-8000-00000000000c")
	record = uuid.MustParse("0190f000-1111-7000-8000-000000000001")
	keyA   = ed25519.NewKeyFromSeed(make([]byte, 32))
)

// ts returns a timestamp at wall ms w with logical l.
func ts(w int64, l uint16) hlc.Timestamp { return hlc.Make(1_700_000_000_000+w, l) }

// editOp returns an op setting one text field with the given parents.
func editOp(dev uuid.UUID, seq uint64, at hlc.Timestamp, field, val string, parents ...OpID) Op {
	o := Op{
		Device: dev, Seq: seq, HLC: at, Record: record,
		Register: "straw_patrol", County: "130126", Author: "王",
		Set:    map[string]model.Value{field: model.Str(val)},
		Parent: map[string][]OpID{},
	}
	if len(parents) > 0 {
		o.Parent[field] = parents
	}
	if seq > 1 {
		o.Prev = Hash{1}
	}
	return o
}

func id(dev uuid.UUID, seq uint64) OpID { return OpID{Device: dev, Seq: seq} }
