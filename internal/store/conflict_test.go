package store

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/lantian-tz/lantian/internal/hlc"
	"github.com/lantian-tz/lantian/model"
)

// openMemAt opens an in-memory store whose wall clock is now.
func openMemAt(t testing.TB, now func() time.Time) *Store {
	t.Helper()
	s, err := Open(Options{InMemory: true, Logger: quietLogger(), Now: now, SkewTolerance: 365 * 24 * time.Hour})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// exchange applies every op of each store to every other.
func exchange(t tester, stores ...*Store) {
	t.Helper()
	for _, from := range stores {
		ops := allOps(t, from)
		for _, to := range stores {
			if to != from {
				if _, err := to.Apply(context.Background(), ops); err != nil {
					t.Fatalf("apply %d ops: %v", len(ops), err)
				}
			}
		}
	}
}

func TestConcurrentEditsConflictAndSettle(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	a, b := openMem(t), openMem(t)
	introduce(t, a, b)
	st, err := a.Append(ctx, fx.create(1))
	if err != nil {
		t.Fatal(err)
	}
	exchange(t, a, b)
	key := fx.textKeys[0]
	edit := func(s *Store, v string, settle bool) {
		t.Helper()
		ch := Change{Record: st.Record, Author: v, Role: model.RoleGrid, Set: map[string]model.Value{key: model.Str(v)}}
		if settle {
			ch.Settle = []string{key}
		}
		if _, err := s.Append(ctx, ch); err != nil {
			t.Fatal(err)
		}
	}
	edit(a, "甲的值", false)
	edit(b, "乙的值", false)
	exchange(t, a, b)
	ga, err := a.Get(st.Record)
	if err != nil {
		t.Fatal(err)
	}
	gb, err := b.Get(st.Record)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ga, gb) {
		t.Fatalf("states differ:\na %+v\nb %+v", ga, gb)
	}
	if len(ga.Conflicts) != 1 || ga.Conflicts[0].Field != key {
		t.Fatalf("conflicts = %+v; want one on %s", ga.Conflicts, key)
	}
	lost := ga.Conflicts[0].Value
	if win := ga.Value(key); win == lost || (win != model.Str("甲的值") && win != model.Str("乙的值")) {
		t.Fatalf("winner %s, loser %s; want the two edits", win, lost)
	}

	edit(b, "商定的值", true)
	exchange(t, a, b)
	for _, s := range []*Store{a, b} {
		g, err := s.Get(st.Record)
		if err != nil {
			t.Fatal(err)
		}
		if len(g.Conflicts) != 0 || g.Value(key) != model.Str("商定的值") {
			t.Fatalf("after settling: %s with conflicts %+v; want 商定的值 and none", g.Value(key), g.Conflicts)
		}
		if err := s.Check(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

func TestStampChangesWinner(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	base := time.Date(2024, 11, 20, 9, 0, 0, 0, time.UTC)
	// a's clock runs a day ahead; b's is right.
	a := openMemAt(t, func() time.Time { return base.Add(24 * time.Hour) })
	bClock := &testClock{t: base}
	b := openMemAt(t, bClock.now)
	introduce(t, a, b)
	st, err := b.Append(ctx, fx.create(1))
	if err != nil {
		t.Fatal(err)
	}
	exchange(t, a, b)
	key := fx.textKeys[0]
	for _, e := range []struct {
		s *Store
		v string
	}{{a, "快钟"}, {b, "准钟"}} {
		// a edits at base (by its clock, base+24h); b ten minutes later.
		bClock.t = base.Add(10 * time.Minute)
		if _, err := e.s.Append(ctx, Change{Record: st.Record, Role: model.RoleGrid, Set: map[string]model.Value{key: model.Str(e.v)}}); err != nil {
			t.Fatal(err)
		}
	}
	exchange(t, a, b)
	for _, s := range []*Store{a, b} {
		g, _ := s.Get(st.Record)
		if g.Value(key) != model.Str("快钟") {
			t.Fatalf("before stamps: %s; want the fast clock's value to win", g.Value(key))
		}
	}

	// The server received a's ops at base and b's as they were made:
	// the effective time is min(hlc, receipt + 5 minutes).
	var stamps []Stamp
	seq := uint64(0)
	for _, s := range []*Store{a, b} {
		ops, err := s.Ops(s.Device(), 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, op := range ops {
			seq++
			receipt := base
			if s == b {
				receipt = op.HLC.Time()
			}
			eff := min(op.HLC, hlc.Make(receipt.Add(5*time.Minute).UnixMilli(), 0))
			stamps = append(stamps, Stamp{ID: op.ID(), Eff: eff, ServerSeq: seq})
		}
	}
	var states []any
	for _, s := range []*Store{a, b} {
		if err := s.Stamp(ctx, stamps); err != nil {
			t.Fatal(err)
		}
		g, err := s.Get(st.Record)
		if err != nil {
			t.Fatal(err)
		}
		if g.Value(key) != model.Str("准钟") {
			t.Fatalf("after stamps: %s; want 准钟 (the later effective time)", g.Value(key))
		}
		if err := s.Check(ctx); err != nil {
			t.Fatal(err)
		}
		states = append(states, g)
	}
	if !reflect.DeepEqual(states[0], states[1]) {
		t.Fatalf("states differ after stamps:\na %+v\nb %+v", states[0], states[1])
	}
}
