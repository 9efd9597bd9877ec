package protocol

import (
	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/hlc"
	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
)

// PushRequest is a batch of one device's ops, in seq order, starting after
// the server's acknowledged seq for the device. Its body is a push frame
// (ContentTypeOps).
type PushRequest struct {
	Device uuid.UUID
	Ops    []oplog.Op
}

// Status is the outcome of one pushed op.
type Status string

// Outcomes of a pushed op.
const (
	// StatusApplied: stored, stamped and served to the devices in scope.
	StatusApplied Status = "applied"
	// StatusDuplicate: at or below the acknowledged seq; already stored.
	StatusDuplicate Status = "duplicate"
	// StatusRefused: authentic and in chain, so kept in the device's log
	// (the chain and acknowledged seq advance), but never applied or
	// served to anyone. Code and Msg say why. The device quarantines the
	// op; the user's fix is a new op.
	StatusRefused Status = "refused"
	// StatusRejected: not authentic or not in chain (bad signature, wrong
	// prev hash, malformed). Not stored; the acknowledged seq stops before
	// it, and every later op of the batch is rejected too.
	StatusRejected Status = "rejected"
)

// Refusal and rejection codes of receipts.
const (
	RefusedSchema    = "schema"    // unknown register or field, or invalid value
	RefusedScope     = "scope"     // county outside the device's scope
	RefusedRole      = "role"      // field not editable by the device's role
	RejectedShape    = "shape"     // malformed op (CheckShape)
	RejectedDevice   = "device"    // op of another device
	RejectedSig      = "signature" // signature does not verify with the enrolled key
	RejectedChain    = "chain"     // prev is not the hash of the previous op
	RejectedSequence = "sequence"  // seq not consecutive inside the batch
	RejectedAfter    = "after_rejected"
	// RejectedFork: a seq the server already holds, with other content:
	// the device's log was forked (restored from an old backup, cloned).
	// Neither version is lost: the server keeps its own, the device must
	// not drop the other.
	RejectedFork = "fork"
)

// Receipt is the server's answer for one pushed op.
type Receipt struct {
	Seq    uint64 `json:"seq"`
	Status Status `json:"status"`
	// ServerSeq and Eff are the server's stamps of an applied op (and of
	// a duplicate whose stamps the server still knows).
	ServerSeq uint64        `json:"server_seq,omitempty"`
	Eff       hlc.Timestamp `json:"eff,omitempty"`
	// Code and Msg explain a refused or rejected op.
	Code string      `json:"code,omitempty"`
	Msg  *model.Text `json:"msg,omitempty"`
}

// PushResponse answers a push (JSON).
type PushResponse struct {
	// Acked is the device's acknowledged seq after the push: send the
	// next batch from Acked+1.
	Acked    uint64    `json:"acked"`
	Receipts []Receipt `json:"receipts"`
	// ServerTime is the receipt time in Unix milliseconds.
	ServerTime int64 `json:"server_time"`
	// ClockOffset is the device clock minus the server clock in
	// milliseconds (positive: the device runs ahead), from the
	// Lantian-Device-Time header or else the newest op's clock.
	ClockOffset int64 `json:"clock_offset_ms"`
	// PullCursor, answering a push with a Lantian-Pull-Cursor header,
	// is set when the device's scope holds nothing after that cursor but
	// the device's own ops: the device may move its pull cursor here
	// instead of pulling (what a pull would have answered: an empty last
	// page with this cursor).
	PullCursor *uint64 `json:"pull_cursor,omitempty"`
}

// DecodePushResponse decodes a push response body.
func DecodePushResponse(b []byte) (PushResponse, error) {
	var r PushResponse
	err := decodeJSON(b, &r)
	return r, err
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var d [20]byte
	n := len(d)
	for ; i > 0; i /= 10 {
		n--
		d[n] = byte('0' + i%10)
	}
	return string(d[n:])
}
