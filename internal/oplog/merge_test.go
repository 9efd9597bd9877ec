package oplog

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"pgregory.net/rapid"

	"github.com/lantian-tz/lantian/internal/hlc"
	"github.com/lantian-tz/lantian/model"
)

// mergeEveryOrder merges ops in every order, and with every op delivered
// twice, failing unless all results are deeply equal; it returns the result.
func mergeEveryOrder(t *testing.T, ops []Op) State {
	t.Helper()
	want := Merge(ops)
	idx := make([]int, len(ops))
	for i := range idx {
		idx[i] = i
	}
	permute(idx, 0, func(p []int) {
		in := make([]Op, 0, 2*len(p))
		for _, i := range p {
			in = append(in, ops[i])
		}
		if got := Merge(in); !reflect.DeepEqual(got, want) {
			t.Fatalf("order %v: got %+v; want %+v", p, got, want)
		}
		in = append(in, in...)
		if got := Merge(in); !reflect.DeepEqual(got, want) {
			t.Fatalf("order %v twice: got %+v; want %+v", p, got, want)
		}
	})
	return want
}

func permute(a []int, k int, f func([]int)) {
	if k == len(a) {
		f(a)
		return
	}
	for i := k; i < len(a); i++ {
		a[k], a[i] = a[i], a[k]
		permute(a, k+1, f)
		a[k], a[i] = a[i], a[k]
	}
}

// values returns the winning value of every field, decoded text.
func values(s State) map[string]string {
	out := map[string]string{}
	for k, f := range s.Fields {
		out[k] = string(f.Value)
	}
	return out
}

// conflicts returns field:version of every conflict, in order.
func conflicts(s State) []string {
	var out []string
	for _, c := range s.Conflicts {
		out = append(out, c.Field+"="+string(c.Value)+"@"+c.Version.String())
	}
	return out
}

func with(o Op, f func(*Op)) Op { f(&o); return o }

