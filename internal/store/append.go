package store

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
)

// Change is a local edit of one record.
type Change struct {
	// Record is the record changed; uuid.Nil creates a new record (its id
	// is made by Append with uuid.NewV7).
	Record uuid.UUID
	// Register and County of the record; for an existing record they may
	// be empty and must otherwise match.
	Register, County string
	// Author is the user making the change; Role what that user may do.
	Author string
	Role   model.Role
	// Set holds the fields written; model.Null clears a field. Deleting
	// is setting model.FieldDeleted to true, undeleting to false.
	Set map[string]model.Value
	// Settle lists fields whose conflicts this change settles: the value
	// in Set (or, when absent, the current winner) replaces every
	// conflicting version.
	Settle []string
}

// Append validates ch, turns it into a signed op of this device and writes
// the op, the record's new state and its index entries in one durable
// transaction. It returns the new state. Validation failures return a
// *ValidationError (errors.As), ErrUnknownRegister, ErrForbidden or
// ErrDeleted, and store nothing.
func (s *Store) Append(ctx context.Context, ch Change) (oplog.State, error) {
	if err := ctx.Err(); err != nil {
		return oplog.State{}, err
	}
	st, err := s.appendLocked(ch)
	if err != nil {
		return oplog.State{}, err
	}
	s.emit(Event{Kind: Appended, Records: []uuid.UUID{st.Record}})
	return st, nil
}

// appendLocked is Append under the write lock.
func (s *Store) appendLocked(ch Change) (oplog.State, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed.Load() {
		return oplog.State{}, ErrClosed
	}
	now := s.clock.Now()
	seq := s.localSeq.Load() + 1
	var st oplog.State
	err := s.update(func(txn *badger.Txn) error {
		op, err := s.buildOp(txn, ch)
		if err != nil {
			return err
		}
		op.Seq = seq
		op.HLC = now
		hd, err := getHead(txn, s.device)
		if err != nil {
			return err
		}
		if hd.Seq != seq-1 {
			return fmt.Errorf("store: local log head %d; want %d", hd.Seq, seq-1)
		}
		op.Prev = hd.Hash
		op.Sign(s.priv)
		if err := storeOp(txn, &op, nil); err != nil {
			return err
		}
		if err := txn.Set(headKey(s.device), head{Seq: seq, Hash: op.Hash()}.encode()); err != nil {
			return err
		}
		rtxn := s.db.NewTransaction(false)
		defer rtxn.Discard()
		st, err = remerge(txn, rtxn, op.Record, []oplog.Op{op})
		return err
	})
	if err != nil {
		return oplog.State{}, err
	}
	s.localSeq.Store(seq)
	return st, nil
}

// buildOp validates ch against the record's current state and returns
// the op, without seq, time, chain and signature.
func (s *Store) buildOp(txn *badger.Txn, ch Change) (oplog.Op, error) {
	var cur oplog.State
	exists := false
	if ch.Record == uuid.Nil {
		id, err := uuid.NewV7()
		if err != nil {
			return oplog.Op{}, err
		}
		ch.Record = id
	} else {
		var err error
		cur, err = getState(txn, ch.Record)
		switch {
		case err == nil:
			exists = true
			if ch.Register != "" && ch.Register != cur.Register || ch.County != "" && ch.County != cur.County {
				return oplog.Op{}, fmt.Errorf("%w: record %s is %s/%s, not %s/%s",
					ErrBadOp, ch.Record, cur.Register, cur.County, ch.Register, ch.County)
			}
			ch.Register, ch.County = cur.Register, cur.County
		case !errors.Is(err, ErrNotFound):
			return oplog.Op{}, err
		}
	}
	sc := lookupSchema(ch.Register)
	if sc == nil {
		return oplog.Op{}, fmt.Errorf("%w %q", ErrUnknownRegister, ch.Register)
	}
	if ch.County == "" {
		return oplog.Op{}, &ValidationError{Errors: []model.FieldError{{Field: "county",
			Msg: model.Text{ZH: "缺少县（区）", EN: "county is missing"}}}}
	}
	set := make(map[string]model.Value, len(ch.Set)+2)
	for k, v := range ch.Set {
		set[k] = v
	}
	for _, f := range ch.Settle {
		if _, ok := set[f]; !ok {
			set[f] = cur.Value(f)
		}
	}

	// Deleted records take no change but undeleting.
	if cur.Deleted {
		if v, ok := set[model.FieldDeleted]; !ok || v != model.Bool(false) {
			return oplog.Op{}, fmt.Errorf("%w: record %s", ErrDeleted, ch.Record)
		}
	}

	// Status: a new record starts in the schema's initial status; a
	// change of status must be a transition the role may make.
	from := valueText(cur.Value(model.FieldStatus))
	if !exists {
		from = sc.Initial
		if _, ok := set[model.FieldStatus]; !ok && sc.Initial != "" {
			set[model.FieldStatus] = model.Str(sc.Initial)
		}
	}
	if v, ok := set[model.FieldStatus]; ok {
		to := valueText(v)
		if to != from {
			if err := transition(sc, from, to, ch.Role, set); err != nil {
				return oplog.Op{}, err
			}
		}
	}

	// Values, one by one.
	var errs []model.FieldError
	for k, v := range set {
		if fe := validateValue(sc, k, v, ch.Role); fe != nil {
			errs = append(errs, *fe)
		}
	}
	if len(errs) > 0 {
		sortFieldErrors(errs)
		return oplog.Op{}, &ValidationError{Errors: errs}
	}

	// The record as it will be, derived fields and all.
	rec := cur.Values()
	rec.Register, rec.County, rec.Now = ch.Register, ch.County, s.opts.Now()
	for k, v := range set {
		if v.IsNull() {
			delete(rec.Fields, k)
		} else {
			rec.Fields[k] = v
		}
	}
	if sc.Derive != nil {
		for k, v := range sc.Derive(rec) {
			if rec.Fields[k] != v {
				set[k] = v
				if v.IsNull() {
					delete(rec.Fields, k)
				} else {
					rec.Fields[k] = v
				}
			}
		}
	}
	deleted := rec.Fields[model.FieldDeleted] == model.Bool(true)
	if !deleted {
		if errs := sc.Validate(rec); len(errs) > 0 {
			return oplog.Op{}, &ValidationError{Errors: errs}
		}
	}

	op := oplog.Op{
		Device:   s.device,
		Record:   ch.Record,
		Register: ch.Register,
		County:   ch.County,
		Author:   ch.Author,
		Set:      set,
		Parent:   map[string][]oplog.OpID{},
	}
	for k := range set {
		if p := oplog.Parents(&cur, k, slices.Contains(ch.Settle, k)); len(p) > 0 {
			op.Parent[k] = p
		}
	}
	return op, nil
}

// storeOp writes op to the log and the record's op index; enc is its
// encodeOp form (nil: encode it here).
func storeOp(txn interface{ Set(k, v []byte) error }, op *oplog.Op, enc []byte) error {
	if enc == nil {
		var err error
		if enc, err = encodeOp(op); err != nil {
			return err
		}
	}
	if err := txn.Set(logKey(op.ID()), enc); err != nil {
		return err
	}
	return txn.Set(recordOpKey(op.Record, op.ID()), nil)
}
