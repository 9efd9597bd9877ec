package store

import (
	"errors"
	"fmt"
	"strings"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
)

// Sentinel errors of the store. Callers test them with errors.Is; the store
// wraps them with the detail of what went wrong.
var (
	// ErrNotFound: no such record, op, blob or meta key.
	ErrNotFound = errors.New("store: not found")
	// ErrClosed: the store was closed.
	ErrClosed = errors.New("store: closed")
	// ErrUnknownRegister: the register is not in model.Registers().
	ErrUnknownRegister = errors.New("store: unknown register")
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
	// ErrDeleted: a change to a deleted record other than undeleting it.
	ErrDeleted = errors.New("store: record is deleted")
	// ErrForbidden: the role may not make this change (status transition
	// or a field reserved to other roles).
	ErrForbidden = errors.New("store: not allowed for this role")
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

// ValidationError is returned by Append when the change or the record it
// produces fails the register's validation. It wraps model.FieldError
// values, one per failing field.
type ValidationError struct {
	Errors []model.FieldError
}

// Error lists the failing fields.
func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Errors))
	for i, fe := range e.Errors {
		parts[i] = fe.Error()
	}
	return "store: invalid record: " + strings.Join(parts, "; ")
}

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