func TestMerge(t *testing.T) {
	day := int64(24 * 3600 * 1000)
	a1 := editOp(devA, 1, ts(10, 0), "x", "1")
	a2 := editOp(devA, 2, ts(20, 0), "x", "2", id(devA, 1))
	b1 := editOp(devB, 1, ts(30, 0), "x", "3", id(devA, 2))
	bConc := editOp(devB, 1, ts(15, 0), "x", "b", id(devA, 1))
	aConc := editOp(devA, 2, ts(12, 0), "x", "a", id(devA, 1))
	create := with(editOp(devA, 1, ts(10, 0), "name", "farm"), func(o *Op) { o.Set[model.FieldDeleted] = model.Bool(false) })
	del := with(editOp(devA, 2, ts(20, 0), model.FieldDeleted, "", id(devA, 1)), func(o *Op) { o.Set[model.FieldDeleted] = model.Bool(true) })
	editRace := editOp(devB, 1, ts(30, 0), "name", "renamed", id(devA, 1))
	undel := with(editOp(devC, 1, ts(40, 0), model.FieldDeleted, "", id(devA, 2)), func(o *Op) { o.Set[model.FieldDeleted] = model.Bool(false) })
	// A tablet three days ahead writes before an honest device does, an
	// hour later in real time, concurrently.
	ahead := editOp(devB, 1, ts(3*day, 0), "x", "ahead", id(devA, 1))
	honest := editOp(devA, 2, ts(3600_000, 0), "x", "honest", id(devA, 1))
	receipt := ts(0, 0).Time().Add(time.Second)
	aheadEff := with(ahead, func(o *Op) { o.Eff = EffectiveTime(o.HLC, receipt, DefaultTolerance) })
	honestEff := with(honest, func(o *Op) { o.Eff = EffectiveTime(o.HLC, o.HLC.Time().Add(time.Second), DefaultTolerance) })
	// A tablet three days behind overwrites what it saw, and loses what it
	// did not see.
	behindSaw := editOp(devB, 1, ts(-3*day, 0), "x", "behind", id(devA, 1))
	behindBlind := editOp(devB, 1, ts(-3*day, 0), "x", "behind")

	tests := []struct {
		name          string
		ops           []Op
		wantValues    map[string]string
		wantConflicts []string
		wantDeleted   bool
	}{
		{"sequential edits", []Op{a1, a2, b1}, map[string]string{"x": `"3"`}, nil, false},
		{"concurrent edits keep a conflict", []Op{a1, aConc, bConc}, map[string]string{"x": `"b"`},
			[]string{`x="a"@` + id(devA, 2).String()}, false},
		{"equal times break on device", []Op{a1, with(aConc, func(o *Op) { o.HLC = ts(15, 0) }), bConc},
			map[string]string{"x": `"b"`}, []string{`x="a"@` + id(devA, 2).String()}, false},
		{"concurrent writes without parents", []Op{editOp(devA, 1, ts(9, 0), "x", "a"), editOp(devB, 1, ts(5, 0), "x", "b")},
			map[string]string{"x": `"a"`}, []string{`x="b"@` + id(devB, 1).String()}, false},
		{"settle removes the conflict", []Op{a1, aConc, bConc, editOp(devC, 1, ts(16, 0), "x", "s", id(devA, 2), id(devB, 1))},
			map[string]string{"x": `"s"`}, nil, false},
		{"settle by a behind clock still settles", []Op{a1, aConc, bConc, editOp(devC, 1, ts(1, 0), "x", "s", id(devA, 2), id(devB, 1))},
			map[string]string{"x": `"s"`}, nil, false},
		{"overwriting only the winner keeps the conflict", []Op{a1, aConc, bConc, editOp(devC, 1, ts(16, 0), "x", "w", id(devB, 1))},
			map[string]string{"x": `"w"`}, []string{`x="a"@` + id(devA, 2).String()}, false},
		{"delete wins over a racing edit", []Op{create, del, editRace},
			map[string]string{"name": `"renamed"`, model.FieldDeleted: "true"}, nil, true},
		{"undelete by writing false", []Op{create, del, editRace, undel},
			map[string]string{"name": `"renamed"`, model.FieldDeleted: "false"}, nil, false},
		{"clearing keeps the field", []Op{a1, with(editOp(devA, 2, ts(20, 0), "x", "", id(devA, 1)), func(o *Op) { o.Set["x"] = model.Null })},
			map[string]string{"x": ""}, nil, false},
		{"device days ahead wins on raw hlc", []Op{a1, ahead, honest},
			map[string]string{"x": `"ahead"`}, []string{`x="honest"@` + id(devA, 2).String()}, false},
		{"device days ahead loses once stamped", []Op{a1, aheadEff, honestEff},
			map[string]string{"x": `"honest"`}, []string{`x="ahead"@` + id(devB, 1).String()}, false},
		{"device days behind overwrites what it saw", []Op{a1, behindSaw},
			map[string]string{"x": `"behind"`}, nil, false},
		{"device days behind loses a concurrent write", []Op{a1, behindBlind},
			map[string]string{"x": `"1"`}, []string{`x="behind"@` + id(devB, 1).String()}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mergeEveryOrder(t, tt.ops)
			if !reflect.DeepEqual(values(got), tt.wantValues) {
				t.Errorf("got values %v; want %v", values(got), tt.wantValues)
			}
			if !slices.Equal(conflicts(got), tt.wantConflicts) {
				t.Errorf("got conflicts %v; want %v", conflicts(got), tt.wantConflicts)
			}
			if got.Deleted != tt.wantDeleted {
				t.Errorf("got deleted %v; want %v", got.Deleted, tt.wantDeleted)
			}
		})
	}
}

func TestMergeRecordFacts(t *testing.T) {
	first := with(editOp(devB, 1, ts(10, 0), "x", "1"), func(o *Op) { o.Author = "creator"; o.County = "130126" })
	later := with(editOp(devA, 5, ts(50, 0), "y", "2"), func(o *Op) { o.Author = "editor"; o.County = "999999" })
	stampedDup := with(later, func(o *Op) { o.Eff = ts(40, 0) })
	got := mergeEveryOrder(t, []Op{later, first, stampedDup})
	want := State{
		Record: record, Register: "straw_patrol", County: "130126",
		Fields: map[string]FieldState{
			"x": {Value: model.Str("1"), Version: id(devB, 1), Time: ts(10, 0), Author: "creator"},
			"y": {Value: model.Str("2"), Version: id(devA, 5), Time: ts(40, 0), Author: "editor"},
		},
		Created: ts(10, 0), Updated: ts(40, 0), CreatedBy: "creator", Ops: 2,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v; want %+v", got, want)
	}
	if got := Merge(nil); got.Ops != 0 || got.Fields == nil {
		t.Errorf("got %+v for no ops; want an empty state with a Fields map", got)
	}
}

func TestParents(t *testing.T) {
	st := Merge([]Op{
		editOp(devA, 1, ts(10, 0), "x", "1"),
		editOp(devB, 1, ts(20, 0), "x", "2"),
		editOp(devC, 1, ts(5, 0), "x", "3"),
		editOp(devA, 2, ts(30, 0), "y", "1"),
	})
	tests := []struct {
		name   string
		s      *State
		field  string
		settle bool
		want   []OpID
	}{
		{"winner only", &st, "x", false, []OpID{id(devB, 1)}},
		{"settling lists every head", &st, "x", true, []OpID{id(devA, 1), id(devB, 1), id(devC, 1)}},
		{"field without conflict", &st, "y", true, []OpID{id(devA, 2)}},
		{"field never written", &st, "z", false, nil},
		{"no state", nil, "x", true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Parents(tt.s, tt.field, tt.settle); !slices.Equal(got, tt.want) {
				t.Errorf("got %v; want %v", got, tt.want)
			}
		})
	}
}

