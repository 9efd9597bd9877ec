package model

import "slices"

// index builds the schema's lookup maps; called once per schema when the
// registry loads. Schemas built elsewhere (tests) are indexed lazily on
// first use, which is not safe for concurrent first use.
func (s *Schema) index() {
	if s.fieldIdx != nil {
		return
	}
	s.fieldIdx = make(map[string]int, len(s.Fields))
	for i := range s.Fields {
		s.fieldIdx[s.Fields[i].Key] = i
	}
	s.statusIdx = make(map[string]int, len(s.Statuses))
	sf, _ := ReservedField(FieldStatus)
	for i := range s.Statuses {
		s.statusIdx[s.Statuses[i].Key] = i
		sf.Options = append(sf.Options, Option{Key: s.Statuses[i].Key, Label: s.Statuses[i].Label})
	}
	s.statusField = sf
}

// EditableBy reports whether role may set the field: computed fields are
// never typed, and fields with EditRoles are limited to those roles.
func (f *Field) EditableBy(role Role) bool {
	if f.Computed {
		return false
	}
	if len(f.EditRoles) == 0 {
		return true
	}
	for _, r := range f.EditRoles {
		if r == role {
			return true
		}
	}
	return false
}

// MayCreate reports whether role may create records of the register (see
// CreateRoles). An empty role (not known here) is left to the server.
func (s *Schema) MayCreate(role Role) bool {
	return role == "" || len(s.CreateRoles) == 0 || slices.Contains(s.CreateRoles, role)
}

// Field returns the register field key (reserved fields excluded; see
// ReservedField).
func (s *Schema) Field(key string) (*Field, bool) {
	s.index()
	i, ok := s.fieldIdx[key]
	if !ok {
		return nil, false
	}
	return &s.Fields[i], true
}

// Status returns the lifecycle status key.
func (s *Schema) Status(key string) (*Status, bool) {
	s.index()
	i, ok := s.statusIdx[key]
	if !ok {
		return nil, false
	}
	return &s.Statuses[i], true
}

// RelevantIn reports whether the field applies to record r (always, for a
// field without a Relevant rule). A record without a status is judged in
// the register's initial status, as a new record is.
func (s *Schema) RelevantIn(key string, r Record) bool {
	f, ok := s.Field(key)
	if !ok || f.Relevant == nil {
		return true
	}
	if s.Initial != "" && r.Get(FieldStatus).IsNull() {
		fields := make(map[string]Value, len(r.Fields)+1)
		for k, v := range r.Fields {
			fields[k] = v
		}
		fields[FieldStatus] = Str(s.Initial)
		r.Fields = fields
	}
	return f.Relevant(r)
}

// Irrelevant returns, in field order, the fields of sc that do not apply
// to record r.
func (s *Schema) Irrelevant(r Record) []string {
	var out []string
	for i := range s.Fields {
		if f := &s.Fields[i]; f.Relevant != nil && !s.RelevantIn(f.Key, r) {
			out = append(out, f.Key)
		}
	}
	return out
}
