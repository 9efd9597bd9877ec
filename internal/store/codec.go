package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/hlc"
	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
)

// errCorrupt: a stored value does not decode.
var errCorrupt = errors.New("store: corrupt stored value")

// encodeOp is the stored form of an op: its server stamps (Eff,
// ServerSeq; not covered by the op's hash, so kept outside it and updated
// in place by Stamp) followed by the op's binary encoding.
func encodeOp(op *oplog.Op) ([]byte, error) {
	body, err := op.MarshalBinary()
	if err != nil {
		return nil, err
	}
	b := make([]byte, 16, 16+len(body))
	binary.BigEndian.PutUint64(b[0:8], uint64(op.Eff))
	binary.BigEndian.PutUint64(b[8:16], op.ServerSeq)
	return append(b, body...), nil
}

// decodeOp decodes what encodeOp wrote.
func decodeOp(b []byte) (oplog.Op, error) {
	var op oplog.Op
	if len(b) < 16 {
		return op, fmt.Errorf("%w: op of %d bytes", errCorrupt, len(b))
	}
	if err := op.UnmarshalBinary(b[16:]); err != nil {
		return op, fmt.Errorf("%w: %v", errCorrupt, err)
	}
	op.Eff = hlc.Timestamp(binary.BigEndian.Uint64(b[0:8]))
	op.ServerSeq = binary.BigEndian.Uint64(b[8:16])
	return op, nil
}

// stateFields is the number of fields of oplog.State that encodeState
// writes; a test fails when oplog.State grows, so that the codec follows.
const stateFields = 10

// encodeState writes st in a compact binary form (fields sorted by key,
// so equal states encode to equal bytes).
func encodeState(st *oplog.State) []byte {
	b := make([]byte, 0, 256)
	b = append(b, 1) // codec version
	b = append(b, st.Record[:]...)
	b = appendString(b, st.Register)
	b = appendString(b, st.County)
	keys := make([]string, 0, len(st.Fields))
	for k := range st.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b = binary.AppendUvarint(b, uint64(len(keys)))
	for _, k := range keys {
		f := st.Fields[k]
		b = appendString(b, k)
		b = appendString(b, string(f.Value))
		b = appendOpID(b, f.Version)
		b = binary.BigEndian.AppendUint64(b, uint64(f.Time))
		b = appendString(b, f.Author)
	}
	b = binary.AppendUvarint(b, uint64(len(st.Conflicts)))
	for _, c := range st.Conflicts {
		b = appendString(b, c.Field)
		b = appendString(b, string(c.Value))
		b = appendOpID(b, c.Version)
		b = binary.BigEndian.AppendUint64(b, uint64(c.Time))
		b = appendString(b, c.Author)
	}
	if st.Deleted {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	b = binary.BigEndian.AppendUint64(b, uint64(st.Created))
	b = binary.BigEndian.AppendUint64(b, uint64(st.Updated))
	b = appendString(b, st.CreatedBy)
	b = binary.AppendUvarint(b, uint64(st.Ops))
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendOpID(b []byte, id oplog.OpID) []byte {
	b = append(b, id.Device[:]...)
	return binary.AppendUvarint(b, id.Seq)
}

// reader decodes what the append helpers wrote; the first error sticks.
type reader struct {
	b   []byte
	err error
}

func (r *reader) fail() {
	if r.err == nil {
		r.err = errCorrupt
	}
	r.b = nil
}

func (r *reader) uvarint() uint64 {
	n, w := binary.Uvarint(r.b)
	if w <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[w:]
	return n
}

func (r *reader) bytes(n int) []byte {
	if n < 0 || len(r.b) < n {
		r.fail()
		return make([]byte, n&0xffff)
	}
	p := r.b[:n]
	r.b = r.b[n:]
	return p
}

func (r *reader) str() string {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.fail()
		return ""
	}
	return string(r.bytes(int(n)))
}

func (r *reader) u64() uint64 {
	p := r.bytes(8)
	if r.err != nil {
		return 0
	}
	return binary.BigEndian.Uint64(p)
}

func (r *reader) uuid() uuid.UUID {
	var u uuid.UUID
	p := r.bytes(16)
	if r.err == nil {
		copy(u[:], p)
	}
	return u
}

func (r *reader) opID() oplog.OpID {
	d := r.uuid()
	return oplog.OpID{Device: d, Seq: r.uvarint()}
}

// decodeState decodes what encodeState wrote.
func decodeState(b []byte) (oplog.State, error) {
	var st oplog.State
	r := &reader{b: b}
	if v := r.bytes(1); r.err != nil || v[0] != 1 {
		return st, fmt.Errorf("%w: state codec version", errCorrupt)
	}
	st.Record = r.uuid()
	st.Register = r.str()
	st.County = r.str()
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		return st, fmt.Errorf("%w: state field count", errCorrupt)
	}
	st.Fields = make(map[string]oplog.FieldState, n)
	for i := uint64(0); i < n && r.err == nil; i++ {
		k := r.str()
		var f oplog.FieldState
		f.Value = model.Value(r.str())
		f.Version = r.opID()
		f.Time = hlc.Timestamp(r.u64())
		f.Author = r.str()
		st.Fields[k] = f
	}
	n = r.uvarint()
	if n > uint64(len(r.b)) {
		return st, fmt.Errorf("%w: state conflict count", errCorrupt)
	}
	if n > 0 {
		st.Conflicts = make([]oplog.Conflict, 0, n)
	}
	for i := uint64(0); i < n && r.err == nil; i++ {
		var c oplog.Conflict
		c.Field = r.str()
		c.Value = model.Value(r.str())
		c.Version = r.opID()
		c.Time = hlc.Timestamp(r.u64())
		c.Author = r.str()
		st.Conflicts = append(st.Conflicts, c)
	}
	st.Deleted = r.bytes(1)[0] == 1
	st.Created = hlc.Timestamp(r.u64())
	st.Updated = hlc.Timestamp(r.u64())
	st.CreatedBy = r.str()
	st.Ops = int(r.uvarint())
	if r.err != nil {
		return oplog.State{}, fmt.Errorf("%w: state", r.err)
	}
	if len(r.b) != 0 {
		return oplog.State{}, fmt.Errorf("%w: %d trailing bytes in state", errCorrupt, len(r.b))
	}
	return st, nil
}
