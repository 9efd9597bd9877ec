package oplog

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/google/uuid"
)

// Reader reads a binary encoding front to back: an op's wire form, the
// store's state codec and the sync protocol's frames. Integers are
// minimal unsigned varints (encoding/binary's Uvarint) or big-endian
// uint64s; strings and byte runs are length-prefixed or of fixed size.
//
// The first error sticks: a read after it returns a zero value and keeps
// the error, so a decoder reads on and checks Err once. Each read takes a
// what, the name of what it reads, which only a failure's message uses.
type Reader struct {
	b   []byte
	off int
	err error
	// errf makes the error of a failure with message msg at byte off.
	errf func(off int, msg string) error
}

// NewReader returns a Reader of b whose failures are errf(off, msg): the
// decoder's own error for msg at byte off. A nil errf makes a plain
// error.
func NewReader(b []byte, errf func(off int, msg string) error) Reader {
	return Reader{b: b, errf: errf}
}

// Err returns the first error, nil when every read so far succeeded.
func (r *Reader) Err() error { return r.err }

// Off returns the offset of the next byte to read.
func (r *Reader) Off() int { return r.off }

// Len returns the number of bytes left.
func (r *Reader) Len() int { return len(r.b) - r.off }

// Fail records err as the Reader's error unless it already has one.
func (r *Reader) Fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

// Failf records a failure at the current offset, described by format and
// args, unless the Reader already has an error.
func (r *Reader) Failf(format string, args ...any) {
	if r.err != nil {
		return
	}
	msg := fmt.Sprintf(format, args...)
	if r.errf != nil {
		r.err = r.errf(r.off, msg)
	} else {
		r.err = fmt.Errorf("%s at byte %d", msg, r.off)
	}
}

// End fails when bytes are left, and returns the Reader's error.
func (r *Reader) End() error {
	if r.err == nil && r.off != len(r.b) {
		r.Failf("%d trailing bytes", len(r.b)-r.off)
	}
	return r.err
}

// Bytes returns the next n bytes, a view of the input whose capacity ends
// with it, or nil on error.
func (r *Reader) Bytes(n int, what string) []byte {
	if r.err != nil || n < 0 || n > len(r.b)-r.off {
		r.truncated(n, what)
		return nil
	}
	s := r.b[r.off : r.off+n : r.off+n]
	r.off += n
	return s
}

func (r *Reader) truncated(n int, what string) {
	r.Failf("truncated: %s needs %d bytes, %d left", what, n, len(r.b)-r.off)
}

// Byte returns the next byte, 0 on error.
func (r *Reader) Byte(what string) byte {
	if r.err != nil || r.off >= len(r.b) {
		r.truncated(1, what)
		return 0
	}
	c := r.b[r.off]
	r.off++
	return c
}

// Uint64 returns the next 8 bytes as a big-endian integer, 0 on error.
func (r *Reader) Uint64(what string) uint64 {
	if s := r.Bytes(8, what); s != nil {
		return binary.BigEndian.Uint64(s)
	}
	return 0
}

// UUID returns the next 16 bytes as a UUID, the zero UUID on error.
func (r *Reader) UUID(what string) uuid.UUID {
	var u uuid.UUID
	if s := r.Bytes(16, what); s != nil {
		copy(u[:], s)
	}
	return u
}

// Uvarint returns the next minimal unsigned varint, 0 on error.
func (r *Reader) Uvarint(what string) uint64 { return r.uvarint(what, "") }

// uvarint is Uvarint for what+part, concatenated only for a message.
func (r *Reader) uvarint(what, part string) uint64 {
	if r.err != nil {
		return 0
	}
	if r.off < len(r.b) && r.b[r.off] < 0x80 {
		v := r.b[r.off]
		r.off++
		return uint64(v)
	}
	v, n := binary.Uvarint(r.b[r.off:])
	if n <= 0 || r.b[r.off+n-1] == 0 {
		r.badVarint(n, what+part)
		return 0
	}
	r.off += n
	return v
}

func (r *Reader) badVarint(n int, what string) {
	switch {
	case n == 0:
		r.Failf("truncated: %s varint", what)
	case n < 0:
		r.Failf("%s varint overflows 64 bits", what)
	default:
		r.Failf("%s varint is not minimal", what)
	}
}

// Count returns the next varint as the number of elements that follow,
// refusing a count the bytes left cannot hold at minSize bytes each.
func (r *Reader) Count(minSize int, what string) int {
	n := r.uvarint(what, " count")
	if r.err != nil {
		return 0
	}
	if n > uint64((len(r.b)-r.off)/minSize) {
		r.Failf("%s count %d exceeds what %d remaining bytes can hold", what, n, len(r.b)-r.off)
		return 0
	}
	return int(n)
}

// String returns the next length-prefixed string of at most max bytes
// ("" on error).
func (r *Reader) String(max int, what string) string {
	n := r.uvarint(what, " length")
	if r.err != nil {
		return ""
	}
	if n > uint64(max) {
		r.Failf("%s is %d bytes; max %d", what, n, max)
		return ""
	}
	return string(r.Bytes(int(n), what))
}

// NoMax is the max of a String without a limit of its own (the input's
// length bounds it).
const NoMax = math.MaxInt
