package protocol

import (
	"encoding/binary"
	"fmt"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/hlc"
	"github.com/lantian-tz/lantian/model"
)

// The binary framing (ContentTypeOps) wraps ops in oplog's binary form.
// Integers are minimal unsigned varints (encoding/binary's Uvarint), so a
// frame has exactly one encoding; a frame starts
// with the 4-byte magic "LT", a kind byte and the frame version 1:
//
//	push:  "LTP\x01" device[16] n {len op[len]}×n
//	page:  "LTL\x01" cursor flags server_time
//	       k {device[16] key[32] [role county province]}×k
//	       n {server_seq eff scope_prev len op[len]}×n
//
// flags bit 0 is "more", bit 1 "links": the ops' scope_prev values are
// known (else they are 0 and mean nothing), bit 2 "scopes": each key is
// followed by its device's role, county and province, each a length and
// its bytes (a receiver then admits the device's ops as that role within
// that scope). Nothing may follow the last op.
const (
	framePush    = 'P'
	framePage    = 'L'
	frameVersion = 1
	// pubKeySize is ed25519.PublicKeySize, repeated to keep this file
	// free of crypto imports.
	pubKeySize = 32
)

// AppendPushFrame appends the push frame of device's raw ops to dst.
func AppendPushFrame(dst []byte, device uuid.UUID, ops [][]byte) []byte {
	dst = append(dst, 'L', 'T', framePush, frameVersion)
	dst = append(dst, device[:]...)
	dst = binary.AppendUvarint(dst, uint64(len(ops)))
	for _, op := range ops {
		dst = binary.AppendUvarint(dst, uint64(len(op)))
		dst = append(dst, op...)
	}
	return dst
}

// ParsePushFrame splits a push frame into its device and raw ops. The raw
// ops alias b. It fails with ErrBadFrame, ErrTooManyOps or ErrTooLarge and
// never panics.
func ParsePushFrame(b []byte) (uuid.UUID, [][]byte, error) {
	r := reader{b: b}
	if err := r.magic(framePush); err != nil {
		return uuid.Nil, nil, err
	}
	var dev uuid.UUID
	copy(dev[:], r.bytes(16))
	n := r.uvarint()
	if r.err != nil {
		return uuid.Nil, nil, r.err
	}
	if n > MaxOpsPerBatch {
		return uuid.Nil, nil, ErrTooManyOps.Withf("%d ops; at most %d", n, MaxOpsPerBatch)
	}
	ops := make([][]byte, 0, n)
	for i := uint64(0); i < n; i++ {
		ops = append(ops, r.op())
	}
	if err := r.end(); err != nil {
		return uuid.Nil, nil, err
	}
	return dev, ops, nil
}

// DeviceKey is an enrolled device's ed25519 public key, with the role and
// scope it was enrolled for (empty from a server that does not send
// them).
type DeviceKey struct {
	Device uuid.UUID
	Key    []byte // ed25519.PublicKeySize bytes
	Role   model.Role
	Scope  Scope
}

// maxScopeText bounds a role, county or province code in a page frame.
const maxScopeText = 32

// PageOp is one op of a pull page in its binary form, with the server's
// stamps.
type PageOp struct {
	ServerSeq uint64
	Eff       hlc.Timestamp
	// ScopePrev is the seq of the previous op of the same device that the
	// page's scope receives, 0 when none (see PullResponse.ScopePrev);
	// meaningful only in a page with Links.
	ScopePrev uint64
	Raw       []byte
}

// PageFrame is a pull page as raw parts: what a server writes without
// decoding its stored ops.
type PageFrame struct {
	Cursor     uint64 // pass back as the next pull's cursor
	More       bool   // more ops are waiting after Cursor
	Links      bool   // the ops' ScopePrev are filled in
	ServerTime int64  // Unix milliseconds
	Keys       []DeviceKey
	Ops        []PageOp
}

// AppendPageFrame appends the binary form of p to dst.
func AppendPageFrame(dst []byte, p PageFrame) []byte {
	dst = append(dst, 'L', 'T', framePage, frameVersion)
	dst = binary.AppendUvarint(dst, p.Cursor)
	var flags byte
	if p.More {
		flags |= 1
	}
	if p.Links {
		flags |= 2
	}
	scopes := false
	for _, k := range p.Keys {
		scopes = scopes || k.Role != ""
	}
	if scopes {
		flags |= 4
	}
	dst = append(dst, flags)
	dst = binary.AppendUvarint(dst, uint64(p.ServerTime))
	dst = binary.AppendUvarint(dst, uint64(len(p.Keys)))
	for _, k := range p.Keys {
		dst = append(dst, k.Device[:]...)
		dst = append(dst, k.Key...)
		if scopes {
			for _, s := range []string{string(k.Role), k.Scope.County, k.Scope.Province} {
				dst = binary.AppendUvarint(dst, uint64(len(s)))
				dst = append(dst, s...)
			}
		}
	}
	dst = binary.AppendUvarint(dst, uint64(len(p.Ops)))
	for _, o := range p.Ops {
		dst = binary.AppendUvarint(dst, o.ServerSeq)
		dst = binary.AppendUvarint(dst, uint64(o.Eff))
		dst = binary.AppendUvarint(dst, o.ScopePrev)
		dst = binary.AppendUvarint(dst, uint64(len(o.Raw)))
		dst = append(dst, o.Raw...)
	}
	return dst
}

