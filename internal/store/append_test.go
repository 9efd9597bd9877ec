package store

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/model"
)

func TestAppendRefused(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	fx := newFixture(t)
	existing, err := s.Append(ctx, fx.create(0))
	if err != nil {
		t.Fatalf("Append: %v", err)
	}
	deleted, err := s.Append(ctx, fx.create(1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(ctx, Change{Record: deleted.Record, Role: model.RoleGrid, Set: map[string]model.Value{model.FieldDeleted: model.Bool(true)}}); err != nil {
		t.Fatalf("delete: %v", err)
	}
	var anyRequired string
	for k := range fx.base {
		if f, ok := fx.sc.Field(k); ok && f.Required {
			anyRequired = k
		}
	}
	if anyRequired == "" {
		anyRequired = fx.sc.TitleField
	}
	without := fx.create(2)
	delete(without.Set, anyRequired)
	withField := func(k string, v model.Value) Change {
		ch := fx.create(3)
		ch.Set[k] = v
		return ch
	}
	tests := []struct {
		name  string
		ch    Change
		is    error
		field string // the field the error names, "" for none
	}{
		{"unknown register", Change{Register: "no_such_register", County: testCounty, Set: map[string]model.Value{}}, model.ErrSchema, ""},
		{"unknown field", withField("no_such_field", model.Str("x")), model.ErrInvalid, "no_such_field"},
		{"wrong type", withField(fx.textKeys[0], model.Int(42)), model.ErrInvalid, fx.textKeys[0]},
		{"missing required", without, model.ErrInvalid, anyRequired},
		{"forbidden transition", Change{Record: existing.Record, Role: model.RoleGrid,
			Set: map[string]model.Value{model.FieldStatus: model.Str(fx.forbid)}}, model.ErrForbidden, model.FieldStatus},
		{"edit deleted", Change{Record: deleted.Record, Role: model.RoleGrid,
			Set: map[string]model.Value{fx.textKeys[0]: model.Str("新")}}, model.ErrDeleted, ""},
		{"move county", Change{Record: existing.Record, County: "130123", Role: model.RoleCounty,
			Set: map[string]model.Value{fx.textKeys[0]: model.Str("新")}}, model.ErrScope, "county"},
	}
	seq := s.LocalSeq()
	count := countAll(t, s)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Append(ctx, tt.ch)
			if !errors.Is(err, tt.is) {
				t.Fatalf("got %v; want %v", err, tt.is)
			}
			if tt.field != "" && !errors.Is(err, &model.Error{Kind: model.KindOf(err), Field: tt.field}) {
				t.Fatalf("got %v; want an error naming %s", err, tt.field)
			}
			if got := s.LocalSeq(); got != seq {
				t.Fatalf("LocalSeq = %d; want %d", got, seq)
			}
			if got := countAll(t, s); got != count {
				t.Fatalf("Count = %d; want %d", got, count)
			}
		})
	}
	if err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}
}

// countAll counts every record, deleted ones included.
func countAll(t testing.TB, s *Store) int {
	t.Helper()
	n, err := s.Count(Query{IncludeDeleted: true})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAppendAndHistory(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	fx := newFixture(t)
	st, err := s.Append(ctx, fx.create(7))
	if err != nil {
		t.Fatal(err)
	}
	if st.Record == uuid.Nil || st.Register != fx.sc.Name || st.County != fx.county {
		t.Fatalf("new state %v %s/%s; want an id and %s/%s", st.Record, st.Register, st.County, fx.sc.Name, fx.county)
	}
	if got, want := st.Value(model.FieldStatus), model.Str(fx.sc.Initial); got != want {
		t.Fatalf("status = %s; want %s", got, want)
	}
	key := fx.textKeys[0]
	edits := []model.Value{model.Str("一"), model.Str("二"), model.Null, model.Str("三")}
	for _, v := range edits {
		st, err = s.Append(ctx, Change{Record: st.Record, Author: "李", Role: model.RoleGrid, Set: map[string]model.Value{key: v}})
		if err != nil {
			t.Fatalf("edit %s: %v", v, err)
		}
		if got := st.Value(key); got != v {
			t.Fatalf("after edit: %s = %s; want %s", key, got, v)
		}
	}
	if st, err = s.Append(ctx, fx.advance(st.Record)); err != nil {
		t.Fatalf("transition to %s: %v", fx.next, err)
	}
	if got, want := st.Value(model.FieldStatus), model.Str(fx.next); got != want {
		t.Fatalf("status = %s; want %s", got, want)
	}
	got, err := s.Get(st.Record)
	if err != nil {
		t.Fatal(err)
	}
	if got.Ops != st.Ops || got.Value(key) != edits[len(edits)-1] {
		t.Fatalf("Get = %d ops, %s; want %d ops, %s", got.Ops, got.Value(key), st.Ops, edits[len(edits)-1])
	}

	// The log is gap-free and chained.
	ops, err := s.Ops(s.Device(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i, op := range ops {
		if op.Seq != uint64(i+1) {
			t.Fatalf("op %d has seq %d; want %d", i, op.Seq, i+1)
		}
	}
	if got, want := s.LocalSeq(), uint64(len(ops)); got != want {
		t.Fatalf("LocalSeq = %d; want %d", got, want)
	}

	// History shows each edit's old and new value.
	h, err := s.History(st.Record)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != len(ops) {
		t.Fatalf("history has %d entries; want %d", len(h), len(ops))
	}
	prev := model.Null
	for i, v := range edits {
		e := h[i+1]
		var ch *FieldChange
		for j := range e.Changes {
			if e.Changes[j].Field == key {
				ch = &e.Changes[j]
			}
		}
		if ch == nil || ch.Old != prev || ch.New != v {
			t.Fatalf("history entry %d: %+v; want %s: %s → %s", i+1, e.Changes, key, prev, v)
		}
		prev = v
	}
	if err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestDeleteUndelete(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	fx := newFixture(t)
	st, err := s.Append(ctx, fx.create(1))
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		set         map[string]model.Value
		wantDeleted bool
		wantCount   int
	}{
		{map[string]model.Value{model.FieldDeleted: model.Bool(true)}, true, 0},
		{map[string]model.Value{model.FieldDeleted: model.Bool(false), fx.textKeys[0]: model.Str("恢复")}, false, 1},
	}
	for i, step := range steps {
		st, err = s.Append(ctx, Change{Record: st.Record, Role: model.RoleGrid, Set: step.set})
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if st.Deleted != step.wantDeleted {
			t.Fatalf("step %d: Deleted = %v; want %v", i, st.Deleted, step.wantDeleted)
		}
		n, err := s.Count(Query{Register: fx.sc.Name, County: fx.county})
		if err != nil || n != step.wantCount {
			t.Fatalf("step %d: Count = %d, %v; want %d", i, n, err, step.wantCount)
		}
	}
}
