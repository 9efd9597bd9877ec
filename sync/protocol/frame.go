package protocol

import (
	"encoding/binary"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/hlc"
	"github.com/lantian-tz/lantian/internal/oplog"
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
//	       [withdrawn w {seq device[16] since at zh en m {op_seq}×m}×w]
//
// flags bit 0 is "more", bit 1 "links": the ops' scope_prev values are
// known (else they are 0 and mean nothing), bit 2 "scopes": each key is
// followed by its device's role, county and province, each a length and
// its bytes (a receiver then admits the device's ops as that role within
// that scope). Bit 3 "withdrawals": the ops are followed by the
// withdrawal cursor (the last withdrawal seq the server considered) and
// the withdrawals after the request's (zh and en are a length and UTF-8
// bytes). Nothing may follow the last op, or the withdrawals.
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
	r := oplog.NewReader(b, badFrame)
	if err := magic(&r, b, framePush); err != nil {
		return uuid.Nil, nil, err
	}
	dev := r.UUID("device")
	n := r.Uvarint("op count")
	if r.Err() != nil {
		return uuid.Nil, nil, r.Err()
	}
	if n > MaxOpsPerBatch {
		return uuid.Nil, nil, ErrTooManyOps.Withf("%d ops; at most %d", n, MaxOpsPerBatch)
	}
	ops := make([][]byte, 0, n)
	for i := uint64(0); i < n && r.Err() == nil; i++ {
		ops = append(ops, frameOp(&r))
	}
	if err := r.End(); err != nil {
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
	// Statement is the device's enrollment statement signed by the
	// province (internal/vouch's stored form), sent in a page that
	// HasStatements; empty when the server has none.
	Statement []byte
}

// MaxStatementBytes bounds an enrollment statement in a page frame.
const MaxStatementBytes = 2048

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
	// HasStatements says each key carries its Statement (the request
	// asked for them, PullRequest.Statements).
	HasStatements bool
	Ops           []PageOp
	// HasWithdrawals says the page answers a request that asked for
	// withdrawals: Withdrawn is the last withdrawal seq the server
	// considered (the device's next PullRequest.Withdrawals) and
	// Withdrawals those after the request's that concern the scope.
	HasWithdrawals bool
	Withdrawn      uint64
	Withdrawals    []Withdrawal
}

