package store

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/oplog"
)

// Get returns the merged state of record id, or ErrNotFound.
func (s *Store) Get(id uuid.UUID) (oplog.State, error) {
	var st oplog.State
	err := s.view(func(txn *badger.Txn) error {
		var err error
		st, err = getState(txn, id)
		return err
	})
	return st, err
}

// getState reads the stored state of rec, or ErrNotFound.
func getState(txn *badger.Txn, rec uuid.UUID) (oplog.State, error) {
	v, err := getValue(txn, stateKey(rec))
	if errors.Is(err, ErrNotFound) {
		return oplog.State{}, fmt.Errorf("%w: record %s", ErrNotFound, rec)
	}
	if err != nil {
		return oplog.State{}, err
	}
	return decodeState(v)
}

// recordOps returns every stored op of rec.
func recordOps(txn *badger.Txn, rec uuid.UUID) ([]oplog.Op, error) {
	var ops []oplog.Op
	it := txn.NewIterator(badger.IteratorOptions{Prefix: recordOpPrefix(rec)})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		_, id := recordOpFromKey(it.Item().Key())
		op, err := getOp(txn, id)
		if err != nil {
			return nil, fmt.Errorf("op %s/%d of record %s: %w", id.Device, id.Seq, rec, err)
		}
		ops = append(ops, op)
	}
	return ops, nil
}

// remerge recomputes rec's state from all its ops and writes it with its
// index entries in txn. The ops are those committed (read through rtxn, a
// read-only transaction: iterating inside a write transaction with many
// pending writes sorts them all for every iterator) overlaid with fresh,
// the ops of rec written or restamped in txn. Callers hold s.mu, so
// nothing commits between rtxn and txn.
func remerge(txn, rtxn *badger.Txn, rec uuid.UUID, fresh []oplog.Op) (oplog.State, error) {
	var ops []oplog.Op
	if _, err := getValue(rtxn, stateKey(rec)); err == nil {
		if ops, err = recordOps(rtxn, rec); err != nil {
			return oplog.State{}, err
		}
	} else if !errors.Is(err, ErrNotFound) {
		return oplog.State{}, err
	}
	ops = overlay(ops, fresh)
	st := oplog.Merge(ops)
	return st, putState(txn, &st)
}

// overlay replaces the ops of base that fresh has a copy of, and adds the
// others.
func overlay(base, fresh []oplog.Op) []oplog.Op {
	if len(base) == 0 {
		return fresh
	}
	at := make(map[oplog.OpID]int, len(base))
	for i := range base {
		at[base[i].ID()] = i
	}
	for _, op := range fresh {
		if i, ok := at[op.ID()]; ok {
			base[i] = op
		} else {
			base = append(base, op)
		}
	}
	return base
}

// putState writes st and its index entries, removing the entries of the
// state it replaces.
func putState(txn *badger.Txn, st *oplog.State) error {
	old, err := oldIndexKeys(txn, st.Record)
	if err != nil {
		return err
	}
	return prepareState(st).write(txn, old)
}

// oldIndexKeys returns the index keys of the state of rec stored (or
// written) in txn; nil when there is none.
func oldIndexKeys(txn *badger.Txn, rec uuid.UUID) ([][]byte, error) {
	old, err := getState(txn, rec)
	switch {
	case err == nil:
		return indexKeys(old.Record, summarize(&old, lookupSchema(old.Register))), nil
	case errors.Is(err, ErrNotFound):
		return nil, nil
	default:
		return nil, err
	}
}

// stateWrite is a state encoded with its index entries, ready to write
// (computed outside the transaction, possibly in parallel).
type stateWrite struct {
	key, val []byte
	index    [][]byte
	indexVal []byte
}

// prepareState encodes st and its index entries.
func prepareState(st *oplog.State) stateWrite {
	sm := summarize(st, lookupSchema(st.Register))
	return stateWrite{key: stateKey(st.Record), val: encodeState(st), index: indexKeys(st.Record, sm), indexVal: sm.encode()}
}

// write stores w in txn, deleting the old index keys it does not keep.
func (w stateWrite) write(txn *badger.Txn, old [][]byte) error {
	for _, ok := range old {
		if !containsKey(w.index, ok) {
			if err := txn.Delete(ok); err != nil {
				return err
			}
		}
	}
	for _, k := range w.index {
		if err := txn.Set(k, w.indexVal); err != nil {
			return err
		}
	}
	return txn.Set(w.key, w.val)
}

func containsKey(keys [][]byte, k []byte) bool {
	for _, x := range keys {
		if bytes.Equal(x, k) {
			return true
		}
	}
	return false
}
