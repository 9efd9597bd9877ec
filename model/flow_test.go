package model

import (
	"slices"
	"testing"
)

// reopenSchema is a register whose approved records grid staff may send
// back to review by editing them.
func reopenSchema() *Schema {
	grid := []Role{RoleGrid, RoleCounty}
	rev := []Role{RoleCounty, RoleProvince}
	sc := &Schema{
		Name:     "test_register",
		Fields:   []Field{{Key: "note", Kind: KindText}},
		Statuses: []Status{{Key: "draft"}, {Key: "submitted"}, {Key: "returned"}, {Key: "approved"}},
		Initial:  "draft",
		Transitions: []Transition{
			{From: "draft", To: "submitted", Roles: grid},
			{From: "submitted", To: "approved", Roles: rev},
			{From: "submitted", To: "returned", Roles: rev, Comment: true},
			{From: "returned", To: "submitted", Roles: grid},
			{From: "approved", To: "submitted", Roles: grid},
		},
	}
	sc.index()
	return sc
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

// Path finds the shortest chain of moves, within the moves kept.
func TestSchemaPath(t *testing.T) {
	sc, _ := Lookup("straw_patrol")
	p := sc.Path(PatrolDraft, PatrolReviewed, nil)
	if len(p) != 2 || p[0].To != PatrolSubmitted || p[1].To != PatrolReviewed {
		t.Fatalf("draft → reviewed: %v; want submit then approve", p)
	}
	grid := func(tr Transition) bool { return slices.Contains(tr.Roles, RoleGrid) }
	if p := sc.Path(PatrolDraft, PatrolReviewed, grid); p != nil {
		t.Errorf("grid staff reach reviewed by %v; want no path (only reviewers approve)", p)
	}
	if p := sc.Path(PatrolDraft, PatrolDraft, nil); p != nil {
		t.Errorf("a path to the status itself: %v", p)
	}
}
