package oplog

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
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
	d := decoder{b: b}
	op, end := d.signed()
	flags := d.byte("flags")
	if d.err == nil && flags&^flagsKnown != 0 {
		d.fail("unknown flags %#x", flags)
	}
	if flags&flagSig != 0 {
		op.Sig = bytes.Clone(d.bytes(SignatureSize, "signature"))
	}
	if flags&flagEff != 0 {
		z := d.uvarint("eff")
		delta := int64(z>>1) ^ -int64(z&1)
		op.Eff = op.HLC - hlc.Timestamp(delta)
		if d.err == nil && op.Eff == 0 {
			d.fail("eff flag set but eff is zero")
		}
	}
	if flags&flagServerSeq != 0 {
		op.ServerSeq = d.uvarint("server seq")
		if d.err == nil && op.ServerSeq == 0 {
			d.fail("server seq flag set but server seq is zero")
		}
	}
	if d.err == nil && d.pos != len(b) {
		d.fail("%d trailing bytes", len(b)-d.pos)
	}
	if d.err != nil {
		return 0, d.err
	}
	// The checks above make the encoding canonical; this one guards the
	// guarantee itself.
	if !bytes.Equal(op.Encode(), b[:end]) {
		return 0, fmt.Errorf("%w: encoding is not canonical", ErrMalformed)
	}
	*o = op
	return end, nil
}

// decoder reads an encoded op, remembering the first error.
type decoder struct {
	b   []byte
	pos int
	err error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: "+format+" at byte %d", append([]any{ErrMalformed}, append(args, d.pos)...)...)
	}
}

// signed decodes the canonical part and returns the op and where it ends.
func (d *decoder) signed() (Op, int) {
	var o Op
	if v := d.byte("version"); d.err == nil && v != EncodingVersion {
		d.pos--
		d.fail("unknown encoding version %d (want %d)", v, EncodingVersion)
	}
	o.Device = d.uuid("device")
	o.Seq = d.uvarint("seq")
	if s := d.bytes(8, "hlc"); s != nil {
		o.HLC = hlc.Timestamp(binary.BigEndian.Uint64(s))
	}
	o.Record = d.uuid("record")
	o.Register = d.str(MaxRegister, "register")
	o.County = d.str(MaxCounty, "county")
	o.Author = d.str(MaxAuthor, "author")

	nt := d.count(16, "device table")
	table := make([]uuid.UUID, 0, nt)
	for i := 0; i < nt && d.err == nil; i++ {
		u := d.uuid("device table entry")
		if u == o.Device {
			d.fail("device table names the op's own device")
		} else if i > 0 && compareDevice(table[i-1], u) >= 0 {
			d.fail("device table not strictly ascending")
		}
		table = append(table, u)
	}
	used := make([]bool, len(table))

	nf := d.count(3, "fields")
	if d.err == nil && nf > MaxFields {
		d.fail("%d fields; max %d", nf, MaxFields)
	}
	if d.err == nil {
		o.Set = make(map[string]model.Value, nf)
		o.Parent = make(map[string][]OpID)
	}
	prevKey := ""
	for i := 0; i < nf && d.err == nil; i++ {
		k := d.str(MaxKeyLen, "field key")
		if d.err == nil && i > 0 && k <= prevKey {
			d.fail("field keys not strictly ascending: %q after %q", k, prevKey)
		}
		prevKey = k
		v := d.str(MaxValueLen, "value of field "+k)
		np := d.count(2, "parents of field "+k)
		if d.err == nil && np > MaxParents {
			d.fail("field %q has %d parents; max %d", k, np, MaxParents)
		}
		var ps []OpID
		if np > 0 && d.err == nil {
			ps = make([]OpID, 0, np)
		}
		for j := 0; j < np && d.err == nil; j++ {
			idx := d.uvarint("parent device index")
			seq := d.uvarint("parent seq")
			if d.err != nil {
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
				d.fail("parent device index %d beyond table of %d", idx, len(table))
				continue
			}
			if j > 0 && CompareOpID(ps[j-1], p) >= 0 {
				d.fail("parents of field %q not strictly ascending", k)
			}
			ps = append(ps, p)
		}
		if d.err == nil {
			o.Set[k] = model.Value(v)
			if len(ps) > 0 {
				o.Parent[k] = ps
			}
		}
	}
	for i, u := range used {
		if d.err == nil && !u {
			d.fail("device table entry %s is not used", table[i])
		}
	}
	if s := d.bytes(32, "prev"); s != nil {
		copy(o.Prev[:], s)
	}
	return o, d.pos
}

func (d *decoder) byte(what string) byte {
	if s := d.bytes(1, what); s != nil {
		return s[0]
	}
	return 0
}

// bytes returns the next n bytes (a view of the input), or nil on error.
func (d *decoder) bytes(n int, what string) []byte {
	if d.err != nil {
		return nil
	}
	if n > len(d.b)-d.pos {
		d.fail("truncated: %s needs %d bytes, %d left", what, n, len(d.b)-d.pos)
		return nil
	}
	s := d.b[d.pos : d.pos+n]
	d.pos += n
	return s
}

func (d *decoder) uuid(what string) uuid.UUID {
	var u uuid.UUID
	if s := d.bytes(16, what); s != nil {
		copy(u[:], s)
	}
	return u
}

func (d *decoder) uvarint(what string) uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b[d.pos:])
	switch {
	case n == 0:
		d.fail("truncated: %s varint", what)
		return 0
	case n < 0:
		d.fail("%s varint overflows 64 bits", what)
		return 0
	case n > 1 && d.b[d.pos+n-1] == 0:
		d.fail("%s varint is not minimal", what)
		return 0
	}
	d.pos += n
	return v
}

// count reads a element count, refusing counts the remaining input cannot
// hold at minSize bytes per element.
func (d *decoder) count(minSize int, what string) int {
	n := d.uvarint(what + " count")
	if d.err != nil {
		return 0
	}
	if n > uint64((len(d.b)-d.pos)/minSize) {
		d.fail("%s count %d exceeds what %d remaining bytes can hold", what, n, len(d.b)-d.pos)
		return 0
	}
	return int(n)
}

// str reads a length-prefixed string of at most max bytes.
func (d *decoder) str(max int, what string) string {
	n := d.uvarint(what + " length")
	if d.err != nil {
		return ""
	}
	if n > uint64(max) {
		d.fail("%s is %d bytes; max %d", what, n, max)
		return ""
	}
	return string(d.bytes(int(n), what))
}
