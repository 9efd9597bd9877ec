package model

import "testing"

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
