package oplog

import (
	"errors"
	"fmt"

	"github.com/google/uuid"
)

var (
	// ErrMalformed reports an op whose encoding or shape is invalid.
	ErrMalformed = errors.New("oplog: malformed op")
	// ErrBadSignature reports an op whose signature does not verify
	// under its device's key.
	ErrBadSignature = errors.New("oplog: bad signature")
	// ErrBrokenChain reports an op whose Prev is not the hash of its
	// device's previous op, or that follows an op of another device.
	ErrBrokenChain = errors.New("oplog: broken hash chain")
	// ErrGap reports an op whose seq does not follow its device's
	// previous op; the error is a *GapError.
	ErrGap = errors.New("oplog: sequence gap")
)

// GapError is the error for an op whose seq is not the next one expected
// of its device. errors.Is(err, ErrGap) holds for it.
type GapError struct {
	Device    uuid.UUID
	Want, Got uint64
}

// Error says which seq was expected.
func (e *GapError) Error() string {
	return fmt.Sprintf("oplog: sequence gap: device %s: got seq %d; want %d", e.Device, e.Got, e.Want)
}

// Is makes errors.Is(err, ErrGap) true.
func (e *GapError) Is(target error) bool { return target == ErrGap }
