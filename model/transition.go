package model

import (
	"errors"
	"slices"
)

// ErrTransition is the sentinel of refused status changes; test with
// errors.Is.
var ErrTransition = errors.New("status transition not allowed")

// TransitionError says why a status change was refused, in both languages.
type TransitionError struct {
	Register string
	From, To string
	Role     Role
	Msg      Text
}

// Error renders the refusal in Chinese and English.
func (e *TransitionError) Error() string { return e.Register + ": " + e.Msg.ZH + " / " + e.Msg.EN }

// Unwrap returns ErrTransition.
func (e *TransitionError) Unwrap() error { return ErrTransition }

// Transition returns the transition from → to if role may make it, or a
// *TransitionError (errors.Is ErrTransition) saying why not.
func (s *Schema) Transition(from, to string, role Role) (*Transition, error) {
	label := func(k string) Text {
		if st, ok := s.Status(k); ok {
			return st.Label
		}
		return Text{ZH: k, EN: k}
	}
	fail := func(t Text) error {
		return &TransitionError{Register: s.Name, From: from, To: to, Role: role, Msg: t}
	}
	if _, ok := s.Status(to); !ok {
		return nil, fail(msg("未知状态 %s", "unknown status %s", to, to))
	}
	found := false
	for i := range s.Transitions {
		t := &s.Transitions[i]
		if t.From != from || t.To != to {
			continue
		}
		found = true
		if slices.Contains(t.Roles, role) {
			return t, nil
		}
	}
	f, tt := label(from), label(to)
	if found {
		return nil, fail(msg("角色 %s 无权从“%s”改为“%s”", "role %s may not move from %s to %s", role, f.ZH, tt.ZH, role, f.EN, tt.EN))
	}
	return nil, fail(msg("不能从“%s”改为“%s”", "cannot move from %s to %s", f.ZH, tt.ZH, f.EN, tt.EN))
}

// NextStatuses returns the transitions out of from that role may make, in
// schema order.
func (s *Schema) NextStatuses(from string, role Role) []Transition {
	var out []Transition
	for _, t := range s.Transitions {
		if t.From == from && slices.Contains(t.Roles, role) {
			out = append(out, t)
		}
	}
	return out
}
