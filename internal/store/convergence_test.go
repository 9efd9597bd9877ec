package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"
	"pgregory.net/rapid"

	"github.com/lantian-tz/lantian/internal/hlc"
	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
)

// TestConvergence: stores that make random creates, edits, concurrent
// edits, deletes, undeletes and settles, and exchange their ops in random
// subsets, orders and duplicates, end with equal states once every op is
// delivered, and each passes Check. More cases with -rapid.checks.
func TestConvergence(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	values := []model.Value{model.Str("甲"), model.Str("乙"), model.Str("丙"), model.Null}
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(3, 4).Draw(rt, "stores")
		stores := make([]*Store, n)
		for i := range stores {
			s, err := Open(Options{InMemory: true, Logger: quietLogger()})
			if err != nil {
				rt.Fatal(err)
			}
			defer s.Close()
			stores[i] = s
		}
		introduce(rt, stores...)
		var records []uuid.UUID
		// The server's stamps: one effective time per op, the same for
		// every store.
		stamps := map[oplog.OpID]Stamp{}
		steps := rapid.IntRange(1, 30).Draw(rt, "steps")
		for step := 0; step < steps; step++ {
			i := rapid.IntRange(0, n-1).Draw(rt, "store")
			s := stores[i]
			// Records this store knows.
			var known []oplog.State
			for _, r := range records {
				if st, err := s.Get(r); err == nil {
					known = append(known, st)
				}
			}
			action := rapid.IntRange(0, 6).Draw(rt, "action")
			if len(known) == 0 {
				action = 0
			}
			var ch Change
			switch action {
			case 0: // create
				ch = fx.create(len(records))
			case 1, 2: // edit, often concurrent with another store's edit
				st := known[rapid.IntRange(0, len(known)-1).Draw(rt, "record")]
				key := fx.textKeys[rapid.IntRange(0, 1).Draw(rt, "field")]
				ch = Change{Record: st.Record, Role: model.RoleGrid, Author: fmt.Sprint("u", i),
					Set: map[string]model.Value{key: rapid.SampledFrom(values).Draw(rt, "value")}}
			case 3: // delete or undelete
				st := known[rapid.IntRange(0, len(known)-1).Draw(rt, "record")]
				ch = Change{Record: st.Record, Role: model.RoleGrid,
					Set: map[string]model.Value{model.FieldDeleted: model.Bool(!st.Deleted)}}
			case 4: // settle a conflict
				var withConflict []oplog.State
				for _, st := range known {
					if len(st.Conflicts) > 0 && !st.Deleted {
						withConflict = append(withConflict, st)
					}
				}
				if len(withConflict) == 0 {
					continue
				}
				st := withConflict[rapid.IntRange(0, len(withConflict)-1).Draw(rt, "record")]
				c := st.Conflicts[rapid.IntRange(0, len(st.Conflicts)-1).Draw(rt, "conflict")]
				ch = Change{Record: st.Record, Role: model.RoleGrid, Settle: []string{c.Field},
					Set: map[string]model.Value{c.Field: c.Value}}
			case 5: // deliver a random subset of i's ops to another store
				j := rapid.IntRange(0, n-1).Draw(rt, "to")
				if j == i {
					continue
				}
				ops := allOps(rt, s)
				if len(ops) == 0 {
					continue
				}
				idx := rapid.SliceOfN(rapid.IntRange(0, len(ops)-1), 1, 2*len(ops)).Draw(rt, "ops")
				batch := make([]oplog.Op, len(idx))
				for k, x := range idx {
					batch[k] = ops[x]
				}
				if _, err := stores[j].Apply(ctx, batch); err != nil {
					rt.Fatalf("apply: %v", err)
				}
				continue
			case 6: // the server stamps some of i's ops
				ops := allOps(rt, s)
				if len(ops) == 0 {
					continue
				}
				var batch []Stamp
				for _, x := range rapid.SliceOfN(rapid.IntRange(0, len(ops)-1), 1, len(ops)).Draw(rt, "stamped") {
					op := ops[x]
					st, ok := stamps[op.ID()]
					if !ok {
						back := hlc.Timestamp(rapid.IntRange(0, 5000).Draw(rt, "back")) << 16
						st = Stamp{ID: op.ID(), Eff: op.HLC - min(back, op.HLC-1), ServerSeq: uint64(len(stamps) + 1)}
						stamps[op.ID()] = st
					}
					batch = append(batch, st)
				}
				if err := s.Stamp(ctx, batch); err != nil {
					rt.Fatalf("stamp: %v", err)
				}
				continue
			}
			st, err := s.Append(ctx, ch)
			if errors.Is(err, model.ErrDeleted) || errors.Is(err, model.ErrInvalid) && ch.Record != uuid.Nil {
				// Deleted, or only partly delivered here (an edit
				// whose create has not arrived): refused.
				continue
			}
			if err != nil {
				rt.Fatalf("append %+v: %v", ch, err)
			}
			if ch.Record == uuid.Nil {
				records = append(records, st.Record)
			}
		}
		// Every store learns every stamp (from the server, or with the
		// stamped copies of ops the exchange carries).
		var all []Stamp
		for _, st := range stamps {
			all = append(all, st)
		}
		for _, s := range stores {
			if err := s.Stamp(ctx, all); err != nil {
				rt.Fatalf("stamp: %v", err)
			}
		}
		exchange(rt, stores...)
		for _, r := range records {
			want, err := stores[0].Get(r)
			if err != nil {
				rt.Fatalf("store 0: %v", err)
			}
			for i, s := range stores[1:] {
				got, err := s.Get(r)
				if err != nil {
					rt.Fatalf("store %d: %v", i+1, err)
				}
				if !reflect.DeepEqual(got, want) {
					rt.Fatalf("record %s differs:\nstore %d: %+v\nstore 0: %+v", r, i+1, got, want)
				}
			}
		}
		for i, s := range stores {
			if err := s.Check(ctx); err != nil {
				rt.Fatalf("store %d: %v", i, err)
			}
			held, err := countHeld(s)
			if err != nil || held != 0 {
				rt.Fatalf("store %d: %d ops still held, %v; want 0", i, held, err)
			}
		}
	})
}

// countHeld counts the ops held for a missing predecessor.
func countHeld(s *Store) (int, error) {
	n := 0
	err := s.view(func(txn *badger.Txn) error {
		n = countPrefix(txn, []byte{pfxPending})
		return nil
	})
	return n, err
}
