package oplog

import (
	"fmt"

	"github.com/google/uuid"
)

// CheckShape checks what every op must satisfy whatever its context: a
// device and record id, seq ≥ 1, a register, at least one field written,
// field keys non-empty, parents only for fields written and none listed
// twice, and the size limits. It returns an error wrapping ErrMalformed
// that names the first problem found.
func (o *Op) CheckShape() error {
	switch {
	case o.Device == uuid.Nil:
		return fmt.Errorf("%w: device id is zero", ErrMalformed)
	case o.Record == uuid.Nil:
		return fmt.Errorf("%w: op %s: record id is zero", ErrMalformed, o.ID())
	case o.Seq == 0:
		return fmt.Errorf("%w: op of device %s has seq 0; seqs start at 1", ErrMalformed, o.Device)
	case o.HLC == 0:
		return fmt.Errorf("%w: op %s: hlc is zero", ErrMalformed, o.ID())
	case o.Register == "":
		return fmt.Errorf("%w: op %s: register is empty", ErrMalformed, o.ID())
	case len(o.Set) == 0:
		return fmt.Errorf("%w: op %s sets no field", ErrMalformed, o.ID())
	case o.Seq == 1 && o.Prev != (Hash{}):
		return fmt.Errorf("%w: op %s is its device's first but names a previous hash", ErrMalformed, o.ID())
	case o.Seq > 1 && o.Prev == (Hash{}):
		return fmt.Errorf("%w: op %s has no previous hash", ErrMalformed, o.ID())
	}
	if _, ok := o.Set[""]; ok {
		return fmt.Errorf("%w: op %s sets a field with an empty key", ErrMalformed, o.ID())
	}
	for k, ps := range o.Parent {
		for _, p := range ps {
			if p.Device == uuid.Nil || p.Seq == 0 {
				return fmt.Errorf("%w: op %s: field %q has parent %s, not an op id", ErrMalformed, o.ID(), k, p)
			}
		}
	}
	if err := o.checkEncodable(); err != nil {
		return fmt.Errorf("op %s: %w", o.ID(), err)
	}
	return nil
}
