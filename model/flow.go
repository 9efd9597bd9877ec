package model

import "slices"

// Gate is one review step of a register: records in status Submitted
// await a reviewer, who moves them on with Approve or back with Return.
type Gate struct {
	// Submitted is the status awaiting review.
	Submitted string
	// Approve is the reviewer's move forward (the first review transition
	// out of Submitted that needs no comment and does not void the record).
	Approve Transition
	// Return is the reviewer's move back with a comment; its To is ""
	// when the register has no return from Submitted.
	Return Transition
}

// Flow is the review workflow of one register, derived from its schema.
type Flow struct {
	Schema *Schema
	// Gates in schema order of their submitted status.
	Gates []Gate
}

// ReviewerOnly reports whether only reviewer roles (county, province) may
// make t.
func ReviewerOnly(t Transition) bool {
	if len(t.Roles) == 0 {
		return false
	}
	for _, r := range t.Roles {
		if r != RoleCounty && r != RoleProvince {
			return false
		}
	}
	return true
}

// finalStatus reports whether status is a final status of sc.
func finalStatus(sc *Schema, status string) bool {
	st, ok := sc.Status(status)
	return ok && st.Final
}

// gridEnters reports whether grid staff bring records into status: it is
// the initial status, or a transition grid staff may make leads to it.
func gridEnters(sc *Schema, status string) bool {
	if sc.Initial == status {
		return true
	}
	for _, t := range sc.Transitions {
		if t.To == status && slices.Contains(t.Roles, RoleGrid) {
			return true
		}
	}
	return false
}

// NewFlow derives the review workflow of sc (Transition carries no
// review marker). A status is a gate — submitted, awaiting review — when
//   - grid staff bring records into it (it is the initial status, or the
//     target of a transition grid staff may make),
//   - a reviewer-only transition without comment leaves it: the first in
//     schema order is the approval, its target the approved status, and
//   - a reviewer-only transition with Comment leaves it for a status that
//     is not final: the return (comment transitions into final statuses
//     void records).
//
// Statuses only reviewers enter (未替代 → 已列入计划 of farm coal) are
// county decisions, and reviewer moves with no way back (停用 of a
// monitoring point) are administration; neither is a review. Registers
// without gates are not reviewable.
func NewFlow(sc *Schema) *Flow {
	f := &Flow{Schema: sc}
	for _, st := range sc.Statuses {
		if !gridEnters(sc, st.Key) {
			continue
		}
		var g Gate
		for _, t := range sc.Transitions {
			if t.From != st.Key || !ReviewerOnly(t) {
				continue
			}
			switch {
			case t.Comment && g.Return.To == "" && !finalStatus(sc, t.To):
				g.Return = t
			case !t.Comment && g.Approve.To == "":
				g.Approve = t
			}
		}
		if g.Approve.To != "" && g.Return.To != "" {
			g.Submitted = st.Key
			f.Gates = append(f.Gates, g)
		}
	}
	return f
}

// Reviewable reports whether the register has any review step.
func (f *Flow) Reviewable() bool { return len(f.Gates) > 0 }

// Gate returns the gate of status (ok false when records in status do not
// await review).
func (f *Flow) Gate(status string) (Gate, bool) {
	for _, g := range f.Gates {
		if g.Submitted == status {
			return g, true
		}
	}
	return Gate{}, false
}

// Submitted returns the statuses awaiting review.
func (f *Flow) Submitted() []string {
	out := make([]string, len(f.Gates))
	for i, g := range f.Gates {
		out[i] = g.Submitted
	}
	return out
}

// Reopen returns the status a grid-staff edit moves a record in status
// approved back to, so that it is reviewed again: the submitted status of
// the gate whose approval led to approved, provided the schema lets grid
// staff make that move. ok is false when approved is not an approved
// status or grid staff cannot reopen it.
func (f *Flow) Reopen(approved string) (string, bool) {
	for _, g := range f.Gates {
		if g.Approve.To != approved {
			continue
		}
		if f.gridMay(approved, g.Submitted) {
			return g.Submitted, true
		}
	}
	// Otherwise any grid transition from approved into a gate.
	for _, t := range f.Schema.Transitions {
		if t.From == approved && slices.Contains(t.Roles, RoleGrid) {
			if _, ok := f.Gate(t.To); ok && f.IsApproved(approved) {
				return t.To, true
			}
		}
	}
	return "", false
}

// IsApproved reports whether status is reached by some gate's approval.
func (f *Flow) IsApproved(status string) bool {
	for _, g := range f.Gates {
		if g.Approve.To == status {
			return true
		}
	}
	return false
}

func (f *Flow) gridMay(from, to string) bool {
	for _, t := range f.Schema.Transitions {
		if t.From == from && t.To == to && slices.Contains(t.Roles, RoleGrid) {
			return true
		}
	}
	return false
}

// Path is the shortest chain of the schema's transitions from status from
// to status to (breadth first over the lifecycle) using only those keep
// allows (all when keep is nil); nil when there is none.
func (s *Schema) Path(from, to string, keep func(Transition) bool) []Transition {
	type node struct {
		status string
		path   []Transition
	}
	seen := map[string]bool{from: true}
	queue := []node{{status: from}}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, t := range s.Transitions {
			if t.From != n.status || seen[t.To] || keep != nil && !keep(t) {
				continue
			}
			p := append(append([]Transition(nil), n.path...), t)
			if t.To == to {
				return p
			}
			seen[t.To] = true
			queue = append(queue, node{status: t.To, path: p})
		}
	}
	return nil
}
