package oplog

import (
	"bytes"
	"crypto/sha256"
	"fmt"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/hlc"
	"github.com/lantian-tz/lantian/model"
)

// UnmarshalBinary decodes an op's wire form (see MarshalBinary). It accepts
// exactly the bytes MarshalBinary produces: it refuses truncated input,
// trailing bytes, an unknown version, non-minimal varints, unsorted or
// repeated keys and parents, lengths over the size limits and unknown
// flags, with an error wrapping ErrMalformed. It never allocates more than
// a small multiple of len(b). On success Set and Parent are non-nil maps
// (Parent holds only fields with parents); on error o is left unchanged.
func (o *Op) UnmarshalBinary(b []byte) error {
	_, err := o.unmarshal(b)
	return err
}

// UnmarshalBinaryHash is UnmarshalBinary that also returns the op's hash
// (Hash), computed from the canonical bytes of b instead of encoding the
// op again.
func (o *Op) UnmarshalBinaryHash(b []byte) (Hash, error) {
	end, err := o.unmarshal(b)
	if err != nil {
		return Hash{}, err
	}
	return sha256.Sum256(b[:end]), nil
}

// unmarshal is UnmarshalBinary, returning where the canonical encoding
// ends in b.
func (o *Op) unmarshal(b []byte) (int, error) {
	r := NewReader(b, malformed)
	op, end := decodeSigned(&r)
	flags := r.Byte("flags")
	if r.err == nil && flags&^flagsKnown != 0 {
		r.Failf("unknown flags %#x", flags)
	}
	if flags&flagSig != 0 {
		op.Sig = bytes.Clone(r.Bytes(SignatureSize, "signature"))
	}
	if flags&flagEff != 0 {
		z := r.Uvarint("eff")
		delta := int64(z>>1) ^ -int64(z&1)
		op.Eff = op.HLC - hlc.Timestamp(delta)
		if r.err == nil && op.Eff == 0 {
			r.Failf("eff flag set but eff is zero")
		}
	}
	if flags&flagServerSeq != 0 {
		op.ServerSeq = r.Uvarint("server seq")
		if r.err == nil && op.ServerSeq == 0 {
			r.Failf("server seq flag set but server seq is zero")
		}
	}
	if err := r.End(); err != nil {
		return 0, err
	}
	// The checks above make the encoding canonical; this one guards the
	// guarantee itself.
	if !bytes.Equal(op.Encode(), b[:end]) {
		return 0, fmt.Errorf("%w: encoding is not canonical", ErrMalformed)
	}
	*o = op
	return end, nil
}

// malformed is the error of a Reader of an op: msg at byte off.
func malformed(off int, msg string) error {
	return fmt.Errorf("%w: %s at byte %d", ErrMalformed, msg, off)
}

// decodeSigned decodes the canonical part of an op and returns the op and
// where it ends.
func decodeSigned(r *Reader) (Op, int) {
	var o Op
	if len(r.b) > 0 && r.b[0] != EncodingVersion {
		r.Failf("unknown encoding version %d (want %d)", r.b[0], EncodingVersion)
	}
	r.Byte("version")
	o.Device = r.UUID("device")
	o.Seq = r.Uvarint("seq")
	o.HLC = hlc.Timestamp(r.Uint64("hlc"))
	o.Record = r.UUID("record")
	o.Register = r.String(MaxRegister, "register")
	o.County = r.String(MaxCounty, "county")
	o.Author = r.String(MaxAuthor, "author")

	nt := r.Count(16, "device table")
	table := make([]uuid.UUID, 0, nt)
	for i := 0; i < nt && r.err == nil; i++ {
		u := r.UUID("device table entry")
		if u == o.Device {
			r.Failf("device table names the op's own device")
		} else if i > 0 && compareDevice(table[i-1], u) >= 0 {
			r.Failf("device table not strictly ascending")
		}
		table = append(table, u)
	}
	used := make([]bool, len(table))

	nf := r.Count(3, "fields")
	if r.err == nil && nf > MaxFields {
		r.Failf("%d fields; max %d", nf, MaxFields)
	}
	if r.err == nil {
		o.Set = make(map[string]model.Value, nf)
		o.Parent = make(map[string][]OpID)
	}
	prevKey := ""
	for i := 0; i < nf && r.err == nil; i++ {
		k := r.String(MaxKeyLen, "field key")
		if r.err == nil && i > 0 && k <= prevKey {
			r.Failf("field keys not strictly ascending: %q after %q", k, prevKey)
		}
		prevKey = k
		v := r.String(MaxValueLen, "value of field "+k)
		np := r.Count(2, "parents of field "+k)
		if r.err == nil && np > MaxParents {
			r.Failf("field %q has %d parents; max %d", k, np, MaxParents)
		}
		var ps []OpID
		if np > 0 && r.err == nil {
			ps = make([]OpID, 0, np)
		}
		for j := 0; j < np && r.err == nil; j++ {
			idx := r.Uvarint("parent device index")
			seq := r.Uvarint("parent seq")
			if r.err != nil {
				break
			}
			var p OpID
			switch {
			case idx == 0:
				p = OpID{Device: o.Device, Seq: seq}
			case idx <= uint64(len(table)):
				p = OpID{Device: table[idx-1], Seq: seq}
				used[idx-1] = true
			default:
				r.Failf("parent device index %d beyond table of %d", idx, len(table))
				continue
			}
			if j > 0 && CompareOpID(ps[j-1], p) >= 0 {
				r.Failf("parents of field %q not strictly ascending", k)
			}
			ps = append(ps, p)
		}
		if r.err == nil {
			o.Set[k] = model.Value(v)
			if len(ps) > 0 {
				o.Parent[k] = ps
			}
		}
	}
	for i, u := range used {
		if r.err == nil && !u {
			r.Failf("device table entry %s is not used", table[i])
		}
	}
	if s := r.Bytes(32, "prev"); s != nil {
		copy(o.Prev[:], s)
	}
	return o, r.off
}
