package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"

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
	b, _, err := encodeOpHash(op)
	return b, err
}

// encodeOpHash is encodeOp that also returns the op's hash, encoding the
// op once for both.
func encodeOpHash(op *oplog.Op) ([]byte, oplog.Hash, error) {
	b := make([]byte, 16)
	binary.BigEndian.PutUint64(b[0:8], uint64(op.Eff))
	binary.BigEndian.PutUint64(b[8:16], op.ServerSeq)
	return op.AppendBinaryHash(b)
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

// State codec versions. Version 1 wrote each field's version, time and
// author with the field; version 2 writes each distinct (version, time,
// author) once, in a table that fields and conflicts refer to by index
// (most states have a few versions for tens of fields). Both decode.
const (
	stateCodecV1 = 1
	stateCodecV2 = 2
)

// stateVersion is what a field or conflict shares with the other writes
// of its op.
type stateVersion struct {
	id     oplog.OpID
	time   hlc.Timestamp
	author string
}

// encodeState writes st in a compact binary form, version 2 (fields
// sorted by key, the version table in order of first use, so equal states
// encode to equal bytes):
//
//	byte     2
//	[16]     record
//	str      register, county
//	uvarint  n versions; each: [16] device, uvarint seq, u64 time, str author
//	uvarint  n fields; each: str key, str value, uvarint version index
//	uvarint  n conflicts; each: str field, str value, uvarint version index
//	byte     deleted (0 or 1)
//	u64      created, updated
//	str      created by
//	uvarint  ops
func encodeState(st *oplog.State) []byte {
	keys := make([]string, 0, len(st.Fields))
	size := 64 + len(st.Register) + len(st.County) + len(st.CreatedBy)
	for k, f := range st.Fields {
		keys = append(keys, k)
		size += 4 + len(k) + len(f.Value)
	}
	sort.Strings(keys)
	var versions []stateVersion
	index := func(v stateVersion) uint64 {
		for i := range versions {
			if versions[i] == v {
				return uint64(i)
			}
		}
		versions = append(versions, v)
		return uint64(len(versions) - 1)
	}
	fieldIdx := make([]uint64, len(keys))
	for i, k := range keys {
		f := st.Fields[k]
		fieldIdx[i] = index(stateVersion{f.Version, f.Time, f.Author})
	}
	conflictIdx := make([]uint64, len(st.Conflicts))
	for i, c := range st.Conflicts {
		conflictIdx[i] = index(stateVersion{c.Version, c.Time, c.Author})
		size += 8 + len(c.Field) + len(c.Value)
	}
	for _, v := range versions {
		size += 40 + len(v.author)
	}
	b := make([]byte, 0, size)
	b = append(b, stateCodecV2)
	b = append(b, st.Record[:]...)
	b = appendString(b, st.Register)
	b = appendString(b, st.County)
	b = binary.AppendUvarint(b, uint64(len(versions)))
	for _, v := range versions {
		b = appendOpID(b, v.id)
		b = binary.BigEndian.AppendUint64(b, uint64(v.time))
		b = appendString(b, v.author)
	}
	b = binary.AppendUvarint(b, uint64(len(keys)))
	for i, k := range keys {
		b = appendString(b, k)
		b = appendString(b, string(st.Fields[k].Value))
		b = binary.AppendUvarint(b, fieldIdx[i])
	}
	b = binary.AppendUvarint(b, uint64(len(st.Conflicts)))
	for i, c := range st.Conflicts {
		b = appendString(b, c.Field)
		b = appendString(b, string(c.Value))
		b = binary.AppendUvarint(b, conflictIdx[i])
	}
	return appendStateTail(b, st)
}

// encodeStateV1 writes st in codec version 1 (stores written before
// version 2 hold it; kept to test that they still decode).
func encodeStateV1(st *oplog.State) []byte {
	b := make([]byte, 0, 256)
	b = append(b, stateCodecV1)
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
	return appendStateTail(b, st)
}

// appendStateTail appends what follows the conflicts in both versions.
func appendStateTail(b []byte, st *oplog.State) []byte {
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

// corrupt is the error of a Reader of a stored value: msg at byte off.
func corrupt(off int, msg string) error {
	return fmt.Errorf("%w: %s at byte %d", errCorrupt, msg, off)
}

func readOpID(r *oplog.Reader) oplog.OpID {
	d := r.UUID("device")
	return oplog.OpID{Device: d, Seq: r.Uvarint("seq")}
}

// decodeState decodes what encodeState (or encodeStateV1) wrote.
func decodeState(b []byte) (oplog.State, error) {
	var st oplog.State
	r := oplog.NewReader(b, corrupt)
	ver := r.Byte("version")
	if r.Err() != nil || (ver != stateCodecV1 && ver != stateCodecV2) {
		return st, fmt.Errorf("%w: state codec version", errCorrupt)
	}
	v2 := ver == stateCodecV2
	st.Record = r.UUID("record")
	st.Register = r.String(oplog.NoMax, "register")
	st.County = r.String(oplog.NoMax, "county")
	var versions []stateVersion
	if v2 {
		n := r.Count(1, "versions")
		if r.Err() != nil {
			return st, fmt.Errorf("%w: state version count", errCorrupt)
		}
		versions = make([]stateVersion, 0, n)
		for i := 0; i < n && r.Err() == nil; i++ {
			var v stateVersion
			v.id = readOpID(&r)
			v.time = hlc.Timestamp(r.Uint64("time"))
			v.author = r.String(oplog.NoMax, "author")
			versions = append(versions, v)
		}
	}
	// version reads a write's version, time and author.
	version := func() stateVersion {
		if !v2 {
			var v stateVersion
			v.id = readOpID(&r)
			v.time = hlc.Timestamp(r.Uint64("time"))
			v.author = r.String(oplog.NoMax, "author")
			return v
		}
		i := r.Uvarint("version index")
		if i >= uint64(len(versions)) {
			r.Failf("version index %d of %d", i, len(versions))
			return stateVersion{}
		}
		return versions[i]
	}
	n := r.Count(1, "fields")
	if r.Err() != nil {
		return st, fmt.Errorf("%w: state field count", errCorrupt)
	}
	st.Fields = make(map[string]oplog.FieldState, n)
	for i := 0; i < n && r.Err() == nil; i++ {
		k := r.String(oplog.NoMax, "field key")
		val := model.Value(r.String(oplog.NoMax, "field value"))
		v := version()
		st.Fields[k] = oplog.FieldState{Value: val, Version: v.id, Time: v.time, Author: v.author}
	}
	n = r.Count(1, "conflicts")
	if r.Err() != nil {
		return st, fmt.Errorf("%w: state conflict count", errCorrupt)
	}
	if n > 0 {
		st.Conflicts = make([]oplog.Conflict, 0, n)
	}
	for i := 0; i < n && r.Err() == nil; i++ {
		var c oplog.Conflict
		c.Field = r.String(oplog.NoMax, "conflict field")
		c.Value = model.Value(r.String(oplog.NoMax, "conflict value"))
		v := version()
		c.Version, c.Time, c.Author = v.id, v.time, v.author
		st.Conflicts = append(st.Conflicts, c)
	}
	st.Deleted = r.Byte("deleted") == 1
	st.Created = hlc.Timestamp(r.Uint64("created"))
	st.Updated = hlc.Timestamp(r.Uint64("updated"))
	st.CreatedBy = r.String(oplog.NoMax, "created by")
	st.Ops = int(r.Uvarint("ops"))
	if err := r.End(); err != nil {
		return oplog.State{}, fmt.Errorf("%w: state", err)
	}
	return st, nil
}
