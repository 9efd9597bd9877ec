package store

import (
	"errors"
	"fmt"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
)

// storeError makes a sentinel of the store: a *model.Error of op "store"
// with a kind and a code, so callers test it with errors.Is by the
// sentinel or by its kind. The store's errors carry no words for the
// user: the app says them.
func storeError(kind model.ErrorKind, code string) *model.Error {
	return &model.Error{Op: "store", Kind: kind, Code: code}
}

// Sentinel errors of the store. Callers test them with errors.Is; the store
// wraps them with the detail of what went wrong. Most are *model.Errors
// (kinds: not_found, storage, signature, chain, passphrase, bad_input).
var (
	// ErrNotFound: no such record, op, blob or meta key.
	ErrNotFound = storeError(model.ErrNotFound, "not_found")
	// ErrClosed: the store was closed.
	ErrClosed = storeError(model.ErrStorage, "closed")
	// ErrUnknownDevice: a remote op from a device whose key was never
	// registered with RegisterDevice.
	ErrUnknownDevice = storeError(model.ErrNotFound, "unknown_device")
	// ErrBadOp: a remote op is malformed, has a bad field or value, or does
	// not match its record.
	ErrBadOp = errors.New("store: bad op")
	// ErrBadSignature: a remote op's signature does not verify with its
	// device's registered key.
	ErrBadSignature = storeError(model.ErrSignature, "bad_signature")
	// ErrBrokenChain: a remote op's Prev is not the hash of its device's
	// previous op.
	ErrBrokenChain = storeError(model.ErrChain, "broken_chain")
	// ErrEquivocation: two different ops with the same (device, seq).
	ErrEquivocation = storeError(model.ErrChain, "equivocation")
	// ErrWrongPassphrase: the passphrase does not open the store.
	ErrWrongPassphrase = storeError(model.ErrPassphrase, "wrong_passphrase")
	// ErrPassphraseRequired: the store is encrypted and no passphrase was
	// given.
	ErrPassphraseRequired = storeError(model.ErrPassphrase, "passphrase_required")
	// ErrNotEncrypted: a passphrase was given for a store created without
	// one.
	ErrNotEncrypted = storeError(model.ErrPassphrase, "not_encrypted")
	// ErrBadBlob: a blob's content does not match its SHA-256 name, or the
	// name is not a SHA-256 hex string.
	ErrBadBlob = storeError(model.ErrBadInput, "bad_blob")
	// ErrCheck: Check found state or indexes that differ from the log.
	ErrCheck = storeError(model.ErrStorage, "check")
)

// OpError names the op of a batch that was refused and why; it wraps one
// of the sentinel errors (ErrBadOp, ErrBadSignature, ...), so errors.Is
// and model.KindOf see the cause's kind through it.
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
