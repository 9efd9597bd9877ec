package oplog

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
)

// EncodingVersion is the first byte of every encoded op.
const EncodingVersion = 1

// Canonical encoding, version 1. Everything the hash and signature cover,
// in this order:
//
//	byte     version (1)
//	[16]     device
//	uvarint  seq
//	[8]      hlc, big-endian
//	[16]     record
//	str      register          (str = uvarint length, then the bytes)
//	str      county
//	str      author
//	uvarint  n, then n × [16]  devices named by parents other than the op's
//	                           own, strictly ascending
//	uvarint  n fields, keys strictly ascending; for each:
//	  str      key
//	  str      value
//	  uvarint  n parents, strictly ascending by (device, seq); for each:
//	    uvarint  device index: 0 is the op's device, i the i-th of the table
//	    uvarint  seq
//	[32]     prev
//
// Varints are minimal. The wire form (MarshalBinary) appends the parts the
// server and the device add after the fact:
//
//	byte     flags: 1 signature, 2 eff, 4 server seq; other bits zero
//	[64]     signature                 if flag 1
//	uvarint  zigzag(hlc − eff)         if flag 2 (eff is then non-zero)
//	uvarint  server seq (non-zero)     if flag 4
//
// Every op has exactly one encoding: the decoder refuses anything Encode
// would not have produced.

// Wire flags.
const (
	flagSig       = 1
	flagEff       = 2
	flagServerSeq = 4
	flagsKnown    = flagSig | flagEff | flagServerSeq
)

// Encode returns the canonical encoding of everything the op's hash and
// signature cover (not Sig, Eff or ServerSeq). Parent entries of fields the
// op does not set are not encoded (CheckShape refuses them) and each parent
// list is encoded sorted and without repeats.
func (o *Op) Encode() []byte {
	keys := sortedKeys(o)
	table := deviceTable(o, keys)
	n := o.encodedSizeBound(keys, table)
	return o.appendEncoding(make([]byte, 0, n), keys, table)
}

// encodedSizeBound returns an upper bound of the length of the op's
// canonical encoding with the given sorted keys and device table.
func (o *Op) encodedSizeBound(keys []string, table []uuid.UUID) int {
	n := 1 + 16 + binary.MaxVarintLen64 + 8 + 16 + 3*binary.MaxVarintLen64 +
		len(o.Register) + len(o.County) + len(o.Author) +
		binary.MaxVarintLen64 + 16*len(table) + binary.MaxVarintLen64 + 32
	for _, k := range keys {
		n += 3*binary.MaxVarintLen64 + len(k) + len(o.Set[k]) + 2*binary.MaxVarintLen64*len(o.Parent[k])
	}
	return n
}

// appendEncoding appends the canonical encoding to b.
func (o *Op) appendEncoding(b []byte, keys []string, table []uuid.UUID) []byte {
	b = append(b, EncodingVersion)
	b = append(b, o.Device[:]...)
	b = binary.AppendUvarint(b, o.Seq)
	b = binary.BigEndian.AppendUint64(b, uint64(o.HLC))
	b = append(b, o.Record[:]...)
	b = appendString(b, o.Register)
	b = appendString(b, o.County)
	b = appendString(b, o.Author)
	b = binary.AppendUvarint(b, uint64(len(table)))
	for _, d := range table {
		b = append(b, d[:]...)
	}
	b = binary.AppendUvarint(b, uint64(len(keys)))
	for _, k := range keys {
		b = appendString(b, k)
		b = appendString(b, string(o.Set[k]))
		ps := canonicalParents(o.Parent[k])
		b = binary.AppendUvarint(b, uint64(len(ps)))
		for _, p := range ps {
			idx := 0
			if p.Device != o.Device {
				i, _ := slices.BinarySearchFunc(table, p.Device, compareDevice)
				idx = i + 1
			}
			b = binary.AppendUvarint(b, uint64(idx))
			b = binary.AppendUvarint(b, p.Seq)
		}
	}
	b = append(b, o.Prev[:]...)
	return b
}

// Hash returns the SHA-256 of the op's canonical encoding.
func (o *Op) Hash() Hash {
	return sha256.Sum256(o.Encode())
}

// MarshalBinary returns the op's wire form: its canonical encoding followed
// by its signature, effective time and server seq when known. It refuses an
// op that would not decode to itself (a parent entry for a field not set, a
// repeated parent, a signature of the wrong size, anything over the size
// limits).
func (o *Op) MarshalBinary() ([]byte, error) {
	b, _, err := o.AppendBinaryHash(nil)
	return b, err
}

