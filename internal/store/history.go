package store

import (
	"bytes"
	"fmt"
	"sort"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/hlc"
	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
)

// FieldChange is one field written by an op: the merged value before the
// op and the value the op wrote.
type FieldChange struct {
	Field    string
	Old, New model.Value
}

// HistoryEntry is one op of a record's history.
type HistoryEntry struct {
	Op      oplog.OpID
	Author  string
	Device  uuid.UUID
	HLC     hlc.Timestamp
	Eff     hlc.Timestamp // zero until the server stamped it
	Changes []FieldChange // sorted by field
}

// History returns the ops of record id in the merge's time order (server
// effective time when known, else HLC; then device, seq), each with the
// values before it as the merge of the ops before it gives them.
func (s *Store) History(id uuid.UUID) ([]HistoryEntry, error) {
	var ops []oplog.Op
	err := s.view(func(txn *badger.Txn) error {
		var err error
		ops, err = recordOps(txn, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(ops) == 0 {
		return nil, fmt.Errorf("%w: record %s", ErrNotFound, id)
	}
	sort.Slice(ops, func(i, j int) bool {
		ti, tj := ops[i].Time(), ops[j].Time()
		if ti != tj {
			return ti < tj
		}
		if c := bytes.Compare(ops[i].Device[:], ops[j].Device[:]); c != 0 {
			return c < 0
		}
		return ops[i].Seq < ops[j].Seq
	})
	out := make([]HistoryEntry, 0, len(ops))
	for i := range ops {
		before := oplog.Merge(ops[:i])
		op := &ops[i]
		e := HistoryEntry{Op: op.ID(), Author: op.Author, Device: op.Device, HLC: op.HLC, Eff: op.Eff}
		for k, v := range op.Set {
			e.Changes = append(e.Changes, FieldChange{Field: k, Old: before.Value(k), New: v})
		}
		sort.Slice(e.Changes, func(a, b int) bool { return e.Changes[a].Field < e.Changes[b].Field })
		out = append(out, e)
	}
	return out, nil
}
