package store

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/hlc"
	"github.com/lantian-tz/lantian/model"
)

// Stamping gives every record the state Merge gives its stamped ops,
// whether Stamp takes its fast path (a record of one op) or re-merges
// (edited records, conflicts, ops stamped in several batches or again);
// Check compares every state with Merge of the record's stored ops.
func TestStampFastPathEqualsMerge(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	base := time.Date(2024, 11, 20, 9, 0, 0, 0, time.UTC)
	clock := &testClock{t: base}
	a := openMemAt(t, clock.now)
	b := openMemAt(t, clock.now)
	introduce(t, a, b)
	key := fx.textKeys[0]
	var recs []uuid.UUID
	create := func(s *Store, i int) uuid.UUID {
		t.Helper()
		clock.t = clock.t.Add(time.Second)
		st, err := s.Append(ctx, fx.create(i))
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, st.Record)
		return st.Record
	}
	edit := func(s *Store, rec uuid.UUID, v string) {
		t.Helper()
		clock.t = clock.t.Add(time.Second)
		if _, err := s.Append(ctx, Change{Record: rec, Role: model.RoleGrid, Set: map[string]model.Value{key: model.Str(v)}}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 5 {
		create(a, i) // one op each: the fast path
	}
	edited := create(a, 10)
	edit(a, edited, "改过")
	contested := create(b, 11)
	exchange(t, a, b)
	edit(a, contested, "甲")
	edit(b, contested, "乙")
	exchange(t, a, b)

	// The server stamps a's ops in two batches, the effective time of
	// some well before their HLC (a's clock ran ahead), then restamps the
	// first batch as a replayed push would.
	ops, err := a.Ops(a.Device(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var stamps []Stamp
	for i, op := range ops {
		eff := op.HLC
		if i%2 == 0 {
			eff = hlc.Make(op.HLC.Time().Add(-time.Hour).UnixMilli(), 0)
		}
		stamps = append(stamps, Stamp{ID: op.ID(), Eff: eff, ServerSeq: uint64(100 + i)})
	}
	half := len(stamps) / 2
	for _, batch := range [][]Stamp{stamps[:half], stamps[half:], stamps[:half]} {
		if err := a.Stamp(ctx, batch); err != nil {
			t.Fatal(err)
		}
		if err := a.Check(ctx); err != nil {
			t.Fatalf("check after stamping: %v", err)
		}
	}
	if n := a.restamped.Load(); n == 0 {
		t.Fatal("Stamp never took its fast path")
	}
	if n := a.sameTime.Load(); n == 0 {
		t.Fatal("no stamp left a compared time unchanged")
	}

	// b receives the stamped ops as a pull would give them; every record
	// must read the same on both, and equal Merge of its stored ops.
	stamped, err := a.Ops(a.Device(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Apply(ctx, stamped); err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs {
		ga, err := a.Get(rec)
		if err != nil {
			t.Fatal(err)
		}
		gb, err := b.Get(rec)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(ga, gb) {
			t.Errorf("record %s differs:\na %+v\nb %+v", rec, ga, gb)
		}
		for _, op := range stamped {
			if op.Record == rec && ga.Ops == 1 && ga.Created != op.Eff {
				t.Errorf("record %s: created %v; want the stamp %v", rec, ga.Created, op.Eff)
			}
		}
	}
}