// PageOpSize is the number of bytes op adds to a page frame, for paging
// by bytes.
func PageOpSize(op PageOp) int {
	return uvarintLen(op.ServerSeq) + uvarintLen(uint64(op.Eff)) + uvarintLen(op.ScopePrev) +
		uvarintLen(uint64(len(op.Raw))) + len(op.Raw)
}

func uvarintLen(x uint64) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}

// ParsePageFrame decodes a pull page frame; raw ops and keys alias b. It
// fails with ErrBadFrame and never panics.
func ParsePageFrame(b []byte) (PageFrame, error) {
	r := reader{b: b}
	if err := r.magic(framePage); err != nil {
		return PageFrame{}, err
	}
	var p PageFrame
	p.Cursor = r.uvarint()
	flags := r.bytes(1)
	scopes := false
	if len(flags) == 1 {
		if flags[0]&^7 != 0 {
			r.fail("unknown flags %#x", flags[0])
		}
		p.More = flags[0]&1 != 0
		p.Links = flags[0]&2 != 0
		scopes = flags[0]&4 != 0
	}
	st := r.uvarint()
	if st > 1<<62 {
		r.fail("server time out of range")
	}
	p.ServerTime = int64(st)
	nk := r.uvarint()
	anyRole := false
	if r.err == nil && nk > MaxKeysPerPage {
		r.fail("%d keys; at most %d", nk, MaxKeysPerPage)
	}
	for i := uint64(0); i < nk && r.err == nil; i++ {
		var k DeviceKey
		copy(k.Device[:], r.bytes(16))
		k.Key = r.bytes(pubKeySize)
		if scopes {
			k.Role = model.Role(scopeText(&r))
			k.Scope.County = scopeText(&r)
			k.Scope.Province = scopeText(&r)
		}
		p.Keys = append(p.Keys, k)
		anyRole = anyRole || k.Role != ""
	}
	if scopes && !anyRole {
		r.fail("scopes flag without a role") // one encoding per page
	}
	n := r.uvarint()
	// Each op needs at least 5 bytes, which bounds n by the input.
	if r.err == nil && n > uint64(len(r.b)-r.off)/5 {
		r.fail("%d ops in %d bytes", n, len(r.b)-r.off)
	}
	for i := uint64(0); i < n && r.err == nil; i++ {
		var o PageOp
		o.ServerSeq = r.uvarint()
		o.Eff = hlc.Timestamp(r.uvarint())
		o.ScopePrev = r.uvarint()
		o.Raw = r.op()
		p.Ops = append(p.Ops, o)
	}
	if err := r.end(); err != nil {
		return PageFrame{}, err
	}
	return p, nil
}

// scopeText reads a role, county or province code of a page's keys.
func scopeText(r *reader) string {
	n := r.uvarint()
	if r.err == nil && n > maxScopeText {
		r.fail("scope text of %d bytes", n)
		return ""
	}
	return string(r.bytes(int(n)))
}

// reader decodes a frame, remembering the first error so callers check once.
type reader struct {
	b   []byte
	off int
	err error
}

func (r *reader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = ErrBadFrame.Withf("at byte %d: %s", r.off, fmt.Sprintf(format, args...))
	}
}

func (r *reader) magic(kind byte) error {
	h := r.bytes(4)
	if r.err != nil || h[0] != 'L' || h[1] != 'T' || h[2] != kind {
		r.err = nil
		r.fail("not a %q frame", kind)
		return r.err
	}
	if h[3] != frameVersion {
		r.err = ErrUnknownVersion.Withf("frame version %d", h[3])
		return r.err
	}
	return nil
}

func (r *reader) bytes(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.b)-r.off {
		r.fail("truncated")
		return nil
	}
	s := r.b[r.off : r.off+n : r.off+n]
	r.off += n
	return s
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	x, n := binary.Uvarint(r.b[r.off:])
	if n <= 0 || n != uvarintLen(x) {
		r.fail("bad or non-minimal varint")
		return 0
	}
	r.off += n
	return x
}

func (r *reader) op() []byte {
	n := r.uvarint()
	if r.err != nil {
		return nil
	}
	if n == 0 || n > MaxOpBytes {
		r.fail("op of %d bytes", n)
		return nil
	}
	return r.bytes(int(n))
}

func (r *reader) end() error {
	if r.err == nil && r.off != len(r.b) {
		r.fail("%d trailing bytes", len(r.b)-r.off)
	}
	return r.err
}
