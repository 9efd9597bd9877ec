package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"sort"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/hlc"
	"github.com/lantian-tz/lantian/internal/oplog"
)

// Stamp is the server's stamp of an accepted op: its effective time (see
// DESIGN.md, bounded skew) and server sequence number.
type Stamp struct {
	ID        oplog.OpID
	Eff       hlc.Timestamp
	ServerSeq uint64
}

// Stamp records server stamps on stored (or held) ops and re-merges the
// records whose ops' compared times changed, in one durable transaction. Stamps of ops
// not stored are ignored: the ops will arrive stamped.
func (s *Store) Stamp(ctx context.Context, stamps []Stamp) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	recs := map[uuid.UUID][]stamped{} // records to merge again
	touched := map[uuid.UUID]bool{}   // records with newly stamped ops
	s.mu.Lock()
	err := s.update(func(txn *badger.Txn) error {
		for _, st := range stamps {
			for _, key := range [][]byte{logKey(st.ID), pendingKey(st.ID)} {
				v, err := getValue(txn, key)
				if errors.Is(err, ErrNotFound) {
					continue
				}
				if err != nil {
					return err
				}
				if len(v) < 16 {
					return errCorrupt
				}
				oldEff := hlc.Timestamp(binary.BigEndian.Uint64(v[0:8]))
				if oldEff == st.Eff && binary.BigEndian.Uint64(v[8:16]) == st.ServerSeq {
					break
				}
				binary.BigEndian.PutUint64(v[0:8], uint64(st.Eff))
				binary.BigEndian.PutUint64(v[8:16], st.ServerSeq)
				if err := txn.Set(key, v); err != nil {
					return err
				}
				if key[0] == pfxLog {
					clock, ok := oplog.PeekHLC(v[16:])
					rec, ok2 := oplog.PeekRecord(v[16:])
					if !ok || !ok2 {
						return errCorrupt
					}
					touched[rec] = true
					if compared(oldEff, clock) == compared(st.Eff, clock) {
						// The time Merge compares is the same (the
						// device's clock was within the tolerance), and
						// Merge reads nothing else of a stamp: the
						// record's state does not change.
						s.sameTime.Add(1)
						break
					}
					recs[rec] = append(recs[rec], stamped{Stamp: st, raw: v})
				}
				break
			}
		}
		rtxn := s.db.NewTransaction(false)
		defer rtxn.Discard()
		for rec, fresh := range recs {
			done, err := restampOne(txn, rec, fresh)
			if err != nil {
				return err
			}
			if done {
				s.restamped.Add(1)
				continue
			}
			ops := make([]oplog.Op, len(fresh))
			for i, f := range fresh {
				op, err := decodeOp(f.raw)
				if err != nil {
					return err
				}
				ops[i] = op
			}
			if _, err := remerge(txn, rtxn, rec, ops); err != nil {
				return err
			}
		}
		return nil
	})
	s.mu.Unlock()
	if err != nil {
		return err
	}
	list := make([]uuid.UUID, 0, len(touched))
	for r := range touched {
		list = append(list, r)
	}
	sort.Slice(list, func(i, j int) bool { return bytes.Compare(list[i][:], list[j][:]) < 0 })
	s.emit(Event{Kind: Stamped, Records: list})
	return nil
}

// stamped is a stamp with the stored value (stamp header and op) it was
// written into.
type stamped struct {
	Stamp
	raw []byte
}

// restampOne is Stamp's fast path for the commonest record, one created
// and not edited since: when rec's state was merged from a single op and
// that op is the one stamped, Merge of the stamped op gives the same state
// with its compared times (every field's, Created, Updated) moved to the
// stamp's effective time, so the state is rewritten without reading and
// decoding the record's ops. It reports false, having written nothing,
// when the record is anything else. TestStampFastPathEqualsMerge checks
// it against Merge.
func restampOne(txn *badger.Txn, rec uuid.UUID, fresh []stamped) (bool, error) {
	if len(fresh) != 1 || fresh[0].Eff == 0 {
		return false, nil
	}
	old, err := getState(txn, rec)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	id := fresh[0].ID
	if old.Ops != 1 || len(old.Conflicts) != 0 || len(old.Fields) == 0 {
		return false, nil
	}
	for _, f := range old.Fields {
		if f.Version != id {
			return false, nil
		}
	}
	oldKeys := indexKeys(old.Record, summarize(&old, lookupSchema(old.Register)))
	eff := fresh[0].Eff
	st := old
	st.Fields = make(map[string]oplog.FieldState, len(old.Fields))
	for k, f := range old.Fields {
		f.Time = eff
		st.Fields[k] = f
	}
	st.Created, st.Updated = eff, eff
	return true, prepareState(&st).write(txn, oldKeys)
}

// compared is the time Merge compares for an op of clock c stamped with
// eff (oplog.Op.Time).
func compared(eff, c hlc.Timestamp) hlc.Timestamp {
	if eff != 0 {
		return eff
	}
	return c
}
