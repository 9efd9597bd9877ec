package store

import (
	"errors"
	"fmt"

	"github.com/lantian-tz/lantian/internal/oplog"
)

// Sentinel errors of the store. Callers test them with errors.Is; the store
// wraps them with the detail of what went wrong.
var (
	// ErrNotFound: no such record, op, blob or meta key.
	ErrNotFound = errors.New("store: not found")
	// ErrClosed: the store was closed.
	ErrClosed = errors.New("store: closed")
	// ErrUnknownDevice: a remote op from a device whose key was never
	// registered with RegisterDevice.
	ErrUnknownDevice = errors.New("store: unknown device")
	// ErrBadOp: a remote op is malformed, has a bad field or value, or does
	// not match its record.
	ErrBadOp = errors.New("store: bad op")
	// ErrBadSignature: a remote op's signature does not verify with its
	// device's registered key.
	ErrBadSignature = errors.New("store: bad signature")
	// ErrBrokenChain: a remote op's Prev is not the hash of its device's
	// previous op.
	ErrBrokenChain = errors.New("store: broken hash chain")
	// ErrEquivocation: two different ops with the same (device, seq).
	ErrEquivocation = errors.New("store: equivocation: two different ops with the same id")
	// ErrWrongPassphrase: the passphrase does not open the store.
	ErrWrongPassphrase = errors.New("store: wrong passphrase")
	// ErrPassphraseRequired: the store is encrypted and no passphrase was
	// given.
	ErrPassphraseRequired = errors.New("store: the store is encrypted; a passphrase is required")
	// ErrNotEncrypted: a passphrase was given for a store created without
	// one.
	ErrNotEncrypted = errors.New("store: the store was created without a passphrase")
	// ErrBadBlob: a blob's content does not match its SHA-256 name, or the
	// name is not a SHA-256 hex string.
	ErrBadBlob = errors.New("store: bad blob")
	// ErrCheck: Check found state or indexes that differ from the log.
	ErrCheck = errors.New("store: check failed")
)

// OpError names the op of a batch that was refused and why; it wraps one
// of the sentinel errors (ErrBadOp, ErrBadSignature, ...).
type OpError struct {
	ID  oplog.OpID
	Err error
}

// Error names the op and the problem.
func (e *OpError) Error() string {
	return fmt.Sprintf("op %s/%d: %v", e.ID.Device, e.ID.Seq, e.Err)
}

// Unwrap returns the cause.
func (e *OpError) Unwrap() error { return e.Err }
