package oplog

import "slices"

// Parents returns what a new op of the record in state s that writes field
// should list in Parent for it: the field's winning version, and with
// settle also every conflicting version, sorted. It returns nil when the
// field was never written (or s is nil).
func Parents(s *State, field string, settle bool) []OpID {
	if s == nil {
		return nil
	}
	f, ok := s.Fields[field]
	if !ok {
		return nil
	}
	ps := []OpID{f.Version}
	if settle {
		for _, c := range s.Conflicts {
			if c.Field == field {
				ps = append(ps, c.Version)
			}
		}
		slices.SortFunc(ps, CompareOpID)
	}
	return ps
}

// Conflicted returns the conflicts of field in s.
func (s *State) Conflicted(field string) []Conflict {
	var out []Conflict
	for _, c := range s.Conflicts {
		if c.Field == field {
			out = append(out, c)
		}
	}
	return out
}
