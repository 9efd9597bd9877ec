// Package oplog owns Lantian's operations: one change to one record by one
// device, their canonical encoding, hash chain and ed25519 signatures, and
// the merge that folds any set of operations into the same record state on
// every replica.
//
// A device's ops are checked either one by one (CheckLink, VerifySig) or
// as a contiguous run with one signature (VerifyRun: the hash chain carries
// the last op's signature back over the whole run; see runverify.go for
// the rule and why it is sound, and VerifyEach for the audit that checks
// every signature).
package oplog

import (
	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/hlc"
	"github.com/lantian-tz/lantian/model"
)

// Hash is the SHA-256 of an operation's canonical encoding (without its
// signature and server stamps).
type Hash [32]byte

// OpID names an operation: the device that made it and its sequence number
// on that device (gap-free, from 1).
type OpID struct {
	Device uuid.UUID
	Seq    uint64
}

// Op is one change to one record. Everything but Sig, Eff and ServerSeq is
// covered by the hash and the signature.
type Op struct {
	Device   uuid.UUID
	Seq      uint64
	HLC      hlc.Timestamp
	Record   uuid.UUID
	Register string
	County   string
	Author   string // the user on the device (shared tablets)
	// Set holds the fields this op writes. Deleting is setting
	// model.FieldDeleted to true.
	Set map[string]model.Value
	// Parent holds, for each field in Set, the versions this op
	// overwrites as seen by its author: the field's winning version, or,
	// when settling a conflict, every version it settles. A field never
	// written before has no entry.
	Parent map[string][]OpID
	Prev   Hash // hash of the device's previous op; zero for Seq 1
	Sig    []byte

	// Eff is the effective time the server stamped on receipt (see
	// DESIGN.md, bounded skew); zero until known. Not signed.
	Eff hlc.Timestamp
	// ServerSeq is the server's sequence number for the op; zero until
	// known. Not signed.
	ServerSeq uint64
}

// ID returns the op's identity.
func (o *Op) ID() OpID { return OpID{Device: o.Device, Seq: o.Seq} }
