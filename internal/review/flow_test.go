package review

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

func TestFlows(t *testing.T) {
	// submitted → approved / returned, per register.
	want := map[string][]string{
		"farm_coal_facility": {"pending_verify→unreplaced/returned", "replaced→accepted/in_progress"},
		"straw_patrol":       {"submitted→reviewed/returned"},
		"fire_point":         {"verified→reviewed/returned", "handled→reviewed/returned"},
		"livestock_farm":     {"filed→verified/returned"},
		"construction_site":  {"submitted→active/returned"},
		"site_inspection":    {"submitted→compliant/returned", "rectified→closed/rectifying"},
		"dustfall_monthly":   {"entered→approved/returned"},
		"ammonia_monitoring": {"entered→approved/returned"},
		"bare_ground":        {"treated→closed/returned"},
	}
	got := map[string][]string{}
	for _, f := range Flows() {
		for _, g := range f.Gates {
			got[f.Schema.Name] = append(got[f.Schema.Name], fmt.Sprintf("%s→%s/%s", g.Submitted, g.Approve.To, g.Return.To))
		}
	}
	for name, w := range want {
		if !reflect.DeepEqual(got[name], w) {
			t.Errorf("%s: got %v; want %v", name, got[name], w)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s: got gates %v; want none", name, got[name])
		}
	}
	for _, name := range []string{"straw_grid", "dustfall_point", "manure_use_log"} {
		if _, ok := FlowOf(name); ok {
			t.Errorf("%s: reviewable; want no review step", name)
		}
	}
}

// reopenSchema is a register whose approved records grid staff may send
// back to review by editing them.
func reopenSchema() *model.Schema {
	grid := []model.Role{model.RoleGrid, model.RoleCounty}
	rev := []model.Role{model.RoleCounty, model.RoleProvince}
	return &model.Schema{
		Name:     "test_register",
		Fields:   []model.Field{{Key: "note", Kind: model.KindText}},
		Statuses: []model.Status{{Key: "draft"}, {Key: "submitted"}, {Key: "returned"}, {Key: "approved"}},
		Initial:  "draft",
		Transitions: []model.Transition{
			{From: "draft", To: "submitted", Roles: grid},
			{From: "submitted", To: "approved", Roles: rev},
			{From: "submitted", To: "returned", Roles: rev, Comment: true},
			{From: "returned", To: "submitted", Roles: grid},
			{From: "approved", To: "submitted", Roles: grid},
		},
	}
}

// fakeStore keeps states in memory and, like the store, refuses status
// moves the role may not make.
type fakeStore struct {
	sc     *model.Schema
	states map[uuid.UUID]oplog.State
	ops    []store.Change
}

func (f *fakeStore) Get(id uuid.UUID) (oplog.State, error) {
	st, ok := f.states[id]
	if !ok {
		return st, store.ErrNotFound
	}
	return st, nil
}

func (f *fakeStore) List(store.Query) (store.Page, error) { return store.Page{}, nil }

func (f *fakeStore) Append(_ context.Context, ch store.Change) (oplog.State, error) {
	st := f.states[ch.Record]
	if v, ok := ch.Set[model.FieldStatus]; ok {
		to, _ := v.AsText()
		if from := statusOf(&st); from != to {
			if _, err := f.sc.Transition(from, to, ch.Role); err != nil {
				return oplog.State{}, fmt.Errorf("%w: %w", store.ErrForbidden, err)
			}
		}
	}
	for k, v := range ch.Set {
		st.Fields[k] = oplog.FieldState{Value: v}
	}
	st.Ops++
	f.states[ch.Record] = st
	f.ops = append(f.ops, ch)
	return st, nil
}

func TestEditReopensApproved(t *testing.T) {
	sc := reopenSchema()
	flow := NewFlow(sc)
	flowOf := func(string) (*Flow, bool) { return flow, true }
	id := uuid.New()
	tests := []struct {
		name       string
		status     string
		role       model.Role
		set        map[string]model.Value
		wantStatus string
		wantErr    error
	}{
		{"grid edit of approved reopens", "approved", model.RoleGrid, map[string]model.Value{"note": model.Str("改")}, "submitted", nil},
		{"county edit of approved stays", "approved", model.RoleCounty, map[string]model.Value{"note": model.Str("改")}, "approved", nil},
		{"grid edit of draft stays", "draft", model.RoleGrid, map[string]model.Value{"note": model.Str("改")}, "draft", nil},
		{"grid edit naming a status keeps it", "approved", model.RoleGrid,
			map[string]model.Value{"note": model.Str("改"), model.FieldStatus: model.Str("approved")}, "approved", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := &fakeStore{sc: sc, states: map[uuid.UUID]oplog.State{id: {Record: id, Register: sc.Name,
				Fields: map[string]oplog.FieldState{model.FieldStatus: {Value: model.Str(tt.status)}}}}}
			st, err := edit(context.Background(), fs, store.Change{Record: id, Author: "王网格", Role: tt.role, Set: tt.set}, flowOf)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err: got %v; want %v", err, tt.wantErr)
			}
			if got := statusOf(&st); got != tt.wantStatus {
				t.Errorf("status: got %q; want %q", got, tt.wantStatus)
			}
			if len(fs.ops) != 1 {
				t.Fatalf("ops: got %d; want 1 (edit and reopen in the same op)", len(fs.ops))
			}
			if got := fs.ops[0].Set["note"]; got != model.Str("改") {
				t.Errorf("edit lost: note is %s", got)
			}
		})
	}
}

func TestReopen(t *testing.T) {
	f := NewFlow(reopenSchema())
	tests := []struct {
		status, want string
		ok           bool
	}{
		{"approved", "submitted", true},
		{"submitted", "", false},
		{"draft", "", false},
	}
	for _, tt := range tests {
		got, ok := f.Reopen(tt.status)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Reopen(%q): got %q, %v; want %q, %v", tt.status, got, ok, tt.want, tt.ok)
		}
	}
}
