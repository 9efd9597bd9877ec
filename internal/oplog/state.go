package oplog

import (
	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/hlc"
	"github.com/lantian-tz/lantian/model"
)

// FieldState is the winning write of one field.
type FieldState struct {
	Value   model.Value
	Version OpID          // the op that wrote it
	Time    hlc.Timestamp // the time the merge compared (Eff when known, else HLC)
	Author  string
}

// Conflict is a concurrent write of a field that lost to the winner and is
// kept until a later op settles it.
type Conflict struct {
	Field   string
	Value   model.Value
	Version OpID
	Time    hlc.Timestamp
	Author  string
}

// State is a record as the merge of all its ops: the same set of ops, in any
// order and with duplicates, gives the same State on every replica.
type State struct {
	Record   uuid.UUID
	Register string
	County   string
	Fields   map[string]FieldState
	// Conflicts are sorted by field, then by version.
	Conflicts []Conflict
	Deleted   bool
	// Created and Updated are the smallest and greatest compared time of
	// the record's ops; CreatedBy is the author of the first op.
	Created, Updated hlc.Timestamp
	CreatedBy        string
	Ops              int // number of distinct ops merged
}

// Value returns the current value of field key (model.Null if unset).
func (s *State) Value(key string) model.Value {
	return s.Fields[key].Value
}

// Values returns the current values as a model.Record for validation.
func (s *State) Values() model.Record {
	r := model.Record{Register: s.Register, County: s.County, Fields: make(map[string]model.Value, len(s.Fields))}
	for k, f := range s.Fields {
		r.Fields[k] = f.Value
	}
	return r
}
