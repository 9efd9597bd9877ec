package oplog

import (
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/model"
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

// The codes of the *model.Error values that wrap oplog's chain and
// signature errors.
const (
	codeGap          = "gap"
	codeBrokenChain  = "broken_chain"
	codeBadSignature = "bad_signature"
)

// chainError is an error of kind model.ErrChain with code and cause err
// (a *GapError, or an error wrapping ErrBrokenChain).
func chainError(code string, err error) error {
	return &model.Error{Kind: model.ErrChain, Code: code, Err: err}
}

// sigError is an error of kind model.ErrSignature whose cause wraps
// ErrBadSignature.
func sigError(format string, args ...any) error {
	return &model.Error{Kind: model.ErrSignature, Code: codeBadSignature,
		Err: fmt.Errorf("%w: "+format, append([]any{ErrBadSignature}, args...)...)}
}

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
