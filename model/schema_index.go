package model

// index builds the schema's lookup maps; called once per schema when the
// registry loads, or lazily for schemas built elsewhere (tests).
func (s *Schema) index() {
	if s.fieldIdx != nil {
		return
	}
	s.fieldIdx = make(map[string]int, len(s.Fields))
	for i := range s.Fields {
		s.fieldIdx[s.Fields[i].Key] = i
	}
	s.statusIdx = make(map[string]int, len(s.Statuses))
	for i := range s.Statuses {
		s.statusIdx[s.Statuses[i].Key] = i
	}
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