// TestMergeOne checks Merge's one-op path against the general one on any
// op: its parents may name other ops, itself, or fields it does not set.
func TestMergeOne(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		o := Op{
			Device: rapid.SampledFrom([]uuid.UUID{devA, devB}).Draw(t, "device"),
			Seq:    rapid.Uint64Range(1, 5).Draw(t, "seq"),
			HLC:    ts(rapid.Int64Range(0, 10).Draw(t, "wall"), 0),
			Record: record, Register: "straw_patrol", County: "130126",
			Author: rapid.SampledFrom([]string{"", "王", "李"}).Draw(t, "author"),
			Set:    map[string]model.Value{},
			Parent: map[string][]OpID{},
		}
		if rapid.Bool().Draw(t, "stamped") {
			o.Eff = ts(rapid.Int64Range(0, 10).Draw(t, "eff"), 1)
		}
		for _, k := range rapid.SliceOfDistinct(rapid.SampledFrom([]string{"a", "b", "c", model.FieldDeleted}), rapid.ID[string]).Draw(t, "fields") {
			o.Set[k] = rapid.SampledFrom([]model.Value{model.Null, model.Str("x"), model.Bool(true), model.Bool(false)}).Draw(t, "value")
			for _, p := range rapid.SliceOfN(rapid.SampledFrom([]OpID{o.ID(), id(devA, 1), id(devB, 2)}), 0, 3).Draw(t, "parents") {
				o.Parent[k] = append(o.Parent[k], p)
			}
		}
		got := Merge([]Op{o, o})
		want := got
		want.Fields, want.Conflicts = map[string]FieldState{}, nil
		mergeFields(&want, []*Op{&o})
		want.Deleted = want.Fields[model.FieldDeleted].Value == model.Bool(true)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("Merge = %+v; general merge = %+v", got, want)
		}
	})
}

// TestMergeCausalityBeatsClocks is the tablet whose clock reads 1970: it
// saw the field's value (B, which won over an unsettled C) and edited it.
// Its edit wins over B and over C, whatever its clock said, on every
// replica in every order; C stays a conflict for a person to settle. An
// edit concurrent with B (it saw neither) keeps the rule of times.
func TestMergeCausalityBeatsClocks(t *testing.T) {
	epoch := hlc.Make(5, 0) // the 1970 clock
	c := editOp(devA, 1, ts(1000, 0), "village", "张村")
	b := editOp(devB, 1, ts(2000, 0), "village", "李村")
	before := mergeEveryOrder(t, []Op{c, b})
	if got := values(before)["village"]; got != string(model.Str("李村")) {
		t.Fatalf("before the edit: got %s; want 李村 (the later of two concurrent writes)", got)
	}
	e := editOp(devC, 1, epoch, "village", "王村", id(devB, 1))
	st := mergeEveryOrder(t, []Op{c, b, e})
	if got := values(st)["village"]; got != string(model.Str("王村")) {
		t.Errorf("the 1970 edit of the value it saw: got %s; want 王村", got)
	}
	if got := st.Conflicts; len(got) != 1 || got[0].Value != model.Str("张村") {
		t.Errorf("conflicts: got %v; want the unsettled 张村 only", conflicts(st))
	}
	// Stamped by the server (Eff), the same holds.
	stamped := []Op{with(c, func(o *Op) { o.Eff = o.HLC }), with(b, func(o *Op) { o.Eff = o.HLC }), with(e, func(o *Op) { o.Eff = o.HLC })}
	if got := values(mergeEveryOrder(t, stamped))["village"]; got != string(model.Str("王村")) {
		t.Errorf("stamped: got %s; want 王村", got)
	}
	// Chains of edits carry it on: an edit of the 1970 edit, made at a
	// time between C's and B's, still wins.
	f := editOp(devA, 2, ts(1500, 0), "village", "赵村", id(devC, 1))
	if got := values(mergeEveryOrder(t, []Op{c, b, e, f}))["village"]; got != string(model.Str("赵村")) {
		t.Errorf("an edit of the 1970 edit: got %s; want 赵村", got)
	}
	// A 1970 edit that saw nothing loses to both, as before.
	lone := editOp(devC, 1, epoch, "village", "王村")
	if got := values(mergeEveryOrder(t, []Op{c, b, lone}))["village"]; got != string(model.Str("李村")) {
		t.Errorf("a concurrent 1970 edit: got %s; want 李村", got)
	}
}