// maxReasonText bounds each language of a withdrawal's reason in a page
// frame.
const maxReasonText = 4096

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
	if p.HasWithdrawals {
		flags |= 8
	}
	if p.HasStatements {
		flags |= 16
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
		if p.HasStatements {
			dst = binary.AppendUvarint(dst, uint64(len(k.Statement)))
			dst = append(dst, k.Statement...)
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
	if p.HasWithdrawals {
		dst = binary.AppendUvarint(dst, p.Withdrawn)
		dst = binary.AppendUvarint(dst, uint64(len(p.Withdrawals)))
		for _, w := range p.Withdrawals {
			dst = binary.AppendUvarint(dst, w.Seq)
			dst = append(dst, w.Device[:]...)
			dst = binary.AppendUvarint(dst, uint64(w.Since))
			dst = binary.AppendUvarint(dst, uint64(w.At))
			for _, s := range []string{w.Reason.ZH, w.Reason.EN} {
				dst = binary.AppendUvarint(dst, uint64(len(s)))
				dst = append(dst, s...)
			}
			dst = binary.AppendUvarint(dst, uint64(len(w.Seqs)))
			for _, seq := range w.Seqs {
				dst = binary.AppendUvarint(dst, seq)
			}
		}
	}
	return dst
}

// WithdrawalsSize is the number of bytes ws add to a page frame.
func WithdrawalsSize(ws []Withdrawal) int {
	n := 20
	for _, w := range ws {
		n += 16 + 4*10 + len(w.Reason.ZH) + len(w.Reason.EN) + 10*len(w.Seqs)
	}
	return n
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
	r := oplog.NewReader(b, badFrame)
	if err := magic(&r, b, framePage); err != nil {
		return PageFrame{}, err
	}
	var p PageFrame
	p.Cursor = r.Uvarint("cursor")
	flags := r.Byte("flags")
	if r.Err() == nil && flags&^31 != 0 {
		r.Failf("unknown flags %#x", flags)
	}
	p.More = flags&1 != 0
	p.Links = flags&2 != 0
	p.HasStatements = flags&16 != 0
	scopes := flags&4 != 0
	st := r.Uvarint("server time")
	if st > 1<<62 {
		r.Failf("server time out of range")
	}
	p.ServerTime = int64(st)
	nk := r.Uvarint("key count")
	anyRole := false
	if r.Err() == nil && nk > MaxKeysPerPage {
		r.Failf("%d keys; at most %d", nk, MaxKeysPerPage)
	}
	for i := uint64(0); i < nk && r.Err() == nil; i++ {
		var k DeviceKey
		k.Device = r.UUID("key device")
		k.Key = r.Bytes(pubKeySize, "key")
		if scopes {
			k.Role = model.Role(r.String(maxScopeText, "key role"))
			k.Scope.County = r.String(maxScopeText, "key county")
			k.Scope.Province = r.String(maxScopeText, "key province")
		}
		if p.HasStatements {
			if st := r.String(MaxStatementBytes, "key statement"); st != "" {
				k.Statement = []byte(st)
			}
		}
		p.Keys = append(p.Keys, k)
		anyRole = anyRole || k.Role != ""
	}
	if scopes && !anyRole {
		r.Failf("scopes flag without a role") // one encoding per page
	}
	// Each op needs at least 5 bytes, which bounds the count by the input.
	n := r.Count(5, "ops")
	for i := 0; i < n && r.Err() == nil; i++ {
		var o PageOp
		o.ServerSeq = r.Uvarint("server seq")
		o.Eff = hlc.Timestamp(r.Uvarint("eff"))
		o.ScopePrev = r.Uvarint("scope prev")
		o.Raw = frameOp(&r)
		p.Ops = append(p.Ops, o)
	}
	if flags&8 != 0 && r.Err() == nil {
		p.HasWithdrawals = true
		parseWithdrawals(&r, &p)
	}
	if err := r.End(); err != nil {
		return PageFrame{}, err
	}
	return p, nil
}

// parseWithdrawals reads a page's withdrawals section into p.
func parseWithdrawals(r *oplog.Reader, p *PageFrame) {
	p.Withdrawn = r.Uvarint("withdrawal cursor")
	// Each withdrawal needs at least 21 bytes.
	n := r.Count(21, "withdrawals")
	for i := 0; i < n && r.Err() == nil; i++ {
		var w Withdrawal
		w.Seq = r.Uvarint("withdrawal seq")
		w.Device = r.UUID("withdrawal device")
		since, at := r.Uvarint("withdrawal since"), r.Uvarint("withdrawal time")
		if since > 1<<62 || at > 1<<62 {
			r.Failf("withdrawal time out of range")
		}
		w.Since, w.At = int64(since), int64(at)
		w.Reason.ZH = r.String(maxReasonText, "withdrawal reason")
		w.Reason.EN = r.String(maxReasonText, "withdrawal reason")
		m := r.Count(1, "withdrawn ops")
		for j := 0; j < m && r.Err() == nil; j++ {
			w.Seqs = append(w.Seqs, r.Uvarint("withdrawn op seq"))
		}
		if w.Seq == 0 || w.Seq > p.Withdrawn {
			r.Failf("withdrawal %d outside the cursor %d", w.Seq, p.Withdrawn)
		}
		p.Withdrawals = append(p.Withdrawals, w)
	}
}

// badFrame is the error of a Reader of a frame: msg at byte off.
func badFrame(off int, msg string) error {
	return ErrBadFrame.Withf("at byte %d: %s", off, msg)
}

// magic reads the 4-byte head of b, a frame of the given kind.
func magic(r *oplog.Reader, b []byte, kind byte) error {
	if len(b) < 4 {
		r.Failf("not a %q frame", kind)
		return r.Err()
	}
	h := r.Bytes(4, "magic")
	switch {
	case h[0] != 'L' || h[1] != 'T' || h[2] != kind:
		r.Failf("not a %q frame", kind)
	case h[3] != frameVersion:
		r.Fail(ErrUnknownVersion.Withf("frame version %d", h[3]))
	}
	return r.Err()
}

// frameOp reads a length-prefixed raw op of 1 to MaxOpBytes bytes.
func frameOp(r *oplog.Reader) []byte {
	n := r.Uvarint("op length")
	if r.Err() != nil {
		return nil
	}
	if n == 0 || n > MaxOpBytes {
		r.Failf("op of %d bytes", n)
		return nil
	}
	return r.Bytes(int(n), "op")
}
