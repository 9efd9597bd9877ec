package protocol

import (
	"github.com/lantian-tz/lantian/internal/oplog"
)

// PullRequest asks for the ops in the device's scope after Cursor (JSON).
type PullRequest struct {
	// Cursor is the server seq of the last op the device saved; 0 at
	// first. It is the Cursor of the previous page, never a clock.
	Cursor uint64 `json:"cursor"`
	// MaxBytes bounds the page; 0 means DefaultPullBytes, and the server
	// caps it at MaxPullBytes. A page always holds at least one op when
	// one is waiting, even a larger one.
	MaxBytes int `json:"max_bytes,omitempty"`
	// Own is the seq up to which the device holds its own ops (its local
	// seq): the server leaves those out of the page, and the page's
	// Cursor still passes them, so a page may be empty with More set.
	// 0 asks for all of them; a device whose log was restored from an
	// old backup learns its newer ops (and its seq) from the ones above
	// Own.
	Own uint64 `json:"own,omitempty"`
	// Acked is the seq up to which the server acknowledged the device's
	// ops, as the device saved it (sent with the first page). A server
	// that holds fewer of them (restored from an earlier backup) answers
	// CodeGap with the seq it expects next: the device sends the rest
	// again and pulls from the start. 0 asks for no check.
	Acked uint64 `json:"acked,omitempty"`
	// Withdrawals is the last withdrawal seq the device saved (0 at
	// first): the page then carries the withdrawals after it that
	// concern the device's scope (PullResponse.Withdrawals). nil (a
	// device that does not know withdrawals) asks for none.
	Withdrawals *uint64 `json:"withdrawals,omitempty"`
	// Statements asks that the page's keys carry the devices' enrollment
	// statements signed by the province (DeviceKey.Statement), which
	// the device keeps for its evidence packs.
	Statements bool `json:"statements,omitempty"`
}

// PullResponse is a page of ops (a page frame, ContentTypeOps). Save the
// ops and Cursor in one local transaction, then pull again while More.
type PullResponse struct {
	Cursor     uint64
	More       bool
	ServerTime int64 // Unix milliseconds
	// Keys are the public keys of the devices whose ops are in the page.
	Keys []DeviceKey
	// Ops carry their server stamps in Eff and ServerSeq.
	Ops []oplog.Op
	// ScopePrev[i] is the seq of the previous op of Ops[i].Device that
	// this scope receives, 0 when none. When it is below Ops[i].Seq-1, the
	// ops in between were refused or belong to counties outside the
	// scope (a province device writes many counties); the server verified
	// the device's hash chain across them. A receiver whose head for the
	// device is at ScopePrev[i] applies Ops[i] without waiting for them;
	// one whose head is below it has missed a page and must not.
	// ScopePrev is nil when the server's backend does not provide the
	// links; a receiver then checks every op's chain strictly.
	ScopePrev []uint64
	// HasWithdrawals is set when the request asked for withdrawals:
	// Withdrawals are those after its seq that concern the scope, and
	// Withdrawn is the seq to ask after next (save it with the
	// withdrawals applied).
	HasWithdrawals bool
	Withdrawn      uint64
	Withdrawals    []Withdrawal
}

// DecodePullRequest decodes a pull request.
func DecodePullRequest(b []byte) (PullRequest, error) {
	var r PullRequest
	if err := decodeJSON(b, &r); err != nil {
		return PullRequest{}, err
	}
	if r.MaxBytes < 0 {
		return PullRequest{}, ErrBadRequest.Withf("max_bytes %d is negative", r.MaxBytes)
	}
	return r, nil
}

// Limit returns the page size the request asks for within the limits.
func (r PullRequest) Limit() int {
	switch {
	case r.MaxBytes <= 0:
		return DefaultPullBytes
	case r.MaxBytes > MaxPullBytes:
		return MaxPullBytes
	}
	return r.MaxBytes
}
