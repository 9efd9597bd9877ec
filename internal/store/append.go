package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

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
	// Now is the time of the change as its user sees it (created_at,
	// reviewed_at, "not in the future"); zero means the store's clock.
	Now time.Time
}

// Append validates ch, turns it into a signed op of this device and writes
// the op, the record's new state and its index entries in one durable
// transaction. It returns the new state. A change model.Admit refuses
// returns its *model.Error (joined per field; model.FieldErrors lists
// them, errors.Is with model.ErrInvalid, ErrForbidden, ErrDeleted,
// ErrSchema or ErrScope tells the kind) and stores nothing.
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

// buildOp puts ch to model.Admit against the record's current state and
// returns the op it admits, without seq, time, chain and signature.
func (s *Store) buildOp(txn *badger.Txn, ch Change) (oplog.Op, error) {
	var cur oplog.State
	var curRec *model.Record
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
			r := cur.Values()
			curRec = &r
		case !errors.Is(err, ErrNotFound):
			return oplog.Op{}, err
		}
	}
	now := ch.Now
	if now.IsZero() {
		now = s.opts.Now()
	}
	set := ch.Set
	if len(ch.Settle) > 0 {
		set = make(map[string]model.Value, len(ch.Set)+len(ch.Settle))
		for k, v := range ch.Set {
			set[k] = v
		}
		for _, f := range ch.Settle {
			if _, ok := set[f]; !ok {
				set[f] = cur.Value(f)
			}
		}
	}
	// The device writes only in the scope it is enrolled for, and its
	// user's role goes no higher than the device's, as the server will
	// judge its ops (both unknown before enrollment).
	en, err := enrolledAs(txn, s.device)
	if err != nil {
		return oplog.Op{}, err
	}
	ad, err := model.Admit(nil, curRec, model.Change{
		Register: ch.Register, County: ch.County, Set: set,
		Author: model.Author{Name: ch.Author, Role: ch.Role.CappedBy(en.Role), County: en.County, Province: en.Province},
		Now:    now,
	})
	if err != nil {
		return oplog.Op{}, err
	}
	op := oplog.Op{
		Device:   s.device,
		Record:   ch.Record,
		Register: ad.Register,
		County:   ad.County,
		Author:   ch.Author,
		Set:      ad.Set,
		Parent:   map[string][]oplog.OpID{},
	}
	for k := range ad.Set {
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
