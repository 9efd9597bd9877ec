package store

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
)

// TestSentinelKinds: the store's sentinels are matched, wrapped as the
// store wraps them, by themselves and by their kind, and not by another
// sentinel of the same kind.
func TestSentinelKinds(t *testing.T) {
	tests := []struct {
		err   error
		kind  model.ErrorKind
		other error // a sentinel of the same kind it must not match
	}{
		{ErrNotFound, model.ErrNotFound, ErrUnknownDevice},
		{ErrUnknownDevice, model.ErrNotFound, ErrNotFound},
		{ErrClosed, model.ErrStorage, ErrCheck},
		{ErrCheck, model.ErrStorage, ErrClosed},
		{ErrBadSignature, model.ErrSignature, nil},
		{ErrBrokenChain, model.ErrChain, ErrEquivocation},
		{ErrEquivocation, model.ErrChain, ErrBrokenChain},
		{ErrWrongPassphrase, model.ErrPassphrase, ErrPassphraseRequired},
		{ErrPassphraseRequired, model.ErrPassphrase, ErrNotEncrypted},
		{ErrNotEncrypted, model.ErrPassphrase, ErrWrongPassphrase},
		{ErrBadBlob, model.ErrBadInput, nil},
	}
	for _, tt := range tests {
		t.Run(tt.err.Error(), func(t *testing.T) {
			err := &OpError{ID: oplog.OpID{Device: uuid.New(), Seq: 3}, Err: fmt.Errorf("%w: detail: %w", tt.err, oplog.ErrBadSignature)}
			if !errors.Is(err, tt.err) || !errors.Is(err, tt.kind) || model.KindOf(err) != tt.kind {
				t.Errorf("%v: got kind %v; want %v matching its sentinel", err, model.KindOf(err), tt.kind)
			}
			if tt.other != nil && errors.Is(err, tt.other) {
				t.Errorf("%v matches %v; want not", err, tt.other)
			}
			if !errors.Is(err, oplog.ErrBadSignature) {
				t.Errorf("%v: lost the wrapped cause", err)
			}
		})
	}
}