// AppendBinaryHash appends the op's wire form (MarshalBinary) to b and
// returns it with the op's hash (Hash), encoding the op once for both.
func (o *Op) AppendBinaryHash(b []byte) ([]byte, Hash, error) {
	if err := o.checkEncodable(); err != nil {
		return b, Hash{}, err
	}
	keys := sortedKeys(o)
	table := deviceTable(o, keys)
	start := len(b)
	b = slices.Grow(b, o.encodedSizeBound(keys, table)+1+len(o.Sig)+2*binary.MaxVarintLen64)
	b = o.appendEncoding(b, keys, table)
	h := Hash(sha256.Sum256(b[start:]))
	var flags byte
	if len(o.Sig) > 0 {
		flags |= flagSig
	}
	if o.Eff != 0 {
		flags |= flagEff
	}
	if o.ServerSeq != 0 {
		flags |= flagServerSeq
	}
	b = append(b, flags)
	b = append(b, o.Sig...)
	if o.Eff != 0 {
		d := int64(o.HLC - o.Eff)
		b = binary.AppendUvarint(b, uint64(d<<1)^uint64(d>>63))
	}
	if o.ServerSeq != 0 {
		b = binary.AppendUvarint(b, o.ServerSeq)
	}
	return b, h, nil
}

// checkEncodable reports what would keep the op from surviving a round trip
// through its wire form.
func (o *Op) checkEncodable() error {
	if len(o.Sig) != 0 && len(o.Sig) != SignatureSize {
		return fmt.Errorf("%w: signature is %d bytes; want %d", ErrMalformed, len(o.Sig), SignatureSize)
	}
	if err := o.checkSizes(); err != nil {
		return err
	}
	for k, ps := range o.Parent {
		if _, ok := o.Set[k]; !ok && len(ps) > 0 {
			return fmt.Errorf("%w: parent for field %q that the op does not set", ErrMalformed, k)
		}
		if len(canonicalParents(ps)) != len(ps) {
			return fmt.Errorf("%w: field %q lists a parent version twice", ErrMalformed, k)
		}
	}
	return nil
}

// checkSizes enforces the size limits.
func (o *Op) checkSizes() error {
	switch {
	case len(o.Register) > MaxRegister:
		return fmt.Errorf("%w: register name is %d bytes; max %d", ErrMalformed, len(o.Register), MaxRegister)
	case len(o.County) > MaxCounty:
		return fmt.Errorf("%w: county is %d bytes; max %d", ErrMalformed, len(o.County), MaxCounty)
	case len(o.Author) > MaxAuthor:
		return fmt.Errorf("%w: author is %d bytes; max %d", ErrMalformed, len(o.Author), MaxAuthor)
	case len(o.Set) > MaxFields:
		return fmt.Errorf("%w: op sets %d fields; max %d", ErrMalformed, len(o.Set), MaxFields)
	}
	for k, v := range o.Set {
		if len(k) > MaxKeyLen {
			return fmt.Errorf("%w: field key %.20q… is %d bytes; max %d", ErrMalformed, k, len(k), MaxKeyLen)
		}
		if len(v) > MaxValueLen {
			return fmt.Errorf("%w: value of field %q is %d bytes; max %d", ErrMalformed, k, len(v), MaxValueLen)
		}
	}
	for k, ps := range o.Parent {
		if len(ps) > MaxParents {
			return fmt.Errorf("%w: field %q has %d parents; max %d", ErrMalformed, k, len(ps), MaxParents)
		}
	}
	return nil
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// sortedKeys returns the op's Set keys in ascending byte order.
func sortedKeys(o *Op) []string {
	keys := make([]string, 0, len(o.Set))
	for k := range o.Set {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// deviceTable returns the devices other than the op's own that the
// parents of the given fields name, ascending.
func deviceTable(o *Op, keys []string) []uuid.UUID {
	var t []uuid.UUID
	for _, k := range keys {
		for _, p := range o.Parent[k] {
			if p.Device != o.Device {
				t = append(t, p.Device)
			}
		}
	}
	slices.SortFunc(t, compareDevice)
	return slices.Compact(t)
}

// canonicalParents returns ps sorted and without repeats (a copy when it
// has to change anything).
func canonicalParents(ps []OpID) []OpID {
	if slices.IsSortedFunc(ps, CompareOpID) {
		ok := true
		for i := 1; i < len(ps); i++ {
			if ps[i] == ps[i-1] {
				ok = false
				break
			}
		}
		if ok {
			return ps
		}
	}
	c := slices.Clone(ps)
	slices.SortFunc(c, CompareOpID)
	return slices.Compact(c)
}

func compareDevice(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) }

// CompareOpID orders op ids by device bytes, then seq.
func CompareOpID(a, b OpID) int {
	if c := bytes.Compare(a.Device[:], b.Device[:]); c != 0 {
		return c
	}
	switch {
	case a.Seq < b.Seq:
		return -1
	case a.Seq > b.Seq:
		return 1
	}
	return 0
}

// String formats the id as device/seq.
func (id OpID) String() string {
	var sb strings.Builder
	sb.WriteString(id.Device.String())
	sb.WriteByte('/')
	fmt.Fprint(&sb, id.Seq)
	return sb.String()
}
